"""A1 hidden suite, part 4: 2-D cross-correlation and convolution, and the multi-channel layer conv_forward."""

import numpy as np

import solutions.a1_convolution as ref
from autograder.testing import Mismatch, as_array, as_tuple, assert_close, assert_unchanged, grade

# Single-channel configurations (H, W, KH, KW, stride, pad): every axis a different size, uneven strides.
CONFIGS_2D = [(7, 9, 3, 2, 1, 0), (8, 11, 2, 4, 2, 1), (9, 6, 4, 3, 3, 2), (10, 7, 3, 5, 2, 2), (6, 10, 5, 1, 3, 1)]

# Layer configurations (N, C, H, W, F, KH, KW, stride, pad).
CONFIGS_LAYER = [
    (2, 3, 7, 9, 4, 3, 2, 1, 0),
    (3, 2, 8, 11, 5, 2, 4, 2, 1),
    (1, 3, 10, 7, 2, 4, 3, 3, 2),
    (2, 1, 9, 6, 3, 5, 2, 2, 2),
]


# --- corr2d (8) -----------------------------------------------------------------------------------------------------


@grade(points=2, part="corr2d", hint="Possible reason: kernel flipped (corr2d does not flip), or H/W swapped?")
def test_corr2d_stride_1_no_padding(student, rng):
    for H, W, KH, KW in [(7, 9, 3, 2), (6, 5, 2, 4), (5, 8, 5, 1)]:
        x, w = rng.standard_normal((H, W)), rng.standard_normal((KH, KW))
        assert_close(student.corr2d(x, w), ref.corr2d(x, w), f"corr2d(x, w) with x ({H}, {W}), w ({KH}, {KW})")


@grade(points=2, part="corr2d", hint="Possible reason: pad zeros on both sides of both axes (pad rows and columns).")
def test_corr2d_padding(student, rng):
    for H, W, KH, KW, pad in [(5, 7, 3, 2, 1), (6, 4, 2, 3, 2), (3, 5, 4, 4, 1)]:
        x, w = rng.standard_normal((H, W)), rng.standard_normal((KH, KW))
        assert_close(student.corr2d(x, w, 1, pad), ref.corr2d(x, w, 1, pad),
                     f"corr2d with x ({H}, {W}), w ({KH}, {KW}), pad={pad}")


def check_configs_2d(name, student_f, ref_f, rng):
    """student_f against ref_f (corr2d or conv2d) on every configuration of CONFIGS_2D, stride and pad by keyword."""
    for H, W, KH, KW, s, p in CONFIGS_2D:
        x, w = rng.standard_normal((H, W)), rng.standard_normal((KH, KW))
        assert_close(student_f(x, w, stride=s, pad=p), ref_f(x, w, s, p),
                     f"{name} with x ({H}, {W}), w ({KH}, {KW}), stride={s}, pad={p}")


@grade(points=3, part="corr2d",
       hint="Possible reason: stride ignored on one axis, or the output size not floor((n + 2*pad - k)/stride) + 1?")
def test_corr2d_uneven_strides_and_padding(student, rng):
    check_configs_2d("corr2d", student.corr2d, ref.corr2d, rng)


@grade(points=1, part="corr2d", hint="Possible reason: uint8 arithmetic overflows, or x / w changed in place?")
def test_corr2d_uint8_inputs_unchanged(student, rng):
    x = rng.integers(0, 256, size=(6, 7)).astype(np.uint8)
    w = rng.integers(100, 256, size=(2, 3)).astype(np.uint8)
    got, args, _ = student.corr2d.with_inputs(x, w, 2, 1)
    assert_close(got, ref.corr2d(x, w, 2, 1), "corr2d on uint8 x (6, 7) and w (2, 3), stride 2, pad 1")
    assert_unchanged(x, args[0], "x")
    assert_unchanged(w, args[1], "w")


# --- conv2d (6) -----------------------------------------------------------------------------------------------------


@grade(points=2, part="conv2d", hint="Possible reason: kernel flipped on one axis only? Flip rows and columns.")
def test_conv2d_flips_both_axes(student, rng):
    x, w = rng.standard_normal((7, 8)), rng.standard_normal((3, 2))
    assert_close(student.conv2d(x, w), ref.conv2d(x, w), "conv2d(x, w) with x (7, 8), w (3, 2)")
    impulse = np.zeros((6, 7))
    impulse[3, 2] = 1.0
    w = np.array([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])
    assert_close(student.conv2d(impulse, w, 1, 1), ref.conv2d(impulse, w, 1, 1), "conv2d(impulse, w, pad=1)")


@grade(points=3, part="conv2d", hint="Possible reason: stride or padding handled differently than in corr2d?")
def test_conv2d_uneven_strides_and_padding(student, rng):
    check_configs_2d("conv2d", student.conv2d, ref.conv2d, rng)


@grade(points=1, part="conv2d", hint="Possible reason: the kernel flipped in place, or integer arithmetic?")
def test_conv2d_integer_inputs_unchanged(student, rng):
    x = rng.integers(0, 256, size=(5, 6)).astype(np.uint8)
    w = np.array([[255, 1], [7, 200], [3, 0]], dtype=np.uint8)
    got, args, _ = student.conv2d.with_inputs(x, w)
    assert_close(got, ref.conv2d(x, w), "conv2d on uint8 x (5, 6), w (3, 2)")
    assert_unchanged(x, args[0], "x")
    assert_unchanged(w, args[1], "w")
    xf, wf = rng.standard_normal((6, 5)), rng.standard_normal((2, 3))
    _, args, _ = student.conv2d.with_inputs(xf, wf, 2, 1)
    assert_unchanged(xf, args[0], "x")
    assert_unchanged(wf, args[1], "w")


# --- conv_forward (16) ----------------------------------------------------------------------------------------------


def layer_inputs(rng, N, C, H, W, F, KH, KW):
    return rng.standard_normal((N, C, H, W)), rng.standard_normal((F, C, KH, KW)), rng.standard_normal(F)


def forward_out(got, what):
    """conv_forward returns (out, cache); return out."""
    return as_tuple(got, ("out", "cache"), what)[0]


@grade(points=2, part="conv_forward",
       hint="Possible reason: output axes in the wrong order (N, F, H', W'), or H and W swapped?")
def test_layer_output_shape(student, rng):
    for N, C, H, W, F, KH, KW, s, p in CONFIGS_LAYER:
        x, w, b = layer_inputs(rng, N, C, H, W, F, KH, KW)
        want = ref.conv_forward(x, w, b, s, p)[0]
        what = f"conv_forward out, x {x.shape}, w {w.shape}, stride={s}, pad={p}"
        as_array(forward_out(student.conv_forward(x, w, b, s, p), what), what, shape=want.shape)


@grade(points=3, part="conv_forward",
       hint="Possible reason: kernel flipped (the layer is a cross-correlation), or channels not summed?")
def test_layer_stride_1_no_padding(student, rng):
    x, w, b = layer_inputs(rng, 2, 3, 7, 9, 4, 3, 2)
    what = "conv_forward(x, w, b), x (2, 3, 7, 9), w (4, 3, 3, 2)"
    assert_close(forward_out(student.conv_forward(x, w, b), what), ref.conv_forward(x, w, b)[0], what)


@grade(points=3, part="conv_forward",
       hint="Possible reason: padding also applied to the N or C axis? Pad H and W only.")
def test_layer_padding(student, rng):
    for pad in (1, 2):
        x, w, b = layer_inputs(rng, 2, 3, 5, 6, 2, 3, 4)
        what = f"conv_forward(x, w, b, 1, {pad}), x (2, 3, 5, 6), w (2, 3, 3, 4)"
        assert_close(forward_out(student.conv_forward(x, w, b, 1, pad), what),
                     ref.conv_forward(x, w, b, 1, pad)[0], what)


@grade(points=3, part="conv_forward",
       hint="Possible reason: stride ignored on one axis, or leftover rows/columns not dropped?")
def test_layer_uneven_strides_and_padding(student, rng):
    for N, C, H, W, F, KH, KW, s, p in CONFIGS_LAYER:
        x, w, b = layer_inputs(rng, N, C, H, W, F, KH, KW)
        what = f"conv_forward, x {x.shape}, w {w.shape}, stride={s}, pad={p}"
        assert_close(forward_out(student.conv_forward(x, w, b, stride=s, pad=p), what),
                     ref.conv_forward(x, w, b, s, p)[0], what)


@grade(points=2, part="conv_forward",
       hint="Possible reason: bias added along the wrong axis? b[f] belongs to filter f.")
def test_layer_bias_per_filter(student, rng):
    # W' == F here, so adding b along the last axis broadcasts silently
    x, w, b = layer_inputs(rng, 2, 2, 6, 7, 5, 2, 3)
    w = np.zeros_like(w)
    what = "conv_forward with zero weights, x (2, 2, 6, 7), w (5, 2, 2, 3)"
    assert_close(forward_out(student.conv_forward(x, w, b), what), ref.conv_forward(x, w, b)[0], what)
    x, w, b = layer_inputs(rng, 3, 2, 6, 7, 3, 2, 2)
    what = "conv_forward, x (3, 2, 6, 7), w (3, 2, 2, 2), stride 2"
    assert_close(forward_out(student.conv_forward(x, w, b, 2, 0), what), ref.conv_forward(x, w, b, 2, 0)[0], what)


@grade(points=1, part="conv_forward", hint="Possible reason: the cache must be (x, w, b, stride, pad).")
def test_layer_cache(student, rng):
    x, w, b = layer_inputs(rng, 2, 3, 6, 5, 2, 3, 2)
    got = student.conv_forward(x, w, b, 2, 1)
    forward_out(got, "conv_forward")  # a tuple (out, cache)
    cache = got[1]
    if not isinstance(cache, tuple) or len(cache) != 5:
        raise Mismatch("conv_forward: cache should be the tuple (x, w, b, stride, pad)")
    for name, got_a, want in zip(("x", "w", "b"), cache[:3], (x, w, b), strict=True):
        assert_close(got_a, want, f"cache: {name}", rtol=0, atol=0)
    if cache[3:] != (2, 1) or not all(type(v) is int for v in cache[3:]):
        raise Mismatch("conv_forward: cache[3:] should be the ints (stride, pad)")


@grade(points=1, part="conv_forward", hint="Possible reason: uint8 arithmetic overflows, or an input changed in place?")
def test_layer_uint8_inputs_unchanged(student, rng):
    x = rng.integers(0, 256, size=(2, 3, 6, 5)).astype(np.uint8)
    w = rng.integers(100, 256, size=(2, 3, 2, 3)).astype(np.uint8)
    b = np.array([3, 250], dtype=np.uint8)
    got, args, _ = student.conv_forward.with_inputs(x, w, b, 1, 1)
    what = "conv_forward on uint8 x, w, b"
    assert_close(forward_out(got, what), ref.conv_forward(x, w, b, 1, 1)[0], what)
    for name, before, after in zip("xwb", (x, w, b), args[:3], strict=True):
        assert_unchanged(before, after, name)
    x, w, b = layer_inputs(rng, 2, 2, 5, 6, 3, 3, 2)
    _, args, _ = student.conv_forward.with_inputs(x, w, b, 2, 2)
    for name, before, after in zip("xwb", (x, w, b), args[:3], strict=True):
        assert_unchanged(before, after, name)


@grade(points=1, part="conv_forward", hint="Possible reason: state kept between calls (a global or a default)?")
def test_layer_repeated_and_interleaved_calls(student, rng):
    x, w, b = layer_inputs(rng, 2, 3, 7, 6, 2, 3, 2)
    x2, w2, b2 = layer_inputs(rng, 1, 2, 5, 8, 3, 2, 2)
    first = forward_out(student.conv_forward(x, w, b, 2, 1), "conv_forward, first call")
    student.conv_forward(x2, w2, b2, 1, 0)
    again = forward_out(student.conv_forward(x, w, b, 2, 1), "conv_forward, third call")
    want = ref.conv_forward(x, w, b, 2, 1)[0]
    assert_close(first, want, "conv_forward, first call")
    assert_close(again, want, "conv_forward called again with the same arguments")
