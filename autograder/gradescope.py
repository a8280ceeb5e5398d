"""Gradescope: package the same grader as a Gradescope autograder zip, and its entry point inside the container.

Layout inside the container (Gradescope's autograder specification): the zip is unpacked to /autograder/source,
`run_autograder` runs once per submission, the student's files are in /autograder/submission, and the results go to
/autograder/results/results.json. KIT_SOURCE, KIT_SUBMISSION, KIT_RESULTS and KIT_PYTHON override those paths
(the kit's own test runs the zip in a local copy of that layout).
"""

from __future__ import annotations

import json
import re
import zipfile
from importlib.metadata import requires
from pathlib import Path

from autograder.config import ROOT, SOURCE

SETUP_SH = """#!/usr/bin/env bash
# Gradescope runs this once when the autograder image is built.
set -euo pipefail
apt-get update -qq
apt-get install -y -qq python3 python3-pip python3-venv util-linux >/dev/null
python3 -m venv /autograder/venv
/autograder/venv/bin/pip install -q {requirements}
"""
GRADER_NEEDS = ("numpy", "scipy", "pytest", "nbformat", "tqdm")  # no Jupyter, no nbgrader inside the container


def grader_requirements(assignment: str | None = None) -> list[str]:
    """The version ranges of pyproject.toml (as installed) for what the grader imports, and for what the
    assignment's submissions import beyond it (its assignment.json "needs": A6's keras and jax): one place for the
    pins."""
    from autograder.grading import assignment_declaration

    needs = (*GRADER_NEEDS, *(assignment_declaration(assignment).get("needs", []) if assignment else []))
    found = [r for r in requires("cnn-kit") or [] if re.match(r"[\w-]+", r)[0] in needs and ";" not in r]
    assert len(found) == len(needs), f"pyproject.toml lacks one of {needs}"
    return found

RUN_AUTOGRADER = """#!/usr/bin/env bash
# Gradescope runs this once per submission.
set -uo pipefail
SOURCE="${{KIT_SOURCE:-/autograder/source}}"
PYTHON="${{KIT_PYTHON:-/autograder/venv/bin/python}}"
cd "$SOURCE"
exec "$PYTHON" -m autograder gradescope-run {assignment} \\
  --submission "${{KIT_SUBMISSION:-/autograder/submission}}" \\
  --results "${{KIT_RESULTS:-/autograder/results/results.json}}"
"""

PACKAGE_FILES = ("autograder/*.py", "autograder/suites/{assignment}/*.py", "autograder/suites/{assignment}/*.json",
                 "solutions/*.py")


def build(assignment: str, out: Path) -> Path:
    """Write `out/<assignment>.zip`: setup.sh, run_autograder, the grader, the hidden suite and the source notebook."""
    out.mkdir(parents=True, exist_ok=True)
    path = out / f"{assignment}.zip"
    files: list[Path] = []
    for pattern in PACKAGE_FILES:
        files += sorted(ROOT.glob(pattern.format(assignment=assignment)))
    files.append(SOURCE / assignment / f"{assignment}.ipynb")
    tmp = path.with_suffix(".zip.tmp")
    with zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as zf:
        setup = SETUP_SH.format(requirements=" ".join(f"'{r}'" for r in grader_requirements(assignment)))
        for name, text in (("setup.sh", setup), ("run_autograder", RUN_AUTOGRADER.format(assignment=assignment))):
            info = zipfile.ZipInfo(name, date_time=(2020, 1, 1, 0, 0, 0))
            info.external_attr = 0o755 << 16
            zf.writestr(info, text)
        for f in files:
            info = zipfile.ZipInfo(str(f.relative_to(ROOT)), date_time=(2020, 1, 1, 0, 0, 0))
            info.external_attr = 0o644 << 16
            zf.writestr(info, f.read_bytes(), zipfile.ZIP_DEFLATED)
    tmp.replace(path)
    return path


def run(assignment: str, submission: Path, results: Path) -> int:
    """Grade the one notebook in `submission` and write Gradescope's results.json."""
    from autograder.batch import find_notebook
    from autograder.grading import grade_notebook
    from autograder.report import gradescope_json, write_atomic

    notebook, problem = find_notebook(submission, assignment)
    if notebook is None:
        found = sorted(submission.glob("**/*.ipynb"))
        notebook = found[0] if len(found) == 1 else None
    result = grade_notebook(notebook, assignment, "submission", hide=(str(submission), str(results.parent)))
    if notebook is None:
        result.reason = problem or "no notebook in the submission"
    payload = gradescope_json(result)
    payload["output"] = (f"{result.status}: {result.reason}\n" if result.reason else "") + payload["output"]
    write_atomic(results, json.dumps(payload, indent=1) + "\n")
    return 0
