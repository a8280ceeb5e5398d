"""A CPU share per sandbox: a cgroup v2 of its own, with `cpu.max` (at most one CPU; sandboxes share the machine
by equal weight), `pids.max` and `memory.max`, where this process finds a writable cgroup2 hierarchy with those
controllers (as root on a machine booted with the unified hierarchy, or in a cgroup delegated to the grading user).

Elsewhere (cgroup v1 or a hybrid hierarchy whose v2 part has no controller, no delegation) nothing here is used:
a call's limit is then measured in the child's own time (autograder/cputime.py) and RLIMIT_CPU bounds each process.
The sandbox's first process joins its cgroup before it confines itself (autograder/forkserver.py), so every process
it starts is counted.
"""

from __future__ import annotations

import os
import time
from functools import cache
from pathlib import Path

from autograder.config import Limits

CONTROLLERS = ("cpu", "pids", "memory")
PERIOD = 100_000  # microseconds: cpu.max's period; the quota is one period, so one CPU


def _mount(mounts: str) -> Path | None:
    """The cgroup2 mount point in /proc/self/mounts' text."""
    for line in mounts.splitlines():
        fields = line.split()
        if len(fields) > 2 and fields[2] == "cgroup2":
            return Path(fields[1])
    return None


def _own(mount: Path, cgroups: str) -> Path:
    """This process's cgroup under `mount`, from /proc/self/cgroup's text (its "0::/path" line)."""
    for line in cgroups.splitlines():
        if line.startswith("0::"):
            return mount / line[3:].strip().lstrip("/")
    return mount


def _read(path: Path) -> str:
    try:
        return path.read_text()
    except OSError:
        return ""


def usable(mount: Path | None, own: Path) -> tuple[Path | None, str]:
    """The cgroup under which sandboxes get theirs, or None and why not. `own` qualifies when the grader may write
    it and its children get every controller: already enabled for them (a delegated cgroup), or enabled here (the
    root of the hierarchy, where no rule forbids processes beside child cgroups)."""
    if mount is None:
        return None, "no cgroup2 hierarchy"
    missing = [c for c in CONTROLLERS if c not in _read(own / "cgroup.controllers").split()]
    if missing:
        return None, f"no cgroup v2 {'/'.join(missing)} controller here"
    if not os.access(own, os.W_OK):
        return None, "the grader's cgroup is not writable (not delegated to this user)"
    enabled = _read(own / "cgroup.subtree_control").split()
    if own != mount and any(c not in enabled for c in CONTROLLERS):
        return None, "the grader's cgroup does not hand its controllers down (delegate it with them enabled)"
    try:
        (own / "cgroup.subtree_control").write_text(" ".join(f"+{c}" for c in CONTROLLERS if c not in enabled))
    except OSError as exc:
        return None, f"cannot enable the controllers ({exc.strerror})"
    return own, ""


@cache
def parent() -> tuple[Path | None, str]:
    """This machine's answer to `usable`, asked once per process."""
    mount = _mount(_read(Path("/proc/self/mounts")))
    return usable(mount, _own(mount, _read(Path("/proc/self/cgroup")))) if mount else (None, "no cgroup2 hierarchy")


def in_force() -> str:
    """What shares the CPU between sandboxes, for the gradebook's isolation column."""
    found, why = parent()
    if found is not None:
        return "CPU share: cgroup v2 per sandbox (cpu.max 1 CPU, pids.max, memory.max)"
    return f"CPU: call limits in the child's own time ({why})"


class Share:
    """One sandbox's cgroup: made with its limits, joined by the sandbox's first process, killed and removed after."""

    def __init__(self, path: Path):
        self.path = path

    @classmethod
    def make(cls, name: str, limits: Limits, under: Path | None = None) -> Share | None:
        """A new cgroup `name` with `limits` under `under` (default: this machine's `parent()`), or None."""
        under = under if under is not None else parent()[0]
        if under is None:
            return None
        path = under / name
        try:
            path.mkdir()
        except OSError:  # (one that exists is someone else's: left alone)
            return None
        try:
            (path / "cpu.max").write_text(f"{PERIOD} {PERIOD}")
            (path / "pids.max").write_text(str(limits.processes))
            (path / "memory.max").write_text(str(limits.memory))
        except OSError:
            Share(path).close()
            return None
        return cls(path)

    @property
    def procs(self) -> str:
        """The file a process writes "0" to, to join (autograder/forkserver.py, bwrap's preexec)."""
        return str(self.path / "cgroup.procs")

    def close(self) -> None:
        """Kill every process left in it (cgroup.kill, Linux 5.14) and remove it."""
        try:
            (self.path / "cgroup.kill").write_text("1")
        except OSError:
            pass
        for _ in range(50):
            try:
                self.path.rmdir()
                return
            except FileNotFoundError:
                return
            except OSError:  # busy until its last process is reaped
                time.sleep(0.02)


def join(procs: str | None) -> None:
    """Move the calling process into the cgroup whose cgroup.procs is `procs` (nothing when None). Fail-soft: a
    sandbox that cannot join still has its rlimits and the call limits in its own time."""
    if procs:
        try:
            with open(procs, "w") as fh:
                fh.write("0")
        except OSError:
            pass
