"""Every hidden suite, under the real isolated grader: reference full marks, stubs zero, every mutant loses points."""

from __future__ import annotations

import pytest

from autograder import assignment as layout
from autograder.backend import InProcess
from autograder.config import ROOT
from autograder.grading import grade_answers
from autograder.load import program
from autograder.misconceptions import failures, read
from autograder.runner import run_suite
from course.mutation import catalogue, expected_ranges
from course.release import stub_answers

ASSIGNMENTS = layout.find()
MUTANTS = [(a, m) for a in ASSIGNMENTS for m in catalogue(a)]
STALE = "autograder/suites/{}/misconceptions.json is stale: run `python -m course misconceptions {}`"


def ids(assignments) -> list[str]:
    return [a.id for a in assignments]


def test_every_assignment_is_complete():
    """Each assignment found has its source notebook, authoring file, reference, mutant catalogue and reference
    tests; and every catalogue, reference, authoring file and reference test belongs to an assignment found (a suite
    folder renamed or emptied must not drop its mutants and checks out of `make test` unnoticed)."""
    for a in ASSIGNMENTS:
        missing = [p for p in (a.source_notebook, a.authoring, a.reference, a.mutants) if not p.exists()]
        assert missing == [], f"{a.id} lacks {missing}"
    found = {a.id for a in ASSIGNMENTS}
    for pattern in ("tests/mutants/*.py", "solutions/a*.py", "authoring/*.py"):
        assert {p.stem for p in ROOT.glob(pattern)} == found, pattern
    assert {p.stem.removeprefix("test_solutions_") for p in ROOT.glob("tests/test_solutions_*.py")} == found


@pytest.mark.parametrize("assignment", ASSIGNMENTS, ids=ids(ASSIGNMENTS))
def test_reference_gets_full_marks_in_the_sandbox(assignment, slot):
    result = grade_answers(assignment, assignment.reference_answers(), slot=slot)
    failed = [f"{t['name']}: {t['message']}" for t in result.tests if not t["passed"]]
    assert failed == [] and result.status == "ok"
    assert result.score == result.max_score == 100


@pytest.mark.parametrize("assignment", ASSIGNMENTS, ids=ids(ASSIGNMENTS))
def test_suite_is_well_formed(assignment):
    """Each part's hidden tests add up to its check cell's points; every test has a grade marker; no suite error."""
    prog = program(assignment, assignment.reference_answers())
    outcomes, problems = run_suite(assignment, InProcess(prog.cells), prog.fingerprint)
    assert problems == []
    totals: dict[str, float] = {}
    for o in outcomes:
        totals[o.part] = totals.get(o.part, 0.0) + o.points
    assert totals == pytest.approx(assignment.parts)


@pytest.mark.parametrize("assignment", ASSIGNMENTS, ids=ids(ASSIGNMENTS))
def test_released_stubs_score_zero_without_crashing(assignment, slot):
    result = grade_answers(assignment, stub_answers(assignment), slot=slot)
    assert result.status == "ok" and result.score == 0
    assert all(t["message"] for t in result.tests), "every failed test says why"
    assert failures(result.tests) == read(assignment).get("stubs"), STALE.format(assignment.id, assignment.id)


@pytest.mark.parametrize("assignment", ASSIGNMENTS, ids=ids(ASSIGNMENTS))
def test_misconceptions_list_the_catalogue(assignment):
    """The grader's copy of the catalogue names every mutant, in order (each one's pattern is checked where it is
    graded, in test_mutant_loses_points)."""
    listed = [(b["bug"], b["part"]) for b in read(assignment).get("bugs", [])]
    assert listed == [(m.name, m.cell) for m in catalogue(assignment)], STALE.format(assignment.id, assignment.id)


@pytest.mark.parametrize("assignment", ASSIGNMENTS, ids=ids(ASSIGNMENTS))
def test_catalogue_has_mutants(assignment):
    """At least 10 typical bugs; every pinned score range names a mutant of the catalogue and lies below full marks
    (a renamed mutant would otherwise fall back to 'loses any points' unnoticed)."""
    mutants = catalogue(assignment)
    assert len(mutants) >= 10
    pinned = expected_ranges(assignment)
    assert set(pinned) <= {m.name for m in mutants}, set(pinned) - {m.name for m in mutants}
    assert all(0 <= low <= high < assignment.max_score for low, high in pinned.values()), pinned


@pytest.mark.parametrize(("assignment", "mutant"), MUTANTS, ids=[f"{a.id}:{m.name}" for a, m in MUTANTS])
def test_mutant_loses_points(assignment, mutant, slot):
    result = grade_answers(assignment, mutant.apply(assignment.reference_answers()), slot=slot)
    assert result.status == "ok"
    low, high = expected_ranges(assignment).get(mutant.name, (0, result.max_score - 1e-9))
    assert low <= result.score <= high, f"{mutant.name}: {result.score}/{result.max_score}"
    recorded = dict(enumerate(read(assignment).get("bugs", []))).get(catalogue(assignment).index(mutant), {})
    assert recorded.get("bug") == mutant.name and failures(result.tests) == recorded.get("fails"), \
        STALE.format(assignment.id, assignment.id)
    alike = [b["bug"] for b in read(assignment)["bugs"] if b["fails"] == recorded["fails"]]
    assert (mutant.name in result.misconception) == (alike == [mutant.name]), "named when its failures tell it alone"
