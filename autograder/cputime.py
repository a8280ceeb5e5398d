"""A call's time as the submission's own: time spent waiting for a CPU does not count.

Without a CPU share per sandbox (autograder/cgroup.py), one notebook's busy processes slow every other sandbox on the
machine. A call's limit therefore counts only the time the child's process ran or slept: the wall-clock deadline is
moved by the time the kernel kept that process waiting on a run queue (`run_delay`, the second field of
/proc/<pid>/schedstat) while the call ran. A busy machine costs a classmate no point; an endless loop or a sleep still
runs out of its time. The submission's total limit is counted the same way, within a wall-clock ceiling of
`WALL_FACTOR` times that limit (a submission that keeps its own process waiting gets no more).
"""

from __future__ import annotations

import os
import time

WALL_FACTOR = 3  # the wall-clock ceiling of a submission, in multiples of its total time limit


def waited(pid: int | None) -> float:
    """Seconds process `pid` (its main thread, where calls run) has spent waiting for a CPU; 0 when unknown."""
    if pid is None:
        return 0.0
    try:
        with open(f"/proc/{pid}/schedstat") as fh:
            return int(fh.read().split()[1]) / 1e9
    except (OSError, IndexError, ValueError):
        return 0.0


def _children(pid: int, owner: int | None) -> list[int]:
    """Live children of `pid` (of user `owner` only, when given: a stat is cheaper than a read), oldest first."""
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            if owner is not None and os.stat(f"/proc/{entry}").st_uid != owner:
                continue
            with open(f"/proc/{entry}/stat") as fh:
                fields = fh.read().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        if int(fields[1]) == pid and fields[0] != "Z":
            found.append((int(fields[19]), int(entry)))  # (start time, pid)
    return [p for _, p in sorted(found)]


def serving_pid(top: int, depth: int, python: bool = False, owner: int | None = None) -> int | None:
    """The process that answers calls, below the sandbox's first process `top`: `depth` generations down (its oldest
    child each time), or, with `python`, the first process down that chain that runs a Python (bwrap's own
    processes come first). `owner`: the user every process below `top` runs as, when known."""
    pid: int | None = top
    for _ in range(6 if python else depth):
        if python and _runs_python(pid):
            return pid
        kids = _children(pid, owner)
        pid = kids[0] if kids else None
        if pid is None:
            return None
    return pid if not python or _runs_python(pid) else None


def _runs_python(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/comm") as fh:
            return fh.read().startswith("python")
    except OSError:
        return False


class CallClock:
    """The deadline of one call: `timeout` seconds of the serving process's own time (running or sleeping), and
    never past the submission's: `total` (its deadline in its own time when the call began) moved by this call's
    waiting too, nor past `hard` (the wall-clock ceiling of the whole submission)."""

    def __init__(self, timeout: float, total: float, hard: float, pid: int | None, before: float):
        self.start, self.timeout, self.total, self.hard = time.monotonic(), timeout, total, hard
        self.pid, self.before = pid, before  # `before`: what the process had waited when the call began
        self.ceiling = min(total, hard)
        self.deadline = min(self.start + timeout, self.ceiling)

    def waited(self) -> float:
        """Seconds the serving process waited for a CPU during this call."""
        return max(waited(self.pid) - self.before, 0.0) if self.pid is not None else 0.0

    def extend(self, pid: int | None = None) -> bool:
        """At the deadline: move it by the time the process waited for a CPU since the call began. True when the
        call has time left. `pid`: the serving process, when it was not known at the start (then it is new, and
        all its waiting happened during this call)."""
        if self.pid is None and pid is not None:
            self.pid, self.before = pid, 0.0
        extra = self.waited()
        self.ceiling = min(self.total + extra, self.hard)
        self.deadline = min(self.start + self.timeout + extra, self.ceiling)
        return self.deadline > time.monotonic()
