"""Every hidden suite, under the real isolated grader: reference full marks, stubs zero, every mutant loses points."""

from __future__ import annotations

import inspect
import json
import shutil

import numpy as np
import pytest

from autograder import assignment as layout
from autograder.backend import InProcess
from autograder.config import ROOT, Limits
from autograder.grading import grade_answers
from autograder.load import program
from autograder.misconceptions import failures, read
from autograder.runner import run_suite
from autograder.sandbox import Sandbox
from autograder.testing import CallTimeout, StudentError
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


@pytest.mark.parametrize(("assignment", "mutant"), MUTANTS, ids=[f"{a.id}:{m.name}" for a, m in MUTANTS])
def test_mutant_loses_points(assignment, mutant, slot):
    """...and only in its own part, or in a part that grades its cell's output by design (`depends`, said so in the
    notebook): a composite part is graded on the reference's lower parts."""
    result = grade_answers(assignment, mutant.apply(assignment.reference_answers()), slot=slot)
    assert result.status == "ok"
    low, high = expected_ranges(assignment).get(mutant.name, (0, result.max_score - 1e-9))
    assert low <= result.score <= high, f"{mutant.name}: {result.score}/{result.max_score}"
    recorded = dict(enumerate(read(assignment).get("bugs", []))).get(catalogue(assignment).index(mutant), {})
    assert recorded.get("bug") == mutant.name and failures(result.tests) == recorded.get("fails"), \
        STALE.format(assignment.id, assignment.id)
    alike = [b["bug"] for b in read(assignment)["bugs"] if b["fails"] == recorded["fails"]]
    assert (mutant.name in result.misconception) == (alike == [mutant.name]), "named when its failures tell it alone"
    own = {mutant.cell} | {part for part, cells in assignment.depends.items() if mutant.cell in cells}
    elsewhere = {part: points - score for part, (score, points) in result.parts.items()
                 if score < points and part not in own}
    assert elsewhere == {}, f"{mutant.name} (cell {mutant.cell}) also costs {elsewhere}"


# --- composite parts: graded on the reference's lower parts ---------------------------------------------------------

A4 = layout.get("a4_backprop")
ZEROS = """def maxpool_backward(dout, cache):
    return np.zeros_like(cache[0], dtype=np.float64)
"""


def test_broken_lower_layers_leave_the_network_parts_full_marks(slot):
    """A4's cnn_loss and train_cnn (and the gabor check of train_cnn's filters) with every layer they call a stub,
    and a maxpool_backward that returns zeros: full marks there, none in the layers."""
    answers = {**stub_answers(A4), "maxpool_backward": ZEROS}
    answers |= {cell: A4.reference_answers()[cell] for cell in ("cnn_loss", "train_cnn")}
    result = grade_answers(A4, answers, slot=slot)
    assert result.status == "ok"
    assert {p: result.parts[p][0] for p in ("cnn_loss", "train_cnn", "gabor")} == {
        p: A4.parts[p] for p in ("cnn_loss", "train_cnn", "gabor")}
    assert result.parts["maxpool_backward"][0] < A4.parts["maxpool_backward"] and result.parts["conv_backward"][0] == 0


PEEK = """import inspect

def lowest(dout, cache):
    return maxpool_backward(dout, cache)

def peek():
    f, seen = maxpool_backward, []
    for what in ("__qualname__", "__module__", "__defaults__", "__kwdefaults__", "__dict__", "__wrapped__"):
        seen.append(repr(getattr(f, what, None)))
    code = f.__code__
    seen += [code.co_filename, repr(code.co_consts), repr(code.co_names), repr(code.co_varnames)]
    found = [f, *(c.cell_contents for c in f.__closure__ or ())]
    for obj in found:
        seen.append(repr(obj))
        try:
            seen.append(inspect.getsource(obj))
        except Exception as exc:
            seen.append(repr(exc))
    return "\\n".join(seen)

def broken():
    return maxpool_backward("not", "a cache")

def mine():
    return maxpool_backward(None, None), "conv_backward" in globals()
"""


def test_the_child_sees_no_reference_code_and_gets_its_own_names_back(slot):
    """During a composite call the child's lower name is a callback that runs the reference in the grader: nothing of
    the reference's code, name or file reaches the child; afterwards (also after an exception) the student's own
    function is back, and a name the student never defined is gone again."""
    import solutions.a4_backprop as ref

    lower = {"maxpool_backward": ref.maxpool_backward, "conv_backward": ref.conv_backward}
    x = np.random.default_rng(0).standard_normal((2, 3, 4, 6))
    out, cache = ref.maxpool_forward(x, 2)
    dout = np.ones_like(out)
    own = "def maxpool_backward(dout, cache):\n    return 'mine'\n"
    with Sandbox([("given", "import numpy as np"), ("cell", PEEK), ("own", own)], slot=slot) as sb:
        assert sb.load_errors == []
        dx, _ = sb.call("lowest", (dout, cache), {}, lower=lower)
        seen, _ = sb.call("peek", (), {}, lower=lower)
        with pytest.raises(StudentError):
            sb.call("broken", (), {}, lower=lower)
        after, _ = sb.call("mine", (), {})
    assert np.array_equal(dx, ref.maxpool_backward(dout, cache))
    source = inspect.getsource(ref.maxpool_backward)
    lines = [line.strip() for line in source.splitlines() if len(line.strip()) > 12]
    assert [line for line in lines if line in seen] == []
    assert "solutions" not in seen and "a4_backprop" not in seen
    assert after == ("mine", False)


def test_a_composite_that_hangs_is_not_called_again(slot):
    """The reference's lower parts travel as callbacks, but unlike a student test's implementations they do not make
    a call one to judge again: a composite function that ran out of time fails its later tests at once."""
    import solutions.a4_backprop as ref

    quick = Limits(call_timeout=1, load_timeout=5, submission_timeout=40)
    with Sandbox([("cell", "def top(x):\n    while True:\n        pass\n")], slot=slot, limits=quick) as sb:
        with pytest.raises(CallTimeout):
            sb.call("top", (1,), {}, lower={"maxpool_backward": ref.maxpool_backward})
        starts = sb.starts
        with pytest.raises(CallTimeout, match="not called again"):
            sb.call("top", (1,), {}, lower={"maxpool_backward": ref.maxpool_backward})
        assert sb.starts == starts


def test_the_in_process_backend_substitutes_the_same_way():
    import solutions.a4_backprop as ref

    top = "def top(dout, cache):\n    return maxpool_backward(dout, cache)\n"
    backend = InProcess([("given", "import numpy as np"), ("cell", ZEROS + top)])
    out, cache = ref.maxpool_forward(np.random.default_rng(1).standard_normal((2, 2, 4, 4)), 2)
    dout = np.ones_like(out)
    got, _ = backend.call("top", (dout, cache), {}, lower={"maxpool_backward": ref.maxpool_backward})
    assert np.array_equal(got, ref.maxpool_backward(dout, cache)) and got.any()
    own, _ = backend.call("top", (dout, cache), {})
    assert not own.any(), "the student's own maxpool_backward (zeros) after the call"


def test_undeclared_calls_of_the_reference_are_refused(tmp_path):
    """The declaration is checked against the reference cells: a graded function that calls another one undeclared
    (nor declared a part's dependency by design) makes the assignment unusable, naming its assignment.json."""
    suite = tmp_path / "autograder" / "suites" / A4.id
    suite.mkdir(parents=True)
    (suite / "test_x.py").write_text("")
    notebook = tmp_path / "assignments" / A4.id / A4.source_notebook.name
    notebook.parent.mkdir(parents=True)
    shutil.copy(A4.source_notebook, notebook)
    settings = json.loads(A4.settings_file.read_text())
    settings["calls"]["train_cnn"].remove("sgd_step")
    (suite / "assignment.json").write_text(json.dumps(settings))
    with pytest.raises(layout.LayoutError, match=r"assignment\.json: calls: the reference's train_cnn .*sgd_step"):
        _ = layout.Assignment(A4.id, tmp_path).calls
    settings["depends"]["train_cnn"] = ["sgd_step"]  # graded on the student's own sgd_step by design: accepted
    (suite / "assignment.json").write_text(json.dumps(settings))
    assert layout.Assignment(A4.id, tmp_path).calls["train_cnn"] == ("cnn_loss",)


def test_a_given_function_is_graded_on_the_reference_lower_parts_of_what_it_calls():
    """A6's hidden tests call the given keras_predict, which builds the student's model: the conversions that
    build_keras_cnn calls are the reference's during that call, build_keras_cnn itself is the student's."""
    a6 = layout.get("a6_frameworks")
    assert a6.lower_parts["keras_predict"] == a6.calls["build_keras_cnn"]
    assert "build_keras_cnn" not in a6.lower_parts["keras_predict"]
