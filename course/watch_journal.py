"""The watcher's journal: what it decided and did with each inbound submission, one JSON object a line.

Only the watcher appends, one `os.write` of one whole line on a file opened with O_APPEND, synced before the step it
records is taken as done; a line cut short by a crash is ignored when read. Events, in order for one submission:
`accepted` (it will be graded: it counts against the day's feedback limit), then `done` (its page is published); or
`held` alone (not graded: limit reached, after the due date, ...; its page is published). A restart grades again
only what is `accepted` without `done`, and never what is `done` or `held`.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

JOURNAL = "journal.jsonl"


class Journal:
    """The journal under `folder` (created when missing); `last` maps an inbound entry to its last event."""

    def __init__(self, folder: Path):
        folder.mkdir(parents=True, exist_ok=True)
        self.path = folder / JOURNAL
        self.last: dict[str, dict] = {}
        for event in read(self.path):
            self.last[event["entry"]] = event

    def add(self, event: dict) -> None:
        """Append `event` (it names its `entry`) and sync it to disk."""
        line = (json.dumps(event, sort_keys=True) + "\n").encode()
        fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT | os.O_CLOEXEC, 0o600)
        try:
            os.write(fd, line)
            os.fsync(fd)
        finally:
            os.close(fd)
        self.last[event["entry"]] = event

    def pending(self) -> list[dict]:
        """The `accepted` events not followed by `done`: submissions to grade (again) after a crash."""
        return [e for e in self.last.values() if e["event"] == "accepted"]

    def accepted_on(self, student: str, assignment: str, day: str) -> int:
        """How many of this student's submissions of `assignment` received on `day` were (or are being) graded."""
        return sum(e["event"] in ("accepted", "done") and e.get("day") == day and e.get("student") == student
                   and e.get("assignment") == assignment for e in self.last.values())


def read(path: Path) -> list[dict]:
    """Every whole event of the journal at `path`, in order ([] when there is none)."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return []
    events = []
    for line in data.split(b"\n"):
        try:
            event = json.loads(line)
        except ValueError:
            continue  # the end of a line a crash cut short
        if isinstance(event, dict) and isinstance(event.get("entry"), str):
            events.append(event)
    return events
