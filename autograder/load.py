"""Load: turn a submitted notebook into the code the sandbox runs.

Only the code of the solution cells (matched by nbgrader grade_id) is taken from the submission; the given
code comes from the *source* notebook. What a student wrote elsewhere, or did to locked cells, cannot matter.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from autograder.assignment import Assignment, nbgrader_meta

MAX_NOTEBOOK_BYTES = 20 * 1024**2


class LoadError(Exception):
    """The submission cannot be graded at all; the message is the gradebook's reason."""


@dataclass
class Program:
    """The cells to run, in notebook order, and what the loader noticed."""

    cells: list[tuple[str, str]]
    notes: list[str] = field(default_factory=list)

    @property
    def fingerprint(self) -> str:
        """A hash of the code to run: the same submission graded again has the same fingerprint."""
        return hashlib.sha256(json.dumps(self.cells).encode()).hexdigest()


def magics_to_calls(code: str) -> str:
    """IPython magics and shell escapes become calls of IPython's own syntax (`get_ipython().run_line_magic(...)`),
    which the child answers without doing anything (the body of a `%%time` cell still runs); valid Python, strings
    and continuation lines that start with `%` or `!` are left alone, as IPython itself would."""
    if "%" not in code and "!" not in code and "?" not in code:
        return code
    try:
        return _transformer().transform_cell(code)
    except Exception:  # IPython could not read it either; the child reports the syntax error
        return code


@cache
def _transformer():
    from IPython.core.inputtransformer2 import TransformerManager

    return TransformerManager()


def program(assignment: Assignment, answers: dict[str, str]) -> Program:
    """The code to run: given cells from the source, solution cells from `answers` (grade_id -> code)."""
    prog = Program(cells=[])
    for cell in assignment.cells_of("given", "solution"):
        if cell.role == "given":
            prog.cells.append((cell.grade_id, cell.source))
        elif cell.grade_id in answers:
            prog.cells.append((cell.grade_id, magics_to_calls(answers[cell.grade_id])))
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


def read_answers(data: bytes, name: str, assignment: Assignment) -> tuple[dict[str, str], list[str]]:
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
    wanted = set(assignment.solution_ids)
    answers: dict[str, str] = {}
    notes: list[str] = []
    for cell in raw["cells"]:
        if not isinstance(cell, dict) or cell.get("cell_type") != "code":
            continue
        gid = nbgrader_meta(cell).get("grade_id")
        if not isinstance(gid, str) or gid not in wanted:  # a tampered grade_id may be a list (unhashable)
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
