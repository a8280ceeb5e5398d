"""Batch: grade a whole class in parallel worker processes, with a progress bar, resumable."""

from __future__ import annotations

import multiprocessing as mp
from collections.abc import Collection
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass
from pathlib import Path

from autograder import audit
from autograder.assignment import Assignment
from autograder.config import Limits
from autograder.grading import Result, error_result, grade_notebook, sha256
from autograder.lateness import stamp
from autograder.report import gradebook_csv, read_result, write_atomic, write_results


@dataclass(frozen=True)
class Job:
    student: str
    assignment: Assignment
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


def discover(submitted: Path, assignment: Assignment) -> list[Job]:
    """One job per student folder of nbgrader's layout `submitted/<student>/<assignment>/*.ipynb`."""
    jobs = []
    for student_dir in sorted(p for p in submitted.iterdir() if p.is_dir() and not p.name.startswith(".")):
        notebook, problem = find_notebook(student_dir / assignment.id, assignment.id)
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
        return error_result(job.student, job.assignment, f"grader failure: {type(exc).__name__}: {exc}")


def grade_class(assignment: Assignment, submitted: Path, out: Path, *, workers: int = 2, force: bool = False,
                progress: bool = True, limits: Limits | None = None, first_slot: int = 0,
                students: Collection[str] | None = None) -> list[Result]:
    """Grade every student of `submitted` for `assignment`; write results, feedback and OUT/gradebook.csv.

    A recorded result stands unless its notebook or the suite changed; `force` regrades everyone, `students` regrades
    only those (forced) and leaves the others untouched. Every change of a recorded score goes to OUT/audit.log.
    """
    from tqdm import tqdm

    submitted, out = submitted.resolve(), out.resolve()
    out.mkdir(parents=True, exist_ok=True)
    hide = (str(submitted), str(out))
    results: list[Result] = []
    jobs = discover(submitted, assignment)
    todo, reasons = _plan(jobs, assignment, out, force, students, results)
    bar = tqdm(total=len(todo), desc=f"grading {assignment.id}", unit="nb", disable=not progress or not todo,
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
            _finish(out, job, result, *reasons[job.student])
            write_results(out, result)
            results.append(result)
            bar.update(1)
            bar.set_postfix_str(f"{job.student}: {result.score:g}/{result.max_score:g} {result.status}")
    bar.close()
    write_gradebook(out)
    return sorted(results, key=lambda r: r.student)


def _plan(jobs: list[Job], assignment: Assignment, out: Path, force: bool, students: Collection[str] | None,
          kept: list[Result]) -> tuple[list[Job], dict[str, tuple[Result | None, str, str]]]:
    """Which jobs to grade and why; the recorded results that stand go to `kept` (with a fresh submission time)."""
    if students is not None:
        unknown = sorted(set(students) - {j.student for j in jobs})
        if unknown:
            raise ValueError(f"no submission folder for {', '.join(unknown)} in the submitted folder")
    suite = audit.suite_sha256(assignment)
    todo, reasons = [], {}
    for job in jobs:
        previous = read_result(out / job.student / assignment.id / "results.json")
        if previous is not None and previous.assignment != assignment.id:
            previous = None
        if students is not None and job.student not in students:
            if previous is not None:
                kept.append(previous)
            continue
        reason = audit.regrade_reason(previous, sha256(job.notebook) if job.notebook else "", suite,
                                      forced=force or students is not None)
        if reason is None and previous is not None:
            if stamp(previous, _folder(job)):
                write_results(out, previous)
            kept.append(previous)
        else:
            todo.append(job)
            reasons[job.student] = (previous, reason or "", suite)
    return todo, reasons


def _folder(job: Job) -> Path | None:
    return job.notebook.parent if job.notebook is not None else None


def _finish(out: Path, job: Job, result: Result, previous: Result | None, reason: str, suite: str) -> None:
    """What the coordinating process adds to a fresh result: the suite's hash, the submission time, the audit."""
    result.suite_sha256 = suite
    stamp(result, _folder(job))
    audit.log_change(out, previous, result, reason)


def write_gradebook(out: Path) -> Path:
    """OUT/gradebook.csv from every results.json under OUT (all assignments graded there)."""
    results = [r for p in sorted(out.glob("*/*/results.json")) if (r := read_result(p)) is not None]
    path = out / "gradebook.csv"
    write_atomic(path, gradebook_csv(results))
    return path
