"""The pytest plugin that runs a hidden suite against one submission, and collects points per test."""

from __future__ import annotations

import hashlib
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import pytest

from autograder import testing
from autograder.backend import Backend
from autograder.failures import CallTimeout, StudentError, SubmissionDied
from autograder.testing import Mismatch

SAFE_ERRORS = (Mismatch, StudentError, CallTimeout, SubmissionDied)
# exceptions of the student's process that say more than "it raised" (ForbiddenCall: child.Tripwires)
RAISED_AS = {"NotImplementedError": testing.NOT_IMPLEMENTED, "ForbiddenCall": testing.FORBIDDEN}


class StudentFunction:
    """A function of the submission; calling it runs it in the submission's process, with `lower` (name -> the
    reference's function) standing in for the graded functions it calls (`Assignment.lower_parts`)."""

    def __init__(self, backend, name: str, timeout: float | None = None, lower: dict[str, Callable] | None = None):
        self._backend, self._name, self._timeout, self._lower = backend, name, timeout, dict(lower or {})

    def __call__(self, *args, **kwargs):
        value, _ = self._backend.call(self._name, args, kwargs, echo=False, timeout=self._timeout, lower=self._lower)
        return value

    def with_inputs(self, *args, **kwargs):
        """Call, and also return the arguments as the function left them: (value, args, kwargs)."""
        value, after = self._backend.call(self._name, args, kwargs, echo=True, timeout=self._timeout,
                                          lower=self._lower)
        return value, tuple(after[0]), after[1]

    def timeout(self, seconds: float) -> StudentFunction:
        """The same function with another per-call wall-clock limit."""
        return StudentFunction(self._backend, self._name, seconds, self._lower)


class Submission:
    """`student.conv1d(...)` calls the submission's conv1d; `lower`: function -> {name: reference function} of
    every composite part."""

    def __init__(self, backend, lower: dict[str, dict[str, Callable]] | None = None):
        self._backend, self._lower = backend, dict(lower or {})

    def __getattr__(self, name: str) -> StudentFunction:
        if name.startswith("_"):
            raise AttributeError(name)
        return StudentFunction(self._backend, name, lower=self._lower.get(name))


class Credit:
    """Partial credit: a passing test earns points × fraction; `note` tells the student why."""

    fraction: float = 1.0
    note: str = ""


@dataclass
class Outcome:
    name: str
    part: str
    points: float
    hint: str
    score: float = 0.0
    passed: bool = False
    message: str = ""
    hint_for: list[str] = field(default_factory=lambda: list(testing.HINTED))  # the causes the hint was written for
    cause: str = ""  # why it lost points (autograder.testing's causes); "" when it earned them all
    error: str = ""  # the exception type the student's code raised (cause RAISED / NOT_IMPLEMENTED / FORBIDDEN)
    where: str = ""  # the student's cell and line it was raised at, when known


def classify(exc: BaseException | None) -> tuple[str, str, str]:
    """(cause, exception type, where) of a failed test, from what the test raised: decided by the exception's class,
    never by its message."""
    if isinstance(exc, StudentError):
        return RAISED_AS.get(exc.type, testing.RAISED), exc.type, exc.where
    if isinstance(exc, CallTimeout):
        return testing.TIMED_OUT, "", ""
    if isinstance(exc, SubmissionDied):
        return testing.DIED, "", ""
    if isinstance(exc, testing.NotWritten):  # a test the student writes, still the stub
        return testing.NOT_IMPLEMENTED, "NotImplementedError", ""
    if isinstance(exc, testing.WrongShape):
        return testing.WRONG_SHAPE, "", ""
    if isinstance(exc, AssertionError):  # Mismatch, or a bare assert of the suite
        return testing.WRONG_VALUES, "", ""
    return testing.GRADER, "", ""


@dataclass
class GradingPlugin:
    backend: Backend
    submission: str  # load.Program.fingerprint of what is graded
    lower: dict[str, dict[str, Callable]] = field(default_factory=dict)  # composite function -> reference lower parts
    outcomes: dict[str, Outcome] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)

    @pytest.fixture(scope="session")
    def student(self):
        return Submission(self.backend, self.lower)

    @pytest.fixture
    def rng(self, request):
        return np.random.default_rng(zlib.crc32(request.node.name.encode()))

    @pytest.fixture
    def order_rng(self, request):
        """The order of a judged test's runs (autograder.judge): a regrade of the same submission repeats it, another
        submission gets another, and no student can compute it (the hidden suite's own bytes are in the seed)."""
        seed = hashlib.sha256(f"{self.submission}\0{request.node.nodeid}\0".encode() + request.node.path.read_bytes())
        return np.random.default_rng(int.from_bytes(seed.digest()[:16], "little"))

    @pytest.fixture
    def credit(self):
        return Credit()

    def pytest_collection_modifyitems(self, items):
        for item in items:
            mark = item.get_closest_marker("grade")
            if mark is None:
                self.problems.append(f"{item.nodeid}: no @grade marker")
                continue
            kw = mark.kwargs
            self.outcomes[item.nodeid] = Outcome(item.name, kw["part"], float(kw["points"]), kw.get("hint", ""),
                                                 hint_for=list(kw.get("hint_for", testing.HINTED)))

    def pytest_collectreport(self, report):
        if report.failed:
            kept = self.backend.limits.problem_kept
            self.problems.append(f"cannot collect {report.nodeid}: {report.longreprtext[-kept:]}")

    @pytest.hookimpl(hookwrapper=True)
    def pytest_runtest_makereport(self, item, call):
        result = yield
        report = result.get_result()
        outcome = self.outcomes.get(item.nodeid)
        if outcome is None or report.when == "teardown":
            return
        if report.when == "setup" and report.failed:
            outcome.message, outcome.cause = "grader error while setting up this test", testing.GRADER
            kept = self.backend.limits.problem_kept
            self.problems.append(f"{item.nodeid}: setup failed: {report.longreprtext[-kept:]}")
        elif report.when == "call":
            if report.passed:
                credit = item.funcargs.get("credit") or Credit()
                fraction = min(max(float(credit.fraction), 0.0), 1.0)
                outcome.passed, outcome.score = True, outcome.points * fraction
                outcome.message = str(credit.note)[: self.backend.limits.message_kept] if fraction < 1 else ""
                outcome.cause = testing.PARTIAL if fraction < 1 else ""
            else:
                exc = call.excinfo.value if call.excinfo else None
                outcome.message = str(exc) if isinstance(exc, SAFE_ERRORS) else "incorrect result"
                outcome.cause, outcome.error, outcome.where = classify(exc)
                if exc is not None and not isinstance(exc, (AssertionError, *SAFE_ERRORS)):
                    self.problems.append(f"{item.nodeid}: suite raised {type(exc).__name__}: {exc}")
