"""Every hidden suite, under the real isolated grader: reference full marks, stubs zero, every mutant loses points."""

from __future__ import annotations

import pytest

from autograder.config import ASSIGNMENTS, SOURCE, SUITES
from autograder.grading import grade_answers, part_points
from autograder.load import program, reference_cells
from autograder.mutation import catalogue, expected_ranges
from autograder.release import stub_answers
from autograder.sandbox import InProcess
from autograder.suites import run_suite

READY = [a for a in ASSIGNMENTS if (SOURCE / a / f"{a}.ipynb").exists() and (SUITES / a).is_dir()]
MUTANTS = [(a, m) for a in READY for m in catalogue(a)]


def test_every_assignment_is_ready():
    assert READY == list(ASSIGNMENTS), "an assignment lacks its source notebook or hidden suite"


@pytest.mark.parametrize("assignment", READY)
def test_reference_gets_full_marks_in_the_sandbox(assignment, slot):
    result = grade_answers(assignment, reference_cells(assignment), slot=slot)
    failed = [f"{t['name']}: {t['message']}" for t in result.tests if not t["passed"]]
    assert failed == [] and result.status == "ok"
    assert result.score == result.max_score == 100


@pytest.mark.parametrize("assignment", READY)
def test_suite_is_well_formed(assignment):
    """Each part's hidden tests add up to its check cell's points; every test has a grade marker; no suite error."""
    outcomes, problems = run_suite(assignment, InProcess(program(assignment, reference_cells(assignment)).cells))
    assert problems == []
    totals: dict[str, float] = {}
    for o in outcomes:
        totals[o.part] = totals.get(o.part, 0.0) + o.points
    assert totals == pytest.approx(part_points(assignment))


@pytest.mark.parametrize("assignment", READY)
def test_released_stubs_score_zero_without_crashing(assignment, slot):
    result = grade_answers(assignment, stub_answers(assignment), slot=slot)
    assert result.status == "ok" and result.score == 0
    assert all(t["message"] for t in result.tests), "every failed test says why"


@pytest.mark.parametrize("assignment", READY)
def test_catalogue_has_mutants(assignment):
    assert len(catalogue(assignment)) >= 10


@pytest.mark.parametrize(("assignment", "mutant"), MUTANTS, ids=[f"{a}:{m.name}" for a, m in MUTANTS])
def test_mutant_loses_points(assignment, mutant, slot):
    result = grade_answers(assignment, mutant.apply(reference_cells(assignment)), slot=slot)
    assert result.status == "ok"
    low, high = expected_ranges(assignment).get(mutant.name, (0, result.max_score - 1e-9))
    assert low <= result.score <= high, f"{mutant.name}: {result.score}/{result.max_score}"
