"""A submission whose failures are exactly a catalogued bug's (tests and causes) is told that bug on its feedback page;
a correct one, one that fails the same tests for another cause, and one with a second bug are not."""

from __future__ import annotations

import html

import pytest

from autograder import assignment as layout
from autograder import misconceptions as mc
from autograder.grading import grade_answers
from autograder.report import feedback_html, results_text
from course.mutation import Mutant, catalogue

A1 = layout.get("a1_convolution")
FLIPPED = "corr1d kernel flipped"
SECTION = "What your failures suggest"


def graded(answers: dict[str, str]) -> tuple[dict, str]:
    """The submission's pattern, and what it is shown: its feedback page and its Gradescope results.json."""
    result = grade_answers(A1, answers, slot=22)
    assert result.status == "ok", result.reason
    return mc.failures(result.tests), feedback_html(result) + "\n<!-- results.json -->\n" + results_text(result)


@pytest.fixture(scope="module")
def flipped():
    [bug] = [m for m in catalogue(A1) if m.name == FLIPPED]
    return bug, graded(bug.apply(A1.reference_answers()))


def test_a_mutants_own_submission_is_told_its_bug(flipped):
    bug, (_, page) = flipped
    assert SECTION in page
    assert html.escape(f"Your corr1d behaves exactly like one with this typical bug: {bug.name}.") in page
    assert bug.name in page.split("<!-- results.json -->")[1], "on Gradescope too"


def test_a_correct_submission_is_told_nothing():
    failed, page = graded(A1.reference_answers())
    assert failed == {} and SECTION not in page


def test_the_same_tests_failed_for_another_cause_is_not_that_bug(flipped):
    """corr1d raising fails exactly the tests the flipped kernel fails, but by an exception: not the misconception."""
    _, (bug_failed, _) = flipped
    raising = Mutant("corr1d raises", "corr1d", code="def corr1d(x, w, stride=1):\n    return x.shape[2]\n")
    failed, page = graded(raising.apply(A1.reference_answers()))
    assert set(failed) == set(bug_failed) and set(failed.values()) == {"raised IndexError"}
    assert SECTION not in page and FLIPPED not in page


def test_a_second_bug_is_not_named_as_one(flipped):
    bug, (bug_failed, _) = flipped
    [other] = [m for m in catalogue(A1) if m.name == "conv1d kernel not flipped (a cross-correlation)"]
    failed, page = graded(other.apply(bug.apply(A1.reference_answers())))
    assert set(bug_failed) < set(failed)
    assert SECTION not in page and FLIPPED not in page and other.name not in page


def test_named_needs_the_same_tests_and_the_same_causes():
    def test(name, cause="", error="", passed=False):
        return {"name": name, "points": 1.0, "score": float(passed), "passed": passed, "cause": cause, "error": error}

    bug = mc.Misconception("kernel flipped", "f", {"t1": "wrong values", "t2": "raised ValueError"})
    twin = mc.Misconception("H/W swapped", "f", {"t1": "wrong values", "t2": "raised ValueError"})
    same = [test("t1", "wrong values"), test("t2", "raised", "ValueError"), test("t3", passed=True)]
    assert mc.named(same, [bug]) == bug
    assert mc.named(same, [bug, twin]) is None, "two bugs fail exactly so: the failures do not tell which"
    assert mc.named([same[0], test("t2", "raised", "TypeError"), same[2]], [bug]) is None
    assert mc.named([same[0], test("t2", "wrong values"), same[2]], [bug]) is None
    assert mc.named([*same[:2], test("t3", "wrong values")], [bug]) is None
    assert mc.named([test("t1", passed=True)], [mc.Misconception("nothing", "f", {})]) is None
    half = {**test("t1", "partial credit"), "score": 0.5}
    assert mc.named([half], [mc.Misconception("weak test", "f", {"t1": "partial credit 0.5"})]).bug == "weak test"
    assert mc.named([half], [mc.Misconception("weaker test", "f", {"t1": "partial credit 0.25"})]) is None
