"""Student-written tests are judged on the claim as the released notebook states it, no more.

- Every chaff of every judged test (A1's stride proof, A2's six tests, A5's prior proof) names the clause of its claim
  it breaks, and every clause is the released notebook's own words.
- A careful student's tests, written from the notebook text alone (`tests/student_tests/`), pass every wheat and
  reject every chaff, and earn full points from the real grader: a test of exactly the stated claim is not asked for
  more. (That each chaff breaks the very clause it names is shown by brute force in tests/test_solutions_a2_* and
  _a5_*; A1's claim has one clause, which a careful test checks and nothing more.)
- Weak tests (asserting nothing, testing a special case) still lose points: the mutant catalogues pin their scores.
"""

from __future__ import annotations

import importlib.util
import inspect
import re
from types import ModuleType

import nbformat
import pytest
from student_tests import a1_convolution, a2_equivariance, a5_priors

from autograder import assignment as layout
from autograder.grading import grade_answers
from autograder.judge import Chaff

CAREFUL = {"a1_convolution": a1_convolution, "a2_equivariance": a2_equivariance, "a5_priors": a5_priors}


def suite_module(assignment_id: str, filename: str) -> ModuleType:
    path = layout.get(assignment_id).suite / filename
    spec = importlib.util.spec_from_file_location(f"_judged_{assignment_id}_{path.stem}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def judged() -> list[tuple[str, str, dict, dict, list]]:
    """(assignment, student test, claim, wheats as label -> implementation, chaffs as `Chaff`s with implementations)."""
    a1 = suite_module("a1_convolution", "test_stride_proof.py")
    found = [("a1_convolution", "test_stride_is_downsampling", a1.CLAIM, a1.WHEATS, a1.CHAFFS)]
    for assignment_id in ("a2_equivariance", "a5_priors"):
        for name, prop in suite_module(assignment_id, "impls.py").PROPERTIES.items():
            wheats = {label: prop.wrapped(core) for label, core in prop.wheats}
            chaffs = [c._replace(core=prop.wrapped(c.core)) for c in prop.chaffs]
            found.append((assignment_id, name, prop.claim, wheats, chaffs))
    return found


JUDGED = judged()
IDS = [name for _, name, *_ in JUDGED]


def plain(text: str) -> str:
    """Markdown as read: no emphasis, code or math markers, one space between words."""
    return " ".join(re.sub(r"[*`$]", "", text).split())


@pytest.mark.parametrize(("assignment_id", "name", "claim", "wheats", "chaffs"), JUDGED, ids=IDS)
def test_every_chaff_names_a_clause_of_the_claim_in_the_notebooks_words(assignment_id, name, claim, wheats, chaffs):
    assert claim and wheats and chaffs
    assert all(isinstance(c, Chaff) for c in chaffs)
    unnamed = [c.label for c in chaffs if c.breaks not in claim]
    assert not unnamed, f"{name}: chaffs that name no clause of the claim: {unnamed}"
    assert len({c.label for c in chaffs}) == len(chaffs), "two chaffs with one label"
    nb = nbformat.read(layout.get(assignment_id).release_notebook, 4)
    released = plain("\n".join(c.source for c in nb.cells if c.cell_type == "markdown"))
    missing = [clause for clause, words in claim.items() if plain(words) not in released]
    assert not missing, f"{name}: clauses not in the released notebook's words: {missing}"


def test_the_clause_check_fails_on_a_chaff_that_names_no_clause():
    """The check above can fail: a chaff naming a clause its claim does not have is caught."""
    _, name, claim, wheats, chaffs = JUDGED[0]
    stray = [*chaffs, Chaff("prior counted twice", chaffs[0].core, "a clause the notebook never states")]
    with pytest.raises(AssertionError, match="name no clause"):
        test_every_chaff_names_a_clause_of_the_claim_in_the_notebooks_words("a1_convolution", name, claim, wheats,
                                                                            stray)


def outcome(test, implementation) -> str:
    try:
        test(implementation)
    except AssertionError:
        return "rejected"
    except Exception as exc:  # a rejection too for the judge; here it would hide a careless careful test
        return f"raised {type(exc).__name__}: {exc}"
    return "accepted"


@pytest.mark.parametrize(("assignment_id", "name", "claim", "wheats", "chaffs"), JUDGED, ids=IDS)
def test_a_careful_test_of_the_claim_passes_every_wheat_and_rejects_every_chaff(assignment_id, name, claim, wheats,
                                                                                 chaffs):
    test = getattr(CAREFUL[assignment_id], name)
    failed = {label: got for label, impl in wheats.items() if (got := outcome(test, impl)) != "accepted"}
    assert not failed, f"{name} fails correct implementations: {failed}"
    missed = {f"{c.label} (breaks {c.breaks!r})": got for c in chaffs if (got := outcome(test, c.core)) != "rejected"}
    assert not missed, f"{name} does not reject: {missed}"


def careful_answers(assignment_id: str) -> dict[str, str]:
    """The reference notebook with the student-written tests replaced by the careful ones."""
    a = layout.get(assignment_id)
    tests = {name: inspect.getsource(fn) for name, fn in inspect.getmembers(CAREFUL[assignment_id], inspect.isfunction)
             if name.startswith("test_")}
    assert set(tests) <= set(a.solution_ids) and tests
    return {**a.reference_answers(), **tests}


@pytest.mark.parametrize("assignment_id", sorted(CAREFUL))
def test_careful_tests_earn_full_points_from_the_grader(assignment_id, slot):
    a = layout.get(assignment_id)
    answers = careful_answers(assignment_id)
    result = grade_answers(a, answers, student="careful", slot=slot)
    for name in CAREFUL[assignment_id].__dict__:
        if name in a.parts:
            assert result.parts[name] == [a.parts[name], a.parts[name]], (name, [
                t["message"] for t in result.tests if t["part"] == name])
    assert result.score == a.max_score


def test_a_careful_test_missing_a_clause_loses_points():
    """The judge can tell: A5's careful test without its check of a one-hot prior lets the chaff that breaks only that
    clause through (a one-hot prior taken for 'no prior'), and earns less than full points."""
    a = layout.get("a5_priors")
    answers = careful_answers("a5_priors")
    without = answers["test_infinitely_strong_prior"].replace("assert np.allclose(posterior(e_c, lik), e_c)", "pass")
    assert without != answers["test_infinitely_strong_prior"]
    result = grade_answers(a, {**answers, "test_infinitely_strong_prior": without}, sandbox=False)
    got, full = result.parts["test_infinitely_strong_prior"]
    assert 0 < got < full


def prior_counted_twice(prior, likelihood):
    joint = prior**2 * likelihood
    return joint / joint.sum()


def test_a_chaff_that_satisfies_the_stated_claim_is_caught():
    """Issue 23's case: prior² × likelihood is a wrong Bayes' rule, but it still goes to e_c as the prior's entropy goes
    to 0 and is the normalised likelihood under a uniform prior: a test of exactly the stated claim accepts it, so the
    fairness check above fails on a catalogue that holds it."""
    impls = suite_module("a5_priors", "impls.py")
    unfair = Chaff("prior counted twice", impls.operation(prior_counted_twice), "limit")
    assignment_id, name, claim, wheats, chaffs = next(j for j in JUDGED if j[1] == "test_infinitely_strong_prior")
    with pytest.raises(AssertionError, match="prior counted twice"):
        test_a_careful_test_of_the_claim_passes_every_wheat_and_rejects_every_chaff(assignment_id, name, claim, wheats,
                                                                                     [*chaffs, unfair])
