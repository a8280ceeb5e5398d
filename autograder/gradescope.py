"""Gradescope: the grader's entry point inside Gradescope's container (`course.gradescope_zip` builds the zip).

Layout inside the container (Gradescope's autograder specification): the zip is unpacked to /autograder/source,
`run_autograder` runs once per submission, the student's files are in /autograder/submission, and the results go to
/autograder/results/results.json.
"""

from __future__ import annotations

import json
from pathlib import Path

from autograder.assignment import Assignment
from autograder.batch import find_notebook
from autograder.files import write_atomic
from autograder.grading import error_result, grade_submission
from autograder.load import LoadError, read_submission
from autograder.report import gradescope_json

STUDENT = "submission"


def run(assignment: Assignment, submission: Path, results: Path) -> int:
    """Grade the one notebook in `submission` and write Gradescope's results.json — always, whatever the folder
    holds: a link, a FIFO or a device anywhere in it, or a notebook that cannot be read, is an error result."""
    try:
        result = _grade(assignment, submission, results)
    except Exception as exc:  # a grader bug: the student still gets a result saying so
        result = error_result(STUDENT, assignment, f"grader failure: {type(exc).__name__}")
    payload = gradescope_json(result)
    payload["output"] = (f"{result.status}: {result.reason}\n" if result.reason else "") + payload["output"]
    write_atomic(results, json.dumps(payload, indent=1) + "\n")
    return 0


def _grade(assignment: Assignment, submission: Path, results: Path):
    notebook, problem = find_notebook(submission, assignment.id, anywhere=True)
    if notebook is None:
        return error_result(STUDENT, assignment, problem or "no notebook in the submission")
    try:
        data = read_submission(notebook, submission, assignment.limits.notebook_bytes)
    except LoadError as exc:
        return error_result(STUDENT, assignment, str(exc))
    return grade_submission(data, notebook.name, assignment, STUDENT,
                            hide=(str(submission), str(results.parent)))
