"""Release and course workflow: nbgrader round trip, no leaks, reproducible release, Gradescope package."""

from __future__ import annotations

import csv
import json
import os
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import nbformat
import pytest
from gradebook import by_student

from autograder import assignment as layout
from autograder.config import ROOT
from course.authoring import render
from course.examples import student_notebook
from course.gradescope_zip import build
from course.leaks import find_leaks, secrets
from course.mutation import catalogue
from course.release import student_requirements, student_setup_script, tool_env

ASSIGNMENTS = layout.find()
NEEDING = [a for a in ASSIGNMENTS if a.needs]  # submissions import a framework: its Gradescope image installs it
RELEASE = ROOT / "release"

pytestmark = pytest.mark.xdist_group(name="release")


def nbgrader(course: Path, *args: str) -> subprocess.CompletedProcess:
    done = subprocess.run([sys.executable, "-m", "nbgrader", *args], cwd=course, capture_output=True, text=True,
                          timeout=300, env=tool_env())
    assert done.returncode == 0, done.stdout + done.stderr
    return done


def write_submission(assignment: layout.Assignment, answers: dict[str, str], path: Path) -> Path:
    nb = student_notebook(assignment, answers, assignment.release_notebook)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(nbformat.writes(nb))
    return path


@pytest.fixture(scope="module")
def course(tmp_path_factory) -> Path:
    """A copy of the course root, where nbgrader may create its database and folders."""
    root = tmp_path_factory.mktemp("course")
    shutil.copy(ROOT / "nbgrader_config.py", root)
    shutil.copytree(ROOT / "assignments", root / "assignments")
    for a in ASSIGNMENTS:
        nbgrader(root, "generate_assignment", a.id, "--force", "--create", "--log-level=WARN")
    return root


def test_source_notebooks_are_generated_from_authoring_and_solutions():
    for a in ASSIGNMENTS:
        assert a.source_notebook.read_text() == render(a), f"{a.id}: run `make notebooks`"


def test_regenerating_the_release_changes_nothing(course):
    for a in ASSIGNMENTS:
        fresh = (course / "release" / a.id / f"{a.id}.ipynb").read_text()
        assert fresh == a.release_notebook.read_text(), f"{a.id}: run `make release`"
    assert sorted(p.name for p in RELEASE.iterdir() if p.is_dir()) == sorted(a.id for a in ASSIGNMENTS)


def test_release_holds_no_solution_or_hidden_test():
    assert find_leaks(list(ASSIGNMENTS)) == []


def test_leak_check_catches_a_planted_leak(tmp_path):
    shutil.copytree(RELEASE, tmp_path / "release")
    a = ASSIGNMENTS[0]
    path = tmp_path / "release" / a.id / f"{a.id}.ipynb"
    nb = nbformat.read(path, 4)
    solution = next(iter(a.reference_answers().values()))
    nb.cells.append(nbformat.v4.new_code_cell(solution))
    rubric = a.cells_of("answer")[0].source
    nb.cells.append(nbformat.v4.new_markdown_cell(rubric))
    path.write_text(nbformat.writes(nb))
    (tmp_path / "release" / a.id / "suite_copy.py").write_text("x = 1\n")
    leaks = find_leaks(list(ASSIGNMENTS), tmp_path / "release")
    assert any("solution of" in leak for leak in leaks)
    assert any("rubric of" in leak for leak in leaks)
    assert any("only notebooks" in leak for leak in leaks)


def test_leak_check_catches_a_released_rubric(tmp_path):
    """nbgrader replaces a written answer's cell (its rubric in the source) by "YOUR ANSWER HERE"; a rubric that
    reached the release would be a leak."""
    shutil.copytree(RELEASE, tmp_path / "release")
    planted = 0
    for a in ASSIGNMENTS:
        rubrics = {c.grade_id: c.source for c in a.cells_of("answer")}
        path = tmp_path / "release" / a.id / f"{a.id}.ipynb"
        nb = nbformat.read(path, 4)
        for cell in nb.cells:
            gid = cell.metadata.get("nbgrader", {}).get("grade_id")
            if gid in rubrics:
                assert cell.source.strip() == "YOUR ANSWER HERE"
                cell.source, planted = rubrics[gid], planted + 1
        path.write_text(nbformat.writes(nb))
    assert planted, "no assignment has a written answer"
    assert sum("rubric of" in leak for leak in find_leaks(list(ASSIGNMENTS), tmp_path / "release")) >= planted


def test_leak_check_catches_an_undeclared_reveal(tmp_path, monkeypatch):
    """A4's given cells are A1's conv_forward verbatim: declared, it passes; undeclared, it is a leak; and another
    assignment's solution planted in a release is caught as an undeclared reveal."""
    a4, a1 = layout.get("a4_backprop"), layout.get("a1_convolution")
    assert a4.reveals["a1_convolution"] == ["conv_forward"]
    shutil.copytree(RELEASE, tmp_path / "release")
    path = tmp_path / "release" / a4.id / f"{a4.id}.ipynb"
    nb = nbformat.read(path, 4)
    nb.cells.append(nbformat.v4.new_code_cell(a1.reference_answers()["conv1d"]))
    path.write_text(nbformat.writes(nb))
    leaks = find_leaks([a4], tmp_path / "release")
    assert any("undeclared reveal of a1_convolution:conv1d" in leak for leak in leaks), leaks
    assert not any("conv_forward" in leak for leak in leaks), leaks
    monkeypatch.setattr(layout.Assignment, "reveals", property(lambda self: {}))
    assert any("undeclared reveal of a1_convolution:conv_forward" in leak for leak in find_leaks([a4])), "undeclared"


def test_released_notebooks_are_stubs():
    for a in ASSIGNMENTS:
        nb = nbformat.read(a.release_notebook, 4)
        solutions = [c for c in nb.cells if c.metadata.get("nbgrader", {}).get("solution") and c.cell_type == "code"]
        assert solutions and all("raise NotImplementedError()" in c.source for c in solutions)


def test_nbgrader_round_trip_shows_the_isolated_graders_scores(course):
    a = ASSIGNMENTS[0]
    submitted = course / "submitted"
    write_submission(a, a.reference_answers(), submitted / "alice" / a.id / f"{a.id}.ipynb")
    buggy = catalogue(a)[0].apply(a.reference_answers())
    write_submission(a, buggy, submitted / "bob" / a.id / f"{a.id}.ipynb")
    for s in ("alice", "bob"):
        nbgrader(course, "db", "student", "add", s)
    grade = subprocess.run([sys.executable, "-m", "autograder", "grade", a.id, "--submitted", "submitted", "--out",
                            "autograded", "--quiet", "--workers", "1"], cwd=course, capture_output=True, text=True,
                           env={**tool_env(), "PYTHONPATH": str(ROOT)})
    assert grade.returncode == 0, grade.stderr
    record = subprocess.run([sys.executable, "-m", "course", "record", "--graded", "autograded"], cwd=course,
                            capture_output=True, text=True, env={**tool_env(), "PYTHONPATH": str(ROOT)})
    assert record.returncode == 0 and "recorded alice" in record.stdout, record.stdout + record.stderr
    nbgrader(course, "export", "--to", "grades.csv")
    with open(course / "grades.csv", newline="") as fh:
        rows = {r["student_id"]: r for r in csv.DictReader(fh) if r["assignment"] == a.id}
    ours = {s: float(r["score"]) for s, r in by_student(course / "autograded").items()}
    assert float(rows["alice"]["raw_score"]) == ours["alice"] == 100
    assert float(rows["bob"]["raw_score"]) == ours["bob"] < 100
    # a TA grades the written answers (as formgrader would): nbgrader's export shows auto + manual
    from nbgrader.api import Gradebook

    answers = a.cells_of("answer")
    assert answers, f"{a.id} has no written answer"
    manual = {"alice": 2.0, "bob": 1.5}
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gb:
        for student, score in manual.items():
            gb.find_grade(answers[0].grade_id, a.id, a.id, student).manual_score = score
        gb.db.commit()
    nbgrader(course, "export", "--to", "grades_manual.csv")
    with open(course / "grades_manual.csv", newline="") as fh:
        rows = {r["student_id"]: r for r in csv.DictReader(fh) if r["assignment"] == a.id}
    for student, score in manual.items():
        assert float(rows[student]["raw_score"]) == ours[student] + score
        assert float(rows[student]["max_score"]) == a.max_score + sum(c.points for c in answers)


def test_nbgrader_validate_accepts_a_correct_notebook(tmp_path):
    """Correct code and written answers: validate succeeds; without the written answers it names them."""
    a = ASSIGNMENTS[0]
    path = write_submission(a, a.reference_answers(), tmp_path / f"{a.id}.ipynb")

    def validate() -> str:
        done = subprocess.run([sys.executable, "-m", "nbgrader", "validate", str(path)], cwd=ROOT,
                              capture_output=True, text=True, timeout=300, env={**tool_env(), "MPLBACKEND": "Agg"})
        return done.stdout

    unanswered = validate()
    assert "You did not provide a response" in unanswered and "Success" not in unanswered, unanswered[-2000:]
    written = "Every s-th sample is kept, without a low-pass filter first: high frequencies alias."
    path.write_text(nbformat.writes(student_notebook(a, a.reference_answers(), a.release_notebook, written)))
    out = validate()
    assert "Success" in out, out[-2000:]


@pytest.mark.parametrize(("a", "which"), [(ASSIGNMENTS[0], "correct"), (ASSIGNMENTS[0], "buggy"),
                                          *((a, "correct") for a in NEEDING)],
                         ids=lambda v: getattr(v, "id", v))
def test_gradescope_zip_runs_in_a_local_autograder_layout(tmp_path, a, which):
    zip_path = build(a, tmp_path / "dist")
    layout = tmp_path / "autograder"
    with zipfile.ZipFile(zip_path) as zf:
        zf.extractall(layout / "source")
        assert {"setup.sh", "run_autograder"} <= set(zf.namelist())
        names = zf.namelist()
    assert not any(n.startswith(("tests/", "release/", "examples/", "course/", "authoring/")) for n in names)
    assert {n for n in names if n.startswith("autograder/suites/")} == {
        str(p.relative_to(ROOT)) for p in a.suite.iterdir() if p.is_file()}, "only this assignment's suite"
    assert {n for n in names if n.startswith("solutions/")} == {str(p.relative_to(ROOT)) for p in a.reference_files()}
    answers = a.reference_answers() if which == "correct" else catalogue(a)[0].apply(a.reference_answers())
    write_submission(a, answers, layout / "submission" / "my_work.ipynb")
    results = layout / "results" / "results.json"
    run = layout / "source" / "run_autograder"
    run.chmod(0o755)
    env = {**os.environ, "KIT_SOURCE": str(layout / "source"), "KIT_SUBMISSION": str(layout / "submission"),
           "KIT_RESULTS": str(results), "KIT_PYTHON": sys.executable}
    done = subprocess.run(["bash", str(run)], env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    data = json.loads(results.read_text())
    assert set(data) >= {"score", "tests", "output", "visibility"}
    assert all({"name", "score", "max_score", "output"} <= set(t) for t in data["tests"])
    assert (data["score"] == 100) == (which == "correct")


def test_student_files_are_released():
    wanted_text = student_requirements(list(ASSIGNMENTS))
    assert (RELEASE / "requirements.txt").read_text() == wanted_text, "run `make release`"
    assert (RELEASE / "setup-student.sh").read_text() == student_setup_script(), "run `make release`"
    wanted = {re.match(r"[\w-]+", line)[0] for line in wanted_text.splitlines() if line and not line.startswith("#")}
    assert wanted == {"numpy", "scipy", "matplotlib", "jupyterlab", "notebook", "nbgrader", "keras", "jax"}


def test_gradescope_setup_installs_a_framework_only_where_it_is_needed(tmp_path):
    """An assignment whose submissions import a framework (A6: keras and jax, its `needs`) gets a setup.sh that
    installs it, pinned as in pyproject.toml, and a zip that carries the assignment's own settings; the other
    assignments' images install none of it."""
    assert NEEDING, "the kit has an assignment whose submissions need a framework"
    for a in NEEDING:
        with zipfile.ZipFile(build(a, tmp_path / a.id)) as zf:
            setup = zf.read("setup.sh").decode()
            assert str(a.settings_file.relative_to(ROOT)) in zf.namelist()
        assert all(re.search(rf"'{re.escape(n)}[<>=][^']*'", setup) for n in a.needs), setup
    needed = {n for a in NEEDING for n in a.needs}
    for a in ASSIGNMENTS:
        if not a.needs:
            with zipfile.ZipFile(build(a, tmp_path / a.id)) as zf:
                setup = zf.read("setup.sh").decode()
            assert not any(re.search(rf"'{re.escape(n)}[<>=]", setup) for n in needed), (a.id, setup)


@pytest.mark.parametrize("assignment", ASSIGNMENTS, ids=[a.id for a in ASSIGNMENTS])
def test_each_check_cell_runs_on_its_own(assignment, monkeypatch):
    """After a kernel restart a student runs the given cells, their solutions and then one check cell: each check
    must pass with the reference then, without a variable made by another check or demo cell — unless it says
    which check to run first (A4's Gabor check grades the filters train_cnn's check learned)."""
    import matplotlib

    matplotlib.use("Agg")
    monkeypatch.setenv("MPLBACKEND", "Agg")
    base: dict = {}
    for cell in assignment.cells_of("given", "solution"):
        exec(compile(cell.source, f"<{cell.grade_id}>", "exec"), base)  # noqa: S102 — the kit's own notebook
    checks = assignment.cells_of("check")
    for i, cell in enumerate(checks):
        try:
            exec(compile(cell.source, f"<{cell.grade_id}>", "exec"), dict(base))  # noqa: S102
        except AssertionError as exc:
            if "check cell first" not in str(exc):
                raise
            namespace = dict(base)  # it said so: after the earlier checks, it passes
            for earlier in checks[: i + 1]:
                exec(compile(earlier.source, f"<{earlier.grade_id}>", "exec"), namespace)  # noqa: S102


def test_leak_check_covers_the_top_of_release(tmp_path):
    """release/ holds a folder per assignment and the students' set-up files; a secret in a set-up file, a stray file
    or a stray folder is a leak."""
    shutil.copytree(RELEASE, tmp_path / "release")
    assert find_leaks(list(ASSIGNMENTS), tmp_path / "release") == []
    # every line of every hidden suite, in a fixed order (one line picked from a set was a different line each run)
    suite_lines = sorted({line for a in ASSIGNMENTS for line, where in secrets(a).items() if "hidden suite" in where})
    with (tmp_path / "release" / "setup-student.sh").open("a") as f:
        f.write("".join(f"\n{line}" for line in suite_lines) + "\n")
    (tmp_path / "release" / "solutions.py").write_text("x = 1\n")
    (tmp_path / "release" / "a9_extra").mkdir()
    leaks = find_leaks(list(ASSIGNMENTS), tmp_path / "release")
    assert len([leak for leak in leaks if "/setup-student.sh: " in leak]) == len(suite_lines), leaks
    assert any("solutions.py: only notebooks" in leak for leak in leaks), leaks
    assert any("a9_extra: not the folder of an assignment" in leak for leak in leaks), leaks
