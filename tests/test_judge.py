"""The judge of student-written tests: a test earns its credit by what it checks, not by counting its calls."""

import pytest

from autograder.judge import judge
from autograder.testing import Mismatch, StudentError

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
    assert judge(honest_test, WHEATS, CHAFFS, name="t").rejected == len(CHAFFS)


def test_a_test_that_counts_its_calls_fails_a_wheat():
    """The wheats do not come first: over 20 gradings the counting test meets a wheat after its third run (were the
    order fixed with the wheats first, it would reject all 10 chaffs every time; by chance: 1 in 286 per grading)."""
    failed = 0
    for _ in range(20):
        try:
            judge(counting_test(), WHEATS, CHAFFS, name="t")
        except Mismatch:
            failed += 1
    assert failed >= 15


def test_a_test_that_rejects_nothing_earns_nothing():
    with pytest.raises(Mismatch, match="rejects none"):
        judge(lambda implementation: None, WHEATS, CHAFFS, name="t")
