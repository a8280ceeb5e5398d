"""What a batch wrote, read back as the TA reads it: the rows of OUT/gradebook.csv."""

from __future__ import annotations

import csv
from pathlib import Path


def gradebook(out: Path, assignment: str | None = None) -> list[dict]:
    """Every row of OUT/gradebook.csv, in order (only those of `assignment` when given)."""
    with open(out / "gradebook.csv", newline="") as fh:
        return [r for r in csv.DictReader(fh) if assignment is None or r["assignment"] == assignment]


def by_student(out: Path, assignment: str | None = None) -> dict[str, dict]:
    return {r["student"]: r for r in gradebook(out, assignment)}
