"""Every failed hidden test is classified by its cause, and its hint is shown only for the failure it was written for:
one A1 notebook with a different kind of failure in each part, graded in the sandbox."""

from __future__ import annotations

import html

import pytest

from autograder import assignment as layout
from autograder import report, testing
from autograder.config import Limits
from autograder.grading import grade_answers
from autograder.plugin import classify
from course.release import stub_answers

A1 = layout.get("a1_convolution")
LIMITS = Limits(call_timeout=3, load_timeout=8, submission_timeout=120)

BROKEN = {  # part -> (its cell's code, the cause of each of its tests)
    "conv1d": (None, testing.NOT_IMPLEMENTED),  # the released stub
    "corr1d": ("import numpy as np\n\ndef corr1d(x, w, stride=1):\n    total = np.sum(x)\n"
               "    raise TypeError('unsupported operand type(s)')\n", testing.RAISED),
    "output_size": ("def output_length(n, k, stride=1, pad=0):\n    return (n + 2 * pad - k) // stride + 1\n",
                    testing.RAISED),  # renamed: output_size is not defined
    "fit_fir_gd": ("def fit_fir_gd(x, d, n_taps, lr, n_steps):\n    return 0.0, 0.0\n", testing.WRONG_SHAPE),
    "receptive_field": ("def receptive_field(kernel_sizes, strides):\n    while True:\n        pass\n",
                        testing.TIMED_OUT),
    "param_counts": ("import os\n\ndef dense_param_count(in_shape, out_shape, bias=True):\n    os._exit(3)\n\n"
                     "def conv_param_count(c_in, c_out, kh, kw, bias=True):\n    os._exit(3)\n", testing.DIED),
}


@pytest.fixture(scope="module")
def broken():
    answers = A1.reference_answers()
    stubs = stub_answers(A1)
    for part, (code, _) in BROKEN.items():
        answers[part] = stubs[part] if code is None else code
    # wrong values: corr2d flips its kernel
    product = '"hwpq,pq->hw", windows, w)'
    assert answers["corr2d"].count(product) == 1
    answers["corr2d"] = answers["corr2d"].replace(product, product.replace("w)", "w[::-1, ::-1])"))
    return grade_answers(A1, answers, limits=LIMITS, slot=20)


def of_part(result, part: str) -> list[dict]:
    found = [t for t in result.tests if t["part"] == part]
    assert found, part
    return found


@pytest.mark.parametrize("part", list(BROKEN))
def test_each_failure_is_classified_by_its_cause(broken, part):
    expected = BROKEN[part][1]
    causes = {t["name"]: t["cause"] for t in of_part(broken, part)}
    assert set(causes.values()) == {expected}, causes


def test_a_raise_records_the_type_and_the_students_line(broken):
    for t in of_part(broken, "corr1d"):
        assert t["error"] == "TypeError" and t["where"] == "<cell corr1d>, line 5", t
    for t in of_part(broken, "output_size"):
        assert t["error"] == "NameError" and "output_size is not defined" in t["message"], t
    for t in of_part(broken, "conv1d"):
        assert t["error"] == "NotImplementedError" and t["where"].startswith("<cell conv1d>, line "), t


def test_wrong_values_and_passed_tests(broken):
    corr2d = of_part(broken, "corr2d")
    assert {t["cause"] for t in corr2d if not t["passed"]} == {testing.WRONG_VALUES}
    untouched = of_part(broken, "fit_fir_wiener")
    assert all(t["passed"] for t in untouched) and {t["cause"] for t in untouched} == {""}


def test_the_hint_is_shown_for_wrong_values_and_not_for_a_raise(broken):
    for part in ("corr2d", "fit_fir_gd"):  # wrong values, wrong shape
        wrong = [t for t in of_part(broken, part) if not t["passed"] and t["hint"]]
        assert wrong and all(t["hint"] in report.test_feedback(t) for t in wrong)
    for part in set(BROKEN) - {"fit_fir_gd"}:
        for t in of_part(broken, part):
            assert t["hint"] and t["hint"] not in report.test_feedback(t), (part, t["name"])
    page = report.feedback_html(broken)
    assert "TypeError" in page and "line 5" in page
    for t in of_part(broken, "corr1d"):
        assert html.escape(t["hint"]) not in page, "the logic hint of a test that raised"


def test_feedback_says_the_cause_in_words(broken):
    said = {part: report.test_feedback(of_part(broken, part)[0]).lower() for part in BROKEN}
    assert "not implemented" in said["conv1d"]
    assert "could not check" in said["corr1d"] and "line 5" in said["corr1d"]
    assert "not defined" in said["output_size"]
    assert "did not finish" in said["receptive_field"]
    assert "process" in said["param_counts"]


@pytest.mark.parametrize(("exc", "cause"), [
    (testing.StudentError("f", "NotImplementedError", "", "<cell f>, line 2"), testing.NOT_IMPLEMENTED),
    (testing.StudentError("f", "ForbiddenCall", "np.convolve is not allowed", "<cell f>, line 3"), testing.FORBIDDEN),
    (testing.StudentError("f", "ValueError", "bad", "<cell f>, line 4"), testing.RAISED),
    (testing.CallTimeout("f() did not finish"), testing.TIMED_OUT),
    (testing.SubmissionDied("ended"), testing.DIED),
    (testing.WrongShape("shape (2,), expected (3,)"), testing.WRONG_SHAPE),
    (testing.Mismatch("3 of 4 values differ"), testing.WRONG_VALUES),
    (AssertionError(), testing.WRONG_VALUES),
    (KeyError("suite bug"), testing.GRADER),
])
def test_classify(exc, cause):
    assert classify(exc)[0] == cause


def test_a_hint_may_be_declared_for_other_causes():
    test = {"name": "test_x", "part": "p", "points": 1.0, "score": 0.0, "passed": False, "message": "f() did not "
            "finish within the 3 s limit", "hint": "Possible reason: a Python loop over pixels?",
            "hint_for": [testing.TIMED_OUT], "cause": testing.TIMED_OUT, "error": "", "where": ""}
    assert test["hint"] in report.test_feedback(test)
    assert test["hint"] not in report.test_feedback({**test, "cause": testing.WRONG_VALUES})
    with pytest.raises(ValueError, match="unknown causes"):
        testing.grade(points=1, part="p", hint="h", hint_for=("slow",))


def test_a_forbidden_call_is_its_own_cause():
    """Caught by the tripwire (np.polymul convolves through np.convolve), or named in code that never runs (the
    static check: the tests passed, then the part lost its points)."""
    answers = A1.reference_answers()
    unused = "\n\ndef _shortcut(x, w):\n    return np.convolve(x, w)\n"
    for code in ("def conv1d(x, w, mode='full'):\n    return np.polymul(np.asarray(x, float), np.asarray(w, float))\n",
                 answers["conv1d"] + unused):
        result = grade_answers(A1, {**answers, "conv1d": code}, limits=LIMITS, slot=20)
        assert {t["cause"] for t in of_part(result, "conv1d")} == {testing.FORBIDDEN}, code
        assert all(t["hint"] not in report.test_feedback(t) for t in of_part(result, "conv1d"))


def test_partial_credit_shows_the_hint_of_a_weak_test():
    test = {"name": "test_proof", "part": "p", "points": 10.0, "score": 8.0, "passed": True, "cause": testing.PARTIAL,
            "message": "test_proof rejected 4 of 5 wrong implementations", "hint": "Possible reason: try strides 3, 4.",
            "hint_for": list(testing.HINTED), "error": "", "where": ""}
    said = report.test_feedback(test)
    assert said.startswith("Partly right: 8 of 10 points.") and test["hint"] in said
    assert test["hint"] not in report.test_feedback({**test, "hint_for": [testing.WRONG_VALUES]})
