"""Release: student notebooks through nbgrader's own `generate_assignment`, and the stubs it makes."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import nbformat
from nbgrader.preprocessors import ClearSolutions

from autograder.assignment import Assignment, nbgrader_meta


def stub_answers(assignment: Assignment) -> dict[str, str]:
    """grade_id -> code of the solution cells as a student first sees them: the released notebook, or the source
    notebook passed through nbgrader's own ClearSolutions when nothing is released yet."""
    if assignment.release_notebook.exists():
        nb = nbformat.read(assignment.release_notebook, 4)
    else:
        nb, _ = ClearSolutions().preprocess(nbformat.read(assignment.source_notebook, 4), {})
    ids = set(assignment.solution_ids)
    return {nbgrader_meta(c)["grade_id"]: c.source for c in nb.cells
            if c.cell_type == "code" and nbgrader_meta(c).get("grade_id") in ids}


def tool_env() -> dict[str, str]:
    """The environment for nbgrader's commands: it calls `alembic` by name, so the venv's bin goes on PATH."""
    bin_dir = str(Path(sys.executable).parent)
    return {**os.environ, "PATH": bin_dir + os.pathsep + os.environ.get("PATH", "")}


def generate(assignment: Assignment) -> Path:
    """`nbgrader generate_assignment` into release/<assignment>/ (regenerated from scratch every time)."""
    cmd = [sys.executable, "-m", "nbgrader", "generate_assignment", assignment.id, "--force", "--create",
           "--log-level=WARN"]
    done = subprocess.run(cmd, cwd=assignment.root, capture_output=True, text=True, env=tool_env())
    if done.returncode != 0:
        raise RuntimeError(f"nbgrader generate_assignment {assignment.id} failed:\n{done.stdout}\n{done.stderr}")
    return assignment.release_dir
