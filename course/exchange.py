"""nbgrader's exchange as the watcher reads and writes it (nbgrader 0.9's default exchange).

`nbgrader submit` copies a student's assignment folder to `ROOT/<course>/inbound/<student>+<assignment>+<timestamp>+
<random>/` with `timestamp.txt` and `submission_secret.txt` beside the notebooks; `nbgrader fetch_feedback` looks for
`ROOT/<course>/feedback/<md5(secret + notebook id)>.html` (nbgrader.utils.notebook_hash) for each notebook of the
submission it remembers. Students write the inbound folder: every name and file there is hostile — listed without
following links, read bounded (autograder.files), names validated (autograder.names) and escaped wherever shown.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from autograder.files import write_atomic
from autograder.lateness import parse_time
from autograder.names import problem, shown
from course.nbgrader_bridge import SECRET_FILE

INBOUND, FEEDBACK = "inbound", "feedback"
MAX_ENTRIES = 100_000  # inbound entries looked at in one scan
MAX_NAME = 512  # characters of an inbound entry's name
FEEDBACK_MODE = 0o644  # students read their page through fetch_feedback; its name is the secret's hash
FEEDBACK_DIR_MODE = 0o711  # as `nbgrader release_feedback` makes it: nobody but the instructor lists it


@dataclass(frozen=True)
class Entry:
    """One folder of the inbound folder, as its name and its inode say."""

    name: str  # the folder's name (validated: see `parse`)
    student: str
    assignment: str
    stated: datetime  # the submission time in the name, as `nbgrader submit` wrote it (the student can forge it)
    received: datetime  # the folder's ctime: a student can make it later, never earlier
    owner: int  # uid


def parse(name: str, known: set[str]) -> tuple[str, str, datetime] | str:
    """(student, assignment, stated time) of an inbound folder's name, split as `nbgrader collect` splits it, or why
    it is not one the watcher grades."""
    if len(name) > MAX_NAME or not name.isprintable():
        return "not a name nbgrader submit writes"
    parts = name.rsplit("+", 3)
    if len(parts) < 3:
        return "not a name nbgrader submit writes"
    student, assignment, stamp = parts[:3]
    if assignment not in known:
        return "not an assignment of this course"
    if problem(student):
        return f"not a valid student name: {problem(student)}"
    when = parse_time(stamp.encode("ascii", "replace"))
    return (student, assignment, when) if when is not None else "no time nbgrader can read in its name"


def scan(inbound: Path, known: set[str]) -> Iterator[Entry | tuple[str, str]]:
    """Every folder of `inbound` as an Entry, or (escaped name, why not) for anything else; nothing is followed and
    at most MAX_ENTRIES are looked at."""
    with os.scandir(inbound) as found:
        for i, item in enumerate(found):
            if i >= MAX_ENTRIES:
                yield "…", f"more than {MAX_ENTRIES} entries in the inbound folder: the rest waits for the next scan"
                return
            try:
                st = item.stat(follow_symlinks=False)
            except OSError:
                continue  # removed while listed
            if not stat.S_ISDIR(st.st_mode):
                yield shown(item.name), "not a folder (a link, a file): not read"
                continue
            parsed = parse(item.name, known)
            if isinstance(parsed, str):
                yield shown(item.name), parsed
                continue
            received = datetime.fromtimestamp(st.st_ctime, timezone.utc)
            yield Entry(item.name, *parsed, received=received, owner=st.st_uid)


def feedback_path(feedback: Path, submission_secret: str, notebook_id: str) -> Path:
    """Where `nbgrader fetch_feedback` looks for the page of notebook `notebook_id` of that submission."""
    from nbgrader.utils import notebook_hash

    return feedback / f"{notebook_hash(secret=submission_secret, notebook_id=notebook_id)}.html"


def publish(feedback: Path, submission_secret: str, notebook_id: str, page: str) -> Path:
    """Write a feedback page where fetch_feedback finds it (atomically: a student never fetches half a page)."""
    if not feedback.is_dir():
        feedback.mkdir(parents=True, exist_ok=True)
        os.chmod(feedback, FEEDBACK_DIR_MODE)
    path = feedback_path(feedback, submission_secret, notebook_id)
    write_atomic(path, page, FEEDBACK_MODE)
    return path


def write_as_submitted(inbound: Path, student: str, assignment: str, notebook: str, stated: str,
                       tag: str = "") -> tuple[Path, str]:
    """An inbound folder as `nbgrader submit` writes it (its notebook, timestamp.txt, a new submission_secret.txt);
    returns (its path, its secret). For tests and benchmarks: students use nbgrader's command."""
    import secrets

    entry = inbound / f"{student}+{assignment}+{stated}+{tag or secrets.token_urlsafe(6)}"
    entry.mkdir()
    (entry / f"{assignment}.ipynb").write_text(notebook)
    (entry / "timestamp.txt").write_text(stated)
    secret = secrets.token_hex(64)
    (entry / SECRET_FILE).write_text(secret)
    return entry, secret
