"""What the Makefile's targets rely on: a release is regenerated only when what it is made from changed (also on a
fresh clone: a record of content hashes, not file times), and a submitted folder of the wrong layout is an error whose
message gives the fix."""

from __future__ import annotations

import shutil
from pathlib import Path

from autograder import assignment as layout
from autograder.config import ROOT
from course.freshness import RECORD, record, why_stale
from course.submissions import layout_errors, to_grade

A = layout.get("a1_convolution")
IDS = [a.id for a in layout.find()]


def test_the_committed_release_is_recorded_as_current():
    assert [a.id for a in layout.find() if why_stale(a, in_gradebook=True)] == [], f"run `make release` ({RECORD})"


def test_a_changed_source_or_a_missing_gradebook_entry_makes_a_release_stale(tmp_path):
    for top in ("autograder/suites/" + A.id, "assignments/" + A.id, "release/" + A.id):
        shutil.copytree(ROOT / top, tmp_path / top)
    shutil.copy(ROOT / "nbgrader_config.py", tmp_path)
    a = layout.get(A.id, tmp_path)
    assert why_stale(a, True) == "its source notebook or nbgrader_config.py changed"  # nothing recorded yet
    record([a])
    assert why_stale(a, True) == ""
    assert why_stale(a, False) == "not in nbgrader's gradebook yet"
    a.source_notebook.write_bytes(a.source_notebook.read_bytes().replace(b"Convolution", b"Convolutions", 1))
    assert why_stale(a, True) == "its source notebook or nbgrader_config.py changed"
    record([a])
    (tmp_path / "nbgrader_config.py").write_text("c = get_config()\n")
    assert why_stale(a, True) != ""
    a.release_notebook.unlink()
    assert why_stale(a, True) == "not released yet"


def notebook(path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("{}")


def test_a_submitted_folder_of_the_wrong_layout_is_an_error_that_says_the_fix(tmp_path):
    submitted = tmp_path / "submitted"
    notebook(submitted / A.id / "alice.ipynb")  # by assignment, then student: a student called "a1_convolution"
    notebook(submitted / "bob" / "a1.ipynb")  # no assignment folder
    errors = layout_errors(submitted, [A.id], IDS, explicit=False)
    assert len(errors) == 2 and all(f"{submitted}/<student>/{A.id}/{A.id}.ipynb" in e for e in errors), errors
    assert all(f"nbgrader zip_collect {A.id}" in e for e in errors)
    assert "named like an assignment" in errors[0] and "not in an assignment's folder" in errors[1]


def test_no_submission_for_an_assignment_is_an_error(tmp_path):
    submitted = tmp_path / "submitted"
    assert "no folder" in layout_errors(submitted, [A.id], IDS, explicit=False)[0]
    submitted.mkdir()
    (error,) = layout_errors(submitted, [A.id, "a2_equivariance"], IDS, explicit=False)
    assert "no submission for any assignment" in error
    notebook(submitted / "alice" / A.id / f"{A.id}.ipynb")
    assert layout_errors(submitted, [A.id, "a2_equivariance"], IDS, explicit=False) == []
    assert to_grade(submitted, [A.id, "a2_equivariance"]) == [A.id]
    (error,) = layout_errors(submitted, [A.id, "a2_equivariance"], IDS, explicit=True)  # ASSIGNMENT=… named it
    assert error.startswith(f"no submission for a2_equivariance in {submitted}")
