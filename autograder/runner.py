"""Run an assignment's hidden pytest suite, in this (trusted) process, against one backend."""

from __future__ import annotations

import contextlib
import importlib
import io
import sys
from collections.abc import Callable

import pytest

from autograder.assignment import Assignment
from autograder.backend import Backend
from autograder.plugin import GradingPlugin, Outcome


def run_suite(assignment: Assignment, backend: Backend, submission: str) -> tuple[list[Outcome], list[str]]:
    """Run the hidden suite; returns the outcome of every graded test and the suite's own problems. `submission`
    identifies what is graded (`load.Program.fingerprint`): it fixes the order in which a student's test is judged."""
    path = assignment.suite
    if not path.is_dir():
        return [], [f"no hidden suite for {assignment.id!r}"]
    if str(assignment.root) not in sys.path:
        sys.path.insert(0, str(assignment.root))  # the suites import `solutions`
    plugin = GradingPlugin(backend, submission, reference_lower_parts(assignment))
    args = [
        str(path), "-q", "--noconftest", "--import-mode=importlib", "-p", "no:cacheprovider",
        "-p", "no:randomly", "--rootdir", str(path), "-o", "python_files=test_*.py",
        "-W", "ignore", "--no-header", "--tb=no", "-o", "markers=grade: points, part and hint of a graded test",
        # speed, per submission: no gc.collect() after the session (unraisableexception), no scan of installed
        # packages for plugins (none is wanted in a hidden suite anyway), no fd capture, log capture or warning
        # recording around each test, and none of the plugins a grading session never uses
        "-p", "no:unraisableexception", "--capture=no", "-p", "no:logging", "-p", "no:warnings",
        "-p", "no:threadexception", "-p", "no:faulthandler", "-p", "no:doctest", "-p", "no:junitxml",
        "-p", "no:pastebin", "-p", "no:stepwise", "-p", "no:legacypath", "-p", "no:setuponly", "-p", "no:setupplan",
        *(["--disable-plugin-autoload"] if pytest.version_tuple >= (8, 4) else []),
    ]
    sink = io.StringIO()
    with contextlib.redirect_stdout(sink), contextlib.redirect_stderr(sink):
        pytest.main(args, plugins=[plugin])
    return list(plugin.outcomes.values()), plugin.problems


def reference_lower_parts(assignment: Assignment) -> dict[str, dict[str, Callable]]:
    """Function a hidden test calls -> {graded function it calls: the reference's} (`Assignment.lower_parts`)."""
    if not assignment.lower_parts:
        return {}
    reference = importlib.import_module(f"solutions.{assignment.id}")
    return {f: {name: getattr(reference, name) for name in names} for f, names in assignment.lower_parts.items()}
