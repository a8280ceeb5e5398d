"""Leak check: nothing of the solutions, the hidden suites or the mutant catalogues may reach `release/`."""

from __future__ import annotations

import re
import sys
from pathlib import Path

import nbformat

from autograder.config import RELEASE, ROOT, SOURCE, SUITES
from autograder.load import reference_cells

MIN_LINE = 24  # shorter lines ("return out", "x = x.copy()") are too common to mean anything
_REGION = re.compile(r"### BEGIN SOLUTION\n(.*?)### END SOLUTION", re.S)


def _significant(lines) -> set[str]:
    return {line.strip() for line in lines if len(line.strip()) >= MIN_LINE and not line.strip().startswith("#")}


def _source(assignment: str) -> nbformat.NotebookNode:
    return nbformat.read(SOURCE / assignment / f"{assignment}.ipynb", as_version=4)


def _is_answer(cell) -> bool:
    return cell.metadata.get("kit", {}).get("role") == "answer"


def public_lines(assignment: str) -> set[str]:
    """Lines the source notebook shows students anyway: every cell with its solution regions taken out, except the
    written answers' rubrics (A4's given forward layers are A1's and A3's reference code, on purpose: release A4
    after those are due)."""
    cells = [c for c in _source(assignment).cells if not _is_answer(c)]
    return _significant("\n".join(_REGION.sub("", cell.source + "\n") for cell in cells).splitlines())


def secrets(assignment: str) -> dict[str, str]:
    """Lines that must never be released with `assignment` -> where they come from: its solution regions, the
    rubrics of its written answers and every hidden suite, less what its own public cells show anyway."""
    found: dict[str, str] = {}
    for gid, code in reference_cells(assignment).items():
        for region in _REGION.findall(code):
            found.update(dict.fromkeys(_significant(region.splitlines()), f"solution of {assignment}:{gid}"))
    for cell in filter(_is_answer, _source(assignment).cells):  # the rubric of a written answer (nbgrader replaces it)
        gid = cell.metadata["nbgrader"]["grade_id"]
        found.update(dict.fromkeys(_significant(cell.source.splitlines()), f"rubric of {assignment}:{gid}"))
    for path in sorted(SUITES.glob("*/*.py")):
        where = f"hidden suite {path.parent.name}/{path.name}"
        found.update(dict.fromkeys(_significant(path.read_text().splitlines()), where))
    for line in public_lines(assignment):
        found.pop(line, None)
    found.update(dict.fromkeys(["### BEGIN SOLUTION", "### BEGIN HIDDEN TESTS", "import solutions",
                                "from solutions", "autograder.suites"], "marker"))
    return found


def find_leaks(release: Path = RELEASE) -> list[str]:
    """Every released file that contains a secret line of its assignment, and every file that is not a notebook."""
    leaks = []
    for folder in sorted(p for p in release.iterdir() if p.is_dir()):
        table = secrets(folder.name)
        for path in sorted(p for p in folder.rglob("*") if p.is_file()):
            if path.suffix != ".ipynb":
                leaks.append(f"{path}: only notebooks are released")
            text = path.read_text(errors="replace").replace("\\n", "\n").replace('\\"', '"')
            for line in {line.strip().strip('",').strip() for line in text.splitlines()} & set(table):
                leaks.append(f"{path}: {table[line]}: {line[:80]}")
    return leaks


def main() -> int:
    leaks = find_leaks()
    for leak in leaks:
        print(leak, file=sys.stderr)
    print(f"{len(leaks)} leaks in {RELEASE.relative_to(ROOT)}")
    return 1 if leaks else 0


if __name__ == "__main__":
    sys.exit(main())
