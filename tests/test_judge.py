"""The judge of student-written tests: a test earns its credit by what it checks, not by counting its calls."""

import numpy as np
import pytest

from autograder import assignment as layout
from autograder.grading import grade_answers
from autograder.judge import judge
from autograder.plugin import classify
from autograder.testing import NOT_IMPLEMENTED, CallTimeout, Mismatch, NotWritten, StudentError

WHEATS = {f"correct {i}": (lambda i=i: ("wheat", i)) for i in range(3)}
CHAFFS = [(lambda i=i: ("chaff", i)) for i in range(10)]


def counting_test():
    """A student's test that knows nothing of the claim: it accepts its first three runs and rejects the rest."""
    calls = []

    def test(implementation):
        calls.append(implementation)
        if len(calls) > len(WHEATS):
            raise StudentError("test", "AssertionError", "")

    return test


def honest_test(implementation):
    if implementation()[0] == "chaff":
        raise StudentError("test", "AssertionError", "")


def test_an_honest_test_rejects_every_chaff():
    assert judge(honest_test, WHEATS, CHAFFS, name="t", rng=np.random.default_rng(0)).rejected == len(CHAFFS)


def test_a_test_that_counts_its_calls_fails_a_wheat():
    """The wheats do not come first: over 20 gradings the counting test meets a wheat after its third run (were the
    order fixed with the wheats first, it would reject all 10 chaffs every time; by chance: 1 in 286 per grading)."""
    failed = 0
    for seed in range(20):
        try:
            judge(counting_test(), WHEATS, CHAFFS, name="t", rng=np.random.default_rng(seed))
        except Mismatch:
            failed += 1
    assert failed >= 15


def test_a_test_that_rejects_nothing_earns_nothing():
    with pytest.raises(Mismatch, match="rejects none"):
        judge(lambda implementation: None, WHEATS, CHAFFS, name="t", rng=np.random.default_rng(0))


def hanging_on(hangs_on):
    """A student's test that runs out of time on the implementations `hangs_on` names, and is honest elsewhere."""
    runs = []

    def test(implementation):
        runs.append(implementation())
        if implementation() in hangs_on:
            raise CallTimeout("test() did not finish within the 20 s limit")
        honest_test(implementation)

    return test, runs


def test_one_hang_on_a_chaff_costs_that_chaff_only():
    test, runs = hanging_on({("chaff", 4)})
    assert judge(test, WHEATS, CHAFFS, name="t", rng=np.random.default_rng(0)).rejected == len(CHAFFS) - 1
    assert len(runs) == len(WHEATS) + len(CHAFFS)


def test_a_test_that_hangs_is_not_run_after_its_second_hang():
    """Each hang costs the batch the whole time limit: a test that hangs everywhere runs at most twice, and earns
    nothing unless every wheat passed before it was given up."""
    for seed in range(20):
        test, runs = hanging_on({impl() for impl in [*WHEATS.values(), *CHAFFS]})
        with pytest.raises(Mismatch):
            judge(test, WHEATS, CHAFFS, name="t", rng=np.random.default_rng(seed))
        assert len(runs) <= 2


def test_hangs_on_two_chaffs_after_every_wheat_passed_keep_the_rejections_made():
    """Given up after its second hang, a test keeps what it earned when no wheat was left to run: the chaffs it did not
    run on count as not rejected."""
    outcomes = set()
    for seed in range(40):
        test, runs = hanging_on({("chaff", 0), ("chaff", 1)})
        try:
            verdict = judge(test, WHEATS, CHAFFS, name="t", rng=np.random.default_rng(seed))
        except Mismatch as exc:
            assert "did not finish on 2" in str(exc)
            assert not all(("wheat", i) in runs for i in range(3))
            outcomes.add("given up")
            continue
        assert verdict.rejected == sum(r[0] == "chaff" for r in runs) - 2
        outcomes.add(verdict.rejected)
    assert "given up" in outcomes and len(outcomes) > 2


A1 = layout.get("a1_convolution")
REJECTS_ITS_SECOND_RUN = """
_runs = []

def test_stride_is_downsampling(corr1d) -> None:
    _runs.append(corr1d)
    assert len(_runs) != 2
"""


def proof_score(variant: str) -> float:
    """The stride proof's points when the student's test rejects only its second run: 1 point when that run was a
    chaff, 0 when it was a wheat — so the score tells where the judge put a wheat."""
    answers = {**A1.reference_answers(), "test_stride_is_downsampling": REJECTS_ITS_SECOND_RUN + variant}
    return grade_answers(A1, answers, sandbox=False).parts["test_stride_is_downsampling"][0]


def test_a_regrade_of_the_same_submission_judges_in_the_same_order():
    """Ten submissions graded twice (were the order drawn afresh, all ten would agree by chance 1 time in 80)."""
    variants = [f"# variant {k}" for k in range(10)]
    assert [proof_score(v) for v in variants] == [proof_score(v) for v in variants]


def test_another_submission_is_judged_in_another_order():
    """A comment changes the submission, so the order: 40 variants all meeting a chaff (or all a wheat) at their second
    run would happen by chance once in 35,000 (with a fixed order, every time)."""
    assert len({proof_score(f"# variant {k}") for k in range(40)}) == 2


def test_a_test_still_the_stub_is_not_implemented_not_a_wrong_value():
    """The released stub of a student's test fails as 'not implemented' (the class report counts it as not
    attempted), whatever its message says."""
    def stub(implementation):
        raise StudentError("test", "NotImplementedError", "")

    with pytest.raises(NotWritten) as failed:
        judge(stub, WHEATS, CHAFFS, name="t", rng=np.random.default_rng(0))
    assert classify(failed.value)[0] == NOT_IMPLEMENTED
