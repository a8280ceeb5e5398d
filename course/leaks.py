"""Leak check: nothing of the solutions, the hidden suites or the mutant catalogues may reach `release/`."""

from __future__ import annotations

import re
from pathlib import Path

from autograder.assignment import Assignment

MIN_LINE = 24  # shorter lines ("return out", "x = x.copy()") are too common to mean anything
_REGION = re.compile(r"### BEGIN SOLUTION\n(.*?)### END SOLUTION", re.S)


def _significant(lines) -> set[str]:
    return {line.strip() for line in lines if len(line.strip()) >= MIN_LINE and not line.strip().startswith("#")}


def public_lines(assignment: Assignment) -> set[str]:
    """Lines the source notebook shows students anyway: every cell with its solution regions taken out
    (A4's given forward layers are A1's and A3's reference code, on purpose: release A4 after those are due)."""
    return _significant("\n".join(_REGION.sub("", c.source + "\n") for c in assignment.cells
                                  if c.role != "answer").splitlines())


def secrets(assignment: Assignment) -> dict[str, str]:
    """Lines that must never be released with `assignment` -> where they come from: its solution regions and
    every hidden suite, less what its own public cells show anyway."""
    found: dict[str, str] = {}
    for gid, code in assignment.reference_answers().items():
        for region in _REGION.findall(code):
            found.update(dict.fromkeys(_significant(region.splitlines()), f"solution of {assignment.id}:{gid}"))
    for cell in assignment.cells_of("answer"):
        rubric = f"rubric of {assignment.id}:{cell.grade_id}"
        found.update(dict.fromkeys(_significant(cell.source.splitlines()), rubric))
    for path in sorted(assignment.suite.parent.glob("*/*.py")):
        where = f"hidden suite {path.parent.name}/{path.name}"
        found.update(dict.fromkeys(_significant(path.read_text().splitlines()), where))
    for line in public_lines(assignment):
        found.pop(line, None)
    found.update(dict.fromkeys(["### BEGIN SOLUTION", "### BEGIN HIDDEN TESTS", "import solutions",
                                "from solutions", "autograder.suites"], "marker"))
    return found


def find_leaks(assignments: list[Assignment], release: Path | None = None) -> list[str]:
    """Every released file that contains a secret line of its assignment, and every file that is not a notebook
    (`release`: another folder of released assignments, laid out as release/)."""
    leaks = []
    for a in assignments:
        folder = a.release_dir if release is None else release / a.id
        if not folder.is_dir():
            continue
        table = secrets(a)
        for path in sorted(p for p in folder.rglob("*") if p.is_file()):
            if path.suffix != ".ipynb":
                leaks.append(f"{path}: only notebooks are released")
            text = path.read_text(errors="replace").replace("\\n", "\n").replace('\\"', '"')
            for line in {line.strip().strip('",').strip() for line in text.splitlines()} & set(table):
                leaks.append(f"{path}: {table[line]}: {line[:80]}")
    return leaks
