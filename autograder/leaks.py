"""Leak check: nothing of the solutions, the hidden suites or the mutant catalogues may reach `release/`."""

from __future__ import annotations

import re
import sys
from pathlib import Path

from autograder.config import RELEASE, ROOT, SUITES
from autograder.load import reference_cells

MIN_LINE = 24  # shorter lines ("return out", "x = x.copy()") are too common to mean anything
_REGION = re.compile(r"### BEGIN SOLUTION\n(.*?)### END SOLUTION", re.S)


def _significant(lines) -> set[str]:
    return {line.strip() for line in lines if len(line.strip()) >= MIN_LINE and not line.strip().startswith("#")}


def secrets(assignments: list[str]) -> dict[str, str]:
    """Lines that must never be released -> where they come from."""
    found: dict[str, str] = {}
    for a in assignments:
        for gid, code in reference_cells(a).items():
            for region in _REGION.findall(code):
                found.update(dict.fromkeys(_significant(region.splitlines()), f"solution of {a}:{gid}"))
        for path in sorted((SUITES / a).glob("*.py")):
            found.update(dict.fromkeys(_significant(path.read_text().splitlines()), f"hidden suite {path.name}"))
    found.update(dict.fromkeys(["### BEGIN SOLUTION", "### BEGIN HIDDEN TESTS", "import solutions",
                                "from solutions", "autograder.suites"], "marker"))
    return found


def find_leaks(release: Path = RELEASE, assignments: list[str] | None = None) -> list[str]:
    """Every released file that contains a secret line, and every file that is not a notebook."""
    assignments = assignments or sorted(p.name for p in release.iterdir() if p.is_dir())
    table = secrets(assignments)
    leaks = []
    for path in sorted(p for p in release.rglob("*") if p.is_file()):
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
