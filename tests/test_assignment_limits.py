"""Per-assignment limits: `autograder/suites/<id>/assignment.json` replaces some defaults, and the gradebook's
isolation column names every limit that differs from the defaults."""

from __future__ import annotations

import dataclasses
import json

import pytest

from autograder import grading
from autograder.config import LIMITS, SUITES


def test_an_assignment_without_a_declaration_gets_the_defaults():
    assert grading.assignment_limits("a1_convolution") == LIMITS
    assert grading.limits_note(LIMITS) == ""


def test_non_default_limits_are_named_in_the_isolation_column():
    limits = dataclasses.replace(LIMITS, memory=6 * 1024**3, load_timeout=60.0, processes=256)
    assert grading.limits_note(limits) == "load 60 s, memory 6 GiB, processes 256"
    assert grading.isolation_note(limits).endswith("; limits: load 60 s, memory 6 GiB, processes 256")


@pytest.mark.parametrize("path", sorted(SUITES.glob("*/assignment.json")), ids=lambda p: p.parent.name)
def test_declared_limits_are_applied(path):
    declared = json.loads(path.read_text())["limits"]
    limits = grading.assignment_limits(path.parent.name)
    assert {k: getattr(limits, k) for k in declared} == declared
    assert all(getattr(limits, f.name) == getattr(LIMITS, f.name) for f in dataclasses.fields(LIMITS)
               if f.name not in declared)


def test_an_unknown_limit_is_refused(tmp_path, monkeypatch):
    (tmp_path / "a9_test").mkdir()
    (tmp_path / "a9_test" / "assignment.json").write_text('{"limits": {"memroy": 1}}')
    monkeypatch.setattr(grading, "SUITES", tmp_path)
    try:
        with pytest.raises(ValueError, match="memroy"):
            grading.assignment_limits("a9_test")
    finally:
        grading.assignment_declaration.cache_clear()
        grading.assignment_limits.cache_clear()
