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
from autograder.grading import grade_notebook
from autograder.report import gradescope_json


def run(assignment: Assignment, submission: Path, results: Path) -> int:
    """Grade the one notebook in `submission` and write Gradescope's results.json."""
    notebook, problem = find_notebook(submission, assignment.id)
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
