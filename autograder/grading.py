"""Score: grade one submission — load, sandbox, run the hidden suite — into a `Result`."""

from __future__ import annotations

import hashlib
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

from autograder.assignment import Assignment
from autograder.backend import Backend, InProcess
from autograder.config import Limits
from autograder.load import LoadError, program, read_answers, read_submission
from autograder.plugin import Outcome
from autograder.rules import Violation, tripwires, violations
from autograder.runner import run_suite
from autograder.sandbox import Sandbox, isolation


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
    suite_sha256: str = ""  # hidden suite + reference of this grading (autograder/audit.py)
    # Lateness: the grader records what timestamp.txt says; `python -m course record` adds the rest from nbgrader's
    # gradebook and its late-submission plugin (None: not recorded yet).
    timestamp: str = ""  # timestamp.txt as collected, '' when there is none
    duedate: str = ""  # the student's due date (extension included), UTC
    seconds_late: float | None = None
    late_penalty: float | None = None

    def to_json(self) -> dict:
        return asdict(self)

    @property
    def final_score(self) -> float:
        """The score after the late penalty, as `nbgrader export` computes it."""
        return max(0.0, self.score - (self.late_penalty or 0.0))


def isolation_of(assignment: Assignment) -> str:
    """The gradebook's isolation column: what confined the submission, and the assignment's own limits."""
    own = assignment.limits.differences()
    return isolation() + (f"; limits of {assignment.id}: {own}" if own else "")


def error_result(student: str, assignment: Assignment, reason: str, status: str = "error", sha: str = "") -> Result:
    parts = {p: [0.0, pts] for p, pts in assignment.parts.items()}
    return Result(student, assignment.id, status, reason[: assignment.limits.reason_kept], 0.0, assignment.max_score,
                  parts, isolation=isolation_of(assignment), notebook_sha256=sha)


def grade_answers(assignment: Assignment, answers: dict[str, str], *, student: str = "-", sandbox: bool = True,
                  slot: int = 0, hide: tuple[str, ...] = (), limits: Limits | None = None) -> Result:
    """Grade solution-cell code (grade_id -> code) of one submission (under the assignment's limits by default)."""
    start = time.monotonic()
    limits = limits or assignment.limits
    prog = program(assignment, answers)
    guard = tripwires(assignment.forbidden, prog.cells)
    backend: Backend = (Sandbox(prog.cells, slot=slot, hide=hide, limits=limits, guard=guard,
                                preload=assignment.preload) if sandbox
                        else InProcess(prog.cells, limits, guard=guard))
    try:
        outcomes, problems = run_suite(assignment, backend, prog.fingerprint)
    finally:
        backend.release()
    result = summarise(student, assignment, outcomes, prog.notes, backend)
    enforce(result, violations(assignment.forbidden, prog.cells))
    if problems and not outcomes:
        result.status, result.reason = "error", "grader problem: " + problems[0][: limits.reason_kept]
    if not sandbox:
        result.notes += [f"suite: {p[: limits.reason_kept]}" for p in problems]
    result.isolation = isolation_of(assignment) if sandbox else "none (in-process development run)"
    result.seconds = round(time.monotonic() - start, 3)
    return result


def summarise(student: str, assignment: Assignment, outcomes: list[Outcome], notes: list[str],
              backend: Backend) -> Result:
    limits = backend.limits
    parts = {p: [0.0, pts] for p, pts in assignment.parts.items()}
    for o in outcomes:
        parts.setdefault(o.part, [0.0, 0.0])[0] += o.score
    for part in parts.values():
        part[0] = round(part[0], 6)
    notes = list(notes)
    for err in backend.load_errors:
        notes.append(f"cell '{err.get('cell')}' raised {err.get('type')} while loading: "
                     f"{str(err.get('message', ''))[: limits.reason_kept]}")
    status, reason = "ok", ""
    if backend.timed_out:
        status, reason = "timeout", "the submission used up its total time limit; later tests got no points"
    elif backend.dead:  # loading failed: ran out of time (an endless loop, a stalled pipe) or raised
        status = "timeout" if any(kind == "timeout" for kind, _ in backend.incidents) else "error"
        reason = backend.dead
    elif backend.incidents:
        status, reason = incident_summary(backend.incidents, limits.reason_kept)
    tests = [asdict(o) for o in outcomes]
    return Result(student, assignment.id, status, reason, round(sum(p[0] for p in parts.values()), 6),
                  sum(p[1] for p in parts.values()), parts, tests, notes, backend.output)


def enforce(result: Result, found: list[Violation]) -> None:
    """A part whose solution cell uses a forbidden call scores 0; every test of it says why."""
    for v in found:
        result.notes.append(v.message())
        if v.cell in result.parts:
            result.parts[v.cell][0] = 0.0
        for t in result.tests:
            if t["part"] == v.cell:
                t["score"], t["passed"] = 0.0, False
                t["message"] = v.message() + (f"; the test itself: {t['message']}" if t["message"] else "")
    if found:
        result.score = round(sum(p[0] for p in result.parts.values()), 6)


def incident_summary(incidents: list[tuple[str, str]], keep: int) -> tuple[str, str]:
    """Status and reason of a graded submission whose process had to be killed or died during some tests."""
    timeouts = [m for kind, m in incidents if kind == "timeout"]
    crashes = [m for kind, m in incidents if kind == "crash"]
    said = []
    if timeouts:
        said.append(f"{len(timeouts)} call(s) ran over the time limit, first: {timeouts[0]}")
    if crashes:
        said.append(f"the process died {len(crashes)} time(s), first: {crashes[0]}")
    said.append("those functions were not called again; the other tests ran in a restarted process")
    return ("timeout" if timeouts else "ok"), "; ".join(said)[:keep]


def grade_notebook(path: Path | None, assignment: Assignment, student: str, *, slot: int = 0,
                   hide: tuple[str, ...] = (), sandbox: bool = True, limits: Limits | None = None) -> Result:
    """Grade one submitted notebook file; any problem with the file becomes an `error` row."""
    if path is None:
        return error_result(student, assignment, f"no notebook found for {assignment.id}")
    try:
        data = read_submission(path)
    except LoadError as exc:
        return error_result(student, assignment, str(exc))
    return grade_submission(data, path.name, assignment, student, slot=slot, hide=hide, sandbox=sandbox,
                            limits=limits)


def grade_submission(data: bytes, name: str, assignment: Assignment, student: str, *, slot: int = 0,
                     hide: tuple[str, ...] = (), sandbox: bool = True, limits: Limits | None = None) -> Result:
    """Grade the bytes `data` of a notebook file called `name` (what is graded is what is hashed)."""
    sha = hashlib.sha256(data).hexdigest()
    try:
        answers, notes = read_answers(data, name, assignment)
    except LoadError as exc:
        return error_result(student, assignment, str(exc), sha=sha)
    result = grade_answers(assignment, answers, student=student, sandbox=sandbox, slot=slot, hide=hide,
                           limits=limits)
    result.notes = notes + result.notes
    result.notebook_sha256 = sha
    return result
