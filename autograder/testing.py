"""What a hidden suite needs: the `grade` marker and checks whose messages are safe to show a student.

A hidden test reads like the specification it enforces:

    @grade(points=2, part="conv1d", hint="Is the kernel flipped? conv1d is a true convolution.")
    def test_full_mode_matches_numpy(student, rng):
        x, w = rng.standard_normal(11), rng.standard_normal(4)
        assert_close(student.conv1d(x, w), ref.conv1d(x, w), what="conv1d(x, w)")

Fixtures (from `autograder.plugin`): `student` — the submission's functions (`student.conv1d(...)`; arguments
and results cross as plain data; `student.conv1d.with_inputs(...)` also returns the arguments as the function left
them); `rng` — a numpy Generator seeded from the test's name; `credit` — set `credit.fraction` for partial credit.

Failure messages: `Mismatch`, `StudentError`, `CallTimeout` and `SubmissionDied` messages reach the student; any
other failure is reported as "incorrect result" so that a bare `assert` can never leak a reference value. A failure is
classified by what was raised (`autograder.plugin.classify`): a test's hint is shown only for the causes it was written
for (`hint_for`: wrong values or shape by default), never for a stub, an exception, a timeout or a dead process.
"""

from __future__ import annotations

import numpy as np
import pytest

# the sandbox's failures, re-exported: a suite may catch them (autograder.failures)
from autograder.failures import CallTimeout as CallTimeout
from autograder.failures import StudentError as StudentError
from autograder.failures import SubmissionDied as SubmissionDied

# Why a hidden test failed, as recorded in each result's tests (`cause`) and matched by the diagnosis.
NOT_IMPLEMENTED = "not implemented"  # the released stub's NotImplementedError
RAISED = "raised"  # the student's code raised (type, message and line recorded)
TIMED_OUT = "timed out"
DIED = "process died"
WRONG_SHAPE = "wrong shape"  # wrong type, shape, dtype or number of returned values
WRONG_VALUES = "wrong values"
FORBIDDEN = "forbidden call"
GRADER = "grader problem"
PARTIAL = "partial credit"  # passed, for a fraction of the points
CAUSES = (NOT_IMPLEMENTED, RAISED, TIMED_OUT, DIED, WRONG_SHAPE, WRONG_VALUES, FORBIDDEN, GRADER, PARTIAL)
HINTED = (WRONG_VALUES, WRONG_SHAPE, PARTIAL)  # the causes a hint is for unless its test says otherwise


class Mismatch(AssertionError):
    """A check failed; the message is safe to show a student."""


class WrongShape(Mismatch):
    """A returned value has the wrong type, shape, dtype or number of parts."""


class NotWritten(Mismatch):
    """A test the student writes is still the released stub (it raises NotImplementedError on a correct
    implementation)."""


def grade(points: float, part: str, hint: str = "", hint_for: tuple[str, ...] = HINTED):
    """Mark a test as worth `points` of graded part `part`; `hint` is shown when it fails for one of the causes
    `hint_for` (default: wrong values or shape)."""
    unknown = set(hint_for) - set(CAUSES)
    if unknown:
        raise ValueError(f"hint_for: unknown causes {sorted(unknown)} (known: {CAUSES})")
    return pytest.mark.grade(points=points, part=part, hint=hint, hint_for=tuple(hint_for))


def as_array(got, what: str, shape: tuple | None = None, dtype=np.float64) -> np.ndarray:
    """Check that `got` is a finite numeric ndarray (of `shape` and `dtype` when given) and return it."""
    if not isinstance(got, np.ndarray):
        raise WrongShape(f"{what}: expected a numpy array, got {type(got).__name__}")
    if got.dtype.kind not in "biuf":
        raise WrongShape(f"{what}: expected a real array, got dtype {got.dtype}")
    if shape is not None and got.shape != tuple(shape):
        raise WrongShape(f"{what}: shape {got.shape}, expected {tuple(shape)}")
    if dtype is not None and got.dtype != np.dtype(dtype):
        raise WrongShape(f"{what}: dtype {got.dtype}, expected {np.dtype(dtype)}")
    if not np.all(np.isfinite(got)):
        raise Mismatch(f"{what}: contains NaN or infinity")
    return got


def as_tuple(got, n: int | tuple[str, ...], what: str) -> tuple:
    """A function that returns several values returns a tuple (or list) of them: `n` values, or one per name
    (`("out", "cache")`, which the message then shows)."""
    count, shape = (n, f"of {n} values") if isinstance(n, int) else (len(n), f"({', '.join(n)})")
    if not isinstance(got, (tuple, list)) or len(got) != count:
        raise WrongShape(f"{what}: expected a tuple {shape}, got {type(got).__name__}"
                       + (f" of length {len(got)}" if isinstance(got, (tuple, list)) else ""))
    return tuple(got)


def assert_close(got, want, what: str, rtol: float = 1e-6, atol: float = 1e-8, dtype=np.float64) -> None:
    """`got` must be an array of `want`'s shape whose values match to the tolerance; reports where, not what."""
    want = np.asarray(want)
    got = as_array(got, what, shape=want.shape, dtype=dtype)
    bad = ~np.isclose(got, want, rtol=rtol, atol=atol)
    if bad.any():
        err = float(np.max(np.abs(got.astype(np.float64) - want)))
        first = tuple(int(i) for i in np.argwhere(bad)[0])
        raise Mismatch(
            f"{what}: {int(bad.sum())} of {bad.size} values differ from the expected result "
            f"(largest error {err:.3g}; first at index {first})"
        )


def assert_scalar_close(got, want: float, what: str, rtol: float = 1e-6, atol: float = 1e-8) -> None:
    """`got` must be a real number close to `want`."""
    if isinstance(got, np.ndarray) and got.ndim == 0:
        got = got.item()
    if isinstance(got, bool) or not isinstance(got, (int, float)):
        raise WrongShape(f"{what}: expected a number, got {type(got).__name__}")
    if not np.isclose(got, want, rtol=rtol, atol=atol) and not (np.isinf(want) and got == want):
        raise Mismatch(f"{what}: the value differs from the expected result")


def assert_unchanged(before, after, what: str) -> None:
    """An input the student's function received must be exactly as it was passed."""
    if isinstance(before, np.ndarray):
        if not isinstance(after, np.ndarray) or before.shape != after.shape or not np.array_equal(before, after):
            raise Mismatch(f"{what} was modified in place; inputs must never be changed")
    elif before != after:
        raise Mismatch(f"{what} was modified in place; inputs must never be changed")
