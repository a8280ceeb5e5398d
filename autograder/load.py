"""Load: turn a submitted notebook into the code the sandbox runs.

Only the code of the solution cells (matched by nbgrader grade_id) is taken from the submission; the given
code comes from the *source* notebook. What a student wrote elsewhere, or did to locked cells, cannot matter.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from autograder.config import SOURCE

MAX_NOTEBOOK_BYTES = 20 * 1024**2
_MAGIC = re.compile(r"^(\s*)([%!].*)$", re.MULTILINE)


class LoadError(Exception):
    """The submission cannot be graded at all; the message is the gradebook's reason."""


@dataclass(frozen=True)
class SourceCell:
    grade_id: str
    role: str  # "given" or "solution"
    code: str


@dataclass
class Program:
    """The cells to run, in notebook order, and what the loader noticed."""

    cells: list[tuple[str, str]]
    notes: list[str] = field(default_factory=list)


@cache
def source_notebook_cells(assignment: str) -> tuple[dict, ...]:
    """The cells of the (trusted, generated, nbformat 4) source notebook as plain dicts, their source one string.
    Read as JSON: importing nbformat costs the grader's processes seconds (jsonschema's format checkers)."""
    path = SOURCE / assignment / f"{assignment}.ipynb"
    if not path.exists():
        raise LoadError(f"no source notebook for assignment {assignment!r} ({path})")
    cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
    for cell in cells:
        if isinstance(cell.get("source"), list):
            cell["source"] = "".join(cell["source"])
    return tuple(cells)


@cache
def source_cells(assignment: str) -> tuple[SourceCell, ...]:
    """Given and solution cells of the source notebook, in order."""
    cells = []
    for cell in source_notebook_cells(assignment):
        meta = cell.get("metadata", {}).get("nbgrader", {})
        role = cell.get("metadata", {}).get("kit", {}).get("role")
        if cell["cell_type"] == "code" and role in ("given", "solution"):
            cells.append(SourceCell(meta["grade_id"], role, cell["source"]))
    return tuple(cells)


def reference_cells(assignment: str) -> dict[str, str]:
    """grade_id -> reference code of every solution cell (with the solution markers left in: they are comments)."""
    return {c.grade_id: c.code for c in source_cells(assignment) if c.role == "solution"}


def strip_magics(code: str) -> str:
    """IPython magics and shell escapes are not Python; they become comments."""
    return _MAGIC.sub(lambda m: f"{m.group(1)}pass  # {m.group(2)}", code)


def program(assignment: str, answers: dict[str, str]) -> Program:
    """The code to run: given cells from the source, solution cells from `answers` (grade_id -> code)."""
    prog = Program(cells=[])
    for cell in source_cells(assignment):
        if cell.role == "given":
            prog.cells.append((cell.grade_id, cell.code))
        elif cell.grade_id in answers:
            prog.cells.append((cell.grade_id, strip_magics(answers[cell.grade_id])))
        else:
            prog.notes.append(f"solution cell '{cell.grade_id}' is missing from the notebook")
    return prog


def read_submission(path: Path) -> bytes:
    """The bytes of a submitted file, read once (what is graded is what is hashed). Raises LoadError."""
    try:
        if path.stat().st_size > MAX_NOTEBOOK_BYTES:
            raise LoadError(f"{path.name} is larger than {MAX_NOTEBOOK_BYTES // 1024**2} MiB")
        return path.read_bytes()
    except OSError as exc:
        raise LoadError(f"cannot read {path.name}: {exc.strerror}") from None


def read_answers(data: bytes, name: str, assignment: str) -> tuple[dict[str, str], list[str]]:
    """The solution cells of a submitted notebook `name` with content `data`: grade_id -> code, plus notes.
    Raises LoadError."""
    if not data:
        raise LoadError(f"{name} is empty")
    try:
        raw = json.loads(data)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise LoadError(f"{name} is not a valid notebook (corrupt JSON: {exc})") from None
    if not isinstance(raw, dict) or not isinstance(raw.get("cells"), list):
        raise LoadError(f"{name} is not a notebook (no list of cells)")
    wanted = {c.grade_id for c in source_cells(assignment) if c.role == "solution"}
    answers: dict[str, str] = {}
    notes: list[str] = []
    for cell in raw["cells"]:
        if not isinstance(cell, dict) or cell.get("cell_type") != "code":
            continue
        meta = cell.get("metadata") if isinstance(cell.get("metadata"), dict) else {}
        nbg = meta.get("nbgrader") if isinstance(meta.get("nbgrader"), dict) else {}
        gid = nbg.get("grade_id")
        if gid not in wanted:
            continue
        source = cell.get("source", "")
        if isinstance(source, list) and all(isinstance(s, str) for s in source):
            source = "".join(source)
        if not isinstance(source, str):
            notes.append(f"cell '{gid}' has no readable source")
            continue
        if gid in answers:
            notes.append(f"cell '{gid}' appears twice; the first one is graded")
            continue
        answers[gid] = source
    if not answers:
        raise LoadError(f"{name} has none of the assignment's solution cells (is it the right notebook?)")
    return answers, notes
