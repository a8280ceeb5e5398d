"""Batch: grade a whole class in parallel worker processes, with a progress bar, resumable."""

from __future__ import annotations

import multiprocessing as mp
import os
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass
from pathlib import Path

from autograder.config import Limits
from autograder.grading import Result, error_result, grade_notebook, sha256
from autograder.report import gradebook_csv, read_result, write_atomic, write_results


@dataclass(frozen=True)
class Job:
    student: str
    assignment: str
    notebook: Path | None
    problem: str = ""


def find_notebook(folder: Path, assignment: str) -> tuple[Path | None, str]:
    if not folder.is_dir():
        return None, f"nothing submitted for {assignment}"
    preferred = folder / f"{assignment}.ipynb"
    if preferred.is_file():
        return preferred, ""
    found = sorted(p for p in folder.glob("*.ipynb") if p.is_file())
    if len(found) == 1:
        return found[0], ""
    if not found:
        return None, f"no .ipynb file in the {assignment} folder"
    return None, f"several notebooks ({', '.join(p.name for p in found[:4])}) and none named {assignment}.ipynb"


def discover(submitted: Path, assignment: str) -> list[Job]:
    """One job per student folder of nbgrader's layout `submitted/<student>/<assignment>/*.ipynb`."""
    jobs = []
    for student_dir in sorted(p for p in submitted.iterdir() if p.is_dir() and not p.name.startswith(".")):
        notebook, problem = find_notebook(student_dir / assignment, assignment)
        jobs.append(Job(student_dir.name, assignment, notebook, problem))
    return jobs


_SLOT = 0


def _init_worker(slots) -> None:
    global _SLOT
    _SLOT = slots.get()


def _grade(job: Job, hide: tuple[str, ...], limits: Limits | None) -> Result:
    if job.notebook is None:
        return error_result(job.student, job.assignment, job.problem)
    try:
        return grade_notebook(job.notebook, job.assignment, job.student, slot=_SLOT, hide=hide, limits=limits)
    except Exception as exc:  # a grader bug must not cost the batch; the row says what happened
        return error_result(job.student, job.assignment, f"grader failure: {type(exc).__name__}: {exc}"[:300])


def grade_class(assignment: str, submitted: Path, out: Path, *, workers: int = 2, force: bool = False,
                progress: bool = True, limits: Limits | None = None, first_slot: int = 0) -> list[Result]:
    """Grade every student of `submitted` for `assignment`; write results, feedback and OUT/gradebook.csv.
    `limits` default to the assignment's own (grading.assignment_limits)."""
    from tqdm import tqdm

    submitted, out = submitted.resolve(), out.resolve()
    out.mkdir(parents=True, exist_ok=True)
    hide = (str(submitted), str(out))
    results: list[Result] = []
    todo: list[Job] = []
    for job in discover(submitted, assignment):
        previous = None if force else read_result(out / job.student / assignment / "results.json")
        current = sha256(job.notebook) if job.notebook else ""
        if previous is not None and previous.notebook_sha256 == current and previous.assignment == assignment:
            results.append(previous)
        else:
            todo.append(job)
    bar = tqdm(total=len(todo), desc=f"grading {assignment}", unit="nb", disable=not progress or not todo,
               initial=0, dynamic_ncols=True)
    ctx = mp.get_context("forkserver")
    slots = ctx.Queue()
    for i in range(max(workers, 1)):
        slots.put(first_slot + i)
    with ProcessPoolExecutor(max(workers, 1), mp_context=ctx, initializer=_init_worker, initargs=(slots,)) as pool:
        futures = {pool.submit(_grade, job, hide, limits): job for job in todo}
        for future in as_completed(futures):
            job = futures[future]
            try:
                result = future.result()
            except Exception as exc:  # the worker itself died
                result = error_result(job.student, assignment, f"grader worker died: {type(exc).__name__}")
            write_results(out, result)
            results.append(result)
            bar.update(1)
            bar.set_postfix_str(f"{job.student}: {result.score:g}/{result.max_score:g} {result.status}")
    bar.close()
    write_gradebook(out)
    return sorted(results, key=lambda r: r.student)


def write_gradebook(out: Path) -> Path:
    """OUT/gradebook.csv from every results.json under OUT (all assignments graded there)."""
    results = [r for p in sorted(out.glob("*/*/results.json")) if (r := read_result(p)) is not None]
    path = out / "gradebook.csv"
    write_atomic(path, gradebook_csv(results))
    return path


def cpu_count() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
