"""Grading speed, through the command lines only: `nbgrader autograde` against this grader (`python -m autograder
grade A --submitted D --out O --workers N`) with 1 and 2 workers, on copies of one correct
notebook of every assignment, in batches of two sizes.

For nbgrader the hidden suite runs the way nbgrader runs hidden tests: inside the student's kernel, as the last grade
cell of the notebook (with an in-kernel backend), so both sides run the same pytest suite on the same code.

A time is printed only for a batch whose every row is what a correct notebook must get (status ok and full marks,
for nbgrader: the hidden suite's full score in the autograded notebook); otherwise the row says why instead.
Seconds per notebook are the slope between two batch sizes, so that neither command's start-up is counted per
notebook; the last column is a whole class measured. Settings: BENCH_NOTEBOOKS (the small batch, default 10),
BENCH_NBGRADER_LARGE (30), BENCH_LARGE (ours, 1 worker: 40), BENCH_CLASS (ours, 2 workers: 200), BENCH_REPEATS
(default 1: best of that many runs of each of our batches), BENCH_NBGRADER=0 skips nbgrader, BENCH_ASSIGNMENTS=a,b
picks assignments, BENCH_GRADER_ROOT=DIR grades with the kit checked out in DIR (to compare two versions).
"""

from __future__ import annotations

import csv
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import nbformat

from autograder import assignment as layout
from autograder.config import ROOT
from course.examples import student_notebook
from course.release import tool_env

IN_KERNEL = """import sys
sys.path.insert(0, {root!r})
from autograder.assignment import get
from autograder.backend import InProcess
from autograder.runner import run_suite
_outcomes, _problems = run_suite(get({assignment!r}), InProcess.from_namespace(globals()), "nbgrader's kernel")
print("hidden suite:", sum(o.score for o in _outcomes), "/", sum(o.points for o in _outcomes))
"""
TARGET_SECONDS = 60.0  # a class of 200 on 2 cores
TARGET_SPEEDUP = 10.0  # against nbgrader autograde, per notebook
LONGEST = 600.0  # seconds: a larger batch that would take longer is not run (its row says why)


def nbgrader_course(base: Path, assignment: str, students: int) -> Path:
    """An nbgrader course whose source notebook ends with the hidden suite, and `students` correct submissions."""
    course = base / "nbgrader_course"
    (course / "source" / assignment).mkdir(parents=True)
    nb = nbformat.read(layout.get(assignment).source_notebook, 4)
    cell = nbformat.v4.new_code_cell(IN_KERNEL.format(root=str(ROOT), assignment=assignment))
    cell.metadata["nbgrader"] = {"grade": True, "grade_id": "hidden_suite", "locked": True, "points": 0,
                                 "schema_version": 3, "solution": False}
    nb.cells.append(cell)
    nbformat.write(nb, course / "source" / assignment / f"{assignment}.ipynb")
    (course / "nbgrader_config.py").write_text(
        f"c = get_config()\nc.CourseDirectory.root = {str(course)!r}\nc.Execute.timeout = 600\n"
    )
    subprocess.run([sys.executable, "-m", "nbgrader", "generate_assignment", assignment, "--create", "--force",
                    "--log-level=ERROR"], cwd=course, check=True, env=tool_env(), capture_output=True)
    a = layout.get(assignment)
    correct = nbformat.writes(student_notebook(a, a.reference_answers(),
                                               course / "release" / assignment / f"{assignment}.ipynb"))
    for i in range(students):
        folder = course / "submitted" / f"s{i:03d}" / assignment
        folder.mkdir(parents=True)
        (folder / f"{assignment}.ipynb").write_text(correct)
    (course / "students.csv").write_text("id\n" + "".join(f"s{i:03d}\n" for i in range(students)))
    subprocess.run([sys.executable, "-m", "nbgrader", "db", "student", "import", "students.csv", "--log-level=ERROR"],
                   cwd=course, check=True, env=tool_env(), capture_output=True)
    return course


def nbgrader_problem(course: Path, assignment: str, students: int) -> str:
    """Why nbgrader's batch is not all full marks ('' when it is): read the hidden suite's line in each notebook."""
    for i in range(students):
        path = course / "autograded" / f"s{i:03d}" / assignment / f"{assignment}.ipynb"
        if not path.exists():
            return f"s{i:03d}: no autograded notebook"
        nb = nbformat.read(path, 4)
        text = "".join(o.get("text", "") for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", []))
        found = re.search(r"hidden suite: ([\d.]+) / ([\d.]+)", text)
        if not found or float(found[1]) != float(found[2]) or float(found[2]) == 0:
            return f"s{i:03d}: " + (f"hidden suite {found[1]}/{found[2]}" if found else "no hidden-suite score")
    return ""


def our_problem(out: Path, students: int) -> str:
    """Why our batch is not all `ok` with full marks ('' when it is), from OUT/gradebook.csv."""
    try:
        rows = list(csv.DictReader((out / "gradebook.csv").open()))
    except OSError:
        return "no gradebook.csv"
    if len(rows) != students:
        return f"{len(rows)} rows for {students} notebooks"
    for row in rows:
        if row["status"] != "ok" or float(row["score"]) != float(row["max_score"]):
            return f"{row['student']}: {row['status']} {row['score']}/{row['max_score']} {row['reason'][:80]}"
    return ""


def run_ours(assignment: str, submitted: Path, out: Path, workers: int) -> float:
    shutil.rmtree(out, ignore_errors=True)
    root = Path(os.environ.get("BENCH_GRADER_ROOT", ROOT)).resolve()
    cmd = [sys.executable, "-m", "autograder", "grade", assignment, "--submitted", str(submitted), "--out", str(out),
           "--workers", str(workers), "--quiet"]
    start = time.perf_counter()
    subprocess.run(cmd, cwd=root, check=True, env={**os.environ, "MPLBACKEND": "Agg"}, capture_output=True)
    return time.perf_counter() - start


def per_notebook(small: tuple[int, float], large: tuple[int, float]) -> float:
    """Seconds per notebook, without the command's start-up: the slope between a small and a large batch."""
    return (large[1] - small[1]) / (large[0] - small[0])


def our_class(base: Path, course: Path, assignment: str, students: int) -> Path:
    """A submitted/ folder of `students` copies of the course's first (correct) submission."""
    submitted = base / f"submitted-{students}"
    notebook = (course / "submitted" / "s000" / assignment / f"{assignment}.ipynb").read_bytes()
    for i in range(students):
        folder = submitted / f"s{i:03d}" / assignment
        folder.mkdir(parents=True)
        (folder / f"{assignment}.ipynb").write_bytes(notebook)
    return submitted


def time_nbgrader(base: Path, assignment: str, students: int, env: dict) -> tuple[float | None, str]:
    course = nbgrader_course(base / f"nbgrader-{students}", assignment, students)
    start = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "nbgrader", "autograde", assignment, "--force", "--log-level=ERROR"],
                          cwd=course, env=env, capture_output=True, text=True)
    seconds = time.perf_counter() - start
    why = f"nbgrader failed: {done.stderr.strip()[-100:]}" if done.returncode else nbgrader_problem(course, assignment,
                                                                                                       students)
    return (None if why else seconds), why


def time_ours(base: Path, submitted: Path, assignment: str, students: int, workers: int,
              repeats: int) -> tuple[float | None, str]:
    """Best of `repeats` batches, or None and why a batch was not all ok with full marks."""
    best = None
    for _ in range(repeats):
        out = base / f"ours-{students}-{workers}"
        seconds = run_ours(assignment, submitted, out, workers)
        problem = our_problem(out, students)
        if problem:
            return None, problem
        best = min(best or seconds, seconds)
    return best, ""


def main() -> None:
    small = int(os.environ.get("BENCH_NOTEBOOKS", "10"))
    sizes = {"nbgrader": int(os.environ.get("BENCH_NBGRADER_LARGE", "30")), 1: int(os.environ.get("BENCH_LARGE", "40")),
             2: int(os.environ.get("BENCH_CLASS", "200"))}
    repeats = max(int(os.environ.get("BENCH_REPEATS", "1")), 1)
    with_nbgrader = os.environ.get("BENCH_NBGRADER", "1") != "0"
    chosen = [a for a in os.environ.get("BENCH_ASSIGNMENTS", ",".join(a.id for a in layout.find())).split(",") if a]
    base = Path(tempfile.mkdtemp(prefix="kit-bench-"))
    env = {**tool_env(), "MPLBACKEND": "Agg"}
    print(f"Correct notebooks, through the command lines, {os.cpu_count()} CPUs. Seconds per notebook = the slope "
          f"between a batch of {small} and a larger one (nbgrader {sizes['nbgrader']}, ours with 1 worker "
          f"{sizes[1]}, with 2 workers {sizes[2]}), so neither side's start-up counts; ours: best of {repeats}. "
          f"The last column is the {sizes[2]}-notebook batch with 2 workers, measured, start-up included. Targets: "
          f">= {TARGET_SPEEDUP:g}x nbgrader per notebook, 200 notebooks < {TARGET_SECONDS:g} s with 2 workers.\n")
    print("| assignment | nbgrader autograde | ours, 1 worker | ours, 2 workers | nbgrader / ours (1 w) "
          f"| nbgrader / ours (2 w) | {sizes[2]} notebooks, 2 workers (s) |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    try:
        for assignment in chosen:
            if not layout.get(assignment).ready:
                print(f"| {assignment} | no source notebook |||||")
                continue
            here = base / assignment
            course = nbgrader_course(here / "first", assignment, 1)
            nbg, why = None, "skipped"
            if with_nbgrader:
                timed = [(n, *time_nbgrader(here, assignment, n, env)) for n in (small, sizes["nbgrader"])]
                why = next((w for _, _, w in timed if w), "")
                nbg = None if why else per_notebook(*[(n, t) for n, t, _ in timed])
            classes = {n: our_class(here, course, assignment, n) for n in {small, sizes[1], sizes[2]}}
            run_ours(assignment, classes[small], here / "warm-up", 1)  # untimed: warm caches
            ours: dict[int, float | None] = {}
            problems: dict[int, str] = {}
            whole = None
            for w in (1, 2):
                timed = [(small, *time_ours(here, classes[small], assignment, small, w, repeats))]
                if timed[0][1] and timed[0][1] / small * sizes[w] > LONGEST:  # too slow for a whole class here
                    problems[w] = (f"{timed[0][1] / small:.1f} s/nb in a batch of {small}, start-up included; "
                                   f"{sizes[w]} would take about {timed[0][1] / small * sizes[w] / 60:.0f} min")
                    ours[w] = None
                    continue
                timed.append((sizes[w], *time_ours(here, classes[sizes[w]], assignment, sizes[w], w, repeats)))
                problems[w] = next((p for _, _, p in timed if p), "")
                ours[w] = None if problems[w] else per_notebook(*[(n, t) for n, t, _ in timed])
                whole = timed[1][1] if w == 2 else whole
            cells = [f"{nbg:.2f}" if nbg else f"— ({why})"]
            cells += [f"{ours[w]:.3f}" if ours[w] else f"— ({problems[w]})" for w in (1, 2)]
            cells += [f"{nbg / ours[w]:.1f}×" if nbg and ours[w] else "—" for w in (1, 2)]
            cells.append(f"{whole:.0f}" if whole else "—")
            print(f"| {assignment} | " + " | ".join(cells) + " |", flush=True)
    finally:
        shutil.rmtree(base, ignore_errors=True)
