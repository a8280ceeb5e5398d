"""Item analysis: a test every student passes, one every student fails and one the stronger students fail are on the
list of tests to fix; a working test is not; stubs, error rows and killed processes are no attempt."""

from __future__ import annotations

import pytest

from autograder.grading import Result
from course import item_analysis as items
from course.attempts import attempted_parts, not_implemented

STUB = "f raised NotImplementedError:  (<cell p>, line 3)"
PARTS = {"p": 4.0, "q": 4.0}
SKILLS = (2, 4, 6, 8)


def _row(name: str, passed: dict[str, bool], status: str = "ok", reason: str = "", message: str = "wrong") -> Result:
    tests = [{"name": t, "part": "q" if t.startswith("t_skill") else "p", "points": 1.0, "hint": "",
              "score": float(ok), "passed": ok, "message": "" if ok else message} for t, ok in passed.items()]
    parts = {part: [sum(t["score"] for t in tests if t["part"] == part), 4.0] for part in PARTS}
    return Result(name, "x", status, reason, sum(t["score"] for t in tests), 8.0, parts, tests)


def _class() -> list[Result]:
    """Ten students of ability 0..9: t_useless passed by all, t_impossible by none, t_good by the stronger half,
    t_backwards by the weaker half only; part q's tests follow ability. Plus a stub, an error row and a killed
    process, who would make t_useless look like it discriminates if they counted."""
    rows = []
    for i in range(10):
        strong = i >= 5
        rows.append(_row(f"s{i}", {"t_useless": True, "t_impossible": False, "t_good": strong,
                                   "t_backwards": not strong} | {f"t_skill{k}": i >= k for k in SKILLS}))
    every = ("t_useless", "t_impossible", "t_good", "t_backwards") + tuple(f"t_skill{k}" for k in SKILLS)
    rows.append(_row("stub", dict.fromkeys(every, False), message=STUB))
    rows.append(Result("error", "x", "error", "several notebooks", 0.0, 8.0, {"p": [0.0, 4.0], "q": [0.0, 4.0]}))
    rows.append(_row("killed", dict.fromkeys(every, False), status="timeout", reason="time limit"))
    return rows


def test_the_useless_impossible_and_backwards_tests_are_flagged():
    tests, parts = items.analyse(_class(), PARTS)
    by = {t.name: t for t in tests}
    assert by["t_useless"].flags == [items.EVERYONE_PASSES]
    assert by["t_impossible"].flags == [items.EVERYONE_FAILS]
    assert by["t_backwards"].flags == [items.NEGATIVE] and by["t_backwards"].discrimination < 0
    assert by["t_good"].flags == [] and by["t_good"].discrimination > 0.5 and by["t_good"].upper_lower == 1.0
    assert all(by[f"t_skill{k}"].flags == [] for k in SKILLS)
    assert by["t_backwards"].upper_lower == -1.0
    assert all(t.attempted == 10 for t in tests), "the stub, the error row and the killed process are no attempt"
    assert by["t_useless"].difficulty == 1.0 and by["t_good"].difficulty == 0.5
    assert by["t_useless"].discrimination is None, "a test that does not vary has no correlation"
    assert {p.name: p.attempted for p in parts} == {"p": 10, "q": 10}


def test_point_biserial_is_pearsons_r():
    x, y = [0, 0, 1, 1, 1], [1.0, 2.0, 2.5, 4.0, 5.0]
    mx, my = sum(x) / 5, sum(y) / 5
    sy = (sum((b - my) ** 2 for b in y) / 5) ** 0.5
    p = mx  # r_pb = (M1 - M0) / s_y * sqrt(p q), the textbook form (population standard deviation)
    m1, m0 = (y[2] + y[3] + y[4]) / 3, (y[0] + y[1]) / 2
    assert items.correlation(x, y) == pytest.approx((m1 - m0) / sy * (p * (1 - p)) ** 0.5)
    assert items.correlation([1, 1, 1], [1.0, 2.0, 3.0]) is None


def test_too_few_attempts_get_no_flag():
    tests, _ = items.analyse(_class()[:3], PARTS)
    assert all(t.flags == [] for t in tests)


def _caused(row: Result, cause: str) -> Result:
    for t in row.tests:
        t["cause"] = "" if t["passed"] else cause
    return row


def test_a_stub_is_told_from_an_attempt_by_its_cause():
    """By the failure's cause; a row recorded before tests had causes, by its message."""
    stub = _caused(_row("stub", {"t_good": False, "t_skill2": True}, message=STUB), "not implemented")
    assert not_implemented(stub.tests[0]) and attempted_parts(stub) == {"q"}
    own_test = _caused(_row("own", {"t_good": False}, message="test_shift raised NotImplementedError: write the "
                                                               "test first."), "not implemented")
    assert attempted_parts(own_test) == set()
    tried = _caused(_row("tried", {"t_good": False}, message="f raised IndexError: index 3 is out of bounds"), "raised")
    assert not not_implemented(tried.tests[0]) and attempted_parts(tried) == {"p"}
    quoted = _caused(_row("quoted", {"t_good": False}, message="expected 'raised NotImplementedError'"), "wrong values")
    assert attempted_parts(quoted) == {"p"}
    old = _row("old", {"t_good": False, "t_skill2": True}, message=STUB)
    assert not_implemented(old.tests[0]) and attempted_parts(old) == {"q"}
