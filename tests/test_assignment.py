"""The model of an assignment: its limits (`assignment.json` replaces some defaults; the gradebook names them), what
its submissions need, what their fork server preloads, and its cells."""

from __future__ import annotations

import dataclasses
import importlib.util
import json

import pytest

from autograder import assignment as layout
from autograder import consistency, settings
from autograder.config import LIMITS, NO_PRELOAD, ROOT, Preload
from autograder.grading import isolation_of
from course.mutation import catalogue_problems

DECLARED = sorted((ROOT / "autograder" / "suites").glob("*/assignment.json"))


def test_an_assignment_without_declared_limits_gets_the_defaults():
    a1 = layout.get("a1_convolution")
    assert a1.settings.limits is None and a1.limits == LIMITS and a1.needs == []
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


def settings_of(tmp_path, text: str) -> layout.Assignment:
    """Assignment a9_test of a layout in tmp_path whose assignment.json is `text`."""
    suite = tmp_path / "autograder" / "suites" / "a9_test"
    suite.mkdir(parents=True)
    (suite / "test_x.py").write_text("")
    (suite / "assignment.json").write_text(text)
    return layout.get("a9_test", tmp_path)


def test_an_unknown_limit_is_refused(tmp_path):
    with pytest.raises(layout.LayoutError, match="memroy"):
        _ = settings_of(tmp_path, '{"limits": {"memroy": 1}}').limits


@pytest.mark.parametrize(("text", "line", "said"), [
    ('{\n  "limits": {},\n  "forbiden": {}\n}', 3, "forbiden: unknown key 'forbiden'"),
    ('{"limits": {\n  "memroy": 1}}', 2, "limits.memroy: unknown key 'memroy'"),
    ('{"preload": {"modules": ["jax"],\n  "enviroment": {}}}', 2, "preload.enviroment: unknown key"),
    ('{\n  "needs": "keras"\n}', 2, "needs: Input should be a valid list"),
    ('{"limits": {"load_timeout": "60"}}', 1, "limits.load_timeout: Input should be a valid number"),
    ('{"limits": {"memory": 2.5e9}}', 1, "limits.memory: Input should be a valid integer"),
    ('{"limits": {"call_timeout": 0}}', 1, "limits.call_timeout: Input should be greater than 0"),
    ('{"reveals": {"a1": "conv_forward"}}', 1, "reveals.a1: Input should be a valid list"),
    ('{"forbidden": {"*": ["numpy convolve"]}}', 1, "forbidden.*.0: String should match pattern"),
    ('{"calls": {"cnn_loss": [1]}}', 1, "calls.cnn_loss.0: Input should be a valid string"),
    ('[]', 1, "expected a JSON object"),
    ('{\n\n  "limits": {,}}', 3, "not valid JSON"),
])
def test_assignment_json_follows_its_schema(tmp_path, text, line, said):
    """An unknown key or a value of the wrong type is an error naming the file, the key and its line."""
    a = settings_of(tmp_path, text)
    with pytest.raises(layout.ConsistencyError) as refused:
        _ = a.settings
    assert [str(p) for p in refused.value.problems if said in str(p)] != [], str(refused.value)
    assert all(str(p).startswith(f"autograder/suites/a9_test/assignment.json:{line}: ")
               for p in refused.value.problems if said in str(p)), str(refused.value)


def test_the_call_graph_is_a_declared_key(tmp_path):
    a = settings_of(tmp_path, '{"calls": {"cnn_loss": ["conv_forward", "relu_forward"]}}')
    assert a.settings.calls == {"cnn_loss": ["conv_forward", "relu_forward"]}


def test_contributing_lists_the_keys_of_the_schema():
    """The reference of assignment.json's keys in docs/CONTRIBUTING.md is the schema's own (`settings.reference()`:
    paste it there when a key changes)."""
    assert settings.reference() in (ROOT / "docs" / "CONTRIBUTING.md").read_text()


@pytest.mark.parametrize("a", layout.find(), ids=lambda a: a.id)
def test_every_assignment_keeps_the_rules(a):
    """What the tool checks at build, try and grade time holds for the kit's own assignments."""
    assert [str(p) for p in consistency.problems(a)] == []
    assert [str(p) for p in catalogue_problems(a, a.reference_answers())] == []


def test_only_a6_preloads_and_what_it_preloads_is_installed():
    """A6's children find Keras on JAX imported; every other assignment's get numpy alone (no jax in their address
    space: their memory limit is 2 GiB)."""
    preloads = {a.id: a.preload for a in layout.find()}
    assert preloads.pop("a6_frameworks") == Preload(("jax", "keras"),
                                                    (("JAX_PLATFORMS", "cpu"), ("KERAS_BACKEND", "jax")))
    assert set(preloads.values()) == {NO_PRELOAD}
    for a in layout.find():
        assert all(importlib.util.find_spec(m) is not None for m in a.preload.modules), a.id


def test_a_preload_is_read_with_its_environment_sorted(tmp_path):
    a = settings_of(tmp_path, '{"preload": {"modules": ["b.c", "a", "b.c"], "env": {"Z": "1", "A_B": ""}}}')
    assert a.preload == Preload(("b.c", "a"), (("A_B", ""), ("Z", "1")))
    assert a.preload.environ == {"A_B": "", "Z": "1"}


@pytest.mark.parametrize("preload", [
    '["jax"]', '{"modules": []}', '{"modules": "jax"}', '{"modules": ["jax keras"]}', '{"modules": ["jax."]}',
    '{"env": {"A": "1"}}', '{"modules": ["jax"], "env": {"A": 1}}', '{"modules": ["jax"], "env": {"A=B": "1"}}',
    '{"modules": ["jax"], "env": ["A"]}', '{"modules": ["jax"], "enviroment": {}}',
])
def test_a_malformed_preload_is_refused(tmp_path, preload):
    a = settings_of(tmp_path, f'{{"preload": {preload}}}')
    with pytest.raises(layout.LayoutError, match=r"assignment\.json:\d+: preload"):
        _ = a.preload


def test_cells_have_roles():
    for a in layout.find():
        roles = {c.role for c in a.cells}
        assert {"given", "solution", "check", "markdown"} <= roles, a.id
        assert set(a.solution_ids) == set(a.reference_answers())
