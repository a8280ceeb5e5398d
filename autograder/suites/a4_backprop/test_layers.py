"""A4 hidden suite: ReLU and the dense layer, forward and backward."""

import numpy as np

import solutions.a4_backprop as ref
from autograder.testing import as_tuple, assert_close, assert_unchanged, grade

# --- relu (6) -------------------------------------------------------------------------------------------------------


@grade(points=0.5, part="relu",
       hint="Possible reason: relu_forward should return (out, cache), out elementwise max(x, 0) as float64.")
def test_relu_forward(student, rng):
    x = rng.standard_normal((3, 4, 5))
    out, cache = as_tuple(student.relu_forward(x), 2, "relu_forward(x)")
    assert_close(out, np.maximum(x, 0), "relu_forward(x) out for x (3, 4, 5)")
    xi = rng.integers(-3, 4, size=(2, 7))
    out, _ = as_tuple(student.relu_forward(xi), 2, "relu_forward(x) on integers")
    assert_close(out, ref.relu_forward(xi)[0], "relu_forward out for an integer x (2, 7) (float64 expected)")


@grade(points=1, part="relu", hint="Possible reason: the upstream gradient dout not multiplied in?")
def test_relu_backward_random_upstream(student, rng):
    x = rng.standard_normal((2, 3, 4, 5))
    x[np.abs(x) < 0.05] = 0.5  # no input at the kink
    dout = rng.standard_normal(x.shape)
    assert_close(student.relu_backward(dout, x), ref.relu_backward(dout, x),
                 "relu_backward(dout, cache) for x (2, 3, 4, 5), random dout")


@grade(points=1, part="relu", hint="Possible reason: the convention is ReLU'(0) = 0 (at x == 0 the gradient is 0).")
def test_relu_backward_at_zero(student, rng):
    x = rng.integers(-2, 3, size=(4, 6)).astype(np.float64)  # many exact zeros
    dout = rng.standard_normal(x.shape)
    assert_close(student.relu_backward(dout, x), ref.relu_backward(dout, x),
                 "relu_backward where some inputs are exactly 0")


@grade(points=0.5, part="relu", hint="Possible reason: x or dout modified in place (e.g. dout[x <= 0] = 0)?")
def test_relu_inputs_unchanged(student, rng):
    x = rng.standard_normal((3, 5))
    _, args, _ = student.relu_forward.with_inputs(x)
    assert_unchanged(x, args[0], "x")
    dout = rng.standard_normal((3, 5))
    got, args, _ = student.relu_backward.with_inputs(dout, x)
    assert_close(got, ref.relu_backward(dout, x), "relu_backward(dout, cache)")
    assert_unchanged(dout, args[0], "dout")
    assert_unchanged(x, args[1], "the cache x")


# --- dense (8) ------------------------------------------------------------------------------------------------------

DENSE_SHAPES = [(3, 5, 4), (1, 6, 2), (4, 2, 7)]  # (N, D, M)


def dense_inputs(rng, N, D, M):
    return rng.standard_normal((N, D)), rng.standard_normal((D, M)), rng.standard_normal(M)


@grade(points=1, part="dense", hint="Possible reason: out = x @ w + b with x (N, D), w (D, M); return (out, cache).")
def test_dense_forward(student, rng):
    for N, D, M in DENSE_SHAPES:
        x, w, b = dense_inputs(rng, N, D, M)
        out, _ = as_tuple(student.dense_forward(x, w, b), 2, "dense_forward(x, w, b)")
        assert_close(out, ref.dense_forward(x, w, b)[0], f"dense_forward out, x ({N}, {D}), w ({D}, {M})")
    x, w, b = np.full((2, 3), 200, np.uint8), np.full((3, 2), 100, np.uint8), np.array([7, 9], np.uint8)
    out, _ = as_tuple(student.dense_forward(x, w, b), 2, "dense_forward on uint8")
    assert_close(out, ref.dense_forward(x, w, b)[0], "dense_forward on uint8 inputs (no overflow, float64)")


@grade(points=2, part="dense",
       hint="Possible reason: dx (N, D): which axis of w does its sum run over, and is dout used?")
def test_dense_backward_dx(student, rng):
    for N, D, M in DENSE_SHAPES:
        x, w, b = dense_inputs(rng, N, D, M)
        dout = rng.standard_normal((N, M))
        dx, _, _ = as_tuple(student.dense_backward(dout, (x, w, b)), 3, "dense_backward(dout, cache)")
        assert_close(dx, ref.dense_backward(dout, (x, w, b))[0], f"dense_backward dx, x ({N}, {D}), w ({D}, {M})")


@grade(points=3, part="dense",
       hint="Possible reason: dw and db must be summed over the batch (not averaged, not from one sample).")
def test_dense_backward_dw_db(student, rng):
    for N, D, M in DENSE_SHAPES:
        x, w, b = dense_inputs(rng, N, D, M)
        dout = rng.standard_normal((N, M))
        _, dw, db = as_tuple(student.dense_backward(dout, (x, w, b)), 3, "dense_backward(dout, cache)")
        _, dw_want, db_want = ref.dense_backward(dout, (x, w, b))
        assert_close(dw, dw_want, f"dense_backward dw, x ({N}, {D}), w ({D}, {M})")
        assert_close(db, db_want, f"dense_backward db, x ({N}, {D}), w ({D}, {M})")


@grade(points=1, part="dense", hint="Possible reason: an input or the cache modified in place?")
def test_dense_inputs_unchanged(student, rng):
    x, w, b = dense_inputs(rng, 3, 4, 2)
    got, args, _ = student.dense_forward.with_inputs(x, w, b)
    assert_close(as_tuple(got, 2, "dense_forward(x, w, b)")[0], ref.dense_forward(x, w, b)[0], "dense_forward out")
    for name, before, after in zip("xwb", (x, w, b), args, strict=True):
        assert_unchanged(before, after, name)
    dout = rng.standard_normal((3, 2))
    got, args, _ = student.dense_backward.with_inputs(dout, (x, w, b))
    grads = as_tuple(got, 3, "dense_backward")
    for name, g, want in zip(("dx", "dw", "db"), grads, ref.dense_backward(dout, (x, w, b)), strict=True):
        assert_close(g, want, f"dense_backward {name}")
    assert_unchanged(dout, args[0], "dout")
    for name, before, after in zip("xwb", (x, w, b), args[1], strict=True):
        assert_unchanged(before, after, f"the cache's {name}")
