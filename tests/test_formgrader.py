"""The TA's round trip with nbgrader's formgrader: what `make autograde` leaves (autograded notebooks, gradebook
rows), the written answers graded by hand in the real formgrader UI (headless Chromium), `nbgrader export`'s sum and
`make feedback`'s page. A small class of one assignment (three students), graded with the commands `make autograde`
runs; formgrader is nbgrader's Jupyter server extension, served from the course folder as the README says."""

from __future__ import annotations

import csv
import json
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from gradebook import by_student
from test_browser import TOKEN, browser_page, free_port, serve

from autograder import assignment as layout
from autograder.config import ROOT
from course.autograded_notebook import GRADER_ONLY
from course.examples import student_notebook
from course.mutation import catalogue
from course.release import tool_env

pytestmark = pytest.mark.xdist_group("browser")

A = layout.get("a1_convolution")
ANSWERS = A.cells_of("answer")
BUG = catalogue(A)[0]
STAMP = "2026-03-02 11:00:00.000000 UTC"
STUDENTS = {"alice": A.reference_answers(), "bob": BUG.apply(A.reference_answers()), "carol": A.reference_answers()}
SHOTS = Path("/tmp/shots")


def run(course: Path, *args: str) -> subprocess.CompletedProcess:
    done = subprocess.run([sys.executable, *args], cwd=course, capture_output=True, text=True, timeout=600,
                          env={**tool_env(), "PYTHONPATH": str(ROOT), "MPLBACKEND": "Agg"})
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    return done


def export(course: Path) -> dict[str, dict]:
    run(course, "-m", "nbgrader", "export", "--to", "grades.csv")
    with open(course / "grades.csv", newline="") as fh:
        return {r["student_id"]: r for r in csv.DictReader(fh) if r["assignment"] == A.id}


@pytest.fixture(scope="module")
def course(tmp_path_factory) -> Path:
    """A course folder with the kit's nbgrader_config.py, A1 released with a due date, three submissions (alice
    correct, bob with a catalogued bug, carol correct without timestamp.txt), graded and recorded."""
    root = tmp_path_factory.mktemp("formgrader") / "course"
    shutil.copytree(ROOT / "assignments" / A.id, root / "assignments" / A.id)
    shutil.copy(ROOT / "nbgrader_config.py", root)
    run(root, "-m", "nbgrader", "generate_assignment", A.id, "--force", "--create", "--log-level=WARN")
    run(root, "-m", "nbgrader", "db", "assignment", "add", A.id, "--duedate", "2026-03-02 12:00:00 UTC")
    for student, answers in STUDENTS.items():
        path = root / "submitted" / student / A.id / f"{A.id}.ipynb"
        path.parent.mkdir(parents=True)
        path.write_text(nbformat.writes(student_notebook(A, answers, A.release_notebook, f"{student} wrote this.")))
        if student != "carol":
            (path.parent / "timestamp.txt").write_text(STAMP)
    run(root, "-m", "autograder", "grade", A.id, "--submitted", "submitted", "--out", "autograded", "--quiet")
    run(root, "-m", "course", "record", "--graded", "autograded", "--submitted", "submitted")
    return root


def notebook(course: Path, student: str) -> nbformat.NotebookNode:
    return nbformat.read(course / "autograded" / student / A.id / f"{A.id}.ipynb", 4)


def test_the_autograded_notebook_has_the_students_cells_the_scores_and_the_rubrics(course):
    results = {s: json.loads((course / "autograded" / s / A.id / "results.json").read_text()) for s in STUDENTS}
    for student, answers in STUDENTS.items():
        cells = {c.metadata.get("nbgrader", {}).get("grade_id"): c for c in notebook(course, student).cells}
        assert {gid: cells[gid].source for gid in answers} == answers, student
        assert all(cells[a.grade_id].source == f"{student} wrote this." for a in ANSWERS)
        parts = results[student]["extra_data"]["kit"]["parts"]
        for part, (score, points) in parts.items():
            text = "".join(o["text"] for o in cells[f"check_{part}"].outputs)
            assert text.startswith(f"Automatic score of part {part}: {score:g} / {points:g}"), (student, text)
    bob = notebook(course, "bob")
    text = nbformat.writes(bob)
    assert A.reference_answers()[BUG.cell] not in text, "bob's notebook shows the reference of the cell he got wrong"
    failed = [t for t in results["bob"]["extra_data"]["kit"]["tests"] if not t["passed"]]
    assert failed and all(t["hint"] in text for t in failed if t["hint"])
    released = A.release_notebook.read_text()
    ours = nbformat.writes(nbformat.v4.new_notebook(cells=[c for c in bob.cells if c.get("metadata", {}).get(
        "nbgrader", {}).get("grade_id") not in STUDENTS["bob"]]))  # all but bob's own code
    for suite_file in A.suite.glob("*.py"):  # no line of the hidden suite's code but what the release shows
        code = [ln.strip() for ln in suite_file.read_text().splitlines() if len(ln.strip()) > 40]
        assert not [ln for ln in code if ln in ours and json.dumps(ln)[1:-1] not in released], suite_file.name
    rubrics = [c for c in bob.cells if GRADER_ONLY in c.metadata.get("tags", [])]
    assert [next(a for a in ANSWERS if a.source in c.source).grade_id for c in rubrics] == [a.grade_id for a in ANSWERS]
    assert all(a.source.splitlines()[0] not in released for a in ANSWERS), "a rubric is in the release"


def test_feedback_drops_the_rubric_and_formgrader_keeps_it():
    """nbgrader generate_feedback's preprocessors (nbgrader_config.py) remove the rubric cells; formgrader's renderer
    (nbconvert's HTMLExporter under the same configuration) keeps them for the graders."""
    from nbconvert import HTMLExporter
    from traitlets.config import Config, PyFileConfigLoader

    from course.autograded_notebook import DropGraderOnly

    config = PyFileConfigLoader("nbgrader_config.py", path=str(ROOT)).load_config()
    assert "course.autograded_notebook.DropGraderOnly" in config.GenerateFeedback.preprocessors
    rubric = nbformat.v4.new_markdown_cell("RUBRIC-TEXT", metadata={"tags": [GRADER_ONLY]})
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell("question"), rubric])
    kept, _ = DropGraderOnly(config=config).preprocess(nbformat.from_dict(nb), {})
    assert [c.source for c in kept.cells] == ["question"]
    html, _ = HTMLExporter(config=Config(config)).from_notebook_node(nbformat.from_dict(nb))
    assert "RUBRIC-TEXT" in html


def test_needs_manual_grade_exactly_while_a_written_answer_is_ungraded(course, tmp_path):
    from nbgrader.api import Gradebook

    copy = tmp_path / "course"
    shutil.copytree(course, copy)

    def needing() -> dict[str, set[str]]:
        with Gradebook(f"sqlite:///{copy / 'gradebook.db'}") as gb:
            return {s: {g.name for nb in gb.find_submission(A.id, s).notebooks for g in nb.grades
                        if g.needs_manual_grade} for s in STUDENTS}

    assert needing() == dict.fromkeys(STUDENTS, {a.grade_id for a in ANSWERS})
    with Gradebook(f"sqlite:///{copy / 'gradebook.db'}") as gb:  # as formgrader saves a score
        grade = gb.find_grade(ANSWERS[0].grade_id, A.id, A.id, "alice")
        grade.manual_score, grade.needs_manual_grade = 1.0, False
        gb.db.commit()
    run(copy, "-m", "course", "record", "--graded", "autograded", "--submitted", "submitted")  # a re-record
    assert needing() == {**dict.fromkeys(STUDENTS, {a.grade_id for a in ANSWERS}),
                         "alice": {a.grade_id for a in ANSWERS[1:]}}


def test_an_unknown_submission_time_is_a_status_not_zero_seconds_late(course):
    rows = by_student(course / "autograded")
    assert rows["carol"]["seconds_late"] == "time unknown" and rows["carol"]["timestamp"] == ""
    assert float(rows["alice"]["seconds_late"]) == 0
    assert export(course)["carol"]["timestamp"] == ""


def formgrader_cmd(course: Path, port: int) -> list[str]:
    """The README's formgrader: a Jupyter server in the course folder (nbgrader's server extension is on)."""
    return [sys.executable, "-m", "jupyter_server", "--no-browser", "--ServerApp.ip=127.0.0.1",
            f"--ServerApp.port={port}", "--ServerApp.port_retries=0", f"--IdentityProvider.token={TOKEN}",
            f"--ServerApp.root_dir={course}"]


def test_a_ta_grades_the_written_answers_in_formgrader(course, chromium, tmp_path):
    port = free_port()
    env = {**tool_env(), "PYTHONPATH": str(ROOT), "JUPYTER_RUNTIME_DIR": str(tmp_path / "runtime"),
           "JUPYTER_DATA_DIR": str(tmp_path / "data")}
    SHOTS.mkdir(exist_ok=True)
    with serve(formgrader_cmd(course, port), course, env, tmp_path / "server.log", port) as base, \
            browser_page(chromium) as page:
        api = f"{base}/formgrader/api/submitted_notebooks/{A.id}/{A.id}"

        def listed() -> dict[str, dict]:
            return {s["student"]: s for s in page.request.get(api).json()}

        page.goto(f"{base}/api/status?token={TOKEN}")  # sets the login cookie formgrader's own requests need
        page.goto(f"{base}/formgrader/gradebook/{A.id}/{A.id}")
        page.locator("tbody tr a.name-hidden").nth(len(STUDENTS) - 1).wait_for(state="attached")  # rows loaded
        page.get_by_text("Show All Names").click()
        for student in STUDENTS:
            page.locator("tbody tr a", has_text=student).wait_for()
        page.screenshot(path=str(SHOTS / "formgrader_list.png"), full_page=True)
        assert set(listed()) == set(STUDENTS) and all(s["needs_manual_grade"] for s in listed().values())

        page.locator("tbody tr a", has_text="alice").click()
        page.locator(f"#{ANSWERS[0].grade_id}").wait_for()
        # formgrader fills the inputs once it has loaded the grades (a value typed before is overwritten): the
        # auto-graded cells then show their score
        page.wait_for_function("() => document.querySelector('#check_conv1d').placeholder !== ''")
        assert "Rubric (graders only" in page.content()
        assert "Automatic score of part conv1d: 12 / 12" in page.locator("body").inner_text()
        page.fill(f"#{ANSWERS[0].grade_id}", "2")
        page.fill(f"#{ANSWERS[0].grade_id}-comment", "Aliasing named; no example.")
        page.keyboard.press("Tab")
        page.get_by_text("Rubric (graders only").first.scroll_into_view_if_needed()
        page.screenshot(path=str(SHOTS / "formgrader_grading.png"))
        page.wait_for_function(f"async () => (await (await fetch('{api}')).json())"
                               ".find(s => s.student === 'alice').score === 102")
        assert listed()["alice"]["needs_manual_grade"], "one written answer is still ungraded"
        for answer in ANSWERS[1:]:
            page.fill(f"#{answer.grade_id}", str(answer.points))
            page.keyboard.press("Tab")
        page.wait_for_function(f"async () => !(await (await fetch('{api}')).json())"
                               ".find(s => s.student === 'alice').needs_manual_grade")
        assert {s for s, row in listed().items() if row["needs_manual_grade"]} == {"bob", "carol"}
        order = sorted(listed().values(), key=lambda s: s["index"])  # formgrader's order (by submission id)
        i = [s["student"] for s in order].index("alice")
        after = (f"/formgrader/submissions/{order[i + 1]['id']}" if i + 1 < len(order)
                 else f"/formgrader/gradebook/{A.id}/{A.id}")  # after the last one: back to the list
        page.locator(".next a").first.click()  # Next →
        page.wait_for_url(lambda url: after in url)

        written = 2 + sum(a.points for a in ANSWERS[1:])
        assert float(export(course)["alice"]["raw_score"]) == 100 + written
        run(course, "-m", "course", "feedback", "--graded", "autograded", "--out", "feedback")
        feedback = course / "feedback" / "alice" / A.id / f"{A.id}.html"
        page.goto(feedback.as_uri())
        page.screenshot(path=str(SHOTS / "feedback_page.png"), full_page=True)
        text = page.locator("body").inner_text()
    assert "Aliasing named; no example." in text and f"2 / {ANSWERS[0].points:g}" in text
    assert f"Total: {100 + written:g} / {A.max_score + sum(a.points for a in ANSWERS):g}" in text
    assert f"{A.id}: {100 + written:g} /" in text


GRADESCOPE_KEYS = {"score", "execution_time", "output", "output_format", "test_output_format", "test_name_format",
                   "visibility", "stdout_visibility", "extra_data", "tests", "leaderboard"}  # its results.json spec


def test_results_json_has_only_gradescopes_keys_at_the_top(course):
    from autograder.report import parse_result

    for student in STUDENTS:
        data = (course / "autograded" / student / A.id / "results.json").read_bytes()
        assert set(json.loads(data)) <= GRADESCOPE_KEYS
        assert parse_result(data).student == student  # the kit's record is still there
