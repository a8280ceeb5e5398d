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
"""

from __future__ import annotations

import fcntl
import json
import os
import resource
import secrets
import select
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from functools import cache
from pathlib import Path

from autograder import callbacks, cgroup, confinement, cputime, wire
from autograder.backend import outcome
from autograder.config import LIMITS, NO_PRELOAD, ROOT, SANDBOX_UID_BASE, Limits, Preload
from autograder.failures import CallTimeout, SubmissionDied

KIT_FILES = (Path(__file__).with_name("child.py"), Path(__file__).with_name("wire.py"))
FORK_SERVER = Path(__file__).with_name("forkserver.py")
FORK_SERVER_FILES = (*KIT_FILES, Path(__file__).with_name("confinement.py"), FORK_SERVER)
MARKER_WAIT = 2.0  # seconds to wait for the end-of-load marker when a submission redirected its own output
MODES = ("auto", "namespaces", "bwrap", "unshare", "fallback")  # KIT_ISOLATION
START_TIMEOUT = 120.0  # seconds for a fork server to import what it preloads and say it is ready


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
            request = {**_spawn_request(mode, uid, LIMITS, (), "/", NO_PRELOAD), "op": "probe"}
            return fork_server(NO_PRELOAD).ask(request).get("code") == 0
        except SubmissionDied:
            return False
    if tool == "bwrap":
        return (bool(shutil.which("bwrap") and shutil.which("prlimit"))
                and _runs(["bwrap", "--unshare-all", "--unshare-user", "--die-with-parent", "--ro-bind", "/", "/",
                           "--proc", "/proc", "--dev", "/dev", "--tmpfs", "/tmp", "sh", "-c", "echo ok"]))
    return False


def _spawn_request(mode: str, uid: int | None, limits: Limits, hide: tuple[str, ...], cwd: str,
                   preload: Preload) -> dict:
    """What the fork server needs to confine one child (autograder/forkserver.py)."""
    return {"op": "spawn", "mode": mode, "uid": uid, "env": _child_env(preload), "cwd": cwd,
            "limits": _rlimits(limits, nproc=mode != "user"), "nproc": limits.processes,
            "plan": confinement.plan(limits.tmpfs_size, hide).to_json()}


@cache
def _bwrap_knows(option: str) -> bool:
    """Older bubblewraps (Ubuntu 22.04 has 0.6) lack --disable-userns (0.8) and --size (0.7.1)."""
    try:
        return option in subprocess.run(["bwrap", "--help"], capture_output=True, text=True, timeout=20).stdout
    except (OSError, subprocess.TimeoutExpired):
        return False


def _bwrap_options() -> frozenset[str]:
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
    if os.geteuid() == 0 and _world_executable(sys.executable):
        return f"fallback, own uid, {base}; no namespaces: files readable by all users are visible"
    return f"fallback, {base}; {FALLBACK_LIMITS}"


def _child_env(preload: Preload = NO_PRELOAD) -> dict[str, str]:
    """The child's whole environment (and its fork server's): the assignment's preload may add variables, never
    change these."""
    return preload.environ | {
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


def _rlimits(limits: Limits, nproc: bool = True) -> dict[str, int]:
    """The child's resource limits. In a user namespace the process limit is set inside it, where it counts only
    the submission's processes, not all the grading user's."""
    values = {"RLIMIT_AS": limits.memory, "RLIMIT_CPU": limits.cpu_seconds, "RLIMIT_FSIZE": limits.file_size,
              "RLIMIT_NOFILE": limits.open_files, "RLIMIT_NPROC": limits.processes if nproc else None,
              "RLIMIT_CORE": 0}
    return {name: value for name, value in values.items() if value is not None}


def _set_limits(limits: Limits, nproc: bool = True) -> None:
    """In an exec'd child between fork and exec: own session, and the resource limits."""
    os.setsid()
    for name, value in _rlimits(limits, nproc).items():
        resource.setrlimit(getattr(resource, name), (value, value))


class PreloadFailed(Exception):
    """A fork server could not import what its assignment preloads (or it was not safe to fork after): its
    children are forked from the plain server instead, and import those modules themselves."""


class _ForkServer:
    """One of this process's fork servers (autograder/forkserver.py), for children that find `preload` imported:
    started on first use, restarted when it died. Children of the root and unshare modes and of the fallback are
    forked from one; bwrap execs."""

    def __init__(self, preload: Preload = NO_PRELOAD):
        self.preload = preload
        self.lock = threading.Lock()
        self.proc: subprocess.Popen | None = None
        self.sock: socket.socket | None = None
        self.failed = ""  # why it could not preload: it is not started again
        self.hello: dict = {}  # what it said when it was ready (modules, threads)

    def _start(self) -> str:
        """Start the server and wait until it is ready; '' when it is, else why not."""
        folder = tempfile.mkdtemp(prefix="kit-forkserver-")  # the server deletes it once it has imported it
        for f in FORK_SERVER_FILES:
            shutil.copy(f, folder)
        os.chmod(folder, 0o755)
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        self.proc = subprocess.Popen(
            [sys.executable, "-I", os.path.join(folder, FORK_SERVER.name), str(theirs.fileno()),
             *self.preload.modules],
            pass_fds=(theirs.fileno(),), env=_child_env(self.preload), cwd=folder, stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL, close_fds=True)
        theirs.close()
        self.sock = ours
        try:
            ours.settimeout(START_TIMEOUT)
            hello = json.loads(ours.recv(1 << 16) or b"{}")
            ours.settimeout(None)
        except (OSError, ValueError) as exc:
            hello = {"error": f"no answer ({type(exc).__name__})"}
        if not isinstance(hello, dict) or not hello.get("ready"):
            self.stop()
            return str(hello.get("error") if isinstance(hello, dict) else "") or "it ended without saying why"
        self.hello = hello
        return ""

    def stop(self) -> None:
        if self.sock is not None:
            self.sock.close()
            self.sock = None
        if self.proc is not None:
            self.proc.kill()
            self.proc.wait()
            self.proc = None

    def ask(self, request: dict, fds: tuple[int, ...] = ()) -> dict:
        """Send `request` (with `fds`) and return the reply; PreloadFailed when this server cannot preload."""
        why = "its fork server died"
        with self.lock:
            if self.failed:
                raise PreloadFailed(self.failed)
            for _ in range(2):
                if self.proc is None or self.proc.poll() is not None:
                    if request["op"] == "wait":
                        return {}  # its children died with it
                    self.stop()
                    error = self._start()
                    if error and self.preload.modules:
                        self.failed = f"preloading {', '.join(self.preload.modules)} failed: {error}"
                        print(f"autograder: {self.failed}; sandboxed children import them themselves (slower, the "
                              "same grades)", file=sys.__stderr__, flush=True)  # (the suites' output is captured)
                        raise PreloadFailed(self.failed)
                    if error:
                        why = f"its fork server did not start: {error}"
                        continue
                try:
                    socket.send_fds(self.sock, [json.dumps(request).encode()], list(fds))
                    reply = self.sock.recv(1 << 16)
                    if reply:
                        return json.loads(reply)
                except OSError:
                    pass
                self.stop()
        raise SubmissionDied(f"the sandbox could not be started ({why})")

    def pid(self) -> int | None:
        return self.proc.pid if self.proc is not None else None


_FORK_SERVERS: dict[Preload, _ForkServer] = {}
_FORK_SERVERS_LOCK = threading.Lock()


def fork_server(preload: Preload) -> _ForkServer:
    """This process's fork server for children that find `preload` imported (made, not started: `ask` starts it)."""
    with _FORK_SERVERS_LOCK:
        return _FORK_SERVERS.setdefault(preload, _ForkServer(preload))


class _Forked:
    """A child forked by a fork server, seen as much like a subprocess.Popen as the sandbox needs."""

    def __init__(self, pid: int, server: _ForkServer):
        self.pid, self.server, self.returncode = pid, server, None

    def wait(self, timeout: float) -> int | None:
        if self.returncode is None:
            reply = self.server.ask({"op": "wait", "pid": self.pid, "timeout": timeout})
            if not reply:
                return None  # the fork server died, and its children with it: nobody knows how they ended
            code = reply.get("code")
            if code is None:
                raise subprocess.TimeoutExpired("sandbox", timeout)
            self.returncode = code
        return self.returncode


_ADOPTING = False  # this process adopts the orphans of its sandboxes (a batch worker: its only children are them)


def adopt_orphans() -> bool:
    """Make this process the reaper of every orphan among its descendants (Linux's PR_SET_CHILD_SUBREAPER), so that
    a process a submission detached with setsid comes back to it and is killed with the sandbox. Only for a process
    whose children are all sandboxes (a batch worker): `Sandbox.close` then kills every child left."""
    global _ADOPTING
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        _ADOPTING = libc.prctl(36, 1, 0, 0, 0) == 0  # PR_SET_CHILD_SUBREAPER
    except (OSError, AttributeError):
        _ADOPTING = False
    return _ADOPTING


def kill_children() -> None:
    """SIGKILL every child of this process but its fork servers (in a batch worker: what a submission left behind),
    then reap them."""
    me = str(os.getpid())
    with _FORK_SERVERS_LOCK:
        spare = {str(s.pid()) for s in _FORK_SERVERS.values()}
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
        self._drain = _Drain(out_r, self.limits.output_kept, marker.encode())
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
        return subprocess.Popen(
            self._bwrap_argv(child_args), stdin=subprocess.DEVNULL, stdout=fds[2], stderr=fds[2], cwd="/",
            env=_child_env(self.preload), pass_fds=fds[:2], preexec_fn=self._preexec,
            close_fds=True,
        )

    def _preexec(self) -> None:
        """bwrap's process, between fork and exec: its CPU share, session and limits."""
        cgroup.join(self._share.procs if self._share else None)
        _set_limits(self.limits, False)

    def _fork(self, fds: tuple[int, int, int]) -> _Forked:
        """Fork the child from the fork server, which confines it (as root: namespaces and the sandbox uid; otherwise
        a user namespace; in the fallback only rlimits, a session and, as root, the sandbox uid)."""
        python_shared = os.geteuid() == 0 and _world_executable(sys.executable)
        mode = {"root": "root", "unshare": "user", None: "fallback"}[self.tool]
        uid = {"root": self.uid, "user": 0, "fallback": self.uid if python_shared else None}[mode]
        request = _spawn_request(mode, uid, self.limits, self.hide, self._code_dir, self.preload)
        request["cgroup"] = self._share.procs if self._share else None
        server = fork_server(self.preload)
        try:
            reply = server.ask(request, fds)
        except PreloadFailed:  # (said once, by the server) its children would have imported the modules themselves
            server = fork_server(NO_PRELOAD)
            reply = server.ask(request, fds)
        if "pid" not in reply:
            raise SubmissionDied(f"the sandbox could not be started: {reply.get('error', 'no answer')}")
        return _Forked(int(reply["pid"]), server)

    def _bwrap_argv(self, child_args: list[str]) -> list[str]:
        """The command line that starts `child_args` confined by bubblewrap: the plan the fork server makes too
        (autograder.confinement), in a user namespace in which the child keeps no capability."""
        fs = confinement.plan(self.limits.tmpfs_size, self.hide, code=self._code_dir)
        return [*confinement.bwrap_argv(fs, _bwrap_options()),
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
        if _ADOPTING and self.tool is None:  # the fallback, same user: what left the process group came back here
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
