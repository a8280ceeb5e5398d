"""Batch: grade a whole class in parallel worker processes (or on a Dask cluster: autograder.cluster), with a
progress bar; resumable from the results the manifest vouches for, every changed score in the audit log."""

from __future__ import annotations

import gc
import hashlib
import json
import multiprocessing as mp
import os
from collections.abc import Collection, Iterator
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from dataclasses import dataclass
from pathlib import Path

from autograder import audit
from autograder.assignment import Assignment
from autograder.config import Limits
from autograder.files import Refused, check_folder, files_sha256, write_atomic
from autograder.grading import Result, error_result, grade_submission
from autograder.lateness import stamp
from autograder.load import LoadError, read_submission
from autograder.names import GRADEBOOK, problem, shown, student_folder, student_name
from autograder.report import gradebook_csv, parse_result, write_results
from autograder.sandbox import adopt_orphans, isolation


@dataclass(frozen=True)
class Job:
    student: str  # as the gradebook names it (autograder.names)
    assignment: Assignment
    notebook: Path | None
    problem: str = ""
    base: Path | None = None  # the notebook is read under this folder, following no link below it


def find_notebook(folder: Path, assignment: str, anywhere: bool = False) -> tuple[Path | None, str]:
    """The notebook to grade in the submission folder `folder` (`<assignment>.ipynb`, or the only notebook; with
    `anywhere` also in its subfolders), or why there is none. Refused unless the folder holds only plain folders and
    regular files of one name each (nbgrader's collected folders never hold anything else)."""
    try:
        check_folder(folder)
    except FileNotFoundError:
        return None, f"nothing submitted for {assignment}"
    except Refused as exc:
        return None, f"{exc} (a submission holds only plain files and folders)"
    except OSError as exc:
        return None, f"cannot read the {assignment} folder: {exc.strerror}"
    preferred = folder / f"{assignment}.ipynb"
    if preferred.is_file():
        return preferred, ""
    found = sorted(p for p in folder.glob("**/*.ipynb" if anywhere else "*.ipynb") if p.is_file())
    if len(found) == 1:
        return found[0], ""
    if not found:
        return None, f"no .ipynb file in the {assignment} folder"
    said = ", ".join(shown(p.name) for p in found[:4])
    return None, f"several notebooks ({said}) and none named {assignment}.ipynb"


def discover(submitted: Path, assignment: Assignment) -> list[Job]:
    """One job per student folder of nbgrader's layout `submitted/<student>/<assignment>/*.ipynb`: hidden entries
    and files beside the folders are nobody's; a folder whose name is not a valid student name, or a link, is an
    error row (autograder.names)."""
    with os.scandir(submitted) as entries:
        found = sorted((e.name, e.is_symlink(), e.is_dir(follow_symlinks=False)) for e in entries)
    jobs = []
    for raw, link, folder in found:
        if raw.startswith(".") or not (link or folder):
            continue
        student, why = student_name(raw), problem(raw)
        if why:
            jobs.append(Job(student, assignment, None, f"the folder name '{student}' is not a valid student name: "
                                                       f"{why}; nothing was graded (rename the folder)"))
        elif link:
            jobs.append(Job(student, assignment, None, f"the student folder '{student}' is a symbolic link: not "
                                                       "followed, nothing was graded"))
        else:
            notebook, why = find_notebook(submitted / raw / assignment.id, assignment.id)
            jobs.append(Job(student, assignment, notebook, why, base=submitted))
    return jobs


_SLOT = 0


def _init_worker(slots) -> None:
    global _SLOT
    _SLOT = slots.get()
    adopt_orphans()  # in the fallback, what a submission detached from its process group is still killed
    gc.freeze()  # what is imported by now lives as long as the worker: no garbage collection scans it again


def worker_pool(workers: int, first_slot: int = 0) -> ProcessPoolExecutor:
    """`workers` processes that grade in the sandbox, each with a slot of its own (`worker_slot()`: its sandbox uid
    is SANDBOX_UID_BASE + slot, its fork server its own)."""
    ctx = mp.get_context("forkserver")
    slots = ctx.Queue()
    for i in range(max(workers, 1)):
        slots.put(first_slot + i)
    return ProcessPoolExecutor(max(workers, 1), mp_context=ctx, initializer=_init_worker, initargs=(slots,))


def worker_slot() -> int:
    """In a process of `worker_pool`: its slot (0 elsewhere)."""
    return _SLOT


def _grade(job: Job, hide: tuple[str, ...], limits: Limits | None) -> Result:
    if job.notebook is None:
        return error_result(job.student, job.assignment, job.problem)
    try:
        data = read_submission(job.notebook, job.base, (limits or job.assignment.limits).notebook_bytes)
        return grade_submission(data, job.notebook.name, job.assignment, job.student, slot=_SLOT, hide=hide,
                                limits=limits)
    except LoadError as exc:
        return error_result(job.student, job.assignment, str(exc))
    except Exception as exc:  # a grader bug must not cost the batch; the row says what happened
        return error_result(job.student, job.assignment, f"grader failure: {type(exc).__name__}: {exc}")


MANIFEST = ".kit-manifest.json"  # in OUT: the sha256 of every results.json the grader wrote there


class Graded(list):
    """The results of a batch (a list of `Result`), with the batch's one-line summary."""

    summary: str = ""


def read_manifest(out: Path) -> dict[str, str]:
    try:
        data = json.loads((out / MANIFEST).read_bytes())
        return {str(k): str(v) for k, v in data["results"].items()}
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return {}


def write_manifest(out: Path, rows: dict[tuple[str, str], tuple[Result, str]]) -> None:
    hashes = {f"{student}/{assignment}": digest for (student, assignment), (_, digest) in sorted(rows.items())}
    write_atomic(out / MANIFEST, json.dumps({"version": 1, "results": hashes}, indent=1) + "\n")


def trusted_results(out: Path) -> dict[tuple[str, str], tuple[Result, str]]:
    """The results under OUT that are byte for byte what the grader wrote: their sha256 is the one it recorded in the
    manifest when it wrote them. A file changed since (a forged result) is not among them, so it is graded again."""
    rows = {}
    for key, digest in read_manifest(out).items():
        student, _, assignment = key.partition("/")
        if not student or problem(assignment):
            continue
        try:
            data = (student_folder(out, student) / assignment / "results.json").read_bytes()
        except OSError:
            continue
        result = parse_result(data) if hashlib.sha256(data).hexdigest() == digest else None
        if result is not None and (result.student, result.assignment) == (student, assignment):
            rows[(student, assignment)] = (result, digest)
    return rows


def kit_digest(root: Path) -> str:
    """One hash of the grader's own files under `root` (code, hidden suites, solutions, source notebooks)."""
    return files_sha256([p for top in ("autograder", "solutions", "assignments")
                         for p in sorted((root / top).rglob("*"))], root)


def summary_line(results: list[Result], resumed: int, kit_changed: bool) -> str:
    """Which isolation held for the batch, and what it does not protect."""
    statuses = {s: sum(r.status == s for r in results) for s in ("ok", "error", "timeout")}
    counts = ", ".join(f"{n} {s}" for s, n in statuses.items() if n)
    modes = sorted({r.isolation for r in results if r.isolation})
    line = f"{len(results)} rows ({counts}; {resumed} resumed, verified against the manifest); isolation: "
    line += " | ".join(modes) if modes else "none used (nothing was run)"
    if any(m.startswith("fallback") for m in modes):
        line += ". For full isolation, grade where user namespaces (bwrap or unshare) or root are available"
    if kit_changed:
        line += ". WARNING: the kit's own files changed during this batch (a submission in the fallback can write "
        line += "them): do not trust this batch, restore the kit and regrade with --force where namespaces work"
    return line


def grade_class(assignment: Assignment, submitted: Path, out: Path, *, workers: int = 2, force: bool = False,
                progress: bool = True, limits: Limits | None = None, first_slot: int = 0,
                students: Collection[str] | None = None, scheduler: str | None = None) -> Graded:
    """Grade every student of `submitted` for `assignment`; write results, feedback and OUT/gradebook.csv.
    With `scheduler` (a Dask scheduler's address) the submissions are graded on that cluster's workers.

    A recorded result stands unless its notebook or the suite changed; `force` regrades everyone, `students` regrades
    only those (forced) and leaves the others untouched. Every change of a recorded score goes to OUT/audit.log.

    What is written comes only from this process's memory: the results graded in this batch, and the rows kept from
    earlier batches, read and verified against the manifest before any submission runs. A file that a submission
    might have written during the batch (possible only in the fallback, without namespaces) is never read back."""
    from tqdm import tqdm

    submitted, out = submitted.resolve(), out.resolve()
    out.mkdir(parents=True, exist_ok=True)
    hide = (str(submitted), str(out))
    isolation()  # a mode forced by KIT_ISOLATION that this machine cannot give stops the batch before it starts
    before = kit_digest(assignment.root)
    rows = trusted_results(out)  # every assignment's rows, so that the gradebook keeps them
    results: list[Result] = []
    todo, reasons = _plan(discover(submitted, assignment), assignment, out, rows, force, students, results)
    resumed = len(results)
    bar = tqdm(total=len(todo), desc=f"grading {assignment.id}", unit="nb", disable=not progress or not todo,
               initial=0, dynamic_ncols=True)
    if scheduler:
        from autograder.cluster import grade_on_cluster

        finished = grade_on_cluster(scheduler, assignment, todo, limits)
    else:
        finished = _grade_here(assignment, todo, hide, limits, workers, first_slot)
    for job, result in finished:  # each row reaches disk as it is graded: an interrupted batch keeps them all
        if job is None:  # nothing finished for a while: the bar names who is still being graded
            bar.set_postfix_str("still grading " + ", ".join(shown(n) for n in result))
            bar.refresh()
            continue
        _finish(out, job, result, *reasons[job.student])
        rows[(job.student, assignment.id)] = (result, write_results(out, result))
        write_manifest(out, rows)
        write_gradebook(out, [r for r, _ in rows.values()])
        results.append(result)
        bar.update(1)
        bar.set_postfix_str(shown(f"{job.student}: {result.score:g}/{result.max_score:g} {result.status}"))
    bar.close()
    write_gradebook(out, [r for r, _ in rows.values()])
    write_manifest(out, rows)
    graded = Graded(sorted(results, key=lambda r: r.student))
    graded.summary = summary_line(graded, resumed, kit_digest(assignment.root) != before)
    return graded


def _plan(jobs: list[Job], assignment: Assignment, out: Path, rows: dict, force: bool,
          students: Collection[str] | None, kept: list[Result]) -> tuple[list[Job], dict[str, tuple]]:
    """Which jobs to grade and why; the recorded (and verified) results that stand go to `kept`, with a fresh
    submission time. `rows` (the trusted results) loses the rows that will be regraded."""
    if students is not None:
        unknown = sorted(set(students) - {j.student for j in jobs})
        if unknown:
            raise ValueError(f"no submission folder for {', '.join(unknown)} in the submitted folder")
    suite = audit.suite_sha256(assignment)
    todo, reasons = [], {}
    for job in jobs:
        key = (job.student, assignment.id)
        previous = rows[key][0] if key in rows else None
        if students is not None and job.student not in students:
            if previous is not None:
                kept.append(previous)
            continue
        reason = audit.regrade_reason(previous, _notebook_sha256(job), suite,
                                      forced=force or students is not None)
        if reason is None and previous is not None:
            if stamp(previous, _folder(job), job.base):
                rows[key] = (previous, write_results(out, previous))
            kept.append(previous)
        else:
            rows.pop(key, None)
            todo.append(job)
            reasons[job.student] = (previous, reason or "", suite)
    return todo, reasons


def _notebook_sha256(job: Job) -> str:
    if job.notebook is None:
        return ""
    try:
        return hashlib.sha256(read_submission(job.notebook, job.base, job.assignment.limits.notebook_bytes)).hexdigest()
    except LoadError:
        return ""


def _folder(job: Job) -> Path | None:
    return job.notebook.parent if job.notebook is not None else None


def _finish(out: Path, job: Job, result: Result, previous: Result | None, reason: str, suite: str) -> None:
    """What the coordinating process adds to a fresh result: the suite's hash, the submission time, the audit."""
    result.suite_sha256 = suite
    stamp(result, _folder(job), job.base)
    audit.log_change(out, previous, result, reason)


LONG = 15.0  # seconds without a finished submission before the progress bar names those being graded


def _grade_here(assignment: Assignment, todo: list[Job], hide: tuple[str, ...], limits: Limits | None,
                workers: int, first_slot: int) -> Iterator[tuple[Job, Result] | tuple[None, list[str]]]:
    """Grade the jobs in worker processes of this machine; yield (job, Result) as they finish, and (None, the
    students being graded) when none finished for LONG seconds."""
    with worker_pool(workers, first_slot) as pool:
        futures = {pool.submit(_grade, job, hide, limits): job for job in todo}
        pending = set(futures)
        while pending:
            done, pending = wait(pending, timeout=LONG, return_when=FIRST_COMPLETED)
            if not done:
                # in the order submitted: the first `workers` running ones are in the workers, the rest queued
                running = [job.student for f, job in futures.items() if f in pending and f.running()]
                yield None, running[:max(workers, 1)]
            for future in done:
                job = futures[future]
                try:
                    yield job, future.result()
                except Exception as exc:  # the worker itself died
                    yield job, error_result(job.student, assignment, f"grader worker died: {type(exc).__name__}")


def write_gradebook(out: Path, results: list[Result]) -> Path:
    """OUT/gradebook.csv from `results` (what the grader holds in memory, never what a file under OUT says)."""
    path = out / GRADEBOOK
    write_atomic(path, gradebook_csv(results))
    return path
