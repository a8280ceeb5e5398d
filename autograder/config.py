"""Every setting of the grader, in one place."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SUITES = Path(__file__).resolve().parent / "suites"
SOURCE = ROOT / "assignments"
RELEASE = ROOT / "release"
ASSIGNMENTS = ("a1_convolution", "a2_equivariance", "a3_pooling", "a4_backprop", "a6_frameworks")


@dataclass(frozen=True)
class Limits:
    """What one submission may use. Times are seconds, sizes bytes."""

    call_timeout: float = 10.0  # one call into student code, wall clock
    submission_timeout: float = 240.0  # the whole hidden suite of one submission, wall clock
    load_timeout: float = 15.0  # running the notebook's cells (a load that fails is not retried)
    cpu_seconds: int = 300  # RLIMIT_CPU of the sandboxed process
    memory: int = 2 * 1024**3  # RLIMIT_AS
    file_size: int = 16 * 1024**2  # RLIMIT_FSIZE
    open_files: int = 64  # RLIMIT_NOFILE
    processes: int = 32  # RLIMIT_NPROC (per sandbox user)
    tmpfs_size: str = "64m"  # the private /tmp inside the namespace
    restarts: int = 2  # times a crashed or timed-out sandbox is restarted before giving up
    output_kept: int = 4000  # characters of the submission's printed output kept for feedback


LIMITS = Limits()
SANDBOX_UID_BASE = 64000  # sandbox users are SANDBOX_UID_BASE + worker slot (only when running as root)
