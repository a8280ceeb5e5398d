"""Submission times: what `nbgrader collect` / `zip_collect` leave beside a notebook (`timestamp.txt`).

The split with the course tooling: the grader records only what the files say — the text of `timestamp.txt`, or a
note that there is none. Due dates, extensions and late penalties belong to nbgrader's gradebook and its configured
late-submission plugin; `python -m course record` applies them and writes the due date, the seconds late and the
penalty back into each result (see `course/nbgrader_bridge.py`). Until then the due date is '' and the seconds
late and the penalty are `None`.
"""

from __future__ import annotations

from pathlib import Path

from autograder.grading import Result

TIMESTAMP_FILE = "timestamp.txt"
NO_TIMESTAMP = (f"no {TIMESTAMP_FILE} beside the notebook (not collected by nbgrader): the submission time is unknown, "
                "so no late penalty applies")


def read_timestamp(folder: Path | None) -> str:
    """The submission time as nbgrader's `timestamp.txt` in `folder` states it (stripped), or '' when absent."""
    if folder is None:
        return ""
    try:
        return (folder / TIMESTAMP_FILE).read_text(encoding="utf-8", errors="replace").strip()[:100]
    except OSError:
        return ""


def stamp(result: Result, folder: Path | None) -> bool:
    """Put the submission time of `folder` on `result`; True when that changed what the result says (then the
    lateness recorded from the gradebook no longer holds and is cleared until the next `course record`)."""
    text = read_timestamp(folder)
    notes = [n for n in result.notes if n != NO_TIMESTAMP]
    if not text and folder is not None and folder.is_dir():
        notes.append(NO_TIMESTAMP)
    changed = text != result.timestamp or notes != result.notes
    if text != result.timestamp:
        result.duedate, result.seconds_late, result.late_penalty = "", None, None
    result.timestamp, result.notes = text, notes
    return changed
