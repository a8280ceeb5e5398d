"""A stated rule cannot be dodged: A1 forbids np.convolve, np.correlate and scipy in its solutions. Each dodge below is
a correct conv1d that computes its full convolution through a path the static check cannot see; graded in the
sandbox it loses exactly conv1d's part, as a rule-breaker always has, and every other part keeps its points.

The former tripwire let each of them through (100 instead of 90): it wrapped only the Python-level function, kept
the original on the wrapper, kept its state in an object reachable through sys.modules or gc, and enforced a
package rule (`scipy.*`) only statically.
"""

from __future__ import annotations

import pytest

from autograder import assignment as layout
from autograder.grading import grade_answers

A1 = layout.get("a1_convolution")
FULL = "full = np.lib.stride_tricks.sliding_window_view(np.pad(x, M - 1), M) @ w[::-1]"

DODGES = {
    "numpy's C-level correlate2": """\
    import importlib
    core = importlib.import_module("numpy._core._multiarray_" + "umath")
    full = getattr(core, "corr" + "elate2")(x, w[::-1], 2)""",
    "the original kept on the tripwire": """\
    wire = getattr(np, "con" + "volve")
    full = getattr(wire, "__kit_" + "original__", wire)(x, w)""",
    "the tripwire's state switched off through sys.modules": """\
    import sys
    for module in list(sys.modules.values()):
        state = getattr(module, "TRIP" + "WIRES", None)
        if state is not None:
            state.armed, state.guarded = None, {}
            state.install({})
    full = getattr(np, "con" + "volve")(x, w)""",
    "the tripwire's state switched off through gc": """\
    import gc
    for obj in gc.get_objects():
        if type(obj).__name__ == "Trip" + "wires":
            obj.armed, obj.guarded = None, {}
    full = getattr(np, "con" + "volve")(x, w)""",
    "np.convolve reached through a computed name (numpy's dispatcher registry)": """\
    registry = getattr(getattr(np, "_core").overrides, "ARRAY_" + "FUNCTIONS")
    full = next(f for f in registry if getattr(f, "__name__", "") == "con" + "volve")(x, w)""",
    "a fresh copy of numpy's C module": """\
    import importlib.util
    core = getattr(np, "_core")
    name = "numpy._core._multiarray_" + "umath"
    spec = importlib.util.spec_from_file_location(name, getattr(core, "_multiarray_" + "umath").__file__)
    full = getattr(importlib.util.module_from_spec(spec), "corr" + "elate2")(x, w[::-1], 2)""",
    "the refusing hook's closures wrecked through a refusal's traceback": """\
    import gc
    try:
        for obj in gc.get_objects():
            if type(obj).__name__ == "Trip" + "wires":
                obj.armed, obj.guarded = None, {}
    except RuntimeError as exc:
        tb = exc.__traceback__
        while tb is not None:
            for value in list(tb.tb_frame.f_locals.values()):
                for cell in getattr(value, "__closure__", None) or ():
                    cell.cell_contents = None
                if isinstance(value, (dict, list, set)):
                    value.clear()
            tb = tb.tb_next
    full = getattr(np, "con" + "volve")(x, w)""",
    "importlib.import_module of a computed scipy": """\
    import importlib
    full = importlib.import_module("sc" + "ipy.signal").fftconvolve(x, w, "full")""",
    "__import__ of a computed scipy.signal": """\
    full = __import__("sc" + "ipy.signal", fromlist=["x"]).fftconvolve(x, w, "full")""",
}


# the import runs while the cell loads, before any call: the cell's own code is guarded too (its last line: the
# functions above it are defined either way)
AT_LOAD = ("    full = _signal.fftconvolve(x, w, 'full')",
           "\n\nimport importlib\n_signal = importlib.import_module('sc' + 'ipy.signal')\n")


def dodging(body: str, after: str = "") -> dict[str, str]:
    reference = A1.reference_answers()
    assert reference["conv1d"].count(FULL) == 1
    return {**reference, "conv1d": reference["conv1d"].replace("    " + FULL, body) + after}


@pytest.mark.parametrize("mode", ["auto", "unshare", "fallback"])
@pytest.mark.parametrize("dodge", [*sorted(DODGES), "a computed scipy import while the cell loads"])
def test_a_dodged_rule_still_costs_exactly_its_part(dodge, mode, slot, monkeypatch):
    """In every isolation mode (as root: its own uid with namespaces, a user namespace as an ordinary user has, the
    fallback)."""
    monkeypatch.setenv("KIT_ISOLATION", mode)
    answers = dodging(*AT_LOAD) if dodge not in DODGES else dodging(DODGES[dodge])
    result = grade_answers(A1, answers, student=dodge[:40], slot=slot)
    assert not any("uses " in note for note in result.notes), f"the static check saw it: {result.notes}"
    conv1d = [t for t in result.tests if t["part"] == "conv1d"]
    assert result.parts["conv1d"][0] == 0 and not any(t["passed"] for t in conv1d), [t["message"] for t in conv1d]
    others = {p: s for p, s in result.parts.items() if p != "conv1d"}
    assert others == {p: [pts, pts] for p, pts in A1.parts.items() if p != "conv1d"}, others


def test_the_same_code_unguarded_is_not_refused(slot):
    """The rule binds solution functions only: the student's own test may use np.convolve, numpy's C module and
    scipy, so the dodges above fail for the rule alone, not for being broken code."""
    reference = A1.reference_answers()
    usable = [body for name, body in sorted(DODGES.items()) if not any(w in name for w in ("state", "fresh", "wreck"))]
    helper = "\n\ndef _full{i}(x, w):\n    x, w = np.asarray(x, float), np.asarray(w, float)\n    M = len(w)\n"
    helpers = "".join(helper.format(i=i) + body + "\n    return full\n" for i, body in enumerate(usable))
    checks = "".join(f"\n        assert np.allclose(_full{i}(x, w), np.convolve(x, w))" for i in range(len(usable)))
    test = reference["test_stride_is_downsampling"]
    assert test.count("s1 = np.asarray(corr1d(x, w))") == 1
    answers = {**reference, "test_stride_is_downsampling": test.replace(
        "s1 = np.asarray(corr1d(x, w))", "s1 = np.asarray(corr1d(x, w))" + checks) + helpers}
    result = grade_answers(A1, answers, student="unguarded dodges", slot=slot)
    failed = [f"{t['name']}: {t['message']}" for t in result.tests if not t["passed"]]
    assert result.score == A1.max_score, failed


@pytest.mark.parametrize("code, found", [
    ("from numpy._core._multiarray_umath import correlate2\ndef f(x, w):\n    return correlate2(x, w, 2)\n",
     ["numpy.correlate"]),
    ("def f(x, w):\n    return np._core._multiarray_umath.correlate2(x, w[::-1], 2)\n", ["numpy.correlate"]),
    ("import importlib\ndef f(x, w):\n    return importlib.import_module('scipy.signal').convolve(x, w)\n",
     ["scipy.*"]),
    ("def f(x, w):\n    return __import__('scipy').signal.convolve(x, w)\n", ["scipy.*"]),
])
def test_the_static_check_knows_numpys_other_names_and_constant_imports(code, found):
    from autograder.rules import violations

    got = violations({"conv1d": ["scipy.*", "numpy.convolve", "numpy.correlate"]},
                     [("given", "import numpy as np\n"), ("conv1d", code)])
    assert [v.name for v in got] == found


def test_the_guard_covers_a_cells_own_code():
    from autograder.rules import tripwires

    guard = tripwires({"conv1d": ["numpy.convolve"]}, [("given", "import numpy as np\n"),
                                                        ("conv1d", "def conv1d(x, w):\n    pass\n")])
    assert guard == {"conv1d": ["numpy.convolve"], "<cell conv1d>": ["numpy.convolve"]}


def test_the_hooks_look_up_no_global_name():
    """A submission may rebind any module's or builtin's name (`builtins.type = spy`): a hook that looked one up would
    run the submission's code with its own frame, and the originals, on the stack."""
    import dis

    from autograder import child

    def names(code) -> set[str]:
        found = {i.argval for i in dis.get_instructions(code) if i.opname in ("LOAD_GLOBAL", "LOAD_NAME")}
        return found.union(*(names(c) for c in code.co_consts if hasattr(c, "co_code")))

    hooks = child._hooks((), {}, child.call_in.__code__, True)
    assert [h.__name__ for h in hooks] == ["hand_over", "refuse"]
    assert {h.__name__: names(h.__code__) for h in hooks} == {"hand_over": set(), "refuse": set()}
    helpers = [c.cell_contents for c in hooks[1].__closure__ if callable(c.cell_contents)]
    assert all(getattr(f, "__closure__", None) is None and not names(getattr(f, "__code__", compile("", "", "exec")))
               for f in helpers), "what the refusing hook's traceback shows must hold no cell to rewrite"


MEMORY = '''\
import os
def write_own_memory():
    """/proc/self/mem writes any byte of the process: the hooks' closures included."""
    import tempfile
    folder = tempfile.mkdtemp()
    proc = os.open("/proc/self", os.O_RDONLY)
    fd = os.open(folder, os.O_RDONLY)
    tried = []
    for how in (lambda: open("/proc/self/mem", "r+b"), lambda: open(b"/proc/self/mem", "r+b"),
                lambda: os.fdopen(os.open("mem", os.O_RDWR, dir_fd=proc), "r+b"),
                lambda: os.symlink("/proc/self/mem", folder + "/m"),
                lambda: os.symlink(f"/dev/fd/{proc}/m" + "em", folder + "/n"),
                lambda: os.fdopen(os.open("n", os.O_RDWR, dir_fd=fd), "r+b")):  # (a path the hooks cannot resolve)
        try:
            opened = how()
            if opened is not None:
                opened.close()
            tried.append("done")
        except OSError as exc:
            tried.append(type(exc).__name__)
    return tried
'''


@pytest.mark.parametrize("mode", ["auto", "unshare", "fallback"])
def test_the_submission_cannot_write_its_own_memory(mode, slot, monkeypatch):
    from autograder.config import Limits
    from autograder.sandbox import Sandbox

    monkeypatch.setenv("KIT_ISOLATION", mode)
    with Sandbox([("given", "import numpy as np"), ("cell", MEMORY)], slot=slot, limits=Limits()) as sb:
        tried, _ = sb.call("write_own_memory", (), {})
    assert tried[:5] == ["PermissionError"] * 5 and tried[5] in ("PermissionError", "FileNotFoundError"), tried
