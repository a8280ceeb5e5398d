"""The autograded notebook formgrader lists and opens: `autograded/<student>/<assignment>/<assignment>.ipynb`.

It is the student's release with the student's own solution and written-answer cells (from the notebook that was
graded: same sha256, else a note says it changed), each check cell's output the automatic score of its part with the
hidden tests' messages and hints (what the feedback page says: never hidden code or values), and after each written
answer its rubric from the source notebook in a cell tagged `kit-grader-only`, which `nbgrader generate_feedback`
drops (nbgrader_config.py). Nothing else of the submission is copied: its outputs, extra cells and metadata are not.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import nbformat
from nbconvert.preprocessors import TagRemovePreprocessor

from autograder.assignment import CHECK_PREFIX, Assignment, nbgrader_meta
from autograder.batch import find_notebook
from autograder.grading import Result
from autograder.load import LoadError, read_submission
from autograder.report import test_feedback, write_atomic

GRADER_ONLY = "kit-grader-only"  # the tag of the rubric cells (never shown to students)


class DropGraderOnly(TagRemovePreprocessor):
    """`nbgrader generate_feedback`'s filter (nbgrader_config.py): removes the cells tagged GRADER_ONLY. A class of
    its own, so that TagRemovePreprocessor's settings, which formgrader's pages also use, stay untouched."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.enabled, self.remove_cell_tags = True, {GRADER_ONLY}
NOT_READ = "*The submitted notebook could not be used here ({}): the cells below are the release's.*"


def submitted_cells(path: Path | None, result: Result, wanted: set[str]) -> tuple[dict[str, str], str]:
    """grade_id -> source of the cells in `wanted` of the notebook that was graded, and '' or why none are shown."""
    if path is None:
        return {}, result.reason or "no notebook"
    try:
        data = read_submission(path)
    except LoadError as exc:
        return {}, str(exc)
    if hashlib.sha256(data).hexdigest() != result.notebook_sha256:
        return {}, "it changed after it was graded: run `make autograde` again"
    try:
        cells = json.loads(data).get("cells")
    except (ValueError, AttributeError):
        return {}, result.reason or "not a notebook"
    found: dict[str, str] = {}
    for cell in cells if isinstance(cells, list) else []:
        gid = nbgrader_meta(cell).get("grade_id") if isinstance(cell, dict) else None
        source = cell.get("source") if isinstance(gid, str) and gid in wanted and gid not in found else None
        if isinstance(source, list) and all(isinstance(s, str) for s in source):
            source = "".join(source)
        if isinstance(source, str):
            found[gid] = source
    return found, ""


def part_output(result: Result, part: str) -> str:
    """The text a check cell carries: its part's automatic score, then each hidden test of that part."""
    score, points = result.parts.get(part, (0.0, 0.0))
    lines = [f"Automatic score of part {part}: {score:g} / {points:g} (hidden tests)"]
    if result.status != "ok":
        lines.append(f"{result.status}: {result.reason}")
    for t in (t for t in result.tests if t["part"] == part):
        mark = "passed" if t["passed"] and t["score"] >= t["points"] else "FAILED"
        name = t["name"].removeprefix("test_").replace("_", " ")
        lines.append(f"- {mark} {t['score']:g}/{t['points']:g} {name}")
        if mark != "passed":
            lines += [f"    {line}" for line in test_feedback(t).splitlines()]
    return "\n".join(lines) + "\n"


def autograded_notebook(assignment: Assignment, result: Result, submitted: Path) -> nbformat.NotebookNode:
    """The notebook formgrader shows for `result` (see the module's docstring)."""
    answer_ids = {c.grade_id for c in assignment.cells_of("answer")}
    wanted = set(assignment.solution_ids) | answer_ids
    folder = submitted / result.student / result.assignment
    path = find_notebook(folder, assignment.id)[0] if folder.is_dir() else None
    student, problem = submitted_cells(path, result, wanted)
    rubrics = {c.grade_id: c.source for c in assignment.cells_of("answer")}
    nb = nbformat.read(assignment.release_notebook, 4)
    cells = [nbformat.v4.new_markdown_cell(NOT_READ.format(problem))] if problem else []
    for cell in nb.cells:
        gid = nbgrader_meta(cell).get("grade_id")
        cells.append(cell)
        if gid in student:
            cell.source = student[gid]
        if gid in answer_ids:
            rubric = nbformat.v4.new_markdown_cell(f"**Rubric (graders only; not in the release)**\n\n{rubrics[gid]}")
            rubric.metadata["tags"] = [GRADER_ONLY]
            cells.append(rubric)
        elif cell.cell_type == "code" and isinstance(gid, str) and gid.startswith(CHECK_PREFIX):
            text = part_output(result, gid.removeprefix(CHECK_PREFIX))
            cell.outputs = [nbformat.v4.new_output("stream", name="stdout", text=text)]
    nb.cells = cells
    return nb


def write_autograded(assignment: Assignment, result: Result, submitted: Path, graded: Path) -> Path:
    """Write the autograded notebook of `result` where formgrader looks for it; returns its path."""
    path = graded / result.student / result.assignment / f"{assignment.id}.ipynb"
    write_atomic(path, nbformat.writes(autograded_notebook(assignment, result, submitted)))
    return path
