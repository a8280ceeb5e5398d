"""The model of an assignment: its limits (`assignment.json` replaces some defaults; the gradebook names them), what
its submissions need, and its cells."""

from __future__ import annotations

import dataclasses
import json

import pytest

from autograder import assignment as layout
from autograder.config import LIMITS, ROOT
from autograder.grading import isolation_of

DECLARED = sorted((ROOT / "autograder" / "suites").glob("*/assignment.json"))


def test_an_assignment_without_declared_limits_gets_the_defaults():
    a1 = layout.get("a1_convolution")
    assert "limits" not in a1.settings and a1.limits == LIMITS and a1.needs == []
    assert LIMITS.differences() == ""


def test_non_default_limits_are_named_in_the_isolation_column():
    limits = dataclasses.replace(LIMITS, memory=6 * 1024**3, load_timeout=60.0, processes=256)
    assert limits.differences() == "load 60 s, memory 6 GiB, processes 256"


@pytest.mark.parametrize("path", DECLARED, ids=lambda p: p.parent.name)
def test_declared_limits_are_applied_and_shown(path):
    declared = json.loads(path.read_text()).get("limits", {})
    a = layout.get(path.parent.name)
    assert {k: getattr(a.limits, k) for k in declared} == declared
    assert all(getattr(a.limits, f.name) == getattr(LIMITS, f.name) for f in dataclasses.fields(LIMITS)
               if f.name not in declared)
    if declared:
        assert isolation_of(a).endswith(f"; limits of {a.id}: {a.limits.differences()}")


def test_an_unknown_limit_is_refused(tmp_path):
    suite = tmp_path / "autograder" / "suites" / "a9_test"
    suite.mkdir(parents=True)
    (suite / "test_x.py").write_text("")
    (suite / "assignment.json").write_text('{"limits": {"memroy": 1}}')
    with pytest.raises(layout.LayoutError, match="memroy"):
        _ = layout.get("a9_test", tmp_path).limits


def test_cells_have_roles_and_the_parts_add_up_to_100():
    for a in layout.find():
        roles = {c.role for c in a.cells}
        assert {"given", "solution", "check", "markdown"} <= roles, a.id
        assert a.max_score == 100, a.id
        assert set(a.solution_ids) == set(a.reference_answers())
