"""A4 hidden suite: the losses, the L2 penalty, numerical_gradient and sgd_step."""

import numpy as np

import solutions.a4_backprop as ref
from autograder.testing import Mismatch, as_tuple, assert_close, assert_scalar_close, assert_unchanged, grade

# --- mse_loss (5) ---------------------------------------------------------------------------------------------------

MSE_SHAPES = [(7,), (3, 4), (2, 3, 2)]


@grade(points=1, part="mse_loss", hint="Possible reason: the mean over ALL elements (not the sum, not per row)?")
def test_mse_loss_value(student, rng):
    for shape in MSE_SHAPES:
        pred, target = rng.standard_normal(shape), rng.standard_normal(shape)
        loss, _ = as_tuple(student.mse_loss(pred, target), 2, "mse_loss(pred, target)")
        assert_scalar_close(loss, ref.mse_loss(pred, target)[0], f"mse_loss value for shape {shape}")


@grade(points=1.5, part="mse_loss",
       hint="Possible reason: the gradient of a mean over ALL elements: a factor missing or per row?")
def test_mse_loss_gradient(student, rng):
    for shape in MSE_SHAPES:
        pred, target = rng.standard_normal(shape), rng.standard_normal(shape)
        _, dpred = as_tuple(student.mse_loss(pred, target), 2, "mse_loss(pred, target)")
        assert_close(dpred, ref.mse_loss(pred, target)[1], f"mse_loss dpred for shape {shape}")


@grade(points=0.5, part="mse_loss", hint="Possible reason: integer arithmetic, or an input modified in place?")
def test_mse_loss_integers_and_inputs_unchanged(student, rng):
    pred, target = rng.integers(0, 256, (3, 5)).astype(np.uint8), rng.integers(0, 256, (3, 5)).astype(np.uint8)
    got, args, _ = student.mse_loss.with_inputs(pred, target)
    loss, dpred = as_tuple(got, 2, "mse_loss on uint8")
    want_loss, want_dpred = ref.mse_loss(pred, target)
    assert_scalar_close(loss, want_loss, "mse_loss value on uint8 inputs")
    assert_close(dpred, want_dpred, "mse_loss dpred on uint8 inputs")
    assert_unchanged(pred, args[0], "pred")
    assert_unchanged(target, args[1], "target")


# --- softmax_cross_entropy (8) --------------------------------------------------------------------------------------

SOFTMAX_SHAPES = [(5, 3), (2, 7), (6, 2)]  # (N, M)


@grade(points=2, part="softmax_cross_entropy",
       hint="Possible reason: the loss is the mean over the batch of -log p[n, y[n]].")
def test_softmax_loss_value(student, rng):
    for N, M in SOFTMAX_SHAPES:
        scores, y = 2 * rng.standard_normal((N, M)), rng.integers(0, M, N)
        loss, _ = as_tuple(student.softmax_cross_entropy(scores, y), 2, "softmax_cross_entropy(scores, y)")
        assert_scalar_close(loss, ref.softmax_cross_entropy(scores, y)[0], f"loss for scores ({N}, {M})")


@grade(points=3, part="softmax_cross_entropy",
       hint="Possible reason: the gradient of the batch mean: the label's term, or the 1/N, missing?")
def test_softmax_gradient(student, rng):
    for N, M in SOFTMAX_SHAPES:
        scores, y = 2 * rng.standard_normal((N, M)), rng.integers(0, M, N)
        _, dscores = as_tuple(student.softmax_cross_entropy(scores, y), 2, "softmax_cross_entropy(scores, y)")
        assert_close(dscores, ref.softmax_cross_entropy(scores, y)[1], f"dscores for scores ({N}, {M})")


@grade(points=3, part="softmax_cross_entropy",
       hint="Possible reason: exp of large scores overflows, and after subtracting each row's maximum a small "
            "probability still underflows to 0, so np.log(p) gives -inf: never take the log of p itself.")
def test_softmax_large_scores_are_stable(student, rng):
    scores = np.array([[1000.0, 0.0, -1000.0], [-800.0, 900.0, 899.0], [50.0, 50.0, 700.0]])
    scores = scores + rng.uniform(-1, 1, scores.shape)
    y = np.array([1, 2, 0])
    loss, dscores = as_tuple(student.softmax_cross_entropy(scores, y), 2, "softmax_cross_entropy, scores ~ 1000")
    want_loss, want_dscores = ref.softmax_cross_entropy(scores, y)
    assert_scalar_close(loss, want_loss, "loss for scores of size ~1000")
    assert_close(dscores, want_dscores, "dscores for scores of size ~1000")


@grade(points=2, part="softmax_cross_entropy",
       hint="Possible reason: a batch of one, int32 labels, or scores / y modified in place?")
def test_softmax_edge_cases_and_inputs_unchanged(student, rng):
    scores, y = rng.standard_normal((1, 4)), np.array([3], dtype=np.int32)
    loss, dscores = as_tuple(student.softmax_cross_entropy(scores, y), 2, "softmax_cross_entropy, N = 1")
    want_loss, want_dscores = ref.softmax_cross_entropy(scores, y)
    assert_scalar_close(loss, want_loss, "loss for a batch of one")
    assert_close(dscores, want_dscores, "dscores for a batch of one")
    scores, y = rng.standard_normal((4, 3)), np.array([2, 0, 2, 1])
    _, args, _ = student.softmax_cross_entropy.with_inputs(scores, y)
    assert_unchanged(scores, args[0], "scores")
    assert_unchanged(y, args[1], "y")


# --- l2_penalty (3) -------------------------------------------------------------------------------------------------


@grade(points=0.5, part="l2_penalty", hint="Possible reason: the loss is 0.5 * lam * sum(w**2) (mind the 1/2).")
def test_l2_loss(student, rng):
    w = rng.standard_normal((3, 2, 4))
    loss, _ = as_tuple(student.l2_penalty(w, 0.37), 2, "l2_penalty(w, lam)")
    assert_scalar_close(loss, ref.l2_penalty(w, 0.37)[0], "l2_penalty loss, w (3, 2, 4), lam 0.37")


@grade(points=1, part="l2_penalty",
       hint="Possible reason: the gradient of the penalty (mind the 1/2; check it numerically).")
def test_l2_gradient(student, rng):
    for shape, lam in [((3, 2, 4), 0.37), ((5,), 2.0)]:
        w = rng.standard_normal(shape)
        _, dw = as_tuple(student.l2_penalty(w, lam), 2, "l2_penalty(w, lam)")
        assert_close(dw, ref.l2_penalty(w, lam)[1], f"l2_penalty dw, w {shape}, lam {lam}")


@grade(points=0.5, part="l2_penalty", hint="Possible reason: integer weights, or w modified in place?")
def test_l2_integers_and_inputs_unchanged(student, rng):
    w = rng.integers(-5, 6, (2, 1, 3, 3))
    got, args, _ = student.l2_penalty.with_inputs(w, 0.5)
    loss, dw = as_tuple(got, 2, "l2_penalty on integers")
    want_loss, want_dw = ref.l2_penalty(w, 0.5)
    assert_scalar_close(loss, want_loss, "l2_penalty loss for integer w")
    assert_close(dw, want_dw, "l2_penalty dw for integer w (float64 expected)")
    assert_unchanged(w, args[0], "w")


# --- numerical_gradient (7) -----------------------------------------------------------------------------------------


def cube_sum(z):
    return float(np.sum(z**3))


@grade(points=2, part="numerical_gradient",
       hint="Possible reason: one-sided differences (f(x+h) - f(x)) / h instead of central ones?")
def test_numerical_gradient_is_central(student, rng):
    x = rng.standard_normal(5)
    assert_close(student.numerical_gradient(cube_sum, x, 1e-2), ref.numerical_gradient(cube_sum, x, 1e-2),
                 "numerical_gradient of sum(x**3) with h = 0.01", rtol=1e-7, atol=1e-9)


@grade(points=2, part="numerical_gradient",
       hint="Possible reason: x of any shape (not only 1-D): the result has x's shape.")
def test_numerical_gradient_any_shape(student, rng):
    x, c = rng.standard_normal((2, 3, 2)), rng.standard_normal((2, 3, 2))

    def f(z):
        return float(np.sum(c * np.sin(z)))

    assert_close(student.numerical_gradient(f, x), c * np.cos(x), "numerical_gradient of sum(c * sin(x)), x (2, 3, 2)",
                 rtol=1e-5, atol=1e-7)


@grade(points=1, part="numerical_gradient",
       hint="Possible reason: the perturbation of one element not undone before the next one?")
def test_numerical_gradient_non_separable(student, rng):
    A, x = rng.standard_normal((4, 4)), rng.standard_normal(4)

    def f(z):
        return float(z @ A @ z)

    assert_close(student.numerical_gradient(f, x, 1e-4), (A + A.T) @ x, "numerical_gradient of x^T A x",
                 rtol=1e-6, atol=1e-7)


@grade(points=2, part="numerical_gradient",
       hint="Possible reason: a perturbation not undone, or x not converted to a float64 copy first?")
def test_numerical_gradient_probes_one_element_at_a_time(student, rng):
    """f must only ever see x with one element moved by +-h, and x must be left as it was."""
    x, h = rng.standard_normal((3, 2)), 1e-3
    probes = []

    def f(z):
        probes.append(np.array(z))
        return float(np.sum(z**3))

    got, args, _ = student.numerical_gradient.with_inputs(f, x, h)
    assert_close(got, 3 * x**2 + h**2, "numerical_gradient of sum(x**3), x (3, 2)", rtol=1e-6, atol=1e-8)
    assert_unchanged(x, args[1], "x")
    for z in probes:
        if z.shape != x.shape or z.dtype != np.float64:
            raise Mismatch(f"f was called with a {z.dtype} array of shape {z.shape}; expected float64 of x's shape")
        moved = np.abs(z - x) > 1e-12
        if moved.sum() > 1 or not np.allclose(np.abs(z - x)[moved], h):
            raise Mismatch("f was called with an array that differs from x in more than one element, or not by h: "
                           "undo each perturbation before the next")
    xi = np.array([1, -2, 3])
    assert_close(student.numerical_gradient(cube_sum, xi), 3.0 * xi**2, "numerical_gradient at an integer x",
                 rtol=1e-5, atol=1e-6)


# --- sgd_step (4) ---------------------------------------------------------------------------------------------------


def sgd_inputs(rng):
    params = {"w1": rng.standard_normal((2, 1, 3, 3)), "b1": rng.standard_normal(2), "w2": rng.standard_normal((5, 3))}
    grads = {name: rng.standard_normal(p.shape) for name, p in params.items()}
    return params, grads


def as_dict(got, what: str) -> dict:
    if not isinstance(got, dict):
        raise Mismatch(f"{what}: expected a dict of arrays, got {type(got).__name__}")
    return got


@grade(points=1, part="sgd_step",
       hint="Possible reason: a step against the gradient, scaled by lr, for every name (mind the sign)?")
def test_sgd_step_values(student, rng):
    params, grads = sgd_inputs(rng)
    got = as_dict(student.sgd_step(params, grads, 0.3), "sgd_step(params, grads, lr)")
    if set(got) != set(params):
        raise Mismatch(f"sgd_step returned the names {sorted(got)}, expected {sorted(params)}")
    want = ref.sgd_step(params, grads, 0.3)
    for name in params:
        assert_close(got[name], want[name], f"sgd_step new {name!r}, lr 0.3")


@grade(points=0.5, part="sgd_step",
       hint="Possible reason: params updated in place (p -= ...): return new arrays, leave the inputs alone.")
def test_sgd_step_inputs_unchanged(student, rng):
    params, grads = sgd_inputs(rng)
    got, args, _ = student.sgd_step.with_inputs(params, grads, 0.1)
    got, want = as_dict(got, "sgd_step(params, grads, lr)"), ref.sgd_step(params, grads, 0.1)
    for name in params:
        if name not in got:
            raise Mismatch(f"sgd_step result lacks {name!r}")
        assert_close(got[name], want[name], f"sgd_step new {name!r}, lr 0.1")
        assert_unchanged(params[name], args[0][name], f"params[{name!r}]")
        assert_unchanged(grads[name], args[1][name], f"grads[{name!r}]")


@grade(points=0.5, part="sgd_step", hint="Possible reason: integer parameters must give float64 results.")
def test_sgd_step_integer_params(student, rng):
    params = {"w": np.array([[1, 2], [3, 4]]), "b": np.array([5])}
    grads = {"w": rng.standard_normal((2, 2)), "b": rng.standard_normal(1)}
    got = as_dict(student.sgd_step(params, grads, 0.5), "sgd_step(params, grads, lr)")
    want = ref.sgd_step(params, grads, 0.5)
    for name in params:
        if name not in got:
            raise Mismatch(f"sgd_step result lacks {name!r}")
        assert_close(got[name], want[name], f"sgd_step new {name!r} for integer params")
