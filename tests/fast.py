"""The limits the tests grade example classes with: short, yet long enough that the slowest hostile submission (A1's
endless loop: 14 functions × 4 s, then its stride proof's two hangs × 20 s before the judge gives up, ≈ 100 s) ends
within its total time limit whatever order the judge draws, so its gradebook reason does not depend on luck."""

from autograder.config import Limits

FAST = Limits(call_timeout=4, load_timeout=8, submission_timeout=150)
