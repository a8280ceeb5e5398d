"""The fork servers of this process (autograder/forkserver.py runs in each): started on first use, one per
`Preload`, asked over a socket to fork a confined child; and what every child gets from the grader whichever way it
starts (its environment, its rlimits, the confinement plan)."""

from __future__ import annotations

import json
import os
import resource
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
from pathlib import Path

from autograder import confinement
from autograder.config import NO_PRELOAD, Limits, Preload
from autograder.failures import SubmissionDied

KIT_FILES = (Path(__file__).with_name("child.py"), Path(__file__).with_name("wire.py"))
FORK_SERVER = Path(__file__).with_name("forkserver.py")
FORK_SERVER_FILES = (*KIT_FILES, Path(__file__).with_name("confinement.py"), FORK_SERVER)
START_TIMEOUT = 120.0  # seconds for a fork server to import what it preloads and say it is ready


def spawn_request(mode: str, uid: int | None, limits: Limits, hide: tuple[str, ...], cwd: str,
                   preload: Preload) -> dict:
    """What the fork server needs to confine one child (autograder/forkserver.py)."""
    return {"op": "spawn", "mode": mode, "uid": uid, "env": child_env(preload), "cwd": cwd,
            "limits": rlimits(limits, nproc=mode != "user"), "nproc": limits.processes,
            "plan": confinement.plan(limits.tmpfs_size, hide).to_json()}


def child_env(preload: Preload = NO_PRELOAD) -> dict[str, str]:
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


def rlimits(limits: Limits, nproc: bool = True) -> dict[str, int]:
    """The child's resource limits. In a user namespace the process limit is set inside it, where it counts only
    the submission's processes, not all the grading user's."""
    values = {"RLIMIT_AS": limits.memory, "RLIMIT_CPU": limits.cpu_seconds, "RLIMIT_FSIZE": limits.file_size,
              "RLIMIT_NOFILE": limits.open_files, "RLIMIT_NPROC": limits.processes if nproc else None,
              "RLIMIT_CORE": 0}
    return {name: value for name, value in values.items() if value is not None}


def set_limits(limits: Limits, nproc: bool = True) -> None:
    """In an exec'd child between fork and exec: own session, and the resource limits."""
    os.setsid()
    for name, value in rlimits(limits, nproc).items():
        resource.setrlimit(getattr(resource, name), (value, value))


class PreloadFailed(Exception):
    """A fork server could not import what its assignment preloads (or it was not safe to fork after): its
    children are forked from the plain server instead, and import those modules themselves."""


class ForkServer:
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
            pass_fds=(theirs.fileno(),), env=child_env(self.preload), cwd=folder, stdin=subprocess.DEVNULL,
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


_FORK_SERVERS: dict[Preload, ForkServer] = {}
_FORK_SERVERS_LOCK = threading.Lock()


def fork_server(preload: Preload) -> ForkServer:
    """This process's fork server for children that find `preload` imported (made, not started: `ask` starts it)."""
    with _FORK_SERVERS_LOCK:
        return _FORK_SERVERS.setdefault(preload, ForkServer(preload))


class Forked:
    """A child forked by a fork server, seen as much like a subprocess.Popen as the sandbox needs."""

    def __init__(self, pid: int, server: ForkServer):
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


def server_pids() -> set[int]:
    """The pids of this process's running fork servers."""
    with _FORK_SERVERS_LOCK:
        return {p for p in (s.pid() for s in _FORK_SERVERS.values()) if p is not None}

