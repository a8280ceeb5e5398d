"""A6 hidden suite, part 2: build_keras_cnn, A4's network as a keras.Model.
(Named to run after test_layouts.py: a submission that loops forever loses its restarts on the cheap calls.)

A keras.Model cannot cross to the grader (only plain data does), so the model is built and evaluated in the
submission's sandbox by the notebook's given helpers: `keras_predict(params, input_chw, x_nhwc)` returns its scores
as a float64 array, `keras_structure(params, input_chw)` describes it (is_model, input/output shapes, and per layer
its class, activation and weight shapes). Here, in the grader, the scores are compared with A4's numpy forward pass
(ref cnn_scores, numpy only: the grader never imports Keras). Each build compiles a few small XLA programs in the
sandbox, so these calls get KERAS_TIMEOUT rather than the default per-call limit; most tests use A4's own shapes,
whose compiled programs the sandbox's JAX keeps for the next build (three shapes in all keep a submission fast).
"""

import numpy as np

import solutions.a4_backprop as a4
import solutions.a6_frameworks as ref
from autograder.testing import Mismatch, assert_close, assert_unchanged, grade

KERAS_TIMEOUT = 60.0
TOLERANCE = 1e-5  # float32 against float64: the largest absolute difference allowed (ASSIGNMENTS.md)


def network(rng, chw, n_filters, kernel, n_classes, noise=0.1):
    """Parameters of A4's network for images chw = (C, H, W) with rectangular kernels (KH, KW), with non-zero
    biases; and 4 NCHW images."""
    C, H, W = chw
    KH, KW = kernel
    D = n_filters * ((H - KH + 1) // 2) * ((W - KW + 1) // 2)
    params = {
        "w1": rng.standard_normal((n_filters, C, KH, KW)) * np.sqrt(2.0 / (C * KH * KW)),
        "b1": noise * rng.standard_normal(n_filters),
        "w2": rng.standard_normal((D, n_classes)) * np.sqrt(2.0 / D),
        "b2": noise * rng.standard_normal(n_classes),
    }
    return params, rng.standard_normal((4, C, H, W))


def check_predictions(student, params, chw, x, what):
    got = student.keras_predict.timeout(KERAS_TIMEOUT)(params, list(chw), ref.nchw_to_nhwc(x))
    assert_close(got, a4.cnn_scores(params, x), f"scores of build_keras_cnn(params, {tuple(chw)}) on {what}",
                 rtol=0.0, atol=TOLERANCE)


@grade(points=8, part="build_keras_cnn",
       hint="Possible reason: the model must be a keras.Model taking NHWC images (None, H, W, C), with exactly the "
            "weights conv kernel (KH, KW, C, F), conv bias (F,), dense kernel (D, M), dense bias (M,) — "
            "conv -> max-pool -> flatten -> dense.")
def test_model_structure(student, rng):
    params, _ = network(rng, (1, 12, 12), 6, (5, 5), 4)
    got = student.keras_structure.timeout(KERAS_TIMEOUT)(params, [1, 12, 12])
    if not isinstance(got, dict) or not isinstance(got.get("layers"), list):
        raise Mismatch("keras_structure(params, (1, 12, 12)): not the description the given helper makes")
    if got.get("is_model") is not True:
        raise Mismatch("build_keras_cnn must return a keras.Model")
    if got.get("input_shape") != [None, 12, 12, 1]:
        raise Mismatch(f"the model's input shape is {got.get('input_shape')}, expected NHWC [None, 12, 12, 1]")
    if got.get("output_shape") != [None, 4]:
        raise Mismatch(f"the model's output shape is {got.get('output_shape')}, expected [None, 4]")
    layers = [layer for layer in got["layers"] if isinstance(layer, dict)]
    shapes = [s for layer in layers for s in layer.get("weights", [])]
    if shapes != [[5, 5, 1, 6], [6], [96, 4], [4]]:
        raise Mismatch(f"the model's weights have shapes {shapes}, expected [[5, 5, 1, 6], [6], [96, 4], [4]]")
    classes = [layer.get("class") for layer in layers]
    order = [c for c in classes if c in ("Conv2D", "MaxPooling2D", "Dense")]
    if order != ["Conv2D", "MaxPooling2D", "Dense"]:
        raise Mismatch(f"layers {classes}: expected a Conv2D, then a MaxPooling2D, then a Dense layer")


@grade(points=10, part="build_keras_cnn",
       hint="Possible reason: a conversion of part 1 missing or wrong (kernel axes, the dense rows after the "
            "flatten), padding not 'valid', or the wrong pooling?")
def test_predictions_of_the_assignment_4_network(student, rng):
    params, x = network(rng, (1, 12, 12), 6, (5, 5), 4)
    check_predictions(student, params, (1, 12, 12), x, "4 images (1, 12, 12), 6 filters 5 x 5, 4 classes")


@grade(points=9, part="build_keras_cnn",
       hint="Possible reason: with several channels and H != W, the kernel's axes and the dense rows after the "
            "flatten must both be converted (sizes taken from params and input_chw, not hard-coded)?")
def test_predictions_with_channels_and_non_square_images(student, rng):
    params, x = network(rng, (3, 9, 11), 4, (3, 3), 5)
    check_predictions(student, params, (3, 9, 11), x, "4 images (3, 9, 11), 4 filters 3 x 3, 5 classes")


@grade(points=7, part="build_keras_cnn",
       hint="Possible reason: kernel rows and columns swapped (KH, KW), or the kernel size taken as square?")
def test_predictions_with_a_rectangular_kernel(student, rng):
    params, x = network(rng, (2, 10, 7), 3, (4, 2), 3)
    check_predictions(student, params, (2, 10, 7), x, "4 images (2, 10, 7), 3 filters 4 x 2, 3 classes")


@grade(points=7, part="build_keras_cnn",
       hint="Possible reason: a forgotten bias (set_weights with the conv or the dense bias missing, or "
            "use_bias=False), or no ReLU after the convolution?")
def test_biases_and_relu(student, rng):
    params, x = network(rng, (1, 12, 12), 6, (5, 5), 4)
    params["w1"] = 0.05 * params["w1"]  # the conv biases decide the sign of the maps ...
    params["b1"] = np.array([0.8, -0.6, 0.3, -0.9, 0.5, -0.4])  # ... half of them cut by the ReLU
    params["b2"] = np.array([0.5, -1.0, 1.5, 0.2])
    check_predictions(student, params, (1, 12, 12), x, "4 images (1, 12, 12) with large biases")


@grade(points=1, part="build_keras_cnn", hint="Possible reason: params modified in place while building the model?")
def test_params_unchanged(student, rng):
    params, x = network(rng, (1, 12, 12), 6, (5, 5), 4)
    got, args, _ = student.keras_predict.timeout(KERAS_TIMEOUT).with_inputs(params, [1, 12, 12], ref.nchw_to_nhwc(x))
    assert_close(got, a4.cnn_scores(params, x), "scores of build_keras_cnn(params, (1, 12, 12))", rtol=0.0,
                 atol=TOLERANCE)
    if not isinstance(args[0], dict) or set(args[0]) != set(params):
        raise Mismatch("params (a dict) was modified in place; inputs must never be changed")
    for name in params:
        assert_unchanged(params[name], args[0][name], f"params[{name!r}]")
