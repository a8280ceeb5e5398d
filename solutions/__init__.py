"""Reference implementations: the one truth the hidden suites compare against (numpy only)."""
