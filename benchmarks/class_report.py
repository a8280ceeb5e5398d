"""Class report speed: the report of a class of BENCH_REPORT_CLASS (default 200) A1 submissions, timed.

The class is made, not graded (that is the grading table's job): every student's solution cells are drawn at random,
cell by cell, from three correct implementations (the reference and the example class's two written ones), one in
five students also carries one catalogued bug, and every cell gets a comment of its own so that no two notebooks
share a cell's text. The rows are the in-process results of the reference and of the bugs. The mutants' failure
patterns are read (from misconceptions.json) before the clock starts.
"""

from __future__ import annotations

import os
import random
import shutil
import tempfile
import time
from dataclasses import replace
from pathlib import Path

import nbformat

from autograder import assignment as layout
from autograder.batch import write_gradebook, write_manifest
from autograder.grading import grade_answers
from autograder.report import write_results
from course import similarity as sim
from course.class_report import write_reports
from course.diagnosis import patterns
from course.examples import student_notebook, written, written_answers
from course.mutation import catalogue
from course.release import stub_answers

BUGS = 8  # distinct catalogued bugs in the class


def make_class(base: Path, a: layout.Assignment, students: int) -> tuple[Path, Path]:
    rng = random.Random(0)
    ref = a.reference_answers()
    versions = [ref] + [written_answers(p) for name, p in written(a).items() if "copy_of" not in name]
    mutants = catalogue(a)[:BUGS]
    graded = {None: grade_answers(a, ref, sandbox=False)}
    for m in mutants:
        graded[m.name] = grade_answers(a, m.apply(ref), sandbox=False)
    submitted, out = base / "submitted", base / "autograded"
    rows = {}
    for i in range(students):
        name = f"s{i:03d}"
        answers = {gid: rng.choice(versions)[gid] for gid in a.solution_ids}
        bug = rng.choice(mutants) if rng.random() < 0.2 else None
        if bug is not None:
            answers[bug.cell] = bug.apply(ref)[bug.cell]
        answers = {gid: f"# {name}, cell {gid}\n{code}" for gid, code in answers.items()}
        folder = submitted / name / a.id
        folder.mkdir(parents=True)
        (folder / f"{a.id}.ipynb").write_text(nbformat.writes(student_notebook(a, answers)))
        result = replace(graded[bug.name if bug else None], student=name)
        rows[(name, a.id)] = (result, write_results(out, result))
    write_manifest(out, rows)  # the report reads only what a manifest vouches for
    write_gradebook(out, [r for r, _ in rows.values()])
    return submitted, out


def _cpu() -> float:
    """CPU seconds of this process and of its finished children (the similarity check's workers)."""
    t = os.times()
    return t.user + t.system + t.children_user + t.children_system


def main() -> None:
    students = int(os.environ.get("BENCH_REPORT_CLASS", "200"))
    a = layout.find()[0]
    base = Path(tempfile.mkdtemp(prefix="kit-bench-report-"))
    try:
        submitted, out = make_class(base, a, students)
        patterns(a)
        sim._unit_prints.cache_clear()
        load = os.getloadavg()[0]
        start, cpu = time.perf_counter(), _cpu()
        [path] = write_reports(out, submitted, base / "report.html", [a], workers=2)
        total, cpu = time.perf_counter() - start, _cpu() - cpu
        sim._unit_prints.cache_clear()
        start, sim_cpu = time.perf_counter(), _cpu()
        docs = sim.read_documents(a, submitted)
        pairs, _ = sim.similar_pairs(docs, sim.boilerplate(a, stub_answers(a)), workers=2)
        similarity, sim_cpu = time.perf_counter() - start, _cpu() - sim_cpu
        print(f"\nThe class report of {students} {a.id} submissions (mutant patterns cached; 2 worker processes for "
              f"the similarity check; CPU counts them too; load average when it started: {load:.1f}):\n")
        print("| submissions | whole report: wall (s) | whole report: CPU (s) | similarity check alone: wall (s) "
              "| similarity check alone: CPU (s) | pairs flagged | report size |")
        print("|---:|---:|---:|---:|---:|---:|---:|")
        print(f"| {students} | {total:.1f} | {cpu:.1f} | {similarity:.1f} | {sim_cpu:.1f} | {len(pairs)} "
              f"| {path.stat().st_size / 1e6:.2f} MB |")
    finally:
        shutil.rmtree(base, ignore_errors=True)


if __name__ == "__main__":
    main()
