"""The child's confinement, described once as data: its file system (`Plan`, a list of `Step`s), its namespaces,
capabilities, no_new_privs and seccomp rules (`CONFINEMENT`). Two things carry it out: the fork server with system
calls (autograder/forkserver.py, which imports this module from beside it) and bubblewrap, from `bwrap_argv`.

Stdlib only (pyseccomp, when the rules are compiled): the fork server runs it outside the autograder package.
"""

from __future__ import annotations

import errno
import json
import os
import sys
import tempfile
from dataclasses import asdict, dataclass, field

SYSTEM_DIRS = ("usr", "bin", "sbin", "lib", "lib32", "lib64", "libx32", "etc")  # all a child sees of the machine
DEVICES = ("null", "zero", "full", "random", "urandom")
DEV_LINKS = (("/proc/self/fd", "/dev/fd"), ("fd/0", "/dev/stdin"), ("fd/1", "/dev/stdout"), ("fd/2", "/dev/stderr"))
KIT, WORK = "/tmp/kit", "/tmp/work"  # the child's code, and its working directory
CLONE_NEWUSER = 0x10000000


@dataclass(frozen=True)
class Step:
    """One piece of the child's file system, made in order. `op`: ro-bind (`source` at `path`, read-only), dev-bind
    (the device `source` at `path`), symlink (`path` pointing to `source`), proc (a fresh /proc), tmpfs (`size`,
    `mode`), dir (`mode`), remount-ro (the mount at `path` made read-only)."""

    op: str
    path: str
    source: str = ""
    size: str = ""
    mode: int = 0o755


@dataclass(frozen=True)
class Plan:
    """The child's whole file system, on an empty root that is made read-only at the end; it starts in `workdir`."""

    steps: tuple[Step, ...]
    workdir: str = WORK

    def to_json(self) -> dict:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict) -> Plan:
        return cls(tuple(Step(**s) for s in data["steps"]), data["workdir"])


@dataclass(frozen=True)
class Refusal:
    """A seccomp rule: `syscall` fails with `errno` — only when its first argument has the bits `flags`, if any."""

    syscall: str
    errno: int
    flags: int = 0


@dataclass(frozen=True)
class Confinement:
    """What the child's process gets besides its file system, in every mode with namespaces (the fallback: the
    seccomp rules and no_new_privs only)."""

    namespaces: tuple[str, ...] = ("mount", "net", "pid", "ipc", "uts")  # and "user" where not root
    capabilities: tuple[str, ...] = ()  # kept in every set: none
    no_new_privs: bool = True
    nested_user_namespaces: bool = False
    # no new user namespace (the kernel surface behind container escapes); clone3's flags are out of a filter's
    # reach, so clone3 answers ENOSYS and the C library falls back to clone; calls of another ABI (x32, i386) refused
    seccomp: tuple[Refusal, ...] = field(default=(
        Refusal("unshare", errno.EPERM, CLONE_NEWUSER),
        Refusal("clone", errno.EPERM, CLONE_NEWUSER),
        Refusal("clone3", errno.ENOSYS),
    ))
    other_abi: int = errno.EPERM


CONFINEMENT = Confinement()


def python_paths() -> list[str]:
    """The Python installation(s) the child needs, where the system directories do not already hold them."""
    paths = {os.path.realpath(sys.base_prefix), os.path.realpath(sys.prefix), sys.prefix}
    inside = tuple(f"/{d}/" for d in SYSTEM_DIRS)
    return sorted(p for p in paths if not (p + "/").startswith(inside))


def masks(hidden: tuple[str, ...]) -> list[str]:
    """The hidden directories that lie inside what the child sees (the kit installed into a venv, say): covered."""
    seen = [*python_paths(), *(f"/{d}" for d in SYSTEM_DIRS)]
    return [h for h in hidden if h != "/" and os.path.isdir(h) and any(h == e or h.startswith(e + "/") for e in seen)]


def plan(tmpfs_size: str, hidden: tuple[str, ...] = (), code: str | None = None) -> Plan:
    """The file system of a child: the system directories and the Python installation read-only, a fresh /proc, a
    minimal /dev, a private /tmp holding `code` (read-only; an empty directory where the child's code is already
    loaded) and the working directory, and tmpfs over the `hidden` paths that would otherwise be seen."""
    steps = []
    for d in SYSTEM_DIRS:
        if os.path.islink(f"/{d}"):
            steps.append(Step("symlink", f"/{d}", os.readlink(f"/{d}")))
        elif os.path.isdir(f"/{d}"):
            steps.append(Step("ro-bind", f"/{d}", f"/{d}"))
    steps += [Step("proc", "/proc"), Step("tmpfs", "/dev", size="64k")]
    steps += [Step("dev-bind", f"/dev/{d}", f"/dev/{d}") for d in DEVICES]
    steps += [Step("symlink", link, target) for target, link in DEV_LINKS]
    steps += [Step("tmpfs", "/dev/shm", size=tmpfs_size, mode=0o1777), Step("tmpfs", "/tmp", size=tmpfs_size,
                                                                           mode=0o1777)]
    steps += [Step("ro-bind", KIT, code)] if code else [Step("tmpfs", KIT, size="4k"), Step("remount-ro", KIT)]
    steps.append(Step("dir", WORK))
    steps += [Step("ro-bind", p, p) for p in python_paths()]  # after /tmp: a venv may live there
    steps += [Step("tmpfs", p, size="4k") for p in masks(hidden)]
    return Plan(tuple(steps))


def _bytes(size: str) -> int:
    """'64m' -> 67108864 (the tmpfs size syntax of mount(8))."""
    units = {"k": 1024, "m": 1024**2, "g": 1024**3}
    return int(size[:-1]) * units[size[-1].lower()] if size[-1].lower() in units else int(size)


def bwrap_argv(fs: Plan, knows: frozenset[str], seccomp: int, confinement: Confinement = CONFINEMENT) -> list[str]:
    """bubblewrap's options that make `fs` and `confinement` (up to the command to run), the compiled seccomp
    program (`seccomp_program`) read from descriptor `seccomp`; `knows`: the options of the installed bubblewrap
    among --size, --perms, --disable-userns, --cap-drop (older ones lack some)."""
    argv = ["bwrap", "--unshare-user", "--die-with-parent", "--seccomp", str(seccomp)]  # and always no_new_privs
    argv += [f"--unshare-{ns}" for ns in confinement.namespaces if ns != "mount"]  # (bwrap always makes one)
    if not confinement.nested_user_namespaces and "--disable-userns" in knows:
        argv.append("--disable-userns")
    if "--cap-drop" in knows:  # the bounding set too
        argv += ["--cap-drop", "ALL", *(a for c in confinement.capabilities for a in ("--cap-add", c))]
    for s in fs.steps:
        if s.op == "tmpfs":
            argv += ["--size", str(_bytes(s.size))] if s.size and "--size" in knows else []
            argv += ["--perms", f"{s.mode:04o}"] if "--perms" in knows else []
        elif s.op == "dir" and "--perms" in knows:
            argv += ["--perms", f"{s.mode:04o}"]
        argv += {"ro-bind": ["--ro-bind", s.source, s.path], "dev-bind": ["--dev-bind", s.source, s.path],
                 "symlink": ["--symlink", s.source, s.path], "proc": ["--proc", s.path],
                 "tmpfs": ["--tmpfs", s.path], "dir": ["--dir", s.path], "remount-ro": ["--remount-ro", s.path]}[s.op]
    return argv + ["--chdir", fs.workdir, "--remount-ro", "/"]


def seccomp_filter(confinement: Confinement = CONFINEMENT):
    """The seccomp rules compiled by libseccomp (through pyseccomp): a filter to `load()` or `export_bpf`."""
    import pyseccomp

    rules = pyseccomp.SyscallFilter(pyseccomp.ALLOW)
    rules.set_attr(pyseccomp.Attr.ACT_BADARCH, pyseccomp.ERRNO(confinement.other_abi))
    for r in confinement.seccomp:
        args = [pyseccomp.Arg(0, pyseccomp.MASKED_EQ, r.flags, r.flags)] if r.flags else []
        rules.add_rule(pyseccomp.ERRNO(r.errno), r.syscall, *args)
    return rules


def seccomp_program(confinement: Confinement = CONFINEMENT) -> bytes:
    """The seccomp rules as the BPF program libseccomp compiles for this machine (bwrap's --seccomp)."""
    with tempfile.TemporaryFile() as fh:
        seccomp_filter(confinement).export_bpf(fh)
        fh.seek(0)
        return fh.read()


if __name__ == "__main__":  # the plan of this machine, for a reader
    print(json.dumps(plan("64m").to_json(), indent=1))
