"""A class that attacks through its folders (tests/hostile_folders.py), graded as root: every row, no undeserved
point, nothing of a file outside the class in an output, every report produced; and the same rules one by one —
loading, names, CSV and terminal, timestamps, released feedback, Gradescope."""

from __future__ import annotations

import csv
import io
import json
import os
import shutil
from pathlib import Path

import nbformat
import pytest
from fast import FAST
from gradebook import by_student
from hostile_folders import CANARY, CR_NAME, ESC_NAME, FORMULA, make_class, problems, rows_as_a_spreadsheet_reads_them

from autograder import assignment as layout
from autograder.batch import grade_class, write_manifest
from autograder.cli import _table
from autograder.config import Limits
from autograder.grading import Result, error_result
from autograder.load import LoadError, read_answers
from autograder.report import gradebook_csv, write_results
from course.examples import student_notebook
from course.release import stub_answers

A = layout.get("a1_convolution")
SLOTS = 44  # sandbox uids of this module: SANDBOX_UID_BASE + 44, + 45
pytestmark = pytest.mark.xdist_group(name="batch")


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    base = tmp_path_factory.mktemp("hostile-folders")
    submitted, out = base / "submitted", base / "autograded"
    expected = make_class(A, submitted, base / "outside")
    results = grade_class(A, submitted, out, workers=2, progress=False, limits=FAST, first_slot=SLOTS)
    return expected, results, submitted, out


def test_every_row_no_undeserved_point_nothing_read_from_outside(graded):
    expected, _, _, out = graded
    assert problems(expected, by_student(out), out) == []


def test_a_folder_named_like_an_output_leaves_the_output_alone(graded):
    *_, out = graded
    assert (out / "gradebook.csv").is_file()
    assert not (out / "gradebook.csv" / A.id).exists()


def test_no_name_splits_a_row_or_starts_a_formula(graded):
    expected, _, _, out = graded
    rows = rows_as_a_spreadsheet_reads_them(out / "gradebook.csv")
    assert len(rows) == 1 + len(expected), "a name split a row"
    assert not [cell for row in rows for cell in row if cell[:1] in ("=", "+", "@", "\t", "\r")]


def test_the_printed_table_carries_no_control_character(graded):
    _, results, *_ = graded
    table = _table(results)
    assert "\x1b" not in table and "\r" not in table and "eve\\x1b[2K" in table


def test_the_timestamp_is_parsed_never_copied(graded, tmp_path):
    from autograder.lateness import read_timestamp

    _, results, *_ = graded
    garbage = next(r for r in results if r.student == "stamp_garbage")
    assert garbage.timestamp == "" and any("time is unknown" in n for n in garbage.notes)
    (tmp_path / "secret.txt").write_text(CANARY)
    os.symlink(tmp_path / "secret.txt", tmp_path / "timestamp.txt")
    assert read_timestamp(tmp_path)[0] == ""
    (tmp_path / "timestamp.txt").unlink()
    (tmp_path / "timestamp.txt").write_text(" 2026-03-02 15:30:00 +01:00\n")
    assert read_timestamp(tmp_path)[0] == "2026-03-02 14:30:00.000000 UTC"


def test_the_class_reports_similarity_reads_every_readable_notebook(graded):
    from course.similarity import read_documents

    _, _, submitted, _ = graded
    docs = sorted(d.student for d in read_documents(A, submitted))
    assert docs == sorted(["perfect", "nothing_done", "stamp_garbage", FORMULA]), \
        "no link followed, the deep notebook skipped, invalid names not compared"


# -- one rule at a time --------------------------------------------------------------------------------------------
def notebook_bytes(cells: int = 1) -> bytes:
    nb = student_notebook(A, stub_answers(A))
    nb.cells += [nbformat.v4.new_markdown_cell("x") for _ in range(cells - 1)]
    return nbformat.writes(nb).encode()


def test_loading_survives_any_json():
    with pytest.raises(LoadError, match="nested more than 64 deep"):
        read_answers(b'{"cells": ' + b"[" * 100_000 + b"]" * 100_000 + b"}", "deep.ipynb", A)
    with pytest.raises(LoadError, match="nested more than 64 deep"):
        read_answers(b'{"cells": [' + b"[" * 100 + b"]" * 100 + b"]}", "deep.ipynb", A)
    data = notebook_bytes(cells=50)
    assert read_answers(data, "ok.ipynb", A)[0]
    with pytest.raises(LoadError, match="more than 40 cells"):
        read_answers(data, "many.ipynb", A, Limits(notebook_cells=40))
    with pytest.raises(LoadError, match="larger than"):
        read_answers(data, "huge.ipynb", A, Limits(notebook_bytes=len(data) - 1))


def test_csv_cells_are_neutralised_and_numbers_stay_numbers():
    names = ['=HYPERLINK("x")', "+1", "-2", "@SUM(A1)", "\tx", "\rx", "plain"]
    results = [Result(n, A.id, "ok", "", -5.0 if n == "plain" else 1.0, 100, {"p": [-5.0, 10]}) for n in names]
    rows = list(csv.DictReader(io.StringIO(gradebook_csv(results))))
    shown = {r["student"] for r in rows}
    assert shown == {"'=HYPERLINK(\"x\")", "'+1", "'-2", "'@SUM(A1)", "\\x09x", "\\x0dx", "plain"}
    plain = next(r for r in rows if r["student"] == "plain")
    assert (plain["score"], plain["p"]) == ("-5", "-5"), "a negative score is a number, not neutralised text"
    assert '"plain",' in gradebook_csv(results) and ",-5," in gradebook_csv(results), "text quoted, numbers not"


def test_released_feedback_copies_nothing_from_the_folder_and_never_stops(tmp_path):
    from course.nbgrader_bridge import release_feedback

    graded, out, submitted = tmp_path / "autograded", tmp_path / "feedback", tmp_path / "submitted"
    canary = tmp_path / "secret.txt"
    canary.write_text(CANARY)
    rows = {}
    for student in ("ann", "bob", "cid"):
        folder = submitted / student / A.id
        folder.mkdir(parents=True)
        result = error_result(student, A, "nothing submitted")
        result.timestamp = "2026-03-02 14:30:00.000000 UTC"
        rows[(student, A.id)] = (result, write_results(graded, result))
    write_manifest(graded, rows)
    os.symlink(canary, submitted / "ann" / A.id / "submission_secret.txt")
    (submitted / "bob" / A.id / "submission_secret.txt").mkdir()  # unreadable as a file
    (submitted / "cid" / A.id / "submission_secret.txt").write_text("ab" * 64)
    said = list(release_feedback(graded, out, submitted))
    assert len(said) == 3 and all(line.startswith("feedback") for line in said)
    released = {p.relative_to(out).as_posix(): p.read_text() for p in out.rglob("*") if p.is_file()}
    assert not [p for p, text in released.items() if CANARY in text]
    assert released[f"cid/{A.id}/submission_secret.txt"] == "ab" * 64
    assert f"ann/{A.id}/submission_secret.txt" not in released
    assert released[f"ann/{A.id}/timestamp.txt"] == "2026-03-02 14:30:00.000000 UTC"


def test_gradescope_follows_no_link_and_always_writes_results(tmp_path):
    from autograder.gradescope import run

    source = tmp_path / "autograder" / "source"
    shutil.copytree(A.source_notebook.parent, source / "assignments" / A.id)
    submission, results = tmp_path / "autograder" / "submission", tmp_path / "autograder" / "results"
    submission.mkdir()
    os.symlink(f"../source/assignments/{A.id}/{A.source_notebook.name}", submission / f"{A.id}.ipynb")
    assert run(A, submission, results / "results.json") == 0
    linked = json.loads((results / "results.json").read_text())
    assert linked["score"] == 0 and "symbolic link" in linked["output"]
    (submission / f"{A.id}.ipynb").unlink()
    (submission / f"{A.id}.ipynb").write_text('{"cells": ' + "[" * 100_000 + "]" * 100_000 + "}")
    (results / "results.json").unlink()
    assert run(A, submission, results / "results.json") == 0
    deep = json.loads((results / "results.json").read_text())
    assert deep["score"] == 0 and "nested" in deep["output"]


def test_names_are_validated_and_escaped():
    from autograder.names import INVALID, problem, student_folder, student_name

    for bad in ("gradebook.csv", "audit.log", "class_report_a1_convolution.html", ".hidden", "a\\b", CR_NAME,
                ESC_NAME, "\u202eevil", "x" * 200):
        assert problem(bad) and problem(student_name(bad)), bad
    for good in ("alice", "jean-luc.picard", "Zoë", '=HYPERLINK("x")'):
        assert problem(good) == "" and student_name(good) == good
    assert student_name("a\rb") != student_name("a\\x0db"), "two folders never share a name"
    out = Path("/out")
    assert student_folder(out, "gradebook.csv").parent == out / INVALID
    assert student_folder(out, "alice") == out / "alice"
