"""A4 hidden suite: the backward passes of the convolution layer and of max and average pooling.

Caches are built in the pinned formats: conv (x, w, b, stride, pad); pooling (x, (kh, kw), (sh, sw)).
"""

import numpy as np

import solutions.a4_backprop as ref
from autograder.testing import Mismatch, as_tuple, assert_close, assert_unchanged, grade

# --- conv_backward (18) ---------------------------------------------------------------------------------------------

# (N, C, H, W, F, KH, KW, stride, pad): every axis a different size; strides that leave rows or columns over.
STRIDE_1 = [(2, 3, 7, 9, 4, 3, 2, 1, 0), (3, 2, 6, 5, 1, 2, 4, 1, 0)]
PADDED = [(2, 3, 6, 8, 4, 3, 2, 1, 1), (1, 2, 5, 7, 3, 4, 3, 1, 2)]
STRIDED = [(3, 2, 9, 7, 4, 2, 4, 2, 1), (1, 3, 10, 7, 2, 4, 3, 3, 2), (2, 1, 9, 11, 3, 5, 2, 2, 2),
           (3, 2, 7, 8, 2, 3, 3, 3, 0)]


def conv_case(rng, N, C, H, W, F, KH, KW, stride, pad):
    """A cache as conv_forward makes it, and a random upstream gradient of the output's shape."""
    x, w, b = rng.standard_normal((N, C, H, W)), rng.standard_normal((F, C, KH, KW)), rng.standard_normal(F)
    Ho, Wo = (H + 2 * pad - KH) // stride + 1, (W + 2 * pad - KW) // stride + 1
    return rng.standard_normal((N, F, Ho, Wo)), (x, w, b, stride, pad)


def check_conv(student, dout, cache, names=("dx", "dw", "db")):
    x, w, _, stride, pad = cache
    what = f"conv_backward, x {x.shape}, w {w.shape}, stride {stride}, pad {pad}"
    got = as_tuple(student.conv_backward(dout, cache), 3, what)
    want = ref.conv_backward(dout, cache)
    for name, g, ww in zip(("dx", "dw", "db"), got, want, strict=True):
        if name in names:
            assert_close(g, ww, f"{what}: {name}")


@grade(points=2, part="conv_backward",
       hint="Possible reason: return (dx, dw, db), each with the shape of x, w and b (float64).")
def test_conv_backward_shapes(student, rng):
    for config in STRIDE_1[:1] + STRIDED[:2]:
        dout, cache = conv_case(rng, *config)
        x, w, b = cache[:3]
        got = as_tuple(student.conv_backward(dout, cache), 3, "conv_backward(dout, cache)")
        for name, g, var in zip(("dx", "dw", "db"), got, (x, w, b), strict=True):
            if not isinstance(g, np.ndarray) or g.shape != var.shape or g.dtype != np.float64:
                raise Mismatch(f"conv_backward {name} for x {x.shape}, w {w.shape}, stride {cache[3]}, pad {cache[4]}: "
                               f"expected a float64 array of shape {var.shape}, got "
                               + (f"{g.dtype} {g.shape}" if isinstance(g, np.ndarray) else type(g).__name__))


@grade(points=5, part="conv_backward",
       hint="Possible reason: kernel flipped, or dx / dw fed the wrong pair of arrays? Check each "
            "gradient numerically on a tiny case.")
def test_conv_backward_stride_1(student, rng):
    for config in STRIDE_1:
        check_conv(student, *conv_case(rng, *config))


@grade(points=4, part="conv_backward",
       hint="Possible reason: padding: dx has x's shape (no padding), on both sides of both axes?")
def test_conv_backward_padding(student, rng):
    for config in PADDED:
        check_conv(student, *conv_case(rng, *config))


@grade(points=6, part="conv_backward",
       hint="Possible reason: stride ignored in the backward pass, or rows/columns the forward pass dropped "
            "given a gradient?")
def test_conv_backward_uneven_strides(student, rng):
    for config in STRIDED:
        check_conv(student, *conv_case(rng, *config))


@grade(points=3, part="conv_backward",
       hint="Possible reason: dw and db are summed over the whole batch (not averaged, not from one sample).")
def test_conv_backward_weight_gradients_summed_over_the_batch(student, rng):
    for config in [(3, 2, 6, 7, 3, 3, 2, 1, 1), (4, 1, 8, 7, 2, 2, 3, 2, 0)]:
        check_conv(student, *conv_case(rng, *config), names=("dw", "db"))


@grade(points=1, part="conv_backward",
       hint="Possible reason: an integer x in the cache gives an integer dx (np.zeros_like of an integer array)?")
def test_conv_backward_integer_cache(student, rng):
    x = rng.integers(0, 256, (2, 2, 7, 6)).astype(np.uint8)
    w, b = rng.integers(-3, 4, (3, 2, 3, 2)), np.zeros(3)
    dout = rng.standard_normal((2, 3, 4, 4))  # H' = (7 + 2 - 3) // 2 + 1, W' = (6 + 2 - 2) // 2 + 1
    check_conv(student, dout, (x, w, b, 2, 1))


@grade(points=1, part="conv_backward", hint="Possible reason: dout or an array of the cache modified in place?")
def test_conv_backward_inputs_unchanged(student, rng):
    dout, cache = conv_case(rng, 2, 3, 7, 6, 2, 3, 2, 2, 1)
    got, args, _ = student.conv_backward.with_inputs(dout, cache)
    for name, g, want in zip(("dx", "dw", "db"), as_tuple(got, 3, "conv_backward"), ref.conv_backward(dout, cache),
                             strict=True):
        assert_close(g, want, f"conv_backward {name}, x (2, 3, 7, 6), w (2, 3, 3, 2), stride 2, pad 1")
    assert_unchanged(dout, args[0], "dout")
    for name, before, after in zip(("x", "w", "b"), cache[:3], args[1][:3], strict=True):
        assert_unchanged(before, after, f"the cache's {name}")


@grade(points=2, part="conv_backward", hint="Possible reason: state kept between calls (a global or a cached array)?")
def test_conv_backward_interleaved_calls(student, rng):
    first, second = conv_case(rng, *STRIDED[0]), conv_case(rng, *PADDED[1])
    for dout, cache in (first, second, first, second):
        check_conv(student, dout, cache)


# --- maxpool_backward (10) ------------------------------------------------------------------------------------------


def pool_case(rng, N, C, H, W, kh, kw, sh, sw, values=None):
    x = rng.standard_normal((N, C, H, W)) if values is None else values
    Ho, Wo = (H - kh) // sh + 1, (W - kw) // sw + 1
    return rng.standard_normal((N, C, Ho, Wo)), (x, (kh, kw), (sh, sw))


def check_pool(student, name, dout, cache):
    x, size, stride = cache
    what = f"{name}, x {x.shape}, size {size}, stride {stride}"
    assert_close(getattr(student, name)(dout, cache), getattr(ref, name)(dout, cache), what)


@grade(points=2, part="maxpool_backward",
       hint="Possible reason: the gradient reaches an input that was not its window's maximum?")
def test_maxpool_backward_non_overlapping(student, rng):
    for config in [(2, 3, 6, 8, 2, 2, 2, 2), (1, 2, 9, 7, 3, 3, 3, 3)]:
        check_pool(student, "maxpool_backward", *pool_case(rng, *config))


@grade(points=2, part="maxpool_backward",
       hint="Possible reason: rectangular windows/strides (kh != kw, sh != sw) mixed up, or H/W swapped?")
def test_maxpool_backward_rectangular_and_uneven(student, rng):
    for config in [(2, 3, 8, 9, 2, 3, 3, 2), (3, 1, 7, 10, 3, 2, 2, 4)]:
        check_pool(student, "maxpool_backward", *pool_case(rng, *config))


@grade(points=3, part="maxpool_backward",
       hint="Possible reason: with overlapping windows an input can be the maximum of several windows: "
            "is a later window overwriting an earlier one's contribution?")
def test_maxpool_backward_overlapping_windows_add_up(student, rng):
    for config in [(2, 2, 7, 6, 3, 2, 1, 1), (1, 3, 8, 9, 2, 3, 1, 2), (2, 1, 9, 8, 3, 3, 2, 2)]:
        check_pool(student, "maxpool_backward", *pool_case(rng, *config))


@grade(points=3, part="maxpool_backward",
       hint="Possible reason: with ties, only the FIRST maximum in row-major order of the window gets the gradient.")
def test_maxpool_backward_ties(student, rng):
    for config in [(2, 2, 6, 8, 2, 2, 2, 2), (1, 2, 7, 9, 3, 2, 1, 2)]:
        values = rng.integers(0, 3, size=config[:4]).astype(np.float64)  # many equal values
        check_pool(student, "maxpool_backward", *pool_case(rng, *config, values=values))


@grade(points=1, part="maxpool_backward",
       hint="Possible reason: an integer x gives an integer dx, or dout / x modified in place?")
def test_maxpool_backward_integer_input_unchanged(student, rng):
    x = rng.integers(0, 256, (2, 3, 7, 6)).astype(np.uint8)
    dout, cache = pool_case(rng, 2, 3, 7, 6, 3, 2, 2, 2, values=x)
    got, args, _ = student.maxpool_backward.with_inputs(dout, cache)
    assert_close(got, ref.maxpool_backward(dout, cache), "maxpool_backward on uint8 x (2, 3, 7, 6)")
    assert_unchanged(dout, args[0], "dout")
    assert_unchanged(x, args[1][0], "the cache's x")


# --- avgpool_backward (6) -------------------------------------------------------------------------------------------


@grade(points=2, part="avgpool_backward",
       hint="Possible reason: the share each input of a window gets (the mean's divisor)?")
def test_avgpool_backward_non_overlapping(student, rng):
    for config in [(2, 3, 6, 8, 2, 2, 2, 2), (1, 2, 9, 7, 3, 2, 3, 2)]:
        check_pool(student, "avgpool_backward", *pool_case(rng, *config))


@grade(points=3, part="avgpool_backward",
       hint="Possible reason: overlapping windows overwriting each other, or the stride taken equal to the "
            "window size?")
def test_avgpool_backward_overlapping_and_uneven(student, rng):
    for config in [(2, 2, 7, 6, 3, 2, 1, 1), (1, 3, 8, 9, 2, 3, 1, 2), (3, 1, 10, 7, 2, 2, 3, 3)]:
        check_pool(student, "avgpool_backward", *pool_case(rng, *config))


@grade(points=1, part="avgpool_backward",
       hint="Possible reason: an integer x gives an integer dx, or dout / x modified in place?")
def test_avgpool_backward_integer_input_unchanged(student, rng):
    x = rng.integers(0, 256, (2, 1, 6, 7)).astype(np.uint8)
    dout, cache = pool_case(rng, 2, 1, 6, 7, 2, 3, 2, 2, values=x)
    got, args, _ = student.avgpool_backward.with_inputs(dout, cache)
    assert_close(got, ref.avgpool_backward(dout, cache), "avgpool_backward on uint8 x (2, 1, 6, 7)")
    assert_unchanged(dout, args[0], "dout")
    assert_unchanged(x, args[1][0], "the cache's x")
