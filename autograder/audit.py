"""Why a recorded score changed: the suite's fingerprint and the audit log (OUT/audit.log, JSON lines).

Only the coordinating process appends to the log, one `os.write` of one line per change on a file opened with
O_APPEND, so lines of concurrent runs never interleave and an interrupted run leaves only whole lines.
"""

from __future__ import annotations

import getpass
import json
import os
from datetime import datetime, timezone
from pathlib import Path

from autograder.assignment import Assignment
from autograder.files import files_sha256
from autograder.grading import Result

AUDIT_LOG = "audit.log"
FORCED, NOTEBOOK_CHANGED, SUITE_CHANGED = "forced", "notebook changed", "suite changed"


def suite_sha256(assignment: Assignment) -> str:
    """One hash of what decides a grade besides the notebook: the hidden suite's files and the reference modules."""
    return files_sha256([*sorted(assignment.suite.rglob("*")), *assignment.reference_files()], assignment.root)


def regrade_reason(previous: Result | None, notebook_sha: str, suite_sha: str, forced: bool) -> str | None:
    """Why this submission must be graded (None: its recorded result stands)."""
    if forced:
        return FORCED
    if previous is None:
        return "not graded yet"
    reasons = []
    if previous.notebook_sha256 != notebook_sha:
        reasons.append(NOTEBOOK_CHANGED)
    if previous.suite_sha256 != suite_sha:
        reasons.append(SUITE_CHANGED)
    return ", ".join(reasons) or None


def user() -> str:
    try:
        return getpass.getuser()
    except Exception:  # no login name and no passwd entry (a container): the uid says who
        return f"uid {os.getuid()}"


def scores(result: Result) -> dict:
    return {"score": result.score, "late_penalty": result.late_penalty, "final_score": result.final_score,
            "status": result.status, "parts": {p: s for p, (s, _m) in result.parts.items()}}


def log_change(out: Path, previous: Result | None, result: Result, reason: str, *, penalty: bool = False
               ) -> dict | None:
    """Append one line to OUT/audit.log when `result` changes a recorded score of `previous` (its parts and raw
    score; with `penalty`, its final score after the late penalty too); return that entry."""
    if previous is None:
        return None
    old, new = scores(previous), scores(result)
    parts = sorted(set(old["parts"]) | set(new["parts"]))
    changed = {p: [old["parts"].get(p), new["parts"].get(p)] for p in parts
               if old["parts"].get(p) != new["parts"].get(p)}
    if not changed and old["score"] == new["score"] and not (penalty and old["final_score"] != new["final_score"]):
        return None
    entry = {
        "time": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "user": user(),
        "student": result.student,
        "assignment": result.assignment,
        "reason": reason,
        "old": {k: old[k] for k in ("score", "late_penalty", "final_score", "status")},
        "new": {k: new[k] for k in ("score", "late_penalty", "final_score", "status")},
        "parts": {p: {"old": o, "new": n} for p, (o, n) in changed.items()},
        "notebook_sha256": {"old": previous.notebook_sha256, "new": result.notebook_sha256},
        "suite_sha256": {"old": previous.suite_sha256, "new": result.suite_sha256},
    }
    out.mkdir(parents=True, exist_ok=True)
    line = (json.dumps(entry, sort_keys=False) + "\n").encode()
    fd = os.open(out / AUDIT_LOG, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
    try:
        os.write(fd, line)
    finally:
        os.close(fd)
    return entry
