"""Sandbox: run a submission's code in a fresh, confined child interpreter and call into it.

Where the grader runs as root and the kernel allows namespaces (`unshare` of util-linux), the child gets a mount
namespace that shows it only the Python installation and a private /tmp (the course repository, the solutions, the
hidden suites, other submissions and the grader's outputs are covered by empty file systems), a network namespace with
no interface, a PID namespace, and an unprivileged user of its own. Everywhere, it gets rlimits (memory, CPU, file
size, open files, processes), a scrubbed environment, `python -I`, and wall-clock timeouts that kill every process
it started. `isolation()` says which of these are in force; the gradebook records it.
"""

from __future__ import annotations

import fcntl
import os
import resource
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from functools import cache
from pathlib import Path

from autograder import wire
from autograder.backend import outcome
from autograder.config import LIMITS, ROOT, SANDBOX_UID_BASE, Limits
from autograder.testing import CallTimeout, SubmissionDied

KIT_FILES = (Path(__file__).with_name("child.py"), Path(__file__).with_name("wire.py"))
MARKER_WAIT = 2.0  # seconds to wait for the end-of-load marker when a submission redirected its own output
ALWAYS_HIDDEN = ("/root", "/home", "/work", "/srv", "/opt", "/media", "/var/tmp", "/run", "/dev/shm")

# Runs as root inside the new namespaces: cover every private place with an empty tmpfs, put back only the Python
# installation, then drop to the sandbox user. Arguments: uid, code dir, N_hide, hide..., N_expose, expose..., argv...
_SETUP = r"""
set -eu
uid=$1; code=$2; shift 2
mount -t tmpfs -o size=1m,mode=0755 kit-stage /mnt
n=$1; shift; hide=""; i=0
while [ $i -lt $n ]; do hide="$hide $1"; shift; i=$((i+1)); done
n=$1; shift; i=0
while [ $i -lt $n ]; do
  mkdir -p /mnt/e$i; mount --bind "$1" /mnt/e$i; echo "$1" > /mnt/e$i.path; shift; i=$((i+1))
done
mkdir /mnt/code; mount --bind "$code" /mnt/code
for h in $hide; do [ -d "$h" ] && mount -t tmpfs -o size=1m,mode=0755,nosuid,nodev kit-hidden "$h"; done
mount -t tmpfs -o size=__TMPFS__,mode=1777,nosuid,nodev kit-tmp /tmp
for f in /mnt/e*.path; do
  [ -e "$f" ] || continue
  p=$(cat "$f"); d=${f%.path}
  mkdir -p "$p"; mount --bind "$d" "$p"; mount -o remount,bind,ro "$p"
done
mkdir -p /tmp/kit /tmp/work; mount --bind /mnt/code /tmp/kit; mount -o remount,bind,ro /tmp/kit
chown "$uid:$uid" /tmp/work
umount -R /mnt 2>/dev/null || umount -l /mnt
mount -t tmpfs -o size=1m,mode=0755 kit-empty /mnt
cd /tmp/work
exec setpriv --reuid "$uid" --regid "$uid" --clear-groups --no-new-privs --bounding-set -all -- "$@"
"""


@cache
def namespaces_available() -> bool:
    """True when we are root and `unshare` can make mount, network and PID namespaces here."""
    if os.geteuid() != 0 or not (shutil.which("unshare") and shutil.which("setpriv")):
        return False
    try:
        probe = subprocess.run(
            ["unshare", "--mount", "--net", "--pid", "--fork", "--kill-child", "--mount-proc",
             "sh", "-c", "mount -t tmpfs none /mnt && echo ok"],
            capture_output=True, text=True, timeout=20,
        )
    except (OSError, subprocess.TimeoutExpired):
        return False
    return probe.returncode == 0 and probe.stdout.strip() == "ok"


def isolation() -> str:
    """What confines a submission on this machine, for the gradebook."""
    base = "rlimits, process group, scrubbed env, python -I, timeouts"
    if namespaces_available():
        return f"namespaces (mount, net, pid), own uid, {base}"
    if os.geteuid() == 0:
        return f"own uid, {base}; no namespaces: files readable by all users are visible"
    return f"{base}; no namespaces, same user: files of the grading user are visible"


def _child_env() -> dict[str, str]:
    return {
        "PATH": "/usr/bin:/bin",
        "LANG": "C.UTF-8",
        "HOME": "/tmp/work",
        "TMPDIR": "/tmp",
        "MPLBACKEND": "Agg",
        "OPENBLAS_NUM_THREADS": "1",
        "OMP_NUM_THREADS": "1",
        "MKL_NUM_THREADS": "1",
        "PYTHONDONTWRITEBYTECODE": "1",
        "PYTHONHASHSEED": "0",
    }


def _set_limits(limits: Limits) -> None:
    """In the child between fork and exec: own session, and the resource limits."""
    os.setsid()
    for res, value in (
        (resource.RLIMIT_AS, limits.memory),
        (resource.RLIMIT_CPU, limits.cpu_seconds),
        (resource.RLIMIT_FSIZE, limits.file_size),
        (resource.RLIMIT_NOFILE, limits.open_files),
        (resource.RLIMIT_NPROC, limits.processes),
        (resource.RLIMIT_CORE, 0),
    ):
        resource.setrlimit(res, (value, value))


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


class _Drain(threading.Thread):
    """Reads a pipe to its end, keeping the first `keep` bytes of what was printed before `marker` (the child's
    end-of-load handshake: what is printed during hidden tests could reveal them, so it is never kept)."""

    def __init__(self, fd: int, keep: int, marker: bytes):
        super().__init__(daemon=True)
        self.fd, self.keep, self.marker = fd, keep, marker
        self.kept, self.size, self.end, self.tail = bytearray(), 0, None, b""
        self.marked = threading.Event()

    def run(self) -> None:
        try:
            while chunk := os.read(self.fd, 65536):
                if self.end is None:
                    self._take(chunk)
        except OSError:
            pass
        finally:
            os.close(self.fd)

    def _take(self, chunk: bytes) -> None:
        window, start = self.tail + chunk, self.size - len(self.tail)  # `start`: where `window` begins
        self.kept += chunk[: max(self.keep - len(self.kept), 0)]
        self.size += len(chunk)
        self.tail = window[-(len(self.marker) - 1):] if len(self.marker) > 1 else b""
        at = window.find(self.marker)
        if at >= 0:
            self.freeze(start + at)
            self.marked.set()

    def freeze(self, end: int | None = None) -> None:
        """Keep nothing printed after byte `end` (default: what was read so far)."""
        if self.end is None:
            self.end = self.size if end is None else end
            del self.kept[min(self.end, self.keep):]

    def text(self) -> str:
        out = bytes(self.kept).decode("utf-8", "replace")
        return out + ("\n[… output cut]" if (self.end if self.end is not None else self.size) > self.keep else "")


class Sandbox:
    """One submission's confined interpreter, restarted after a crash or a timeout.

    One bug costs one part: a function whose call ran over its limit or killed the process is not called again (its
    later tests fail at once, with the same reason), and the process is restarted for the other functions; only the
    submission's total time limit bounds the restarts."""

    def __init__(self, cells: list[tuple[str, str]], *, slot: int = 0, limits: Limits = LIMITS,
                 hide: tuple[str, ...] = (), guard: dict[str, list[str]] | None = None):
        self.cells, self.limits, self.slot = cells, limits, slot
        self.guard = dict(guard or {})  # solution function -> forbidden calls (autograder.rules)
        self.hide = tuple(dict.fromkeys((*ALWAYS_HIDDEN, str(ROOT), *hide)))
        self._uid_lock: int | None = None
        self.uid = self._claim_uid(SANDBOX_UID_BASE + slot) if os.geteuid() == 0 else os.geteuid()
        self.deadline = time.monotonic() + limits.submission_timeout
        self.starts = 0
        self.load_errors: list[dict] = []
        self.output = ""
        self.timed_out = False
        self.loaded = False
        self.dead = ""  # set when loading failed: it would fail the same way again, so no restart
        self.incidents: list[tuple[str, str]] = []  # ("timeout" | "crash", message) of every lost process
        self.broken: dict[str, Exception] = {}  # function -> what happened when it timed out or killed the process
        self.proc: subprocess.Popen | None = None
        self._code_dir: str | None = None

    def _claim_uid(self, first: int) -> int:
        """A sandbox uid no other sandbox on this machine uses now (a lock file per uid, held until release)."""
        folder = Path(tempfile.gettempdir()) / "kit-sandbox-uids"
        folder.mkdir(mode=0o700, exist_ok=True)
        for uid in range(first, first + 512):
            fd = os.open(folder / f"{uid}.lock", os.O_CREAT | os.O_RDWR, 0o600)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError:
                os.close(fd)
                continue
            self._uid_lock = fd
            return uid
        raise RuntimeError("no free sandbox uid")

    def release(self) -> None:
        """Close the sandbox and give its uid back."""
        self.close()
        if self._uid_lock is not None:
            os.close(self._uid_lock)
            self._uid_lock = None

    # -- life cycle -------------------------------------------------------------------------------------------
    def _spawn(self) -> None:
        if self.dead:
            raise SubmissionDied(self.dead)
        if time.monotonic() > self.deadline:
            self.timed_out = True
            raise CallTimeout("the submission used up its total time limit")
        self.starts += 1
        self._code_dir = tempfile.mkdtemp(prefix="kit-code-")
        for f in KIT_FILES:
            shutil.copy(f, self._code_dir)
        os.chmod(self._code_dir, 0o755)
        to_child_r, to_child_w = os.pipe()
        from_child_r, from_child_w = os.pipe()
        out_r, out_w = os.pipe()
        python = sys.executable
        script = "/tmp/kit/child.py" if namespaces_available() else os.path.join(self._code_dir, "child.py")
        child_args = [python, "-I", script, str(to_child_r), str(from_child_w)]
        if namespaces_available():
            expose = self._expose()
            setup = _SETUP.replace("__TMPFS__", self.limits.tmpfs_size)
            argv = ["unshare", "--mount", "--net", "--pid", "--fork", "--kill-child", "--mount-proc",
                    "sh", "-c", setup, "kit-setup", str(self.uid), self._code_dir,
                    str(len(self.hide)), *self.hide, str(len(expose)), *expose, *child_args]
            cwd, user = "/", None
        else:
            argv, cwd = child_args, self._code_dir
            user = self.uid if os.geteuid() == 0 and _world_executable(python) else None
        self.proc = subprocess.Popen(
            argv, stdin=subprocess.DEVNULL, stdout=out_w, stderr=out_w, cwd=cwd, env=_child_env(),
            pass_fds=(to_child_r, from_child_w), preexec_fn=lambda: _set_limits(self.limits), user=user,
            close_fds=True,
        )
        for fd in (to_child_r, from_child_w, out_w):
            os.close(fd)
        self._to, self._from = to_child_w, from_child_r
        marker = f"<end of load {secrets.token_hex(16)}>"
        self._drain = _Drain(out_r, self.limits.output_kept, marker.encode())
        self._drain.start()
        request = {"op": "load", "cells": self.cells, "marker": marker, "keep": self.limits.message_kept,
                   "guard": self.guard}
        reply = self._request(request, self.limits.load_timeout, "loading the notebook")
        if reply.get("op") != "loaded":
            raise SubmissionDied("unexpected answer while loading the notebook")
        self.loaded = True
        # the child wrote the marker after what loading printed; without it (fd 1 redirected) keep what arrived
        self._drain.marked.wait(MARKER_WAIT)
        self._drain.freeze()
        if self.starts == 1:
            self.load_errors = [e for e in reply.get("errors", []) if isinstance(e, dict)]

    def _expose(self) -> list[str]:
        paths = {os.path.realpath(sys.base_prefix), os.path.realpath(sys.prefix), sys.prefix}
        return sorted(p for p in paths if not p.startswith(("/usr", "/lib", "/bin", "/etc")))

    def close(self) -> None:
        """Kill every process of the submission and release its resources."""
        if self.proc is None:
            return
        try:
            os.killpg(self.proc.pid, signal.SIGKILL)
        except OSError:
            pass
        if self.uid != os.geteuid():
            kill_uid(self.uid)
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            pass
        for fd in (self._to, self._from):
            try:
                os.close(fd)
            except OSError:
                pass
        self._drain.join(timeout=2)
        self.output += self._drain.text()
        shutil.rmtree(self._code_dir, ignore_errors=True)
        self.proc = None

    def __enter__(self) -> Sandbox:
        return self

    def __exit__(self, *exc) -> None:
        self.release()

    # -- calls ------------------------------------------------------------------------------------------------
    def start(self) -> None:
        if self.proc is None:
            try:
                self._spawn()
            except (CallTimeout, SubmissionDied) as exc:
                self.close()
                if not self.loaded and not self.dead:
                    self.dead = f"{exc}; no test could run"
                raise

    def call(self, name: str, args, kwargs, *, echo: bool = False, timeout: float | None = None):
        """Run `name(*args, **kwargs)` in the submission; returns (value, inputs_after or None)."""
        if name in self.broken:
            earlier = self.broken[name]
            raise type(earlier)(f"{earlier} — not called again")
        self.start()
        handles: dict = {}
        request = {"op": "call", "name": name, "args": list(args), "kwargs": dict(kwargs), "echo": echo}
        try:
            reply = self._request(request, timeout or self.limits.call_timeout, f"{name}()", handles)
        except (CallTimeout, SubmissionDied) as exc:
            if not self.timed_out:
                self.broken[name] = exc
            raise
        return outcome(reply, name, echo)

    def _request(self, request: dict, timeout: float, what: str, handles: dict | None = None) -> dict:
        deadline = min(time.monotonic() + timeout, self.deadline)
        try:
            wire.send(self._to, request, handles)
            while True:
                reply = wire.receive(self._from, deadline=deadline)
                if not isinstance(reply, dict):
                    raise wire.WireError("not a message")
                if reply.get("op") != "callback":
                    return reply
                wire.send(self._to, self._run_callback(reply, handles or {}))
        except TimeoutError:
            total = time.monotonic() >= self.deadline
            self.timed_out = self.timed_out or total
            self.close()
            limit = "its total time limit" if total else f"the {timeout:g} s limit"
            message = f"{what} did not finish within {limit} (endless loop?)"
            self.incidents.append(("timeout", message))
            raise CallTimeout(message) from None
        except (EOFError, BrokenPipeError, OSError):
            try:
                code = self.proc.wait(timeout=2) if self.proc else None
            except subprocess.TimeoutExpired:
                code = None
            self.close()
            message = f"the submission's process ended during {what} ({_exit_reason(code)})"
            self.incidents.append(("crash", message))
            raise SubmissionDied(message) from None
        except (wire.WireError, ValueError, KeyError, TypeError) as exc:
            self.close()
            message = f"{what}: the submission's process sent an unreadable answer ({exc})"
            self.incidents.append(("crash", message))
            raise SubmissionDied(message) from None

    def _run_callback(self, request: dict, handles: dict) -> dict:
        fn = handles.get(request.get("handle"))
        if fn is None:
            return {"op": "callback_raise", "type": "RuntimeError", "message": "unknown function"}
        try:
            return {"op": "callback_return", "value": fn(*request.get("args", []), **request.get("kwargs", {}))}
        except Exception as exc:  # the parent's implementation raised: tell the student's test, plainly
            return {"op": "callback_raise", "type": type(exc).__name__,
                    "message": str(exc)[: self.limits.message_kept]}


def _world_executable(path: str) -> bool:
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


def _exit_reason(code: int | None) -> str:
    if code is None:
        return "it stopped answering"
    if code < 0:
        name = signal.Signals(-code).name if -code in signal.Signals._value2member_map_ else str(-code)
        hint = {"SIGKILL": "killed: memory or CPU limit?", "SIGXCPU": "CPU time limit",
                "SIGSEGV": "crashed", "SIGXFSZ": "file size limit"}.get(name, "")
        return f"signal {name}" + (f", {hint}" if hint else "")
    return f"exit code {code}: sys.exit or os._exit?"
