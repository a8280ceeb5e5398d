"""Which released assignments are out of date: `assignments/.released-from.json` records, per assignment, the sha256
of what its release was made from (the source notebook and nbgrader_config.py), so `make release`, `make autograde`
and `make demo` regenerate only what changed — also on a fresh clone, where file times say nothing. It is committed
with release/ (outside it: the leak check allows nothing but students' files there)."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from autograder.assignment import Assignment
from autograder.report import write_atomic

RECORD = ".released-from.json"  # in assignments/, beside the source folders (nbgrader reads only those)


def inputs_sha256(assignment: Assignment) -> str:
    digest = hashlib.sha256()
    for path in (assignment.source_notebook, assignment.root / "nbgrader_config.py"):
        digest.update(path.read_bytes())
    return digest.hexdigest()


def recorded(sources: Path) -> dict[str, str]:
    try:
        data = json.loads((sources / RECORD).read_text())
        return {str(k): str(v) for k, v in data.items()}
    except (OSError, ValueError, AttributeError):
        return {}


def why_stale(assignment: Assignment, in_gradebook: bool) -> str:
    """'' when the release of `assignment` is current, else why it must be generated again."""
    if not assignment.release_notebook.exists():
        return "not released yet"
    if recorded(assignment.source_notebook.parent.parent).get(assignment.id) != inputs_sha256(assignment):
        return "its source notebook or nbgrader_config.py changed"
    if not in_gradebook:
        return "not in nbgrader's gradebook yet"
    return ""


def record(assignments: list[Assignment]) -> None:
    """Record that the releases of `assignments` are made from their current sources."""
    if not assignments:
        return
    sources = assignments[0].source_notebook.parent.parent
    now = {**recorded(sources), **{a.id: inputs_sha256(a) for a in assignments}}
    write_atomic(sources / RECORD, json.dumps(dict(sorted(now.items())), indent=1) + "\n", mode=0o644)
