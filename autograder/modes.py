"""Which isolation this machine gives a submission: the mode KIT_ISOLATION asks for, each way of confining probed
once per process (the fork server's namespaces as root or in a user namespace, bubblewrap, or none: the fallback),
and `isolation()`, the gradebook's words for what holds."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from functools import cache
from pathlib import Path

from autograder import cgroup
from autograder.config import LIMITS, NO_PRELOAD, SANDBOX_UID_BASE
from autograder.failures import SubmissionDied
from autograder.fork_servers import fork_server, spawn_request

MODES = ("auto", "namespaces", "bwrap", "unshare", "fallback")  # KIT_ISOLATION


def requested_mode() -> str:
    """KIT_ISOLATION: auto (default: the best this machine allows), namespaces (refuse to grade without them),
    bwrap or unshare (that tool only), fallback (no namespaces: rlimits, process group, results from memory)."""
    mode = os.environ.get("KIT_ISOLATION", "auto").strip().lower() or "auto"
    if mode not in MODES:
        raise RuntimeError(f"KIT_ISOLATION={mode!r}: expected one of {', '.join(MODES)}")
    return mode


def _runs(argv: list[str]) -> bool:
    try:
        probe = subprocess.run(argv, capture_output=True, text=True, timeout=20, stdin=subprocess.DEVNULL)
    except (OSError, subprocess.TimeoutExpired):
        return False
    return probe.returncode == 0 and probe.stdout.strip().endswith("ok")


@cache
def _tool_works(tool: str, euid: int) -> bool:
    """Can `tool` make the namespaces here, as this user? (asked once per process: the fork server makes that
    sandbox once, with nothing in it)"""
    if tool in ("root", "unshare"):
        if tool == "root" and euid != 0:
            return False
        mode, uid = ("root", SANDBOX_UID_BASE) if tool == "root" else ("user", 0)
        try:
            request = {**spawn_request(mode, uid, LIMITS, (), "/", NO_PRELOAD), "op": "probe"}
            return fork_server(NO_PRELOAD).ask(request).get("code") == 0
        except SubmissionDied:
            return False
    if tool == "bwrap":
        return (bool(shutil.which("bwrap") and shutil.which("prlimit"))
                and _runs(["bwrap", "--unshare-all", "--unshare-user", "--die-with-parent", "--ro-bind", "/", "/",
                           "--proc", "/proc", "--dev", "/dev", "--tmpfs", "/tmp", "sh", "-c", "echo ok"]))
    return False


@cache
def _bwrap_knows(option: str) -> bool:
    """Older bubblewraps (Ubuntu 22.04 has 0.6) lack --disable-userns (0.8) and --size (0.7.1)."""
    try:
        return option in subprocess.run(["bwrap", "--help"], capture_output=True, text=True, timeout=20).stdout
    except (OSError, subprocess.TimeoutExpired):
        return False


def bwrap_options() -> frozenset[str]:
    """The options of the installed bubblewrap that a plan may need and older ones lack."""
    return frozenset(o for o in ("--size", "--perms", "--disable-userns", "--cap-drop") if _bwrap_knows(o))


def sandbox_tool() -> str | None:
    """How the child is confined here: 'root' (unshare as root, own uid), 'bwrap' or 'unshare' (a user namespace,
    without root), or None (the fallback: no namespaces)."""
    mode, euid = requested_mode(), os.geteuid()
    if mode == "fallback":
        return None
    if mode in ("bwrap", "unshare"):
        candidates = [mode]
    else:
        candidates = ["root"] if euid == 0 else []
        candidates += ["unshare", "bwrap"]
    for tool in candidates:
        if _tool_works(tool, euid):
            return tool
    if mode != "auto":
        raise RuntimeError(f"KIT_ISOLATION={mode}: no namespaces can be made here ({', '.join(candidates)} failed)")
    return None


def namespaces_available() -> bool:
    """True when the child gets mount, network and PID namespaces here (as root, or in a user namespace)."""
    return sandbox_tool() is not None


BASE = "rlimits, process group, scrubbed env, python -I, timeouts"
FALLBACK_LIMITS = ("no namespaces: the submission runs as the grading user and can read and change that user's "
                   "files (the kit included) and leave processes behind; the gradebook and results come only from "
                   "the grader's memory")


def isolation() -> str:
    """What confines a submission on this machine, for the gradebook."""
    tool, base = sandbox_tool(), f"{BASE}, {cgroup.in_force()}"
    if tool == "root":
        return f"namespaces (mount, net, pid, ipc, uts; unshare), own uid, {base}"
    if tool is not None:
        return f"user namespaces (mount, net, pid, ipc, uts; {tool}), {base}"
    if os.geteuid() == 0 and world_executable(sys.executable):
        return f"fallback, own uid, {base}; no namespaces: files readable by all users are visible"
    return f"fallback, {base}; {FALLBACK_LIMITS}"


def world_executable(path: str) -> bool:
    p = Path(path)
    while True:
        try:
            if not p.stat().st_mode & 0o001:
                return False
        except OSError:
            return False
        if p.parent == p:
            return True
        p = p.parent
