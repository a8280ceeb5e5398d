"""Lateness through the kit, with the real nbgrader CLI: submission times from timestamp.txt, due dates from the
gradebook, extensions from the extension file, penalties from nbgrader's own late-submission plugin — and
`nbgrader export` shows what it shows after `nbgrader autograde` of the same submissions at the same times."""

from __future__ import annotations

import csv
import json
import shutil
import subprocess
import sys
import warnings
from datetime import timedelta
from pathlib import Path

import nbformat
import pytest
from gradebook import by_student

from autograder import assignment as layout
from autograder.audit import FORCED, NOTEBOOK_CHANGED, SUITE_CHANGED, regrade_reason
from autograder.config import ROOT
from autograder.grading import Result
from autograder.lateness import NO_TIMESTAMP
from course.examples import student_notebook
from course.mutation import catalogue
from course.release import tool_env

pytestmark = pytest.mark.xdist_group(name="release")

A = layout.get("a1_convolution")
DUE = "2026-03-02 12:00:00 UTC"
# student -> timestamp.txt (None: none), as nbgrader collect writes it
STAMPS = {
    "ontime": "2026-03-02 11:59:00.000000 UTC",
    "late": "2026-03-02 14:30:00.000000 UTC",  # 2.5 h late: 3 started hours
    "extended": "2026-03-03 12:30:00.000000 UTC",  # 24.5 h late, 0.5 h after the extended due date
    "nostamp": None,
}
EXTENSIONS = f"student,assignment,duedate\nextended,{A.id},2026-03-03 12:00:00 UTC\n"
# The course's plugin: a subclass of nbgrader's LateSubmissionPlugin, configured in nbgrader_config.py.
PLUGIN = '''import math
from nbgrader.plugins import LateSubmissionPlugin


class TenPerHour(LateSubmissionPlugin):
    """10 points per started hour late."""

    def late_submission_penalty(self, student_id, score, total_seconds_late):
        return 10 * math.ceil(total_seconds_late / 3600)
'''
EXPECTED_PENALTY = {"ontime": 0.0, "late": 30.0, "extended": 10.0, "nostamp": 0.0}
COMPARED = ["assignment", "duedate", "timestamp", "student_id", "raw_score", "late_submission_penalty", "score",
            "max_score"]


def run(course: Path, *args: str, ok: bool = True) -> subprocess.CompletedProcess:
    done = subprocess.run([sys.executable, *args], cwd=course, capture_output=True, text=True, timeout=600,
                          env={**tool_env(), "PYTHONPATH": str(ROOT), "MPLBACKEND": "Agg"})
    if ok:
        assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    return done


def write_notebook(course: Path, student: str, answers: dict[str, str]) -> Path:
    path = course / "submitted" / student / A.id / f"{A.id}.ipynb"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(nbformat.writes(student_notebook(A, answers, A.release_notebook)))
    return path


def export(course: Path) -> dict[str, dict]:
    run(course, "-m", "nbgrader", "export", "--to", "grades.csv")
    with open(course / "grades.csv", newline="") as fh:
        return {r["student_id"]: r for r in csv.DictReader(fh) if r["assignment"] == A.id}


def gradebook(course: Path) -> dict[str, dict]:
    return by_student(course / "autograded")


@pytest.fixture(scope="module")
def base(tmp_path_factory) -> Path:
    """A course with the kit's nbgrader_config.py plus a late-penalty plugin, one released assignment with a due
    date, and four submissions of the reference solution handed in at different times."""
    root = tmp_path_factory.mktemp("late") / "course"
    root.mkdir()
    shutil.copytree(ROOT / "assignments" / A.id, root / "assignments" / A.id)
    (root / "late_plugin.py").write_text(PLUGIN)
    config = (ROOT / "nbgrader_config.py").read_text()
    (root / "nbgrader_config.py").write_text(config + '\nc.AssignLatePenalties.plugin_class = "late_plugin.TenPerHour"'
                                             '\n')
    run(root, "-m", "nbgrader", "generate_assignment", A.id, "--force", "--create", "--log-level=WARN")
    run(root, "-m", "nbgrader", "db", "assignment", "add", A.id, "--duedate", DUE)
    for student, stamp in STAMPS.items():  # students are created by `course record` / `nbgrader autograde`
        write_notebook(root, student, A.reference_answers())
        if stamp is not None:
            (root / "submitted" / student / A.id / "timestamp.txt").write_text(stamp)
    return root


@pytest.fixture(scope="module")
def kit(base, tmp_path_factory) -> Path:
    """The course graded by the kit: `python -m autograder grade`, `python -m course record`."""
    course = tmp_path_factory.mktemp("kit") / "course"
    shutil.copytree(base, course)
    (course / "extensions.csv").write_text(EXTENSIONS)
    run(course, "-m", "autograder", "grade", A.id, "--submitted", "submitted", "--out", "autograded", "--quiet",
        "--workers", "1")
    record = run(course, "-m", "course", "record", "--graded", "autograded")
    assert "recorded late" in record.stdout, record.stdout
    return course


@pytest.fixture(scope="module")
def nbgrader_autograded(base, tmp_path_factory) -> Path:
    """The same course graded by `nbgrader autograde` (the extension granted through nbgrader's API)."""
    from nbgrader.api import Gradebook

    course = tmp_path_factory.mktemp("nbgrader") / "course"
    shutil.copytree(base, course)
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gb, warnings.catch_warnings():
        warnings.simplefilter("ignore")  # add_submission's own SAWarnings (nbgrader 0.9.6)
        gb.update_or_create_student("extended")
        gb.add_submission(A.id, "extended")
        gb.grant_extension(A.id, "extended", days=1)
    run(course, "-m", "nbgrader", "autograde", A.id, "--log-level=WARN")
    return course


def test_export_matches_nbgrader_autograde(kit, nbgrader_autograded):
    ours, theirs = export(kit), export(nbgrader_autograded)
    assert set(ours) == set(theirs) == set(STAMPS)
    assert {s: float(r["raw_score"]) for s, r in theirs.items()} == dict.fromkeys(STAMPS, 100.0), \
        "the comparison needs full marks from nbgrader too"
    for student in STAMPS:
        assert {k: ours[student][k] for k in COMPARED} == {k: theirs[student][k] for k in COMPARED}, student
    assert {s: float(r["late_submission_penalty"]) for s, r in ours.items()} == EXPECTED_PENALTY
    assert {s: float(r["score"]) for s, r in ours.items()} == {s: 100 - p for s, p in EXPECTED_PENALTY.items()}
    assert ours["nostamp"]["timestamp"] == "" and ours["late"]["timestamp"] == "2026-03-02 14:30:00"


def test_the_kits_gradebook_results_and_feedback_show_the_lateness(kit):
    rows = gradebook(kit)
    for student, penalty in EXPECTED_PENALTY.items():
        row = rows[student]
        assert float(row["score"]) == 100 and float(row["late_penalty"]) == penalty, row
        assert float(row["final_score"]) == 100 - penalty
        assert row["timestamp"] == (STAMPS[student] or "")
    assert rows["late"]["duedate"] == "2026-03-02 12:00:00" and float(rows["late"]["seconds_late"]) == 9000
    assert rows["extended"]["duedate"] == "2026-03-03 12:00:00" and float(rows["extended"]["seconds_late"]) == 1800
    assert float(rows["ontime"]["seconds_late"]) == 0 and rows["nostamp"]["duedate"] == "2026-03-02 12:00:00"

    late = json.loads((kit / "autograded" / "late" / A.id / "results.json").read_text())["extra_data"]["kit"]
    assert (late["timestamp"], late["seconds_late"], late["late_penalty"]) == (STAMPS["late"], 9000.0, 30.0)
    page = (kit / "autograded" / "late" / A.id / "feedback.html").read_text()
    assert "2 h 30 min late; late penalty 30 point(s), score 100 → 70" in page and "70 / 100" in page
    missing = json.loads((kit / "autograded" / "nostamp" / A.id / "results.json").read_text())["extra_data"]["kit"]
    assert NO_TIMESTAMP in missing["notes"] and missing["late_penalty"] == 0
    assert "Submission time unknown" in (kit / "autograded" / "nostamp" / A.id / "feedback.html").read_text()
    assert "on time" in (kit / "autograded" / "ontime" / A.id / "feedback.html").read_text()
    # the first application of a penalty changed a recorded score: the audit log says so
    audit = [json.loads(line) for line in (kit / "autograded" / "audit.log").read_text().splitlines()]
    assert [(e["student"], e["new"]["final_score"]) for e in audit if e["reason"] == "late penalty (nbgrader)"] \
        == [("extended", 90.0), ("late", 70.0)]


def test_regrading_one_student_changes_only_that_row_and_is_audited(kit, tmp_path):
    course = tmp_path / "course"
    shutil.copytree(kit, course)
    out = course / "autograded"
    untouched = {s: (out / s / A.id / "results.json").read_bytes() for s in STAMPS if s != "late"}
    lines_before = len((out / "audit.log").read_text().splitlines())

    bug = catalogue(A)[0]
    write_notebook(course, "late", bug.apply(A.reference_answers()))  # a fixed re-upload… that is worse
    write_notebook(course, "ontime", bug.apply(A.reference_answers()))  # changed too, but not asked for
    run(course, "-m", "autograder", "grade", A.id, "--submitted", "submitted", "--out", "autograded", "--quiet",
        "--workers", "1", "--student", "late")
    assert {s: (out / s / A.id / "results.json").read_bytes() for s in untouched} == untouched
    entries = [json.loads(line) for line in (out / "audit.log").read_text().splitlines()[lines_before:]]
    assert [(e["student"], e["reason"], e["old"]["score"]) for e in entries] == [("late", FORCED, 100.0)]
    entry = entries[0]
    assert entry["new"]["score"] < 100 and entry["user"] and entry["time"]
    assert entry["parts"] and all(p["old"] > p["new"] for p in entry["parts"].values())
    assert entry["notebook_sha256"]["old"] != entry["notebook_sha256"]["new"]
    rows = gradebook(course)
    assert float(rows["late"]["score"]) == entry["new"]["score"] and rows["late"]["late_penalty"] == ""
    assert float(rows["ontime"]["score"]) == 100

    # a plain run regrades the changed notebook and says why; record re-applies the penalty
    run(course, "-m", "autograder", "grade", A.id, "--submitted", "submitted", "--out", "autograded", "--quiet",
        "--workers", "1")
    entries = [json.loads(line) for line in (out / "audit.log").read_text().splitlines()[lines_before + 1:]]
    assert [(e["student"], e["reason"]) for e in entries] == [("ontime", NOTEBOOK_CHANGED)]
    run(course, "-m", "course", "record", "--graded", "autograded")
    late = gradebook(course)["late"]
    assert float(late["late_penalty"]) == min(30, float(late["score"]))  # nbgrader caps a penalty at the score
    assert float(late["final_score"]) == float(late["score"]) - float(late["late_penalty"])

    nobody = run(course, "-m", "autograder", "grade", A.id, "--submitted", "submitted", "--out", "autograded",
                 "--quiet", "--student", "nobody", ok=False)
    assert nobody.returncode == 2 and "nobody" in nobody.stderr


def test_a_changed_suite_is_a_reason_to_regrade():
    done = Result("s", A.id, "ok", "", 1, 1, {}, notebook_sha256="nb", suite_sha256="suite")
    assert regrade_reason(done, "nb", "suite", forced=False) is None
    assert regrade_reason(done, "nb", "other", forced=False) == SUITE_CHANGED
    assert regrade_reason(done, "new", "other", forced=False) == f"{NOTEBOOK_CHANGED}, {SUITE_CHANGED}"
    assert regrade_reason(done, "nb", "suite", forced=True) == FORCED


def test_a_grant_in_the_extension_file_needs_a_due_date(tmp_path):
    from course.nbgrader_bridge import _extension, read_extensions

    path = tmp_path / "extensions.csv"
    path.write_text(EXTENSIONS)
    (key, when), = read_extensions(path).items()
    assert key == ("extended", A.id) and _extension(when, when - timedelta(days=1)) == timedelta(days=1)
    with pytest.raises(ValueError, match="without a due date"):
        _extension(when, None)
    path.write_text("student,assignment\nx,y\n")
    with pytest.raises(ValueError, match="extensions.csv:2"):
        read_extensions(path)


def test_the_grader_records_what_timestamp_txt_says(tmp_path):
    from autograder.lateness import stamp
    from autograder.report import lateness_text

    folder = tmp_path / "alice" / A.id
    folder.mkdir(parents=True)
    r = Result("alice", A.id, "ok", "", 80, 100, {})
    assert stamp(r, folder) and r.notes == [NO_TIMESTAMP] and r.timestamp == ""
    assert "Submission time unknown" in lateness_text(r) and r.final_score == 80
    (folder / "timestamp.txt").write_text(" 2026-03-02 14:30:00.000000 UTC\n")
    assert stamp(r, folder) and r.notes == [] and r.timestamp == "2026-03-02 14:30:00.000000 UTC"
    assert "not recorded yet" in lateness_text(r)
    r.duedate, r.seconds_late, r.late_penalty = "2026-03-02 12:00:00", 9000.0, 30.0
    assert not stamp(r, folder) and r.final_score == 50 and "2 h 30 min late" in lateness_text(r)
    (folder / "timestamp.txt").write_text("2026-03-02 11:00:00 UTC")  # collected again: the lateness is stale
    assert stamp(r, folder) and (r.duedate, r.seconds_late, r.late_penalty) == ("", None, None)


def test_released_feedback_is_made_from_verified_results_only(tmp_path):
    """A feedback.html changed on disk is not released (the manifest vouches for results.json only), a result file
    changed on disk releases nothing, and a missing feedback.html stops nothing."""
    from autograder.batch import write_manifest
    from autograder.grading import error_result
    from autograder.report import feedback_html, write_results
    from course.nbgrader_bridge import release_feedback

    graded, out = tmp_path / "autograded", tmp_path / "feedback"
    rows = {}
    for student in ("ann", "bob", "cid"):
        result = error_result(student, A, f"nothing submitted by {student}")
        rows[(student, A.id)] = (result, write_results(graded, result))
    write_manifest(graded, rows)
    (graded / "ann" / A.id / "feedback.html").write_text("<p>forged: 100 points</p>")
    (graded / "bob" / A.id / "feedback.html").unlink()
    (graded / "cid" / A.id / "results.json").write_text("{}")
    said = list(release_feedback(graded, out, tmp_path / "submitted"))
    assert len(said) == 2
    for student in ("ann", "bob"):
        page = (out / student / A.id / f"{A.id}.html").read_text()
        assert page == feedback_html(rows[(student, A.id)][0]) and "forged" not in page
    assert not (out / "cid").exists()
