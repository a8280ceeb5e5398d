"""Submission times: what `nbgrader collect` / `zip_collect` leave beside a notebook (`timestamp.txt`).

The split with the course tooling: the grader records only what the files say — the time `timestamp.txt` states,
parsed as nbgrader parses it and written in nbgrader's format (never the file's text: a link, a large file or
garbage is "time unknown"), or a note that there is none. Due dates, extensions and late penalties belong to
nbgrader's gradebook and its configured late-submission plugin; `python -m course record` applies them and writes
the due date, the seconds late and the penalty back into each result (see `course/nbgrader_bridge.py`). Until then
the due date is '' and the seconds late and the penalty are `None`.
"""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path

from autograder.files import Refused, read_bounded
from autograder.grading import Result

TIMESTAMP_FILE = "timestamp.txt"
TIMESTAMP_BYTES = 100  # nbgrader writes about 30
UNKNOWN = ": the submission time is unknown, so no late penalty applies"
NO_TIMESTAMP = f"no {TIMESTAMP_FILE} beside the notebook (not collected by nbgrader){UNKNOWN}"
BAD_TIMESTAMP = f"{TIMESTAMP_FILE} does not state a time"  # + why, + UNKNOWN


def parse_time(data: bytes) -> datetime | None:
    """The UTC time that `data` states as nbgrader's parse_utc reads it (a time without a zone is UTC), or None; a
    date that leaves out its year, month or day (which the parser would take from today) is None too."""
    from dateutil import parser

    try:
        text = data.decode("ascii").strip()
        if not text.isprintable():
            return None
        when, other = (parser.parse(text, default=datetime(y, m, m)) for y, m in ((2000, 1), (2001, 2)))
    except (ValueError, OverflowError):
        return None
    if when.date() != other.date():
        return None
    return when.replace(tzinfo=timezone.utc) if when.tzinfo is None else when.astimezone(timezone.utc)


def read_timestamp(folder: Path | None, base: Path | None = None) -> tuple[str, str]:
    """The submission time that nbgrader's `timestamp.txt` in `folder` states, in nbgrader's format, and a note
    ('', '' when there is no file). Nothing below `base` (default: `folder`) is followed if it is a link."""
    if folder is None:
        return "", ""
    try:
        data = read_bounded(folder / TIMESTAMP_FILE, folder if base is None else base, TIMESTAMP_BYTES)
    except FileNotFoundError:
        return "", ""
    except Refused as exc:
        return "", f"{BAD_TIMESTAMP} ({exc}){UNKNOWN}"
    except OSError as exc:
        return "", f"{BAD_TIMESTAMP} (cannot read it: {exc.strerror}){UNKNOWN}"
    when = parse_time(data)
    if when is None:
        return "", f"{BAD_TIMESTAMP} (not a time nbgrader can read){UNKNOWN}"
    return when.strftime("%Y-%m-%d %H:%M:%S.%f UTC"), ""


def stamp(result: Result, folder: Path | None, base: Path | None = None) -> bool:
    """Put the submission time of `folder` on `result`; True when that changed what the result says (then the
    lateness recorded from the gradebook no longer holds and is cleared until the next `course record`)."""
    text, note = read_timestamp(folder, base)
    notes = [n for n in result.notes if n != NO_TIMESTAMP and not n.startswith(BAD_TIMESTAMP)]
    if note:
        notes.append(note)
    elif not text and folder is not None and folder.is_dir():
        notes.append(NO_TIMESTAMP)
    changed = text != result.timestamp or notes != result.notes
    if text != result.timestamp:
        result.duedate, result.seconds_late, result.late_penalty = "", None, None
    result.timestamp, result.notes = text, notes
    return changed
