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
from autograder.config import LIMITS, Limits
from autograder.files import Refused, read_bounded
from autograder.names import shown


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


def read_submission(path: Path, base: Path | None = None, limit: int = LIMITS.notebook_bytes) -> bytes:
    """The bytes of a submitted file, read once (what is graded is what is hashed), at most `limit` of them, without
    following a link anywhere below `base` (default: the file's folder). Raises LoadError."""
    try:
        return read_bounded(path, path.parent if base is None else base, limit)
    except Refused as exc:
        raise LoadError(str(exc)) from None
    except OSError as exc:
        raise LoadError(f"cannot read {shown(path.name)}: {exc.strerror}") from None


_DEEP = object()  # json.loads gave up: deeper than the interpreter's recursion limit


def _too_deep(value: object, limit: int) -> bool:
    todo = [(value, 1)]
    while todo:
        node, depth = todo.pop()
        if isinstance(node, (dict, list)):
            if depth > limit:
                return True
            todo.extend((v, depth + 1) for v in (node.values() if isinstance(node, dict) else node))
    return False


def read_answers(data: bytes, name: str, assignment: Assignment,
                 limits: Limits | None = None) -> tuple[dict[str, str], list[str]]:
    """The solution cells of a submitted notebook `name` with content `data`: grade_id -> code, plus notes.
    Raises LoadError, also when the notebook is larger, deeper or has more cells than `limits` allow (default: the
    assignment's)."""
    limits = limits or assignment.limits
    name = shown(name)
    if not data:
        raise LoadError(f"{name} is empty")
    if len(data) > limits.notebook_bytes:
        raise LoadError(f"{name} is larger than {limits.notebook_bytes / 1024**2:g} MiB")
    try:
        raw = json.loads(data)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise LoadError(f"{name} is not a valid notebook (corrupt JSON: {exc})") from None
    except RecursionError:
        raw = _DEEP
    deep = f"{name} is not a notebook (its JSON is nested more than {limits.notebook_depth} deep)"
    if raw is _DEEP:
        raise LoadError(deep)
    if not isinstance(raw, dict) or not isinstance(raw.get("cells"), list):
        raise LoadError(f"{name} is not a notebook (no list of cells)")
    if len(raw["cells"]) > limits.notebook_cells:
        raise LoadError(f"{name} has more than {limits.notebook_cells} cells")
    if _too_deep(raw, limits.notebook_depth):
        raise LoadError(deep)
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
