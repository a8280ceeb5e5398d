"""Release: student notebooks through nbgrader's own `generate_assignment`, and the stubs it makes."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import nbformat
from nbgrader.preprocessors import ClearSolutions

from autograder.assignment import Assignment, nbgrader_meta
from autograder.files import write_atomic


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


# The student's own environment, shipped beside the released notebooks (README, "For students"): what the notebooks
# import (and what an assignment `needs`), JupyterLab / Notebook 7, and nbgrader for the Validate button only; the
# version ranges are pyproject.toml's, the one place for pins.
STUDENT_NEEDS = ("numpy", "scipy", "matplotlib", "jupyterlab", "notebook", "nbgrader")
STUDENT_HEADER = """\
# The student's environment for the CNN assignments (not the instructor's kit). Two commands (README, "For students"):
#   sh setup-student.sh        # makes cnn-env/ from this file, with nbgrader's instructor extensions off
#   cnn-env/bin/jupyter lab    # then open <assignment>/<assignment>.ipynb
"""


def pins(names) -> list[str]:
    """The version ranges pyproject.toml gives the distributions `names` (as installed), in its order: one place for
    the pins of the students' environment, the Gradescope image and an assignment's `needs`."""
    from importlib.metadata import requires

    names = set(names)
    found = [r for r in requires("cnn-kit") or [] if ";" not in r and re.match(r"[\w-]+", r)[0] in names]
    missing = names - {re.match(r"[\w-]+", r)[0] for r in found}
    assert not missing, f"pyproject.toml pins none of {sorted(missing)}"
    return found


def student_requirements(assignments: list[Assignment]) -> str:
    """release/requirements.txt: the pinned ranges of what students need, in pyproject.toml's order."""
    needs = {*STUDENT_NEEDS, *(n for a in assignments for n in a.needs)}
    return STUDENT_HEADER + "".join(f"{pin}\n" for pin in pins(needs))


# nbgrader installs instructor and exchange extensions too; a student needs only Validate. Disabled the way nbgrader's
# installation guide says, at the level of the student's own environment.
STUDENT_LAB_DISABLED = ("@jupyter/nbgrader:formgrader", "@jupyter/nbgrader:assignment-list",
                        "@jupyter/nbgrader:course-list", "@jupyter/nbgrader:create-assignment")
STUDENT_SERVER_DISABLED = ("nbgrader.server_extensions.formgrader", "nbgrader.server_extensions.assignment_list",
                           "nbgrader.server_extensions.course_list")


def student_setup_script() -> str:
    lines = [
        "#!/bin/sh",
        "# The student's set-up: a virtual environment cnn-env/ with requirements.txt, and nbgrader's instructor",
        "# extensions (Formgrader, Create Assignment, Assignment List, courses) disabled: only Validate stays.",
        "set -e",
        'cd "$(dirname "$0")"',
        '"${PYTHON:-python3}" -m venv cnn-env',
        "cnn-env/bin/python -m pip install -q -r requirements.txt",
    ]
    lines += [f"cnn-env/bin/jupyter labextension disable --level=sys_prefix {e}" for e in STUDENT_LAB_DISABLED]
    lines += [f"cnn-env/bin/jupyter server extension disable --sys-prefix {e}" for e in STUDENT_SERVER_DISABLED]
    lines += ['echo "ready: cnn-env/bin/jupyter lab"', ""]
    return "\n".join(lines)


STUDENT_FILES = ("requirements.txt", "setup-student.sh")  # release/ besides a folder per assignment


def write_student_files(release: Path, assignments: list[Assignment]) -> list[Path]:
    """release/requirements.txt and release/setup-student.sh (regenerated by every release)."""
    files = dict(zip([release / name for name in STUDENT_FILES],
                     [student_requirements(assignments), student_setup_script()], strict=True))
    for path, text in files.items():
        if not path.exists() or path.read_text() != text:
            write_atomic(path, text, mode=0o644)
    return list(files)
