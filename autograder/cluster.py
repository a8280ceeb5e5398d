"""Grade on a Dask cluster: each submission goes to a Dask worker, which runs the same sandbox there and returns plain
results. Only the coordinating process reads submissions and writes files, so a worker that dies costs a retry (Dask
reschedules its task), never a row or a half-written file.

A worker needs the grader installed with the assignment's suite and reference (the same layout as here, e.g. this
repository or a Gradescope zip unpacked), and root where namespaces are wanted; it never sees the submissions folder.
"""

from __future__ import annotations

from collections.abc import Iterator

from autograder import assignment as layout
from autograder.assignment import Assignment
from autograder.config import Limits
from autograder.grading import Result, error_result, grade_submission
from autograder.load import LoadError, read_submission

RETRIES = 2  # a task whose worker died is run again on another worker this many times


def remote_grade(assignment_id: str, student: str, name: str, data: bytes, limits: Limits | None) -> dict:
    """On a worker: grade one notebook (its bytes) with the worker's own grader and suite; the Result as data."""
    return grade_submission(data, name, layout.get(assignment_id), student, limits=limits).to_json()


def grade_on_cluster(address: str, assignment: Assignment, jobs,
                     limits: Limits | None) -> Iterator[tuple[object, Result]]:
    """Send every job to the Dask scheduler at `address`; yield (job, Result) as they finish."""
    from distributed import Client, as_completed  # imported only where a cluster is used

    with Client(address) as client:
        futures = {}
        for job in jobs:
            if job.notebook is None:
                yield job, error_result(job.student, assignment, job.problem)
                continue
            try:
                data = read_submission(job.notebook, job.base, assignment.limits.notebook_bytes)
            except LoadError as exc:
                yield job, error_result(job.student, assignment, str(exc))
                continue
            future = client.submit(remote_grade, assignment.id, job.student, job.notebook.name, data, limits,
                                   key=f"grade-{assignment.id}-{job.student}", retries=RETRIES, pure=False)
            futures[future] = job
        for future in as_completed(futures):
            job = futures[future]
            try:
                result = Result(**future.result())
            except Exception as exc:  # the task failed on every retry (KilledWorker, lost scheduler, ...)
                result = error_result(job.student, assignment, f"cluster: {type(exc).__name__}: {exc}")
            yield job, result
