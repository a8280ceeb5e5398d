"""A class whose folders attack the grader through the file system rather than through code: links to a classmate's
or the kit's notebook, a linked student folder, a hard link, a FIFO, a linked or garbage timestamp.txt, a deeply
nested notebook, and folder names that collide with an output or inject into a spreadsheet or a terminal.

Each student's expected row: (gradebook name, status, score, a word the reason must hold). Every attack but the
names is made on a stub notebook or a link to `perfect`'s, so a point it earns is undeserved."""

from __future__ import annotations

import csv
import os
from pathlib import Path

import nbformat

from autograder.assignment import Assignment
from course.examples import student_notebook
from course.release import stub_answers

CANARY = "CANARY-7f3e-not-a-time"  # the text of a file outside the class that a link points at
FORMULA = '=HYPERLINK("x.invalid","click")'
CR_NAME = "mallory\rperfect"  # a bare CR: what follows must not read as a row of its own
ESC_NAME = "eve\x1b[2K\ralice 100 of 100 ok"  # rewrites the terminal line where it is printed raw


def make_class(a: Assignment, submitted: Path, outside: Path) -> dict[str, tuple[str, str, float, str]]:
    """Write the class into `submitted/` (and what its links point at into `outside/`); return the expected rows,
    keyed by folder name."""
    full, stub = a.reference_answers(), stub_answers(a)
    outside.mkdir(parents=True, exist_ok=True)
    canary = outside / "secret.txt"
    canary.write_text(CANARY + "\n")
    canary.chmod(0o600)
    foreign = outside / "foreign.ipynb"  # a perfect notebook outside the class, hard-linked into it
    foreign.write_text(nbformat.writes(student_notebook(a, full)))

    def folder(name: str, answers: dict[str, str] | None = None) -> Path:
        path = submitted / name / a.id
        path.mkdir(parents=True)
        if answers is not None:
            (path / f"{a.id}.ipynb").write_text(nbformat.writes(student_notebook(a, answers)))
        return path

    folder("perfect", full)
    folder("nothing_done", stub)
    os.symlink(f"../../perfect/{a.id}/{a.id}.ipynb", folder("link_to_classmate") / f"{a.id}.ipynb")
    os.symlink("perfect", submitted / "linked_folder")
    os.symlink(a.source_notebook, folder("link_to_kit") / f"{a.id}.ipynb")
    os.link(foreign, folder("hard_link") / f"{a.id}.ipynb")
    os.mkfifo(folder("fifo_beside", full) / "notes.txt")
    os.symlink(canary, folder("stamp_link", stub) / "timestamp.txt")
    (folder("stamp_garbage", stub) / "timestamp.txt").write_text(CANARY)
    (folder("deep_json") / f"{a.id}.ipynb").write_text('{"cells": ' + "[" * 100_000 + "]" * 100_000 + "}")
    folder("gradebook.csv", stub)
    folder(FORMULA, stub)
    folder(CR_NAME, full)
    folder(ESC_NAME, stub)
    link = "a symbolic link"
    return {
        "perfect": ("perfect", "ok", a.max_score, ""),
        "nothing_done": ("nothing_done", "ok", 0, ""),
        "link_to_classmate": ("link_to_classmate", "error", 0, link),
        "linked_folder": ("linked_folder", "error", 0, link),
        "link_to_kit": ("link_to_kit", "error", 0, link),
        "hard_link": ("hard_link", "error", 0, "hard link"),
        "fifo_beside": ("fifo_beside", "error", 0, "FIFO"),
        "stamp_link": ("stamp_link", "error", 0, link),
        "stamp_garbage": ("stamp_garbage", "ok", 0, ""),
        "deep_json": ("deep_json", "error", 0, "nested"),
        "gradebook.csv": ("gradebook.csv", "error", 0, "not a valid student name"),
        FORMULA: ("'" + FORMULA, "ok", 0, ""),  # as the gradebook shows it: neutralised
        CR_NAME: ("mallory\\x0dperfect", "error", 0, "control character"),
        ESC_NAME: ("eve\\x1b[2K\\x0dalice 100 of 100 ok", "error", 0, "control character"),
    }


def rows_as_a_spreadsheet_reads_them(gradebook: Path) -> list[list[str]]:
    """The gradebook's rows as a reader that ends a row at any bare CR or LF outside quotes reads them (spreadsheet
    imports do; Python's csv module would keep a bare CR inside a cell)."""
    with open(gradebook, newline="") as fh:
        text = fh.read()
    return list(csv.reader(text.replace("\r\n", "\n").replace("\r", "\n").splitlines(keepends=False)))


def problems(expected: dict, rows: dict[str, dict], outputs: Path) -> list[str]:
    """What differs from `expected` in the gradebook rows (by gradebook name), and any output under `outputs` that
    holds the canary (a file outside the class read into a result)."""
    wrong = []
    names = {name for name, *_ in expected.values()}
    if set(rows) != names:
        wrong.append(f"rows {sorted(map(repr, rows))} != {sorted(map(repr, names))}")
    for name, status, score, said in expected.values():
        row = rows.get(name)
        if row is None:
            continue
        if row["status"] != status or float(row["score"]) != score or said not in row["reason"]:
            wrong.append(f"{name!r}: {row['score']} {row['status']} ({row['reason']}), expected {score} {status} "
                         f"'{said}'")
    for dirpath, _, files in os.walk(outputs):
        for f in files:
            if CANARY.encode() in (Path(dirpath) / f).read_bytes():
                wrong.append(f"{Path(dirpath) / f} holds the text of a file outside the class")
    return wrong
