"""Reaping what a submission leaves behind: the processes of a sandbox uid, and (in a batch worker that adopts
orphans) every child of this process but its fork servers."""

from __future__ import annotations

import os
import signal
import time

from autograder.fork_servers import server_pids

ADOPTING = False  # this process adopts the orphans of its sandboxes (a batch worker: its only children are them)


def adopt_orphans() -> bool:
    """Make this process the reaper of every orphan among its descendants (Linux's PR_SET_CHILD_SUBREAPER), so that
    a process a submission detached with setsid comes back to it and is killed with the sandbox. Only for a process
    whose children are all sandboxes (a batch worker): `Sandbox.close` then kills every child left."""
    global ADOPTING
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        ADOPTING = libc.prctl(36, 1, 0, 0, 0) == 0  # PR_SET_CHILD_SUBREAPER
    except (OSError, AttributeError):
        ADOPTING = False
    return ADOPTING


def kill_children() -> None:
    """SIGKILL every child of this process but its fork servers (in a batch worker: what a submission left behind),
    then reap them."""
    me = str(os.getpid())
    spare = {str(pid) for pid in server_pids()}
    for _ in range(50):
        found = False
        for pid in filter(str.isdigit, os.listdir("/proc")):
            try:
                with open(f"/proc/{pid}/stat") as fh:
                    fields = fh.read().rsplit(")", 1)[1].split()
                if fields[1] == me and fields[0] != "Z" and pid not in spare:
                    found = True
                    os.kill(int(pid), signal.SIGKILL)
            except (OSError, IndexError):
                continue
        while True:
            try:
                if os.waitpid(-1, os.WNOHANG)[0] == 0:
                    break
            except ChildProcessError:
                break
        if not found:
            return
        time.sleep(0.02)


def kill_uid(uid: int) -> None:
    """SIGKILL every live process of a sandbox user (it may have left its process group with setsid)."""
    if uid == 0:
        return
    for _ in range(20):
        found = False
        for pid in filter(str.isdigit, os.listdir("/proc")):
            try:
                with open(f"/proc/{pid}/status") as fh:
                    status = dict(line.split(":", 1) for line in fh if ":" in line)
                if int(status["Uid"].split()[0]) != uid or status["State"].strip().startswith("Z"):
                    continue
                found = True
                os.kill(int(pid), signal.SIGKILL)
            except (OSError, KeyError, ValueError):
                continue
        if not found:
            return
        time.sleep(0.02)
