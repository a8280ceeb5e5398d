"""Gradescope: package the grader as a Gradescope autograder zip (its entry point is `autograder.gradescope`).

The zip carries the grader package, the assignment's hidden suite and settings, its reference (and the `solutions`
modules that imports) and its source notebook — nothing of the course tooling, the tests or other assignments.
KIT_SOURCE, KIT_SUBMISSION, KIT_RESULTS and KIT_PYTHON override the container's paths (the kit's own test runs the
zip in a local copy of that layout).
"""

from __future__ import annotations

import zipfile
from pathlib import Path

from autograder.assignment import Assignment
from course.release import pins

SETUP_SH = """#!/usr/bin/env bash
# Gradescope runs this once when the autograder image is built.
set -euo pipefail
apt-get update -qq
apt-get install -y -qq python3 python3-pip python3-venv util-linux libseccomp2 >/dev/null
python3 -m venv /autograder/venv
/autograder/venv/bin/pip install -q {requirements}
"""
GRADER_NEEDS = (  # no Jupyter, no nbgrader inside
    "numpy", "scipy", "pytest", "nbformat", "tqdm", "ipython", "pydantic", "pyseccomp",
)


def grader_requirements(assignment: Assignment | None = None) -> list[str]:
    """The version ranges of pyproject.toml (as installed) for what the grader imports, and for what the assignment's
    submissions import beyond it (its `needs`: A6's keras and jax): one place for the pins."""
    return pins((*GRADER_NEEDS, *(assignment.needs if assignment else ())))


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

def package_files(assignment: Assignment) -> list[Path]:
    """What the zip carries besides its scripts: grader, suite, reference, source notebook."""
    root = assignment.root
    files = sorted((root / "autograder").glob("*.py")) + sorted(p for p in assignment.suite.iterdir() if p.is_file())
    return files + assignment.reference_files() + [assignment.source_notebook]


def build(assignment: Assignment, out: Path) -> Path:
    """Write `out/<assignment>.zip`: setup.sh, run_autograder and the package files. The zip's bytes depend only on
    what it carries (fixed file times), so an unchanged zip is left as it is (its file time too)."""
    out.mkdir(parents=True, exist_ok=True)
    path = out / f"{assignment.id}.zip"
    tmp = path.with_suffix(".zip.tmp")
    with zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as zf:
        setup = SETUP_SH.format(requirements=" ".join(f"'{r}'" for r in grader_requirements(assignment)))
        scripts = (("setup.sh", setup), ("run_autograder", RUN_AUTOGRADER.format(assignment=assignment.id)))
        for name, text in scripts:
            info = zipfile.ZipInfo(name, date_time=(2020, 1, 1, 0, 0, 0))
            info.external_attr = 0o755 << 16
            zf.writestr(info, text)
        for f in package_files(assignment):
            info = zipfile.ZipInfo(str(f.relative_to(assignment.root)), date_time=(2020, 1, 1, 0, 0, 0))
            info.external_attr = 0o644 << 16
            zf.writestr(info, f.read_bytes(), zipfile.ZIP_DEFLATED)
    if path.exists() and path.read_bytes() == tmp.read_bytes():
        tmp.unlink()
    else:
        tmp.replace(path)
    return path
