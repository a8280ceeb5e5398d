"""`make bench`: benchmark tables. Speed is measured here and printed, never asserted in a test."""
