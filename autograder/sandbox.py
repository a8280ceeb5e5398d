"""Sandbox: run a submission's code in a fresh, confined child interpreter and call into it.

Where the kernel allows namespaces, the child gets a mount namespace whose file system is built from nothing: the
system directories and the Python installation (read-only), a private /tmp, a fresh /proc and a
minimal /dev; the course repository, home directories, other submissions, the grader's outputs and the shared /tmp
are not there at all. It also gets network (no interface), PID (killing its first process ends every process it
started, even one that called setsid), IPC and UTS namespaces. Each child is forked from one of this process's fork
servers (autograder/forkserver.py: numpy imported once, no submission code ever; one server per `Preload`, so that an
assignment's children may also find its libraries imported, and the others do not get them), and confines itself
with system calls before it runs anything of the submission: as root, new namespaces and an unprivileged uid of its
own; as any other user, a user namespace of its own in which it keeps no capability and may not make another. Where
only bubblewrap may make user namespaces, `bwrap` starts a new interpreter instead (nothing preloaded).
KIT_ISOLATION forces a mode (`requested_mode`). Everywhere, the child gets rlimits (memory, CPU, file size, open
files, processes), a scrubbed environment, `python -I`'s flags, and wall-clock timeouts that kill its process group.
`isolation()` says which of these are in force; the gradebook records it.

This module is the call protocol (`Sandbox`); beside it: `modes` (which isolation holds, probed once),
`fork_servers` (the fork-server client), `confinement` (what the child gets), `reaping` (what a submission leaves
behind), `drain` (its output).
"""

from __future__ import annotations

import fcntl
import os
import secrets
import select
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from functools import cache
from pathlib import Path

from autograder import callbacks, cgroup, confinement, cputime, reaping, wire
from autograder.backend import outcome
from autograder.config import LIMITS, NO_PRELOAD, ROOT, SANDBOX_UID_BASE, Limits, Preload
from autograder.drain import Drain
from autograder.failures import CallTimeout, SubmissionDied
from autograder.fork_servers import KIT_FILES, Forked, PreloadFailed, child_env, fork_server, set_limits, spawn_request
from autograder.modes import (
    bwrap_options,
    isolation,
    namespaces_available,
    requested_mode,
    sandbox_tool,
    world_executable,
)
from autograder.reaping import adopt_orphans, kill_children, kill_uid

__all__ = ["Sandbox", "isolation", "namespaces_available", "requested_mode", "sandbox_tool", "fork_server",
           "adopt_orphans", "kill_uid"]  # what the grader and the tests import from here

MARKER_WAIT = 2.0  # seconds to wait for the end-of-load marker when a submission redirected its own output
_seccomp_program = cache(confinement.seccomp_program)  # compiled once per process, for bwrap


class Sandbox:
    """One submission's confined interpreter, restarted after a crash or a timeout.

    One bug costs one part: a function whose call ran over its limit or killed the process is not called again (its
    later tests fail at once, with the same reason), and the process is restarted for the other functions; only the
    submission's total time limit bounds the restarts."""

    def __init__(self, cells: list[tuple[str, str]], *, slot: int = 0, limits: Limits = LIMITS,
                 hide: tuple[str, ...] = (), guard: dict[str, list[str]] | None = None,
                 preload: Preload = NO_PRELOAD):
        self.cells, self.limits = cells, limits
        self.preload = preload  # what a forked child finds imported (bwrap's new interpreter: only its environment)
        self.guard = dict(guard or {})  # solution function -> forbidden calls (autograder.rules)
        # absent from the child's file system anyway; covered again where they lie inside what it sees (the kit
        # installed into the venv or the system's site-packages)
        self.hide = tuple(dict.fromkeys((*(str(ROOT / d) for d in ("autograder", "solutions", "assignments")),
                                         os.path.expanduser("~"), *hide)))
        self.tool = sandbox_tool()
        self._uid_lock: int | None = None
        self.uid = self._claim_uid(SANDBOX_UID_BASE + slot) if os.geteuid() == 0 else os.geteuid()
        self.deadline = time.monotonic() + limits.submission_timeout  # moved by the time spent waiting for a CPU
        self._hard = time.monotonic() + cputime.WALL_FACTOR * limits.submission_timeout
        self._waited = 0.0  # what the submission's earlier processes waited for a CPU (autograder.cputime)
        self.starts = 0
        self.load_errors: list[dict] = []
        self.output = ""
        self.timed_out = False
        self.loaded = False
        self.dead = ""  # set when loading failed: it would fail the same way again, so no restart
        self.incidents: list[tuple[str, str]] = []  # ("timeout" | "crash", message) of every lost process
        self.broken: dict[str, Exception] = {}  # function -> what happened when it timed out or killed the process
        self.proc: subprocess.Popen | None = None
        self._serving: int | None = None
        self._share: cgroup.Share | None = None
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
        if time.monotonic() > self._own_deadline(0.0):
            self.timed_out = True
            raise CallTimeout("the submission used up its total time limit")
        self.starts += 1
        # a CPU share of its own where the machine has cgroup v2 (autograder/cgroup.py), joined before anything runs
        self._share = cgroup.Share.make(f"kit-{os.getpid()}-{self.uid}-{self.starts}", self.limits)
        # a folder for bwrap's copy of the child's code, or the fallback's working directory (the fork server's
        # namespaces need none: the child's code is already loaded, its /tmp is its own)
        self._code_dir = tempfile.mkdtemp(prefix="kit-code-") if self.tool in ("bwrap", None) else None
        if self._code_dir:
            os.chmod(self._code_dir, 0o755)
        to_child_r, to_child_w = os.pipe()
        from_child_r, from_child_w = os.pipe()
        out_r, out_w = os.pipe()
        theirs = (to_child_r, from_child_w, out_w)
        try:
            self.proc = self._exec(theirs) if self.tool == "bwrap" else self._fork(theirs)
        except BaseException:
            for fd in (to_child_w, from_child_r, out_r):
                os.close(fd)
            self._remove_code_dir()
            self._close_share()
            raise
        finally:
            for fd in theirs:
                os.close(fd)
        self._to, self._from = to_child_w, from_child_r
        self._serving = None  # the process that answers calls (found when a call's time has to be measured)
        marker = f"<end of load {secrets.token_hex(16)}>"
        self._drain = Drain(out_r, self.limits.output_kept, marker.encode())
        self._drain.start()
        request = {"op": "load", "cells": self.cells, "marker": marker, "keep": self.limits.message_kept,
                   "guard": self.guard}
        reply = self._request(request, self.limits.load_timeout, "loading the notebook")
        if reply.get("op") != "loaded":
            raise SubmissionDied("unexpected answer while loading the notebook")
        self.loaded = True
        self._find_serving()  # from now on every call measures its own time from its start
        # the child wrote the marker after what loading printed; without it (fd 1 redirected) keep what arrived
        self._drain.marked.wait(MARKER_WAIT)
        self._drain.freeze()
        if self.starts == 1:
            self.load_errors = [e for e in reply.get("errors", []) if isinstance(e, dict)]

    def _exec(self, fds: tuple[int, int, int]) -> subprocess.Popen:
        """Start a new interpreter for the child, confined by bubblewrap."""
        for f in KIT_FILES:
            shutil.copy(f, self._code_dir)
        python = sys.executable
        child_args = [python, "-I", "/tmp/kit/child.py", str(fds[0]), str(fds[1])]
        rules = os.memfd_create("kit-seccomp")  # bwrap reads the compiled seccomp program from it
        try:
            os.write(rules, _seccomp_program())
            os.lseek(rules, 0, os.SEEK_SET)
            return subprocess.Popen(
                self._bwrap_argv(child_args, rules), stdin=subprocess.DEVNULL, stdout=fds[2], stderr=fds[2], cwd="/",
                env=child_env(self.preload), pass_fds=(*fds[:2], rules), preexec_fn=self._preexec,
                close_fds=True,
            )
        finally:
            os.close(rules)

    def _preexec(self) -> None:
        """bwrap's process, between fork and exec: its CPU share, session and limits."""
        cgroup.join(self._share.procs if self._share else None)
        set_limits(self.limits, False)

    def _fork(self, fds: tuple[int, int, int]) -> Forked:
        """Fork the child from the fork server, which confines it (as root: namespaces and the sandbox uid; otherwise
        a user namespace; in the fallback only rlimits, a session and, as root, the sandbox uid)."""
        python_shared = os.geteuid() == 0 and world_executable(sys.executable)
        mode = {"root": "root", "unshare": "user", None: "fallback"}[self.tool]
        uid = {"root": self.uid, "user": 0, "fallback": self.uid if python_shared else None}[mode]
        request = spawn_request(mode, uid, self.limits, self.hide, self._code_dir, self.preload)
        request["cgroup"] = self._share.procs if self._share else None
        server = fork_server(self.preload)
        try:
            reply = server.ask(request, fds)
        except PreloadFailed:  # (said once, by the server) its children would have imported the modules themselves
            server = fork_server(NO_PRELOAD)
            reply = server.ask(request, fds)
        if "pid" not in reply:
            raise SubmissionDied(f"the sandbox could not be started: {reply.get('error', 'no answer')}")
        return Forked(int(reply["pid"]), server)

    def _bwrap_argv(self, child_args: list[str], seccomp: int) -> list[str]:
        """The command line that starts `child_args` confined by bubblewrap: the plan the fork server makes too
        (autograder.confinement), in a user namespace in which the child keeps no capability, with the seccomp
        program read from descriptor `seccomp`."""
        fs = confinement.plan(self.limits.tmpfs_size, self.hide, code=self._code_dir)
        return [*confinement.bwrap_argv(fs, bwrap_options(), seccomp),
                "prlimit", f"--nproc={self.limits.processes}:{self.limits.processes}", "--", *child_args]

    def close(self) -> None:
        """Kill every process of the submission and release its resources."""
        if self.proc is None:
            return
        self._waited += cputime.waited(self._serving)  # (read while it is there)
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
        if reaping.ADOPTING and self.tool is None:  # the fallback, same user: what left its process group is ours
            kill_children()
        for fd in (self._to, self._from):
            try:
                os.close(fd)
            except OSError:
                pass
        self._drain.join(timeout=2)
        self.output += self._drain.text()
        self._remove_code_dir()
        self._close_share()
        self.proc = None

    def _close_share(self) -> None:
        if self._share is not None:
            self._share.close()
            self._share = None

    def _remove_code_dir(self) -> None:
        if self._code_dir:
            shutil.rmtree(self._code_dir, ignore_errors=True)
            self._code_dir = None

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

    def call(self, name: str, args, kwargs, *, echo: bool = False, timeout: float | None = None,
             lower: dict[str, Callable] | None = None):
        """Run `name(*args, **kwargs)` in the submission; returns (value, inputs_after or None). During the call,
        the child's global names in `lower` are callbacks to these functions (the reference's lower parts)."""
        if name in self.broken:
            earlier = self.broken[name]
            raise type(earlier)(f"{earlier} — not called again")
        self.start()
        handles: dict = {}
        lower = dict(lower or {})
        request = {"op": "call", "name": name, "args": list(args), "kwargs": dict(kwargs), "echo": echo,
                   "lower": lower}
        try:
            reply = self._request(request, timeout or self.limits.call_timeout, f"{name}()", handles)
        except (CallTimeout, SubmissionDied) as exc:
            # a call given callbacks (a student's test, run on one implementation) is judged again on the next one;
            # the handles beyond the `lower` ones are those arguments
            if not self.timed_out and len(handles) == len(lower):
                self.broken[name] = exc
            raise
        return outcome(reply, name, echo)

    def _request(self, request: dict, timeout: float, what: str, handles: dict | None = None) -> dict:
        waited = cputime.waited(self._serving)
        clock = cputime.CallClock(timeout, self._own_deadline(waited), self._hard, self._serving, waited)
        try:  # every write has a deadline too: a child that never reads its replies costs this call
            wire.send(self._to, request, handles, deadline=self._grace(clock))
            while True:
                self._await_answer(clock)
                reply = wire.receive(self._from, deadline=self._grace(clock))
                if not isinstance(reply, dict):
                    raise wire.WireError("not a message")
                if reply.get("op") != "callback":
                    return reply
                answer = self._run_callback(reply, handles or {}, clock.deadline)
                wire.send(self._to, answer, deadline=self._grace(clock))
        except TimeoutError:
            total = time.monotonic() >= clock.ceiling
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

    def _own_deadline(self, waited: float) -> float:
        """The submission's deadline in its own time: moved by what its processes waited for a CPU (`waited`: the
        live one's), never past its wall-clock ceiling."""
        return min(self.deadline + self._waited + waited, self._hard)

    def _await_answer(self, clock: cputime.CallClock) -> None:
        """Wait until the child starts answering; TimeoutError when the call's time (autograder.cputime: not the
        time its process waited for a CPU) runs out."""
        while not select.select([self._from], [], [], max(clock.deadline - time.monotonic(), 0))[0]:
            self._find_serving()
            if not clock.extend(self._serving):
                raise TimeoutError("no answer in time")

    def _find_serving(self) -> None:
        """The process that answers calls: the fork server's child in the fallback, the first process of its PID
        namespace otherwise, the Python under bwrap's processes (one scan of /proc, once per process)."""
        if self._serving is None and self.proc is not None:
            self._serving = cputime.serving_pid(self.proc.pid, 0 if self.tool is None else 1,
                                                python=self.tool == "bwrap", owner=self.uid)

    def _grace(self, clock: cputime.CallClock) -> float:
        """The deadline of one message's transfer: what is left of the call, and at least a call's time more (the
        child may be kept waiting for a CPU in the middle of it), never past the submission's deadline."""
        return min(max(clock.deadline, time.monotonic() + clock.timeout), clock.ceiling)

    def _run_callback(self, request: dict, handles: dict, deadline: float) -> dict:
        """The grader's function behind a handle, run for the child within the call's deadline (its time counts
        against the call), on arguments of bounded size, answering errors neutrally (autograder.callbacks)."""
        hid = request.get("handle")
        return callbacks.run(handles.get(hid) if type(hid) is int else None, request, callbacks.size_of(request),
                             deadline)


def _exit_reason(code: int | None) -> str:
    if code is None:
        return "it stopped answering"
    if code < 0:
        name = signal.Signals(-code).name if -code in signal.Signals._value2member_map_ else str(-code)
        hint = {"SIGKILL": "killed: memory or CPU limit?", "SIGXCPU": "CPU time limit",
                "SIGSEGV": "crashed", "SIGXFSZ": "file size limit"}.get(name, "")
        return f"signal {name}" + (f", {hint}" if hint else "")
    return f"exit code {code}: sys.exit or os._exit?"
