"""Grading speed: this grader vs `nbgrader autograde` on the same notebooks with the same tests, side by side,
and a class of BENCH_CLASS (default 100) submissions with 1 and 2 workers, after an untimed warm-up batch
(the first batch of a process pays for cold caches; BENCH_SIDE=0 skips the side-by-side table).

For nbgrader the hidden suite is run the way nbgrader runs hidden tests: inside the student's kernel, as the last
grade cell of the notebook (with an in-kernel backend), so both sides run the same pytest suite on the same code.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import nbformat

from autograder import assignment as layout
from autograder.batch import grade_class
from autograder.config import ROOT
from course.examples import student_notebook
from course.mutation import catalogue
from course.release import tool_env

IN_KERNEL = """import sys
sys.path.insert(0, {root!r})
from autograder.assignment import get
from autograder.backend import InProcess
from autograder.runner import run_suite
_outcomes, _problems = run_suite(get({assignment!r}), InProcess.from_namespace(globals()))
print("hidden suite:", sum(o.score for o in _outcomes), "/", sum(o.points for o in _outcomes))
"""


def _nbgrader_course(base: Path, a: layout.Assignment, students: int) -> Path:
    course, assignment = base / "nbgrader_course", a.id
    (course / "source" / assignment).mkdir(parents=True)
    nb = nbformat.read(a.source_notebook, 4)
    cell = nbformat.v4.new_code_cell(IN_KERNEL.format(root=str(ROOT), assignment=assignment))
    cell.metadata["nbgrader"] = {"grade": True, "grade_id": "hidden_suite", "locked": True, "points": 0,
                                 "schema_version": 3, "solution": False}
    nb.cells.append(cell)
    nbformat.write(nb, course / "source" / assignment / f"{assignment}.ipynb")
    (course / "nbgrader_config.py").write_text(
        f"c = get_config()\nc.CourseDirectory.root = {str(course)!r}\nc.Execute.timeout = 600\n"
    )
    subprocess.run([sys.executable, "-m", "nbgrader", "generate_assignment", assignment, "--create", "--force",
                    "--log-level=ERROR"], cwd=course, check=True, env=tool_env())
    correct = nbformat.writes(student_notebook(a, a.reference_answers(),
                                               course / "release" / assignment / f"{assignment}.ipynb"))
    for i in range(students):
        folder = course / "submitted" / f"s{i:03d}" / assignment
        folder.mkdir(parents=True)
        (folder / f"{assignment}.ipynb").write_text(correct)
        subprocess.run([sys.executable, "-m", "nbgrader", "db", "student", "add", f"s{i:03d}",
                        "--log-level=ERROR"], cwd=course, check=True, env=tool_env())
    return course


def _class(base: Path, a: layout.Assignment, students: int) -> Path:
    submitted = base / f"class_{a.id}_{students}"
    ref = a.reference_answers()
    variants = [nbformat.writes(student_notebook(a, answers, a.source_notebook))
                for answers in [ref] + [m.apply(ref) for m in catalogue(a)]]
    for i in range(students):
        folder = submitted / f"s{i:03d}" / a.id
        folder.mkdir(parents=True)
        (folder / f"{a.id}.ipynb").write_text(variants[i % len(variants)])
    return submitted


def _timed(fn, *args, **kwargs) -> float:
    start = time.perf_counter()
    fn(*args, **kwargs)
    return time.perf_counter() - start


def main() -> None:
    side_by_side = int(os.environ.get("BENCH_SIDE", "3"))
    class_size = int(os.environ.get("BENCH_CLASS", "100"))
    base = Path(tempfile.mkdtemp(prefix="kit-bench-"))
    env = {**tool_env(), "MPLBACKEND": "Agg"}
    try:
        if side_by_side:
            print(f"Per submission, {side_by_side} correct notebooks each, 1 process (seconds per submission):\n")
            print("| assignment | nbgrader autograde (suite in kernel) | this grader (sandboxed) | speed-up |")
            print("|---|---:|---:|---:|")
        for assignment in layout.find():
            if not side_by_side or not assignment.ready:
                continue
            course = _nbgrader_course(base / assignment.id, assignment, side_by_side)
            nbg = _timed(subprocess.run,
                         [sys.executable, "-m", "nbgrader", "autograde", assignment.id, "--force",
                          "--log-level=ERROR"],
                         cwd=course, env=env, check=True, capture_output=True)
            ours = _timed(grade_class, assignment, course / "submitted", base / assignment.id / "ours", workers=1,
                          progress=False)
            print(f"| {assignment.id} | {nbg / side_by_side:.2f} | {ours / side_by_side:.2f} | {nbg / ours:.1f}× |")
        assignment = layout.find()[0]
        print(f"\nA class of {class_size} {assignment.id} submissions (reference and each catalogued bug in turn):\n")
        print("| workers | wall time (s) | per submission (s) | speed-up |")
        print("|---:|---:|---:|---:|")
        submitted = _class(base, assignment, class_size)
        grade_class(assignment, _class(base / "warm-up", assignment, 4), base / "out_warm", workers=2, progress=False)
        one = None
        for workers in (1, 2):
            out = base / f"out_{workers}"
            seconds = _timed(grade_class, assignment, submitted, out, workers=workers, progress=False)
            one = one or seconds
            print(f"| {workers} | {seconds:.1f} | {seconds / class_size:.2f} | {one / seconds:.2f}× |")
    finally:
        shutil.rmtree(base, ignore_errors=True)
