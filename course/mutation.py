"""Mutants: typical student bugs, made by editing the reference code of one solution cell.

A catalogue `tests/mutants/<id>.py` holds `MUTANTS = [Mutant(...), ...]`. Each replacement must match the
reference cell exactly once, so a catalogue cannot silently drift into a no-op when the reference changes.
"""

from __future__ import annotations

import importlib.util
from dataclasses import dataclass
from functools import cache

from autograder.assignment import Assignment


@dataclass(frozen=True)
class Mutant:
    name: str  # the bug, as a student would make it ("kernel not flipped in conv2d")
    cell: str  # grade_id of the solution cell it edits
    replace: tuple[tuple[str, str], ...] = ()  # (old, new) text edits of the reference cell
    code: str | None = None  # or: the cell's whole new code

    def apply(self, cells: dict[str, str]) -> dict[str, str]:
        """Return a copy of `cells` (grade_id -> code) with this bug in it."""
        if self.cell not in cells:
            raise KeyError(f"mutant {self.name!r}: no solution cell {self.cell!r}")
        src = self.code if self.code is not None else cells[self.cell]
        for old, new in self.replace:
            count = src.count(old)
            if count != 1:
                raise ValueError(f"mutant {self.name!r}: {old!r} occurs {count} times in cell {self.cell!r}")
            src = src.replace(old, new)
        if src == cells[self.cell]:
            raise ValueError(f"mutant {self.name!r} does not change cell {self.cell!r}")
        return {**cells, self.cell: src}


@cache
def _catalogue_module(assignment: Assignment):
    path = assignment.mutants
    if not path.exists():
        return None
    spec = importlib.util.spec_from_file_location(f"_mutants_{assignment.id}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def catalogue(assignment: Assignment) -> list[Mutant]:
    """The mutants of an assignment (empty when it has no catalogue yet)."""
    module = _catalogue_module(assignment)
    return list(module.MUTANTS) if module else []


def expected_ranges(assignment: Assignment) -> dict[str, tuple[float, float]]:
    """Score ranges pinned for some mutants (`EXPECTED` of the catalogue): name -> (min, max)."""
    module = _catalogue_module(assignment)
    return dict(getattr(module, "EXPECTED", {})) if module else {}
