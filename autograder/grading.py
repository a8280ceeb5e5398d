"""Score: grade one submission — load, sandbox, run the hidden suite — into a `Result`."""

from __future__ import annotations

import dataclasses
import hashlib
import json
import time
from dataclasses import asdict, dataclass, field
from functools import cache
from pathlib import Path

import nbformat

from autograder.config import LIMITS, SOURCE, SUITES, Limits
from autograder.load import LoadError, program, read_answers, read_submission
from autograder.plugin import Outcome
from autograder.sandbox import InProcess, Sandbox, isolation
from autograder.suites import run_suite


@dataclass
class Result:
    student: str
    assignment: str
    status: str  # ok | error | timeout
    reason: str
    score: float
    max_score: float
    parts: dict[str, list[float]]  # part -> [score, max]
    tests: list[dict] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    output: str = ""
    isolation: str = ""
    seconds: float = 0.0
    notebook_sha256: str = ""

    def to_json(self) -> dict:
        return asdict(self)


@cache
def part_points(assignment: str) -> dict[str, float]:
    """Points of each graded part, from the check cells of the source notebook."""
    nb = nbformat.read(SOURCE / assignment / f"{assignment}.ipynb", as_version=4)
    parts = {}
    for cell in nb.cells:
        meta = cell.metadata.get("nbgrader", {})
        if cell.metadata.get("kit", {}).get("role") == "check":
            parts[meta["grade_id"].removeprefix("check_")] = float(meta["points"])
    return parts


@cache
def assignment_declaration(assignment: str) -> dict:
    """What `autograder/suites/<id>/assignment.json` declares ({} without one): "limits" (fields of Limits to
    replace) and "needs" (distributions, pinned in pyproject.toml, that the submission's code imports beyond numpy)."""
    path = SUITES / assignment / "assignment.json"
    return json.loads(path.read_text()) if path.exists() else {}


@cache
def assignment_limits(assignment: str) -> Limits:
    """The limits an assignment's submissions run under: the defaults of config.LIMITS, with the fields that
    `autograder/suites/<id>/assignment.json` declares under "limits" (keys: fields of Limits) replaced."""
    declared = assignment_declaration(assignment).get("limits", {})
    unknown = set(declared) - {f.name for f in dataclasses.fields(Limits)}
    if unknown:
        raise ValueError(f"{SUITES / assignment / 'assignment.json'}: unknown limits {sorted(unknown)}")
    return dataclasses.replace(LIMITS, **declared) if declared else LIMITS


def _size(n: float) -> str:
    return f"{n / 1024**3:g} GiB" if n >= 1024**3 else f"{n / 1024**2:g} MiB"


_SAID = {  # how the gradebook names a limit, and how it shows its value
    "memory": ("memory", _size), "call_timeout": ("call", lambda v: f"{v:g} s"),
    "load_timeout": ("load", lambda v: f"{v:g} s"), "submission_timeout": ("submission", lambda v: f"{v:g} s"),
    "cpu_seconds": ("cpu", lambda v: f"{v:g} s"), "processes": ("processes", str), "file_size": ("files", _size),
}


def limits_note(limits: Limits) -> str:
    """The limits that differ from the defaults, for the gradebook's isolation column ("memory 4 GiB, load 60 s")."""
    said = []
    for f in dataclasses.fields(Limits):
        value = getattr(limits, f.name)
        if value != getattr(LIMITS, f.name):
            name, show = _SAID.get(f.name, (f.name.replace("_", " "), str))
            said.append(f"{name} {show(value)}")
    return ", ".join(said)


def isolation_note(limits: Limits) -> str:
    note = limits_note(limits)
    return isolation() + (f"; limits: {note}" if note else "")


def error_result(student: str, assignment: str, reason: str, status: str = "error", sha: str = "") -> Result:
    parts = {p: [0.0, pts] for p, pts in part_points(assignment).items()}
    return Result(student, assignment, status, reason, 0.0, sum(p[1] for p in parts.values()), parts,
                  isolation=isolation_note(assignment_limits(assignment)), notebook_sha256=sha)


def grade_answers(assignment: str, answers: dict[str, str], *, student: str = "-", sandbox: bool = True,
                  slot: int = 0, hide: tuple[str, ...] = (), limits: Limits | None = None) -> Result:
    """Grade solution-cell code (grade_id -> code) of one submission, under `limits` (default: the assignment's)."""
    start = time.monotonic()
    limits = limits or assignment_limits(assignment)
    prog = program(assignment, answers)
    backend = Sandbox(prog.cells, slot=slot, hide=hide, limits=limits) if sandbox else InProcess(prog.cells)
    try:
        outcomes, problems = run_suite(assignment, backend)
    finally:
        backend.release()
    result = summarise(student, assignment, outcomes, prog.notes, backend)
    if problems and not outcomes:
        result.status, result.reason = "error", "grader problem: " + problems[0][:300]
    result.notes += [f"suite: {p[:300]}" for p in problems] if not sandbox else []
    result.isolation = isolation_note(limits) if sandbox else "none (in-process development run)"
    result.seconds = round(time.monotonic() - start, 3)
    return result


def summarise(student: str, assignment: str, outcomes: list[Outcome], notes: list[str], backend) -> Result:
    parts = {p: [0.0, pts] for p, pts in part_points(assignment).items()}
    for o in outcomes:
        parts.setdefault(o.part, [0.0, 0.0])[0] += o.score
    for part in parts.values():
        part[0] = round(part[0], 6)
    notes = list(notes)
    for err in backend.load_errors:
        notes.append(f"cell '{err.get('cell')}' raised {err.get('type')} while loading: {err.get('message', '')[:200]}")
    status, reason = "ok", ""
    if getattr(backend, "timed_out", False):
        status, reason = "timeout", "the submission used up its total time limit; later tests got no points"
    elif getattr(backend, "dead", ""):
        status, reason = "error", backend.dead
    elif getattr(backend, "incidents", []):
        status, reason = incident_summary(backend.incidents, getattr(backend, "limits", LIMITS))
    tests = [asdict(o) for o in outcomes]
    return Result(student, assignment, status, reason, round(sum(p[0] for p in parts.values()), 6),
                  sum(p[1] for p in parts.values()), parts, tests, notes, getattr(backend, "output", ""))


def incident_summary(incidents: list[tuple[str, str]], limits: Limits) -> tuple[str, str]:
    """Status and reason of a graded submission whose process had to be killed or died during some tests."""
    timeouts = [m for kind, m in incidents if kind == "timeout"]
    crashes = [m for kind, m in incidents if kind == "crash"]
    said = []
    if timeouts:
        said.append(f"{len(timeouts)} call(s) ran over the time limit, first: {timeouts[0]}")
    if crashes:
        said.append(f"the process died {len(crashes)} time(s), first: {crashes[0]}")
    if len(incidents) > limits.restarts:
        said.append(f"after {limits.restarts} restarts the remaining tests got no points")
    return ("timeout" if timeouts else "ok"), "; ".join(said)[:300]


def sha256(path: Path) -> str:
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError:
        return ""


def grade_notebook(path: Path | None, assignment: str, student: str, *, slot: int = 0,
                   hide: tuple[str, ...] = (), sandbox: bool = True, limits: Limits | None = None) -> Result:
    """Grade one submitted notebook file; any problem with the file becomes an `error` row."""
    if path is None:
        return error_result(student, assignment, f"no notebook found for {assignment}")
    try:
        data = read_submission(path)
    except LoadError as exc:
        return error_result(student, assignment, str(exc))
    sha = hashlib.sha256(data).hexdigest()
    try:
        answers, notes = read_answers(data, path.name, assignment)
    except LoadError as exc:
        return error_result(student, assignment, str(exc), sha=sha)
    result = grade_answers(assignment, answers, student=student, sandbox=sandbox, slot=slot, hide=hide,
                           limits=limits)
    result.notes = notes + result.notes
    result.notebook_sha256 = sha
    return result
