"""Fork server: a Python that has imported numpy once and forks every sandboxed child into fresh namespaces.

Usage: python -I forkserver.py SOCKET_FD [MODULE ...]   (started by `autograder.fork_servers`, with child.py and wire.py
beside it; the MODULEs an assignment preloads, with the environment it declares already set)

Starting a child with exec costs about 0.15 s of CPU per submission: an interpreter, numpy, and the namespace set-up
through mount(8). Forked from here it costs a few milliseconds. This process never runs submission code and knows
nothing secret (no suite, no reference, no marker): each request forks a process that confines itself — fresh mount,
network, PID, IPC and UTS namespaces (and a user namespace without root), a root file system built from nothing, no
capability, no new user namespace (seccomp), the sandbox's uid and rlimits — and only then becomes the child
(`child.serve`). Requests come as JSON over a SOCK_SEQPACKET socket, with the child's three pipe ends as SCM_RIGHTS;
replies are JSON. The first message is the server's own: ready (what it imported, its thread count), or why it could
not preload (then it exits).

An assignment may preload more than numpy (A6: jax and keras, about 2 s a child otherwise). Those imports are trusted
library code, run before any request; forking afterwards is only safe while the server is still one thread and no
runtime was started (JAX creates XLA's thread pools with its first backend), so `fork_hazards` is checked after them.
"""

from __future__ import annotations

import ctypes
import errno
import importlib
import json
import os
import platform
import resource
import select
import shutil
import signal
import socket
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import child  # noqa: E402 — beside this file
import confinement  # noqa: E402 — beside this file
import numpy  # noqa: E402, F401 — the point: every child starts with numpy imported

MS_RDONLY, MS_NOSUID, MS_NODEV, MS_NOEXEC, MS_REMOUNT = 1, 2, 4, 8, 32
MS_NOATIME, MS_NODIRATIME, MS_BIND, MS_REC, MS_PRIVATE, MS_RELATIME = 1024, 2048, 4096, 16384, 1 << 18, 1 << 21
NAMESPACES = {"mount": 0x20000, "uts": 0x4000000, "ipc": 0x8000000, "user": 0x10000000, "pid": 0x20000000,
              "net": 0x40000000}  # their CLONE_NEW* flags
PR_SET_PDEATHSIG, PR_CAPBSET_READ, PR_CAPBSET_DROP, PR_SET_NO_NEW_PRIVS, PR_CAP_AMBIENT = 1, 23, 24, 38, 47
MNT_DETACH = 2
SYS_PIVOT_ROOT = {"x86_64": 155, "aarch64": 41, "riscv64": 41, "ppc64le": 203, "s390x": 217}

libc = ctypes.CDLL(None, use_errno=True)
libc.mount.argtypes = (ctypes.c_char_p, ctypes.c_char_p, ctypes.c_char_p, ctypes.c_ulong, ctypes.c_char_p)
libc.umount2.argtypes = (ctypes.c_char_p, ctypes.c_int)
libc.prctl.argtypes = (ctypes.c_int, ctypes.c_ulong, ctypes.c_ulong, ctypes.c_ulong, ctypes.c_ulong)
libc.syscall.argtypes = (ctypes.c_long, ctypes.c_char_p, ctypes.c_char_p)


class _CapHeader(ctypes.Structure):
    _fields_ = [("version", ctypes.c_uint32), ("pid", ctypes.c_int)]


class _CapData(ctypes.Structure):
    _fields_ = [("effective", ctypes.c_uint32), ("permitted", ctypes.c_uint32), ("inheritable", ctypes.c_uint32)]


def _ok(ret: int, what: str) -> None:
    if ret != 0:
        err = ctypes.get_errno()
        raise OSError(err, f"{what}: {os.strerror(err)}")


def _b(s: str | None) -> bytes | None:
    return None if s is None else s.encode()


def mount(source: str | None, target: str, fstype: str | None, flags: int, data: str | None = None) -> None:
    _ok(libc.mount(_b(source), _b(target), _b(fstype), flags, _b(data)), f"mount {target}")


def prctl(option: int, arg: int = 0) -> None:
    _ok(libc.prctl(option, arg, 0, 0, 0), f"prctl {option}")


def bind_ro(source: str, target: str) -> None:
    """Bind `source` at `target`, read-only, keeping the flags a user namespace may not drop (noexec, atime)."""
    os.makedirs(target, exist_ok=True)
    mount(source, target, None, MS_BIND)
    have = os.statvfs(target).f_flag
    flags = MS_REMOUNT | MS_BIND | MS_RDONLY | MS_NOSUID | MS_NODEV
    for st, ms in ((os.ST_NOEXEC, MS_NOEXEC), (os.ST_NOATIME, MS_NOATIME), (os.ST_NODIRATIME, MS_NODIRATIME),
                   (os.ST_RELATIME, MS_RELATIME)):
        flags |= ms if have & st else 0
    mount(None, target, None, flags)


def build_root(fs: confinement.Plan, uid: int) -> None:
    """Make the child's file system `fs` on an empty root (the working directory owned by `uid`), pivot into it and
    drop the old root."""
    r = "/mnt"
    mount(None, "/", None, MS_REC | MS_PRIVATE)
    mount("kit-root", r, "tmpfs", MS_NOSUID | MS_NODEV, "size=1m,mode=0755")
    for step in fs.steps:
        make(step, r + step.path)
    os.chown(r + fs.workdir, uid, uid)
    os.mkdir(f"{r}/.old")
    os.chdir(r)
    _ok(libc.syscall(SYS_PIVOT_ROOT[platform.machine()], b".", b".old"), "pivot_root")
    _ok(libc.umount2(b"/.old", MNT_DETACH), "umount /.old")
    os.rmdir("/.old")
    mount(None, "/", None, MS_REMOUNT | MS_BIND | MS_RDONLY | MS_NOSUID | MS_NODEV)
    os.chdir(fs.workdir)


def make(step: confinement.Step, target: str) -> None:
    """One step of the plan, at `target` (its path under the new root)."""
    if step.op == "symlink":
        os.symlink(step.source, target)
    elif step.op == "ro-bind":
        bind_ro(step.source, target)
    elif step.op == "dev-bind":
        open(target, "w").close()
        mount(step.source, target, None, MS_BIND)
    elif step.op == "proc":
        os.makedirs(target, exist_ok=True)
        mount("proc", target, "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC)
    elif step.op == "tmpfs":
        os.makedirs(target, exist_ok=True)
        mount("kit-tmpfs", target, "tmpfs", MS_NOSUID | MS_NODEV, f"size={step.size},mode={step.mode:o}")
    elif step.op == "dir":
        os.makedirs(target, exist_ok=True)
        os.chmod(target, step.mode)
    elif step.op == "remount-ro":
        mount(None, target, None, MS_REMOUNT | MS_BIND | MS_RDONLY | MS_NOSUID | MS_NODEV)
    else:
        raise ValueError(f"unknown step {step.op!r}")


def drop_bounding(last_cap: int) -> None:
    for cap in range(last_cap + 1):
        if libc.prctl(PR_CAPBSET_READ, cap, 0, 0, 0) == 1:
            prctl(PR_CAPBSET_DROP, cap)


def drop_capabilities(last_cap: int) -> None:
    """No capability in any set (bounding, ambient, inheritable, permitted, effective), and no way to gain one."""
    drop_bounding(last_cap)
    libc.prctl(PR_CAP_AMBIENT, 4, 0, 0, 0)  # PR_CAP_AMBIENT_CLEAR_ALL (absent before Linux 4.3: nothing to clear)
    header, data = _CapHeader(0x20080522, 0), (_CapData * 2)()  # _LINUX_CAPABILITY_VERSION_3, all zero
    _ok(libc.capset(ctypes.byref(header), data), "capset")
    prctl(PR_SET_NO_NEW_PRIVS, 1)


SECCOMP = []  # the filter libseccomp compiled from autograder.confinement's rules, once per server (main)


def compile_seccomp() -> str:
    """Compile the seccomp rules in this server ('' when done, else why not): pyseccomp finds libseccomp with
    ldconfig, which a confined child could not run, and every child loads the same filter."""
    try:
        SECCOMP[:] = [confinement.seccomp_filter()]
    except (ImportError, OSError, RuntimeError) as exc:
        return f"the seccomp rules could not be compiled by libseccomp: {exc}"
    return ""


def forbid_user_namespaces() -> None:
    """No user namespace from here on, in any mode (as root the child could otherwise make one: capabilities in it,
    and the kernel's attack surface that comes with them), nor clone3 or another ABI's calls
    (confinement.CONFINEMENT.seccomp). Sets no_new_privs."""
    prctl(PR_SET_NO_NEW_PRIVS, 1)
    if not SECCOMP:
        raise OSError(errno.ENOSYS, "no seccomp filter was compiled")
    SECCOMP[0].load()


def set_limits(limits: dict) -> None:
    for name, value in limits.items():
        resource.setrlimit(getattr(resource, name), (value, value))


def become_child(req: dict, fd_in: int, fd_out: int) -> None:
    """The rest of this process's life: the child of `autograder.child`, answering the parent on fd_in/fd_out."""
    if req.get("probe"):
        os._exit(0)
    os.environ.clear()
    os.environ.update(req["env"])
    sys.argv = ["/tmp/kit/child.py"]
    sys.path[0] = "/tmp/kit"
    child.serve(fd_in, fd_out)


def _confine_and_serve(req: dict, fds: list[int], server: int, last_cap: int) -> None:
    """In the forked process: make the namespaces, then (in the PID namespace's first process) the file system and
    the credentials, and become the child. Never returns."""
    fd_in, fd_out, fd_log = fds
    os.setsid()
    if req.get("cgroup"):  # its CPU share (autograder/cgroup.py) first: every process it starts is counted there
        try:
            with open(req["cgroup"], "w") as fh:
                fh.write("0")
        except OSError:  # fail-soft, as cgroup.join: its rlimits and the call limits in its own time still hold
            pass
    _stdio(fd_log)  # from here on, a failure is reported where the parent reads the submission's output
    prctl(PR_SET_PDEATHSIG, signal.SIGKILL)  # the server (so the worker) went away: so does the submission
    if os.getppid() != server:
        os._exit(1)
    set_limits(req["limits"])
    mode = req["mode"]
    if mode == "fallback":
        import_dirs: dict[str, int] = {}
        if req["uid"] is not None:
            import_dirs = open_import_dirs()
            os.setgroups([])
            os.setresgid(req["uid"], req["uid"], req["uid"])
            os.setresuid(req["uid"], req["uid"], req["uid"])
            import_dirs = reach_import_dirs(import_dirs)
        os.chdir(req["cwd"])
        forbid_user_namespaces()
        _close_other_fds(fd_in, fd_out, *import_dirs.values())
        become_child(req, fd_in, fd_out)
        return
    outer_uid, outer_gid = os.getuid(), os.getgid()
    namespaces = (*confinement.CONFINEMENT.namespaces, *(["user"] if mode == "user" else []))
    _ok(libc.unshare(sum(NAMESPACES[n] for n in set(namespaces))), "unshare")
    if mode == "user":
        for name, text in (("setgroups", "deny"), ("uid_map", f"0 {outer_uid} 1"), ("gid_map", f"0 {outer_gid} 1")):
            with open(f"/proc/self/{name}", "w") as fh:
                fh.write(text)
    init = os.fork()  # the first process of the new PID namespace: when it dies, every process in there dies
    if init:  # dies as the namespace's first process died, so that the parent learns how (a signal: which)
        for fd in (fd_in, fd_out):
            os.close(fd)
        _, status = os.waitpid(init, 0)
        if os.WIFSIGNALED(status):
            sig = os.WTERMSIG(status)
            if sig not in (signal.SIGKILL, signal.SIGSTOP):  # (their disposition cannot be set, nor needs to be)
                signal.signal(sig, signal.SIG_DFL)
            os.kill(os.getpid(), sig)
        os._exit(os.waitstatus_to_exitcode(status) if os.WIFEXITED(status) else 1)
    prctl(PR_SET_PDEATHSIG, signal.SIGKILL)  # (its parent is outside the namespace: getppid() says 0)
    build_root(confinement.Plan.from_json(req["plan"]), req["uid"])
    uid = req["uid"]
    if mode == "root":
        drop_bounding(last_cap)
        os.setgroups([])
        os.setresgid(uid, uid, uid)
        os.setresuid(uid, uid, uid)  # clears the permitted and effective capabilities
    else:  # root of its own user namespace: no nested user namespace (as bwrap --disable-userns), processes counted
        with open("/proc/sys/user/max_user_namespaces", "w") as fh:
            fh.write("0")
        resource.setrlimit(resource.RLIMIT_NPROC, (req["nproc"], req["nproc"]))
    drop_capabilities(last_cap)
    forbid_user_namespaces()
    _close_other_fds(fd_in, fd_out)
    become_child(req, fd_in, fd_out)


def open_import_dirs() -> dict[str, int]:
    """A descriptor of every directory on the import path, opened while this process may still read them all."""
    dirs: dict[str, int] = {}
    for path in sys.path:
        if path and path not in dirs and os.path.isdir(path):
            dirs[path] = os.open(path, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
    return dirs


def reach_import_dirs(dirs: dict[str, int]) -> dict[str, int]:
    """After the switch to the sandbox uid: import through the descriptors from those directories it cannot read
    itself (a Python installed under /root, mode 0700: the child would otherwise import only what this server
    preloaded, and `np.random`, `secrets` or `zlib` would fail in the fallback alone), on sys.path and in the
    `__path__` of every package already imported. Returns the descriptors kept (the others are closed)."""
    kept = {p: fd for p, fd in dirs.items() if not os.access(p, os.R_OK | os.X_OK)}
    for fd in set(dirs.values()) - set(kept.values()):
        os.close(fd)
    if not kept:
        return kept
    moved = {p: f"/proc/self/fd/{fd}" for p, fd in kept.items()}

    def via(entry: str) -> str:
        for old in sorted(moved, key=len, reverse=True):  # the deepest directory first (lib-dynload in lib)
            if entry == old or entry.startswith(old + "/"):
                return moved[old] + entry[len(old):]
        return entry

    sys.path[:] = [via(p) if isinstance(p, str) else p for p in sys.path]
    for module in list(sys.modules.values()):
        path = getattr(module, "__path__", None)
        if isinstance(path, list):
            path[:] = [via(p) if isinstance(p, str) else p for p in path]
    sys.path_importer_cache.clear()
    return kept


def _stdio(fd_log: int) -> None:
    null = os.open("/dev/null", os.O_RDONLY)
    os.dup2(null, 0)
    os.dup2(fd_log, 1)
    os.dup2(fd_log, 2)
    for fd in (null, fd_log):
        if fd > 2:
            os.close(fd)


def _close_other_fds(*keep: int) -> None:
    start = 3
    for fd in sorted(keep):
        os.closerange(start, fd)
        start = fd + 1
    os.closerange(start, 1 << 16)


def _exitcode(status: int) -> int:
    return -os.WTERMSIG(status) if os.WIFSIGNALED(status) else os.waitstatus_to_exitcode(status)


def last_cap() -> int:
    with open("/proc/sys/kernel/cap_last_cap") as fh:
        return int(fh.read())


def probe(req: dict) -> int:
    """Make the sandbox of `req` once, with nothing in it: 0 when this machine (and this user) can confine."""
    fd_in, fd_out = os.pipe()
    pid = os.fork()
    if pid:
        os.close(fd_in)
        os.close(fd_out)
    else:
        try:
            _confine_and_serve({**req, "probe": True}, [fd_in, fd_out, os.dup(1)], os.getppid(), last_cap())
        except BaseException as exc:
            os.write(2, f"sandbox set-up failed: {exc}\n".encode())
        finally:
            os._exit(127)
    return _exitcode(os.waitpid(pid, 0)[1])


def fork_hazards() -> str:
    """Why forking this process would not be safe ('' when it is): another thread (a child would inherit its locks,
    held by nobody), or a JAX backend (its thread pools; JAX itself warns at fork once one exists)."""
    found = []
    threads = len(os.listdir("/proc/self/task"))
    if threads > 1:
        found.append(f"{threads} threads")
    bridge = sys.modules.get("jax._src.xla_bridge")
    if bridge is not None and getattr(bridge, "backends_are_initialized", lambda: False)():
        found.append("a JAX backend is initialised")
    return ", ".join(found)


def preload(modules: list[str], folder: str) -> dict:
    """Import `modules` into this process, for every child forked from it: the server's first message."""
    if not modules:
        return {"ready": True, "modules": [], "threads": len(os.listdir("/proc/self/task"))}
    # an empty home of its own while importing: what a library writes or reads there (Keras' keras.json, which it
    # puts in /tmp/.keras where HOME is not writable; matplotlib's font cache) is nobody else's, and is gone after
    home, previous = os.path.join(folder, "home"), os.environ.get("HOME")
    os.mkdir(home, 0o700)
    os.environ["HOME"] = home
    try:
        for name in modules:
            try:
                importlib.import_module(name)
            except BaseException as exc:
                return {"error": f"{type(exc).__name__}: {exc}"}
    finally:
        shutil.rmtree(home, ignore_errors=True)
        if previous is None:
            os.environ.pop("HOME", None)
        else:
            os.environ["HOME"] = previous
    hazard = fork_hazards()
    if hazard:
        return {"error": f"not safe to fork after importing {', '.join(modules)}: {hazard}"}
    return {"ready": True, "modules": modules, "threads": len(os.listdir("/proc/self/task"))}


class Server:
    def __init__(self, sock: socket.socket):
        self.sock, self.ended = sock, {}  # pid -> exit code (as subprocess.Popen.returncode) of reaped children
        self.last_cap = last_cap()

    def reap(self) -> None:
        while True:
            try:
                pid, status = os.waitpid(-1, os.WNOHANG)
            except ChildProcessError:
                return
            if pid == 0:
                return
            self.ended[pid] = _exitcode(status)

    def spawn(self, req: dict, fds: list[int]) -> dict:
        try:
            pid = os.fork()
        except OSError:
            for fd in fds:
                os.close(fd)
            raise
        if pid == 0:
            code = 0
            try:
                self.sock.close()
                _confine_and_serve(req, fds, os.getppid(), self.last_cap)
            except BaseException as exc:  # the set-up failed: say so where the parent reads the output
                code = 127
                try:
                    os.write(2, f"sandbox set-up failed: {exc}\n".encode())
                except OSError:
                    pass
            finally:
                os._exit(code)
        for fd in fds:
            os.close(fd)
        return {"pid": pid}

    def wait(self, pid: int, timeout: float) -> dict:
        """How child `pid` ended, once it has, waiting at most `timeout` seconds (on its pidfd: no polling)."""
        self.reap()
        if pid not in self.ended:
            try:
                fd = os.pidfd_open(pid)
            except OSError:  # not a live child of this server (a pid it never had, or reaped above)
                fd = None
            if fd is not None:
                try:
                    select.select([fd], [], [], timeout)  # readable when the process has exited
                finally:
                    os.close(fd)
                self.reap()
        return {"code": self.ended.pop(pid, None)}

    def run(self) -> None:
        while True:
            try:
                msg, fds, _, _ = socket.recv_fds(self.sock, 1 << 20, 3)
            except OSError:
                return
            if not msg:
                return
            self.reap()
            req = json.loads(msg)
            try:
                if req["op"] == "spawn":
                    reply = self.spawn(req, fds)
                elif req["op"] == "probe":
                    reply = {"code": probe(req)}
                else:
                    reply = self.wait(req["pid"], req["timeout"])
            except Exception as exc:
                reply = {"error": f"{type(exc).__name__}: {exc}"}
            self.sock.send(json.dumps(reply).encode())


def main() -> None:
    prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    sock = socket.socket(fileno=int(sys.argv[1]))
    folder = os.path.dirname(os.path.abspath(__file__))
    why = compile_seccomp()
    hello = {"error": why} if why else preload(sys.argv[2:], folder)
    if os.path.basename(folder).startswith("kit-forkserver-"):  # the sandbox's copy: all of it is imported now
        shutil.rmtree(folder, ignore_errors=True)
    sock.send(json.dumps(hello).encode())
    if hello.get("ready"):
        Server(sock).run()


if __name__ == "__main__":
    main()
