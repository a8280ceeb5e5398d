"""Who attempted what: the kind of a graded row (ok, error, timed out or killed) and, per part, whether it is still the
released stub. The class report's statistics are over the students who attempted each part; the others are counted
apart and shown as what they are."""

from __future__ import annotations

from autograder.grading import Result
from autograder.testing import NOT_IMPLEMENTED

OK, ERROR, KILLED = "ok", "error", "timed out or killed"


def not_implemented(test: dict) -> bool:
    """The test failed because its function (or the student's test) is still the released stub: its `cause`; the
    message for a result recorded before tests had causes. The one place that decides it."""
    if test["passed"]:
        return False
    if "cause" in test:
        return test["cause"] == NOT_IMPLEMENTED
    return "raised NotImplementedError" in test.get("message", "")


def row_kind(r: Result) -> str:
    """OK, ERROR (nothing graded: the reason says why) or KILLED (a time limit, or a process that died or was killed
    during some tests: endless loops and hostile notebooks)."""
    if r.status == "error":
        return ERROR
    if r.status == "timeout" or r.reason:
        return KILLED
    return OK


def attempted_parts(r: Result) -> set[str]:
    """The parts of an ok row with at least one test that did not fail as not implemented."""
    if row_kind(r) != OK:
        return set()
    return {t["part"] for t in r.tests if not not_implemented(t)}


def stub_parts(r: Result) -> set[str]:
    """The parts of an ok row every test of which failed as not implemented."""
    if row_kind(r) != OK:
        return set()
    return {t["part"] for t in r.tests} - attempted_parts(r)
