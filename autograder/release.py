"""Release: student notebooks through nbgrader's own `generate_assignment`, and the stubs it makes."""

from __future__ import annotations

import copy
import os
import subprocess
import sys
from pathlib import Path

import nbformat
from nbgrader.preprocessors import ClearSolutions

from autograder.config import ASSIGNMENTS, RELEASE, ROOT, SOURCE


def stub_answers(assignment: str) -> dict[str, str]:
    """grade_id -> code of the solution cells as a student first sees them: the released notebook, or the source
    notebook passed through nbgrader's own ClearSolutions when nothing is released yet."""
    released = RELEASE / assignment / f"{assignment}.ipynb"
    if released.exists():
        nb = nbformat.read(released, 4)
    else:
        nb = copy.deepcopy(nbformat.read(SOURCE / assignment / f"{assignment}.ipynb", 4))
        nb, _ = ClearSolutions().preprocess(nb, {})
    return {
        c.metadata["nbgrader"]["grade_id"]: c.source
        for c in nb.cells
        if c.cell_type == "code" and c.metadata.get("nbgrader", {}).get("solution")
    }


def tool_env() -> dict[str, str]:
    """The environment for nbgrader's commands: it calls `alembic` by name, so the venv's bin goes on PATH."""
    bin_dir = str(Path(sys.executable).parent)
    return {**os.environ, "PATH": bin_dir + os.pathsep + os.environ.get("PATH", "")}


def generate(assignment: str) -> Path:
    """`nbgrader generate_assignment` into release/<assignment>/ (regenerated from scratch every time)."""
    cmd = [sys.executable, "-m", "nbgrader", "generate_assignment", assignment, "--force", "--create",
           "--log-level=WARN"]
    done = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, env=tool_env())
    if done.returncode != 0:
        raise RuntimeError(f"nbgrader generate_assignment {assignment} failed:\n{done.stdout}\n{done.stderr}")
    return RELEASE / assignment


def main() -> int:
    for assignment in ASSIGNMENTS:
        if (SOURCE / assignment / f"{assignment}.ipynb").exists():
            print(f"released {generate(assignment).relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
