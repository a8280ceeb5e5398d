"""A whole class — perfect, buggy, broken and hostile — graded in one batch: a complete, deserved gradebook."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from pathlib import Path

import pytest
from fast import FAST
from gradebook import gradebook
from processes import live_processes

from autograder import assignment as layout
from autograder.batch import grade_class, trusted_results, write_manifest
from autograder.config import ROOT, SANDBOX_UID_BASE
from autograder.grading import error_result
from autograder.report import write_results
from autograder.sandbox import namespaces_available, requested_mode
from course.examples import materialise
from course.leaks import secrets

ASSIGNMENT = layout.get("a1_convolution")
SLOTS = 40  # sandbox uids of this test: SANDBOX_UID_BASE + 40, + 41
pytestmark = pytest.mark.xdist_group(name="batch")


def tree_digest(*roots: Path, skip: tuple[str, ...] = ()) -> dict[str, str]:
    digest = {}
    for root in roots:
        for dirpath, dirnames, filenames in os.walk(root):
            dirnames[:] = [d for d in dirnames if d not in {".git", ".venv", ".work", "__pycache__", ".ruff_cache"}]
            for name in filenames:
                path = Path(dirpath) / name
                if not any(str(path).startswith(s) for s in skip):
                    digest[str(path)] = hashlib.sha256(path.read_bytes()).hexdigest()
    return digest


def live_sandbox_processes() -> list[str]:
    """Live processes of this test's sandbox users (other tests may run sandboxes of their own meanwhile)."""
    return live_processes(range(SANDBOX_UID_BASE + SLOTS, SANDBOX_UID_BASE + SLOTS + 16))


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    base = tmp_path_factory.mktemp("class")
    submitted, out = base / "submitted", base / "autograded"
    roster = materialise(ASSIGNMENT, submitted)
    before = tree_digest(ROOT, submitted)
    results = grade_class(ASSIGNMENT, submitted, out, workers=2, progress=False, limits=FAST, first_slot=SLOTS)
    after = tree_digest(ROOT, submitted)
    return roster, results, out, before, after, submitted


def test_every_student_has_exactly_one_row(graded):
    roster, _, out, *_ = graded
    students = [r["student"] for r in gradebook(out)]
    assert sorted(students) == sorted([s.name for s in roster] + ["missing_submission"])


def test_every_row_gets_what_it_deserves_and_no_more(graded):
    roster, _, out, *_ = graded
    rows = {r["student"]: r for r in gradebook(out)}
    wrong = []
    for s in roster:
        row = rows[s.name]
        score = float(row["score"])
        if row["status"] not in s.statuses or not (s.min_score - 1e-9 <= score <= s.max_score + 1e-9):
            wrong.append(f"{s.name}: {score} {row['status']} ({row['reason']}), expected "
                         f"{s.min_score}..{s.max_score} {s.statuses}")
    assert wrong == []
    assert rows["missing_submission"]["status"] == "error"
    assert all(r["reason"] for r in rows.values() if r["status"] != "ok"), "every error row says why"


def test_timeouts_and_crashes_are_named_in_the_gradebook(graded):
    _, results, out, *_ = graded
    rows = {r["student"]: r for r in gradebook(out)}
    loop = rows["hostile_endless_loop"]
    assert loop["status"] == "timeout" and "time limit" in loop["reason"] and "not called again" in loop["reason"]
    looped = next(r for r in results if r.student == "hostile_endless_loop")
    proof = next(t for t in looped.tests if t["part"] == "test_stride_is_downsampling")
    assert "did not finish" in proof["message"] and proof["score"] == 0  # given up after 2 hangs: tests/test_judge.py
    exits = rows["hostile_exit_in_function"]
    assert exits["status"] == "ok" and "died" in exits["reason"] and "exit code 0" in exits["reason"]
    assert rows["perfect"]["reason"] == "" and rows["bug_1"]["reason"] == ""
    page = (out / "hostile_exit_in_function" / ASSIGNMENT.id / "feedback.html").read_text()
    assert "the process died" in page, "the student sees why tests got no points"


def test_nothing_outside_the_output_folder_changed(graded):
    *_, before, after, submitted = graded
    assert before == after
    for forged in ("/tmp/results.json", ROOT / "autograded" / "gradebook.csv", ROOT / "results.json"):
        assert not Path(forged).exists()


def test_no_process_outlives_the_batch(graded):
    assert live_sandbox_processes() == []


def test_isolation_is_recorded(graded):
    _, _, out, *_ = graded
    rows = gradebook(out)
    assert all(r["isolation"] for r in rows)
    if namespaces_available():
        assert all("namespaces" in r["isolation"] for r in rows)


def test_results_follow_gradescope_schema_and_hide_the_suite(graded):
    roster, _, out, *_ = graded
    hidden = set(secrets(ASSIGNMENT))
    for s in roster:
        folder = out / s.name / ASSIGNMENT.id
        data = json.loads((folder / "results.json").read_text())
        assert isinstance(data["score"], (int, float)) and isinstance(data["tests"], list)
        for t in data["tests"]:
            assert set(t) >= {"name", "score", "max_score", "output", "visibility"}
            assert 0 <= t["score"] <= t["max_score"]
        html = (folder / "feedback.html").read_text()
        assert "<h1>" in html
        assert not [line for line in hidden if line in html], "feedback shows hidden code"


def test_a_bug_gets_a_hint(graded):
    _, _, out, *_ = graded
    data = json.loads((out / "bug_1" / ASSIGNMENT.id / "results.json").read_text())
    failed = [t for t in data["tests"] if t["status"] == "failed"]
    assert failed and all(t["output"] for t in failed)


def test_regrading_is_deterministic_and_resumable(graded, tmp_path):
    _, results, out, _, _, submitted = graded
    perfect = next(r for r in results if r.student == "perfect")
    stamp = (out / "perfect" / ASSIGNMENT.id / "results.json").stat().st_mtime_ns
    again = grade_class(ASSIGNMENT, submitted, out, workers=1, progress=False, limits=FAST, first_slot=SLOTS)
    assert (out / "perfect" / ASSIGNMENT.id / "results.json").stat().st_mtime_ns == stamp, "resumed, not regraded"
    shutil.copytree(submitted / "perfect", tmp_path / "class" / "perfect")
    fresh = grade_class(ASSIGNMENT, tmp_path / "class", tmp_path / "again", workers=1, progress=False, limits=FAST,
                        first_slot=SLOTS)
    redo = next(r for r in fresh if r.student == "perfect")
    assert [(t["name"], t["score"]) for t in redo.tests] == [(t["name"], t["score"]) for t in perfect.tests]
    assert redo.score == perfect.score == perfect.max_score
    assert len(again) == len(results)


def test_a_result_file_changed_after_the_grader_wrote_it_is_not_trusted(tmp_path):
    rows = {}
    for student in ("ann", "bob", "cid"):
        result = error_result(student, ASSIGNMENT, "nothing submitted")
        rows[(student, ASSIGNMENT.id)] = (result, write_results(tmp_path, result))
    write_manifest(tmp_path, rows)
    assert sorted(s for s, _ in trusted_results(tmp_path)) == ["ann", "bob", "cid"]
    forged = json.loads((tmp_path / "bob" / ASSIGNMENT.id / "results.json").read_text())
    forged["extra_data"]["kit"]["score"] = forged["score"] = 100
    (tmp_path / "bob" / ASSIGNMENT.id / "results.json").write_text(json.dumps(forged))
    (tmp_path / "cid" / ASSIGNMENT.id / "results.json").unlink()
    assert sorted(s for s, _ in trusted_results(tmp_path)) == ["ann"]
    (tmp_path / ".kit-manifest.json").write_text("{}")
    assert trusted_results(tmp_path) == {}


def test_an_unknown_isolation_mode_is_refused(monkeypatch):
    monkeypatch.setenv("KIT_ISOLATION", "maybe")
    with pytest.raises(RuntimeError, match="KIT_ISOLATION"):
        requested_mode()
