"""Mutants: typical student bugs, made by editing the reference code of one solution cell.

A catalogue `tests/mutants/<id>.py` holds `MUTANTS = [Mutant(...), ...]`, at least `MINIMUM` of them, each named once.
Each replacement must match the reference cell exactly once, so a catalogue cannot silently drift into a no-op when
the reference changes; `catalogue_problems` checks all of it whenever the assignment is built or tried.
"""

from __future__ import annotations

import ast
import importlib.util
import traceback
from dataclasses import dataclass
from functools import cache

from autograder.assignment import Assignment, Problem
from autograder.consistency import TOTAL

MINIMUM = 10  # mutants of a catalogue: typical bugs the hidden suite must catch


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


def catalogue_problems(assignment: Assignment, reference: dict[str, str]) -> list[Problem]:
    """What is wrong with the assignment's catalogue, given the reference code of its solution cells (grade_id ->
    code): missing, unreadable, fewer than MINIMUM mutants, a name twice, a mutant that does not apply, an EXPECTED
    range of no mutant or not below full marks. Each problem names the line of the mutant (or of MUTANTS)."""
    path, where = assignment.mutants, assignment.relative(assignment.mutants)
    if not path.exists():
        return [Problem(where, None, f"no mutant catalogue: MUTANTS = [Mutant(...), ...] with at least {MINIMUM} "
                                     "typical bugs the hidden suite must catch")]
    try:
        module = _catalogue_module(assignment)
    except Exception as exc:  # the catalogue is code: whatever it raises is its author's mistake
        lines = [f.lineno for f in traceback.extract_tb(exc.__traceback__) if f.filename == str(path)]
        return [Problem(where, lines[-1] if lines else None, f"cannot load: {type(exc).__name__}: {exc}")]
    lines, bound = _lines(path)
    mutants = getattr(module, "MUTANTS", None)
    if not isinstance(mutants, list) or not all(isinstance(m, Mutant) for m in mutants):
        return [Problem(where, bound.get("MUTANTS"), "MUTANTS must be a list of Mutant(...)")]
    found = []
    if len(mutants) < MINIMUM:
        found.append(Problem(where, bound.get("MUTANTS"), f"{len(mutants)} mutants: at least {MINIMUM} typical bugs"))
    seen = set()
    for m in mutants:
        line = lines.get(m.name, bound.get("MUTANTS"))
        if m.name in seen:
            found.append(Problem(where, line, f"mutant {m.name!r} is named twice"))
        seen.add(m.name)
        try:
            m.apply(reference)
        except (KeyError, ValueError) as exc:
            found.append(Problem(where, line, exc.args[0]))
    for name, (low, high) in expected_ranges(assignment).items():
        if name not in seen:
            found.append(Problem(where, bound.get("EXPECTED"), f"EXPECTED pins {name!r}, which is no mutant"))
        elif not 0 <= low <= high < TOTAL:
            found.append(Problem(where, bound.get("EXPECTED"), f"EXPECTED pins {name!r} to {low}..{high}: a range must "
                                                                f"lie in 0..{TOTAL:g} below full marks"))
    return found


def _lines(path) -> tuple[dict[str, int], dict[str, int]]:
    """Line of each `Mutant("name", ...)` written with a literal name; line of the MUTANTS and EXPECTED bindings."""
    found, bound = {}, {}
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if (isinstance(node, ast.Call) and getattr(node.func, "id", None) == "Mutant" and node.args
                and isinstance(node.args[0], ast.Constant) and isinstance(node.args[0].value, str)):
            found.setdefault(node.args[0].value, node.lineno)
        elif isinstance(node, (ast.Assign, ast.AnnAssign)):
            for target in node.targets if isinstance(node, ast.Assign) else [node.target]:
                if isinstance(target, ast.Name) and target.id in {"MUTANTS", "EXPECTED"}:
                    bound.setdefault(target.id, node.lineno)
    return found, bound
