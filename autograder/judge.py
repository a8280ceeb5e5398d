"""The one judge of student-written tests (A1's stride proof, A2's equivariance tests, A5's prior proof).

A student's test takes the implementation under test as its argument. The grader runs it, in the sandbox, against
*wheats* (correct implementations: it must pass every one) and *chaffs* (subtly wrong ones: it should reject as many
as it can). The implementations stay in the grader and reach the test as opaque callbacks.

One rule for every assignment, decided by what the call did, never by a message string:
- the test returns: it accepted the implementation;
- the test raises (a failed assert or any other exception): it rejected the implementation;
- the test does not finish within its time limit, or its process dies: no verdict — on a wheat that is a failure
  (a test must pass every correct implementation), on a chaff it is not a rejection;
- `NotImplementedError` on a wheat means the test is still the released stub;
- a test that runs out of time on `GIVE_UP_AFTER` implementations is not run on the others (each such run costs the
  batch its whole time limit): a wheat it was not run on counts as failed, a chaff as not rejected.
Score: 0 when it fails any wheat; otherwise the fraction of chaffs it rejected.

A test is asked to check the claim as the released notebook states it, no more: every chaff names the clause of
that claim it breaks (`Chaff.breaks`, a key of its property's `claim`, whose value quotes the notebook).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np

from autograder.failures import CallTimeout, StudentError, SubmissionDied
from autograder.testing import Mismatch, NotWritten

ACCEPTED, REJECTED, HUNG, DIED = "accepted", "rejected", "hung", "died"  # the last two are no verdict
GIVE_UP_AFTER = 2  # runs that ran out of time: one hang on an odd chaff is forgiven, a test that hangs is not rerun


class Chaff(NamedTuple):
    """A wrong implementation of a claimed property, and the clause of the notebook's claim it breaks."""

    label: str
    core: Callable
    breaks: str  # a key of its property's `claim` (clause name -> the notebook's words)


@dataclass(frozen=True)
class Verdict:
    rejected: int  # chaffs the test rejected
    chaffs: int

    @property
    def fraction(self) -> float:
        return self.rejected / self.chaffs if self.chaffs else 0.0


def run_once(test: Callable, implementation: Callable) -> tuple[str, str]:
    """What one run of a student's test on one implementation did: (ACCEPTED | REJECTED | HUNG | DIED, why)."""
    try:
        test(implementation)
    except StudentError as exc:
        return REJECTED, exc.type
    except CallTimeout as exc:
        return HUNG, f"it did not finish ({exc})"
    except SubmissionDied as exc:
        return DIED, f"its process ended ({exc})"
    return ACCEPTED, ""


def judge(test: Callable, wheats: Mapping[str, Callable], chaffs: Sequence[Callable], *, name: str,
          rng: np.random.Generator) -> Verdict:
    """Run student test `name` (a callable into the sandbox) on every wheat and chaff; raise `Mismatch` when it fails
    a wheat or rejects no chaff, else return how many chaffs it rejected. The runs come in an order drawn from `rng`
    (the suites' `order_rng`: fixed per submission, unknown to students), so a test cannot count its calls to tell
    wheats from chaffs, and a regrade gives the same score."""
    runs: list[tuple[str | None, Callable]] = [(label, impl) for label, impl in wheats.items()]
    runs += [(None, impl) for impl in chaffs]
    rejected = hangs = 0
    order = list(rng.permutation(len(runs)))
    for done, k in enumerate(order):
        if hangs >= GIVE_UP_AFTER:
            if any(runs[j][0] is not None for j in order[done:]):
                raise Mismatch(f"{name} did not finish on {hangs} implementations, so it was not run on the others "
                               "and earns no points (a test must pass every correct implementation). Look for a loop "
                               "that waits on a condition an implementation may never meet.")
            break
        wheat, implementation = runs[k]
        verdict, why = run_once(test, implementation)
        hangs += verdict == HUNG
        if wheat is not None and verdict == REJECTED and why == "NotImplementedError":
            raise NotWritten(f"{name} raised NotImplementedError: write the test first.")
        if wheat is not None and verdict != ACCEPTED:
            what = f"it raised {why}" if verdict == REJECTED else why
            raise Mismatch(f"{name} failed on a correct implementation ({wheat}: {what}). A test must pass every "
                           "implementation for which the claim holds, so it earns no points; an implementation may "
                           "round differently, or take any input the claim allows.")
        rejected += wheat is None and verdict == REJECTED
    if rejected == 0:
        raise Mismatch(f"{name} passes every correct implementation but rejects none of the {len(chaffs)} wrong "
                       "ones: it does not test the claim yet.")
    return Verdict(rejected, len(chaffs))


def judge_property(student, prop, name: str, credit, timeout: float, rng: np.random.Generator) -> None:
    """Judge student test `name` on the wheats and chaffs of `prop` (a property of an assignment's impls.py: `wheats`
    as (label, core) pairs, `chaffs` as `Chaff`s, `wrapped(core)` the implementation a test receives) and award its
    credit."""
    verdict = judge(getattr(student, name).timeout(timeout), {label: prop.wrapped(core) for label, core in prop.wheats},
                    [prop.wrapped(chaff.core) for chaff in prop.chaffs], name=name, rng=rng)
    award(verdict, credit, name)


def award(verdict: Verdict, credit, name: str) -> None:
    """Partial credit of a judged test: its points times the fraction of chaffs rejected."""
    credit.fraction = verdict.fraction
    credit.note = f"{name} rejected {verdict.rejected} of {verdict.chaffs} wrong implementations"
