"""Every setting of the grader, in one place (an assignment may override its limits: `autograder.assignment`)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent  # the layout the grader was installed with (see autograder.assignment)


@dataclass(frozen=True)
class Limits:
    """What one submission may use, and how much of what it says is kept. Times are seconds, sizes bytes."""

    call_timeout: float = 10.0  # one call into student code, wall clock
    submission_timeout: float = 240.0  # the whole hidden suite of one submission, wall clock
    load_timeout: float = 15.0  # running the notebook's cells (a load that fails is not retried)
    cpu_seconds: int = 300  # RLIMIT_CPU of the sandboxed process
    memory: int = 2 * 1024**3  # RLIMIT_AS
    file_size: int = 16 * 1024**2  # RLIMIT_FSIZE
    open_files: int = 64  # RLIMIT_NOFILE
    processes: int = 32  # RLIMIT_NPROC (per sandbox user)
    tmpfs_size: str = "64m"  # the private /tmp inside the namespace
    output_kept: int = 4000  # characters of the submission's printed output kept for feedback
    message_kept: int = 500  # characters of an exception message of student code, or of a partial-credit note
    reason_kept: int = 300  # characters of a gradebook reason or a note
    problem_kept: int = 2000  # characters of a hidden suite's own error report (grader problems)
    notebook_bytes: int = 20 * 1024**2  # a submitted notebook file
    notebook_depth: int = 64  # nesting of its JSON (nbformat's own is under 10; outputs' data a little more)
    notebook_cells: int = 10_000  # cells of a submitted notebook

    def differences(self) -> str:
        """The limits that differ from the defaults, for the gradebook's isolation column ("load 60 s, memory 4 GiB";
        "" when none)."""
        default = Limits()
        return ", ".join(f"{_SAID.get(name, (name.replace('_', ' '), str))[0]} "
                         f"{_SAID.get(name, (name, str))[1](value)}"
                         for name, value in sorted(vars(self).items()) if getattr(default, name) != value)


def _size(n: float) -> str:
    return f"{n / 1024**3:g} GiB" if n >= 1024**3 else f"{n / 1024**2:g} MiB"


_SAID = {  # how the gradebook names a limit, and how it shows its value
    "memory": ("memory", _size), "call_timeout": ("call", lambda v: f"{v:g} s"),
    "load_timeout": ("load", lambda v: f"{v:g} s"), "submission_timeout": ("submission", lambda v: f"{v:g} s"),
    "cpu_seconds": ("cpu", lambda v: f"{v:g} s"), "processes": ("processes", str), "file_size": ("files", _size),
}


@dataclass(frozen=True)
class Preload:
    """What a sandboxed child finds already imported: its fork server imports `modules` (trusted library code, after
    numpy, never a submission's) with `env` set, and forks the child from there. `env` (name, value) pairs, sorted,
    are also in the child's environment. Empty: numpy alone. Hashable: it names the fork server."""

    modules: tuple[str, ...] = ()
    env: tuple[tuple[str, str], ...] = ()

    @property
    def environ(self) -> dict[str, str]:
        return dict(self.env)


LIMITS = Limits()
NO_PRELOAD = Preload()
SANDBOX_UID_BASE = 64000  # sandbox users are SANDBOX_UID_BASE + worker slot (only when running as root)
