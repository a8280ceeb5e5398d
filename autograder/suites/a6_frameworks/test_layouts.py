"""A6 hidden suite, part 1: layout conversions between the kit's NCHW conventions and Keras' NHWC ones (numpy only:
nothing here needs Keras, in the grader or in the submission)."""

import numpy as np

import solutions.a6_frameworks as ref
from autograder.testing import Mismatch, as_array, assert_close, assert_unchanged, grade

# --- conv kernels (10) ----------------------------------------------------------------------------------------------

AXES_HINT = ("Possible reason: axes in the wrong order, or reshape instead of transpose? Each weight must keep "
             "its filter, input channel, kernel row and column.")


@grade(points=4, part="conv_kernel", hint=AXES_HINT)
def test_to_keras_conv_kernel(student, rng):
    w = rng.standard_normal((4, 3, 5, 2))
    assert_close(student.to_keras_conv_kernel(w), ref.to_keras_conv_kernel(w),
                 "to_keras_conv_kernel(w) for w (F, C, KH, KW) = (4, 3, 5, 2)")
    w = rng.standard_normal((3, 3, 2, 2))  # F == C and KH == KW: the shape alone cannot tell the axes apart
    assert_close(student.to_keras_conv_kernel(w), ref.to_keras_conv_kernel(w),
                 "to_keras_conv_kernel(w) for w (F, C, KH, KW) = (3, 3, 2, 2)")


@grade(points=1, part="conv_kernel",
       hint="Possible reason: the kernel flipped? Keras' Conv2D is a cross-correlation, like conv_forward: "
            "nothing is flipped in a port between them.")
def test_kernel_is_not_flipped(student, rng):
    w = rng.standard_normal((2, 1, 3, 3))
    assert_close(student.to_keras_conv_kernel(w), ref.to_keras_conv_kernel(w),
                 "to_keras_conv_kernel(w) for an asymmetric 3 x 3 kernel, w (2, 1, 3, 3)")


@grade(points=2, part="conv_kernel",
       hint="Possible reason: the inverse needs the inverse permutation of the axes (not the same one again).")
def test_from_keras_conv_kernel(student, rng):
    k = rng.standard_normal((5, 2, 3, 4))
    assert_close(student.from_keras_conv_kernel(k), ref.from_keras_conv_kernel(k),
                 "from_keras_conv_kernel(k) for k (KH, KW, C, F) = (5, 2, 3, 4)")


@grade(points=1, part="conv_kernel", hint="Possible reason: the two conversions are not each other's inverse.")
def test_kernel_round_trips(student, rng):
    w = rng.standard_normal((2, 5, 3, 4))
    k = as_array(student.to_keras_conv_kernel(w), "to_keras_conv_kernel(w) for w (2, 5, 3, 4)", shape=(3, 4, 5, 2))
    assert_close(student.from_keras_conv_kernel(k), w, "from_keras_conv_kernel(to_keras_conv_kernel(w))")
    k = rng.standard_normal((4, 3, 2, 5))
    w = as_array(student.from_keras_conv_kernel(k), "from_keras_conv_kernel(k) for k (4, 3, 2, 5)", shape=(5, 2, 4, 3))
    assert_close(student.to_keras_conv_kernel(w), k, "to_keras_conv_kernel(from_keras_conv_kernel(k))")


@grade(points=1, part="conv_kernel", hint="Possible reason: outputs are float64 arrays, also for integer inputs.")
def test_integer_kernels(student, rng):
    w = rng.integers(-5, 6, size=(3, 2, 4, 5))
    assert_close(student.to_keras_conv_kernel(w), ref.to_keras_conv_kernel(w),
                 "to_keras_conv_kernel(w) for an integer w (3, 2, 4, 5) (float64 expected)")
    k = rng.integers(-5, 6, size=(4, 5, 2, 3))
    assert_close(student.from_keras_conv_kernel(k), ref.from_keras_conv_kernel(k),
                 "from_keras_conv_kernel(k) for an integer k (4, 5, 2, 3) (float64 expected)")


@grade(points=1, part="conv_kernel", hint="Possible reason: w or k modified in place?")
def test_kernels_unchanged(student, rng):
    w = rng.standard_normal((3, 2, 4, 5))
    got, args, _ = student.to_keras_conv_kernel.with_inputs(w)
    assert_close(got, ref.to_keras_conv_kernel(w), "to_keras_conv_kernel(w) for w (3, 2, 4, 5)")
    assert_unchanged(w, args[0], "w")
    k = rng.standard_normal((4, 5, 2, 3))
    got, args, _ = student.from_keras_conv_kernel.with_inputs(k)
    assert_close(got, ref.from_keras_conv_kernel(k), "from_keras_conv_kernel(k) for k (4, 5, 2, 3)")
    assert_unchanged(k, args[0], "k")


# --- image tensors (8) ----------------------------------------------------------------------------------------------


@grade(points=3, part="layout",
       hint="Possible reason: axes in the wrong order (H and W swapped?), or reshape instead of transpose?")
def test_nchw_to_nhwc(student, rng):
    x = rng.standard_normal((2, 3, 4, 5))
    assert_close(student.nchw_to_nhwc(x), ref.nchw_to_nhwc(x), "nchw_to_nhwc(x) for x (N, C, H, W) = (2, 3, 4, 5)")
    x = rng.standard_normal((3, 2, 2, 2))
    assert_close(student.nchw_to_nhwc(x), ref.nchw_to_nhwc(x), "nchw_to_nhwc(x) for x (3, 2, 2, 2)")


@grade(points=3, part="layout",
       hint="Possible reason: the inverse needs the inverse permutation of the axes (not the same one again).")
def test_nhwc_to_nchw(student, rng):
    x = rng.standard_normal((2, 4, 5, 3))
    assert_close(student.nhwc_to_nchw(x), ref.nhwc_to_nchw(x), "nhwc_to_nchw(x) for x (N, H, W, C) = (2, 4, 5, 3)")
    x = rng.standard_normal((3, 2, 2, 2))
    assert_close(student.nhwc_to_nchw(x), ref.nhwc_to_nchw(x), "nhwc_to_nchw(x) for x (3, 2, 2, 2)")


@grade(points=2, part="layout",
       hint="Possible reason: outputs are float64 arrays, also for integer inputs; inputs must not be modified.")
def test_layout_integers_and_inputs(student, rng):
    x = rng.integers(0, 256, size=(2, 3, 4, 5)).astype(np.uint8)
    got, args, _ = student.nchw_to_nhwc.with_inputs(x)
    assert_close(got, ref.nchw_to_nhwc(x), "nchw_to_nhwc(x) for a uint8 x (2, 3, 4, 5) (float64 expected)")
    assert_unchanged(x, args[0], "x")
    x = rng.integers(-9, 10, size=(2, 4, 5, 3))
    got, args, _ = student.nhwc_to_nchw.with_inputs(x)
    assert_close(got, ref.nhwc_to_nchw(x), "nhwc_to_nchw(x) for an integer x (2, 4, 5, 3) (float64 expected)")
    assert_unchanged(x, args[0], "x")


# --- the dense layer after a flatten (40) ---------------------------------------------------------------------------

FLATTEN_HINT = ("Possible reason: the rows of w not re-ordered, or re-ordered the other way round (NHWC to NCHW "
                "instead of NCHW to NHWC)?")


def dense_case(rng, chw, m):
    return rng.standard_normal((3, *chw)), rng.standard_normal((int(np.prod(chw)), m))


@grade(points=14, part="dense_after_flatten", hint=FLATTEN_HINT)
def test_same_outputs_after_the_nhwc_flatten(student, rng):
    maps, w = dense_case(rng, (2, 4, 5), 6)
    w_k = as_array(student.to_keras_dense_after_flatten(w, (2, 4, 5)),
                   "to_keras_dense_after_flatten(w, (C, H, W) = (2, 4, 5)) for w (40, 6)", shape=w.shape)
    got = ref.nchw_to_nhwc(maps).reshape(3, -1) @ w_k
    assert_close(got, maps.reshape(3, -1) @ w,
                 "NHWC flatten of 3 samples of (C, H, W) = (2, 4, 5) maps @ w_k, against NCHW flatten @ w")


@grade(points=12, part="dense_after_flatten", hint=FLATTEN_HINT)
def test_rows_are_permuted(student, rng):
    _, w = dense_case(rng, (3, 5, 2), 4)
    assert_close(student.to_keras_dense_after_flatten(w, (3, 5, 2)), ref.to_keras_dense_after_flatten(w, (3, 5, 2)),
                 "to_keras_dense_after_flatten(w, (C, H, W) = (3, 5, 2)) for w (30, 4)")


@grade(points=4, part="dense_after_flatten",
       hint="Possible reason: (C, H, W) = chw taken in another order, or sizes hard-coded?")
def test_the_networks_own_shape(student, rng):
    _, w = dense_case(rng, (6, 4, 4), 4)  # assignment 4's network: 6 pooled maps of 4 x 4, 4 classes
    assert_close(student.to_keras_dense_after_flatten(w, (6, 4, 4)), ref.to_keras_dense_after_flatten(w, (6, 4, 4)),
                 "to_keras_dense_after_flatten(w, (6, 4, 4)) for w (96, 4)")


@grade(points=3, part="dense_after_flatten", hint="Possible reason: a single output (M = 1) should work too.")
def test_one_output(student, rng):
    _, w = dense_case(rng, (2, 3, 4), 1)
    assert_close(student.to_keras_dense_after_flatten(w, (2, 3, 4)), ref.to_keras_dense_after_flatten(w, (2, 3, 4)),
                 "to_keras_dense_after_flatten(w, (2, 3, 4)) for w (24, 1)")


@grade(points=3, part="dense_after_flatten",
       hint="Possible reason: with one channel the two flattens agree, so w_k must equal w.")
def test_single_channel_is_the_identity(student, rng):
    _, w = dense_case(rng, (1, 3, 5), 2)
    assert_close(student.to_keras_dense_after_flatten(w, (1, 3, 5)), w,
                 "to_keras_dense_after_flatten(w, (1, 3, 5)) for w (15, 2)")


@grade(points=2, part="dense_after_flatten", hint="Possible reason: outputs are float64 arrays, also for integers.")
def test_integer_dense_weights(student, rng):
    w = rng.integers(-5, 6, size=(24, 3))
    assert_close(student.to_keras_dense_after_flatten(w, (4, 3, 2)), ref.to_keras_dense_after_flatten(w, (4, 3, 2)),
                 "to_keras_dense_after_flatten(w, (4, 3, 2)) for an integer w (24, 3) (float64 expected)")


@grade(points=2, part="dense_after_flatten", hint="Possible reason: w modified in place, or chw given as a list?")
def test_dense_inputs_unchanged(student, rng):
    _, w = dense_case(rng, (2, 3, 2), 3)
    got, args, _ = student.to_keras_dense_after_flatten.with_inputs(w, [2, 3, 2])
    if not isinstance(got, np.ndarray):
        raise Mismatch("to_keras_dense_after_flatten(w, [2, 3, 2]): expected a numpy array")
    assert_close(got, ref.to_keras_dense_after_flatten(w, (2, 3, 2)),
                 "to_keras_dense_after_flatten(w, [2, 3, 2]) with chw as a list")
    assert_unchanged(w, args[0], "w")
