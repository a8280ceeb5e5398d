"""Fairness of the grader: one bug costs one part, and valid notebook code loads as Jupyter would run it.

- A function that hangs, or kills its process, scores exactly what the released stub of that function scores: the
  rest of the notebook keeps its points (A1 and A4, under the sandbox, with a short call limit).
- An independent, correct A1 whose lines start with `%` or `!` inside brackets (continuation lines), whose strings
  hold `%` and `!`, and which uses line and cell magics (`%timeit`, `!ls`, `%%time`, `%matplotlib inline`) scores
  full marks.
"""

from __future__ import annotations

import dataclasses

import pytest

from autograder import assignment as layout
from autograder.grading import grade_answers
from course.release import stub_answers

# one function per cell, used by no other graded function (so a hang costs exactly that function's tests)
BROKEN = {
    "a1_convolution": ("corr1d", "def corr1d(x, w, stride=1):\n    {body}\n"),
    "a4_backprop": ("mse_loss", "def mse_loss(pred, target):\n    {body}\n"),
}
HANG, EXIT, STUB = "while True:\n        pass", "import os\n    os._exit(1)", "raise NotImplementedError()"


def grade_with(assignment_id: str, body: str, slot: int):
    a = layout.get(assignment_id)
    cell, template = BROKEN[assignment_id]
    answers = {**a.reference_answers(), cell: template.format(body=body)}
    limits = dataclasses.replace(a.limits, call_timeout=2.0)
    return grade_answers(a, answers, student=f"{cell}: {body.split()[0]}", slot=slot, limits=limits)


@pytest.mark.parametrize("assignment_id", sorted(BROKEN))
def test_a_hanging_or_dying_function_costs_what_its_stub_costs(assignment_id, slot):
    a = layout.get(assignment_id)
    cell = BROKEN[assignment_id][0]
    stub = grade_with(assignment_id, STUB, slot)
    assert stub.score < a.max_score and stub.parts[cell][0] == 0, "the stub must lose that part's points"
    for body in (HANG, EXIT):
        broken = grade_with(assignment_id, body, slot)
        assert broken.parts == stub.parts, f"{body!r}: parts {broken.parts} != the stub's {stub.parts}"
        assert broken.score == stub.score
        assert broken.status != "error" and "not called again" in broken.reason + "".join(
            t["message"] for t in broken.tests), broken.reason


def test_released_stub_of_the_cell_is_what_the_twin_replaces():
    """The stub twin above is the released stub: the released cell of that function raises NotImplementedError."""
    for assignment_id, (cell, _) in BROKEN.items():
        assert STUB in stub_answers(layout.get(assignment_id))[cell]


# --- an independent, correct A1 written with magics and continuation lines ------------------------------------------

MAGIC_A1 = {
    "fit_fir_wiener": '''\
%matplotlib inline
import numpy as np


def fir_design_matrix(x, n_taps):
    x = np.array(x, dtype=float)
    rows = []
    for t in range(n_taps - 1, len(x)):
        rows.append([x[t - k] for k in range(n_taps)])
    return np.array(rows, dtype=float).reshape(-1, n_taps)


def fit_fir_wiener(x, d, n_taps):
    X = fir_design_matrix(x, n_taps)
    A = np.hstack([X, np.ones((len(X), 1))])
    target = np.asarray(d, dtype=float)[n_taps - 1:]
    theta = np.linalg.lstsq(A, target, rcond=None)[0]
    return theta[:n_taps], float(theta[n_taps])
''',
    "fit_fir_gd": '''\
%%time
def fit_fir_gd(x, d, n_taps, lr, n_steps):
    X = fir_design_matrix(x, n_taps)
    target = np.asarray(d, dtype=float)[n_taps - 1:]
    w, b = np.zeros(n_taps), 0.0
    losses = []
    for _ in range(n_steps + 1):
        e = target - X @ w - b
        losses.append(np.mean(e ** 2))
        if len(losses) > n_steps:
            break
        w = w + lr * 2 * X.T @ e / len(e)
        b = b + lr * 2 * e.sum() / len(e)
    return w, float(b), np.array(losses)
''',
    "conv1d": '''\
!ls
def conv1d(x, w, mode="full"):
    x, w = np.array(x, dtype=float), np.array(w, dtype=float)
    if len(w) > len(x):
        x, w = w, x
    n, m = len(x), len(w)
    full = np.zeros(n + m - 1)
    for t in range(n + m - 1):
        for a in range(n):
            if 0 <= t - a < m:
                full[t] += x[a] * w[t - a]
    if mode == "full":
        return full
    if mode == "same":
        return full[(m - 1) // 2:(m - 1) // 2 + n]
    if mode == "valid":
        return full[m - 1:n]
    raise ValueError("mode must be full, same or valid, not %s!" % mode)
''',
    "corr1d": '''\
def corr1d(x, w, stride=1):
    x, w = np.array(x, dtype=float), np.array(w, dtype=float)
    if (int(stride) < 1 or stride
            != int(stride)):
        raise ValueError("stride must be a positive integer (100% sure!)")
    count = (len(x) - len(w)) // stride + 1
    return np.array([x[t * stride:t * stride + len(w)] @ w for t in range(count)], dtype=float)
''',
    "test_stride_is_downsampling": '''\
def test_stride_is_downsampling(corr1d):
    rng = np.random.default_rng(0)
    for n, m in [(11, 3), (12, 4), (9, 1), (6, 6)]:
        x, w = rng.normal(size=n), rng.normal(size=m)
        full = np.asarray(corr1d(x, w))
        for s in (1, 2, 3, 5):
            got = np.asarray(corr1d(x, w, stride=s))
            assert got.shape == full[::s].shape, "wrong length! (%d)" % s
            assert np.allclose(got, full[::s])
''',
    "output_size": '''\
%timeit 1 + 1
def output_size(n, k, stride=1, pad=0):
    span = (n + 2 * pad - k
           % (k + 1))
    return int(span // stride + 1)
''',
    "corr2d": '''\
def corr2d(x, w, stride=1, pad=0):
    x, w = np.array(x, dtype=float), np.array(w, dtype=float)
    x = np.pad(x, pad)
    kh, kw = w.shape
    out = np.zeros(((x.shape[0] - kh) // stride + 1, (x.shape[1] - kw) // stride + 1))
    for i in range(out.shape[0]):
        for j in range(out.shape[1]):
            out[i, j] = np.sum(x[i * stride:i * stride + kh, j * stride:j * stride + kw] * w)
    return out
''',
    "conv2d": '''\
def conv2d(x, w, stride=1, pad=0):
    return corr2d(x, np.array(w, dtype=float)[::-1, ::-1], stride, pad)
''',
    "conv_forward": '''\
def conv_forward(x, w, b, stride=1, pad=0):
    x, w, b = (np.array(a, dtype=float) for a in (x, w, b))
    out = np.array([[sum(corr2d(x[n, c], w[f, c], stride, pad) for c in range(x.shape[1])) + b[f]
                     for f in range(w.shape[0])] for n in range(x.shape[0])])
    return out, (x, w, b, int(stride), int(pad))
''',
    "param_counts": '''\
def dense_param_count(in_shape, out_shape, bias=True):
    d, m = int(np.prod(in_shape)), int(np.prod(out_shape))
    return d * m + (m if bias else 0)


def conv_param_count(c_in, c_out, kh, kw, bias=True):
    return c_out * (c_in * kh * kw + (1 if bias else 0))
''',
    "receptive_field": '''\
def receptive_field(kernel_sizes, strides):
    r, jump = 1, 1
    for k, s in zip(kernel_sizes, strides):
        r, jump = r + (k - 1) * jump, jump * s
    return r
''',
}


def test_continuation_lines_strings_and_magics_load_as_in_jupyter(slot):
    a = layout.get("a1_convolution")
    assert set(MAGIC_A1) == set(a.solution_ids)
    result = grade_answers(a, MAGIC_A1, student="magics", slot=slot)
    failed = [f"{t['name']}: {t['message']}" for t in result.tests if not t["passed"]]
    assert result.score == a.max_score == 100, (failed, result.notes)
    assert not any("while loading" in note for note in result.notes), result.notes


# --- a stated rule is enforced: no np.convolve / np.correlate in A1's solutions -------------------------------------

def test_a_forbidden_call_costs_its_part_and_is_named(slot):
    a = layout.get("a1_convolution")
    assert {"numpy.convolve", "numpy.correlate", "scipy.*"} == set(a.forbidden["conv1d"])
    assert "test_stride_is_downsampling" not in a.forbidden, "a student's own test may use anything"
    reference = grade_answers(a, a.reference_answers(), student="reference", slot=slot)
    assert reference.score == a.max_score
    shortcut = {**a.reference_answers(),
                "conv1d": "def conv1d(x, w, mode='full'):\n    return np.convolve(x, w, mode).astype(float)\n"}
    result = grade_answers(a, shortcut, student="np.convolve", slot=slot)
    assert result.parts["conv1d"] == [0.0, a.parts["conv1d"]]
    assert result.score == a.max_score - a.parts["conv1d"]
    assert any("uses np.convolve" in note for note in result.notes), result.notes
    assert all("np.convolve" in t["message"] for t in result.tests if t["part"] == "conv1d")


def test_an_indirect_forbidden_call_is_caught_in_the_sandbox_and_tests_may_use_them(slot):
    a = layout.get("a1_convolution")
    reference = a.reference_answers()
    indirect = {
        **reference,
        # np.polymul convolves through numpy's own convolve: the static check cannot see it, the tripwire does
        "conv1d": "def conv1d(x, w, mode='full'):\n    return np.polymul(np.asarray(x, float), np.asarray(w, float))\n",
        # a student's test may use np.correlate to compute what it expects
        "test_stride_is_downsampling": reference["test_stride_is_downsampling"] + (
            "\n\ndef _expected(x, w):\n    return np.correlate(x, w, 'valid')\n"),
    }
    indirect["test_stride_is_downsampling"] = indirect["test_stride_is_downsampling"].replace(
        "s1 = np.asarray(corr1d(x, w))",
        "s1 = np.asarray(corr1d(x, w))\n        assert np.allclose(s1, _expected(x, w))")
    result = grade_answers(a, indirect, student="polymul", slot=slot)
    conv1d = [t for t in result.tests if t["part"] == "conv1d"]
    assert result.parts["conv1d"][0] == 0 and not any(t["passed"] for t in conv1d)
    assert any("ForbiddenCall" in t["message"] and "np.convolve is not allowed in conv1d()" in t["message"]
               for t in conv1d), [t["message"] for t in conv1d]
    others = {p: s for p, s in result.parts.items() if p != "conv1d"}
    assert others == {p: [pts, pts] for p, pts in a.parts.items() if p != "conv1d"}, others


@pytest.mark.parametrize("code, found", [
    ("def f(x, w):\n    return np.convolve(x, w)\n", ["numpy.convolve"]),
    ("import numpy\ndef f(x, w):\n    return numpy.correlate(x, w)\n", ["numpy.correlate"]),
    ("from numpy import convolve as c\ndef f(x, w):\n    return c(x, w)\n", ["numpy.convolve"]),
    ("def f(x, w):\n    return getattr(np, 'correlate')(x, w)\n", ["numpy.correlate"]),
    ("def f(x, w):\n    return np._core.numeric.convolve(x, w)\n", ["numpy.convolve"]),
    ("def f(x, w):\n    return np.polymul(x, w)  # built on convolve: left to the tripwire\n", []),
    ("def f(x, w):\n    return x.convolve  # not numpy's\n", []),
])
def test_the_static_check_sees_through_aliases(code, found):
    from autograder.rules import violations

    cells = [("given", "import numpy as np\n"), ("conv1d", code), ("free", "np.convolve([1], [1])\n")]
    got = violations({"conv1d": ["numpy.convolve", "numpy.correlate"]}, cells)
    assert [v.name for v in got] == found
    assert all(v.cell == "conv1d" and v.shown.startswith("np.") for v in got)


@pytest.mark.parametrize("code", [
    "from scipy.signal import correlate2d\ndef corr2d(x, w):\n    return correlate2d(x, w, 'valid')\n",
    "import scipy.signal as ss\ndef corr2d(x, w):\n    return ss.correlate2d(x, w, 'valid')\n",
    "import scipy\ndef corr2d(x, w):\n    return scipy.ndimage.correlate(x, w)\n",
])
def test_numpy_only_is_enforced_scipy_costs_the_part(code):
    """'Use numpy only' (every notebook): a solution cell that uses scipy scores 0 for its part."""
    from autograder.rules import violations

    a = layout.get("a1_convolution")
    got = violations(a.forbidden, [("given", "import numpy as np\n"), ("corr2d", code)])
    assert [(v.cell, v.name, v.shown) for v in got] == [("corr2d", "scipy.*", "scipy")]
    assert all("scipy.*" in a.forbidden[cell] for cell in a.solution_ids if not cell.startswith("test_"))
