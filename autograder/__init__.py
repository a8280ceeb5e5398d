"""The kit's grader: load → sandbox → run hidden suites → score → report, one stage per module."""
