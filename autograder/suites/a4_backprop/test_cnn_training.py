"""A4 hidden suite: the whole CNN (cnn_loss), training it (train_cnn) and the Gabor-likeness of its filters.

The student's trained parameters are evaluated here, in the grader, with the kit's forward pass (ref.cnn_scores):
held-out accuracy >= ACCURACY_BAR and median orientation selectivity of the first-layer filters >= ORIENTATION_BAR. The
reference clears both bars with a margin on 20 seeds (tests/test_solutions_a4_backprop.py); this suite uses one.
"""

import numpy as np
import pytest

import solutions.a4_backprop as ref
from autograder.testing import Mismatch, as_array, as_tuple, assert_close, assert_scalar_close, assert_unchanged, grade

ACCURACY_BAR, ORIENTATION_BAR = ref.ACCURACY_BAR, ref.ORIENTATION_BAR
SEED = 3  # training seed; the images are make_edge_images(400, seed=100 + SEED), held out: (500, 10_000 + SEED)
N_TRAIN = 400
DEFAULTS = {"n_filters": 6, "kernel_size": 5, "lr": 0.1, "lam": 0.03, "epochs": 8, "batch_size": 20}
TRAIN_TIMEOUT = 60.0


def check_params(params, like: dict, what: str) -> dict:
    """A dict with exactly the names of `like`, each a finite float64 array of the same shape."""
    if not isinstance(params, dict):
        raise Mismatch(f"{what}: expected a dict of arrays, got {type(params).__name__}")
    if set(params) != set(like):
        raise Mismatch(f"{what}: names {sorted(params)}, expected {sorted(like)}")
    return {name: as_array(params[name], f"{what}[{name!r}]", shape=like[name].shape) for name in like}


# --- cnn_loss (10) --------------------------------------------------------------------------------------------------


def small_net(rng, C=1, H=9, W=8, F=2, K=3, M=3, N=3):
    X, y = rng.standard_normal((N, C, H, W)), rng.integers(0, M, N)
    params = ref.init_cnn((C, H, W), M, n_filters=F, kernel_size=K, seed=int(rng.integers(1000)))
    params = {k: v + 0.2 * rng.standard_normal(v.shape) for k, v in params.items()}  # non-zero biases, larger w1
    return params, X, y


def check_cnn_loss(student, params, X, y, lam, names, what):
    loss, grads = as_tuple(student.cnn_loss(params, X, y, lam), 2, what)
    want_loss, want_grads = ref.cnn_loss(params, X, y, lam)
    if "loss" in names:
        assert_scalar_close(loss, want_loss, f"{what}: loss")
    grads = check_params(grads, params, f"{what}: grads")
    for name in names:
        if name != "loss":
            assert_close(grads[name], want_grads[name], f"{what}: grads[{name!r}]", rtol=1e-5, atol=1e-8)


@grade(points=2, part="cnn_loss",
       hint="Possible reason: the forward pass conv (stride 1, pad 0) -> ReLU -> max-pool 2 -> flatten -> dense -> "
            "softmax cross-entropy?")
def test_cnn_loss_value(student, rng):
    params, X, y = small_net(rng)
    check_cnn_loss(student, params, X, y, 0.0, ["loss"], "cnn_loss(params, X, y, lam=0) on X (3, 1, 9, 8)")


@grade(points=2, part="cnn_loss",
       hint="Possible reason: L2 term 0.5 * lam * (sum w1^2 + sum w2^2), in the loss and in the gradients of w1 and w2 "
            "(not on the biases)?")
def test_cnn_loss_with_l2(student, rng):
    params, X, y = small_net(rng)
    check_cnn_loss(student, params, X, y, 0.7, ["loss", "w1", "w2"], "cnn_loss with lam = 0.7")


@grade(points=6, part="cnn_loss",
       hint="Possible reason: a layer's backward pass fed the wrong cache or gradient, or the gradient of the "
            "flattened maps not reshaped back to (N, F, H'', W'')?")
def test_cnn_loss_gradients(student, rng):
    params, X, y = small_net(rng, C=2, H=8, W=11, F=3, K=3, M=4, N=4)
    check_cnn_loss(student, params, X, y, 0.1, ["w1", "b1", "w2", "b2"], "cnn_loss on X (4, 2, 8, 11), F 3, K 3")


@grade(points=1, part="cnn_loss", hint="Possible reason: params or X modified in place?")
def test_cnn_loss_inputs_unchanged(student, rng):
    params, X, y = small_net(rng)
    got, args, _ = student.cnn_loss.with_inputs(params, X, y, 0.2)
    loss = as_tuple(got, 2, "cnn_loss(params, X, y, lam)")[0]
    assert_scalar_close(loss, ref.cnn_loss(params, X, y, 0.2)[0], "cnn_loss with lam = 0.2: loss")
    for name in params:
        assert_unchanged(params[name], args[0][name], f"params[{name!r}]")
    assert_unchanged(X, args[1], "X")
    assert_unchanged(y, args[2], "y")


@grade(points=1, part="cnn_loss", hint="Possible reason: sizes hard-coded instead of taken from X and params?")
def test_cnn_loss_on_the_training_shapes(student, rng):
    X, y = ref.make_edge_images(5, seed=int(rng.integers(1000)))
    params = ref.init_cnn((1, 12, 12), 4, seed=2)
    check_cnn_loss(student, params, X, y, 0.01, ["loss", "w1", "b1", "w2", "b2"], "cnn_loss on 5 edge images")


# --- train_cnn (10) and the Gabor check (5) -------------------------------------------------------------------------

@pytest.fixture(scope="module")
def training(student):
    """(params, losses) of the student's train_cnn on the suite's training set, or the exception it raised: one
    training run per submission, shared by the tests that grade it."""
    X, y = ref.make_edge_images(N_TRAIN, seed=100 + SEED)
    try:
        params, losses = as_tuple(student.train_cnn.timeout(TRAIN_TIMEOUT)(X, y, **DEFAULTS, seed=SEED), 2,
                                  "train_cnn(X, y, ...)")
        like = ref.init_cnn((1, 12, 12), 4, DEFAULTS["n_filters"], DEFAULTS["kernel_size"])
        return check_params(params, like, "train_cnn params"), losses
    except Exception as exc:  # noqa: BLE001 — StudentError, CallTimeout, Mismatch: reported by every test
        return exc


@pytest.fixture(scope="module")
def accuracy(training):
    """Held-out accuracy of the trained network with the kit's forward pass (or the training's exception)."""
    if isinstance(training, Exception):
        return training
    X_test, y_test = ref.make_edge_images(500, seed=10_000 + SEED)
    return ref.accuracy(training[0], X_test, y_test)


def outcome(value):
    """A fixture's value, or the exception it stands for, raised in the test that uses it."""
    if isinstance(value, Exception):
        raise value
    return value


@grade(points=3, part="train_cnn",
       hint="Possible reason: the recipe: init_cnn(..., seed), rng = default_rng(seed + 1) once, one permutation "
            "per epoch, batches in that order (the last one smaller), the loss recorded BEFORE each step.")
def test_train_cnn_follows_the_recipe(student, rng):
    X, y = ref.make_edge_images(50, seed=int(rng.integers(1000)))
    kwargs = {**DEFAULTS, "epochs": 2, "batch_size": 16, "seed": 5}
    params, losses = as_tuple(student.train_cnn.timeout(TRAIN_TIMEOUT)(X, y, **kwargs), 2, "train_cnn on 50 images")
    want_params, want_losses = ref.train_cnn(X, y, **kwargs)
    assert_close(losses, want_losses, "train_cnn losses, 50 images, 2 epochs, batch_size 16", rtol=1e-6)
    params = check_params(params, want_params, "train_cnn params")
    for name in want_params:
        assert_close(params[name], want_params[name], f"train_cnn params[{name!r}] after 2 epochs", rtol=1e-5)


@grade(points=3, part="train_cnn",
       hint="Possible reason: the trained network does not reach the accuracy bar on held-out images; "
            "check cnn_loss and sgd_step, and that every batch is used.")
def test_train_cnn_reaches_the_accuracy_bar(accuracy):
    acc = outcome(accuracy)
    if acc < ACCURACY_BAR:
        raise Mismatch(f"held-out accuracy {acc:.3f} is below the bar {ACCURACY_BAR}")


@grade(points=2, part="train_cnn",
       hint="Possible reason: losses must hold one float per step (epochs * ceil(N / batch_size)) and go down.")
def test_train_cnn_loss_history(training):
    _, losses = outcome(training)
    per_epoch = -(-N_TRAIN // DEFAULTS["batch_size"])
    losses = as_array(np.asarray(losses) if isinstance(losses, list) else losses, "train_cnn losses",
                      shape=(DEFAULTS["epochs"] * per_epoch,))
    if not np.mean(losses[-per_epoch:]) < 0.5 * np.mean(losses[:per_epoch]):
        raise Mismatch("train_cnn losses: the mean loss of the last epoch is not below half that of the first")


@grade(points=5, part="gabor",
       hint="Possible reason: the learned first-layer filters are not oriented; is the L2 penalty "
            "applied to w1, and is w1 trained at all?")
def test_learned_filters_are_oriented(training, accuracy):
    if outcome(accuracy) < ACCURACY_BAR:
        raise Mismatch("the network does not reach the accuracy bar, so its filters are not graded: "
                       "they have to be learned from the task")
    params, _ = outcome(training)
    median = float(np.median(ref.orientation_selectivity(params["w1"])))
    if median < ORIENTATION_BAR:
        raise Mismatch(f"median orientation selectivity of the learned filters {median:.2f} is below the bar "
                       f"{ORIENTATION_BAR}")
