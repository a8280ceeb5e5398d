"""A3 hidden suite, parts maxpool_forward (22) and avgpool_forward (12): pooling with a sliding window."""

import numpy as np

import solutions.a3_pooling as ref
from autograder.testing import Mismatch, as_array, as_tuple, assert_close, assert_unchanged, grade

# (N, C, H, W, size, stride): every axis a different size; rectangular windows; strides that do not divide the
# input; overlapping windows (stride < size) and gaps between windows (stride > size).
UNEVEN = [
    (2, 3, 7, 9, (2, 3), (3, 2)),
    (3, 2, 8, 11, (3, 2), (2, 3)),
    (1, 3, 10, 7, (1, 4), (3, 1)),
    (2, 1, 9, 6, (4, 1), (2, 2)),
    (3, 2, 6, 10, (2, 2), (1, 3)),
]
OVERLAPPING = [(2, 3, 7, 9, 3, 2), (3, 2, 9, 6, (3, 2), (2, 1)), (1, 2, 8, 11, (2, 4), 1)]


def out_and_cache(got, what: str) -> tuple:
    """A forward function returns the tuple (out, cache); check that it does and return it."""
    return as_tuple(got, ("out", "cache"), what)


def pooled(got, what: str) -> np.ndarray:
    """A forward function returns (out, cache); return out (as a checked array)."""
    return as_array(out_and_cache(got, what)[0], f"{what}: out", dtype=None)


def signed(rng, shape):
    """Mostly negative values (a maximum started at 0 shows), distinct (no accidental ties)."""
    return rng.standard_normal(shape) - 1.5


def call(student_fn, x, size, stride, what):
    if stride is None:
        return pooled(student_fn(x, size), what)
    return pooled(student_fn(x, size, stride), what)


def check_pool(student_fn, ref_fn, x, size, stride, what):
    """The student's pooling of x (stride None: not passed) against the reference's."""
    assert_close(call(student_fn, x, size, stride, what), ref_fn(x, size, stride)[0], what)


def check_cache(got, x, size_pair, stride_pair, what):
    cache = out_and_cache(got, what)[1]
    if not isinstance(cache, tuple) or len(cache) != 3:
        raise Mismatch(f"{what}: the cache should be the tuple (x, (kh, kw), (sh, sw))")
    assert_close(cache[0], x, f"{what}: cache[0] (x as float64)", rtol=0, atol=0)
    for i, (name, want) in enumerate((("(kh, kw)", size_pair), ("(sh, sw)", stride_pair)), start=1):
        value = cache[i]
        if not isinstance(value, tuple) or value != want or not all(type(v) is int for v in value):
            raise Mismatch(f"{what}: cache[{i}] should be the window {name} as a tuple of two ints")


# --- maxpool_forward (22) -------------------------------------------------------------------------------------------


@grade(points=2, part="maxpool_forward",
       hint="Possible reason: leftover rows/columns not dropped, or H and W swapped? H' = floor((H - KH)/SH) + 1.")
def test_maxpool_output_shape(student, rng):
    for N, C, H, W, size, stride in [(2, 3, 7, 9, 2, None), (1, 2, 5, 8, 3, None)] + UNEVEN[:3]:
        x = signed(rng, (N, C, H, W))
        want = ref.maxpool_forward(x, size, stride)[0]
        what = f"maxpool_forward out, x {x.shape}, size={size}, stride={stride}"
        as_array(call(student.maxpool_forward, x, size, stride, what), what, shape=want.shape)


@grade(points=3, part="maxpool_forward",
       hint="Possible reason: the maximum started at 0 (inputs can be negative), or max over the wrong axes?")
def test_maxpool_default_2x2_negative_inputs(student, rng):
    for shape in [(2, 3, 6, 8), (3, 2, 7, 5)]:
        x = signed(rng, shape)
        what = f"maxpool_forward(x) with x {shape} (mostly negative values)"
        assert_close(pooled(student.maxpool_forward(x), what), ref.maxpool_forward(x)[0], what)


@grade(points=3, part="maxpool_forward",
       hint="Possible reason: stride=None should mean stride = size (windows side by side), not stride 1.")
def test_maxpool_stride_defaults_to_size(student, rng):
    for shape, size in [((2, 3, 9, 7), 3), ((1, 2, 8, 9), (2, 3)), ((2, 1, 7, 10), (3, 2))]:
        x = signed(rng, shape)
        what = f"maxpool_forward(x, size={size}) with x {shape}, stride not given"
        assert_close(pooled(student.maxpool_forward(x, size), what), ref.maxpool_forward(x, size)[0], what)
        what = f"maxpool_forward(x, size={size}, stride=None) with x {shape}"
        assert_close(pooled(student.maxpool_forward(x, size, None), what), ref.maxpool_forward(x, size)[0], what)


@grade(points=4, part="maxpool_forward",
       hint="Possible reason: (kh, kw) or (sh, sw) read in the wrong order, or the stride applied to one axis only?")
def test_maxpool_rectangular_windows_uneven_strides(student, rng):
    for N, C, H, W, size, stride in UNEVEN:
        x = signed(rng, (N, C, H, W))
        what = f"maxpool_forward(x, size={size}, stride={stride}) with x {x.shape}"
        check_pool(student.maxpool_forward, ref.maxpool_forward, x, size, stride, what)


@grade(points=3, part="maxpool_forward",
       hint="Possible reason: windows placed at multiples of the window size instead of the stride?")
def test_maxpool_overlapping_windows(student, rng):
    for N, C, H, W, size, stride in OVERLAPPING:
        x = signed(rng, (N, C, H, W))
        what = f"maxpool_forward(x, size={size}, stride={stride}) with x {x.shape} (overlapping windows)"
        check_pool(student.maxpool_forward, ref.maxpool_forward, x, size, stride, what)


@grade(points=2, part="maxpool_forward",
       hint="Possible reason: a window that runs off the edge must be dropped, not shortened or zero-padded.")
def test_maxpool_windows_that_do_not_tile(student, rng):
    for shape, size, stride in [((2, 2, 7, 11), 3, None), ((1, 3, 9, 5), (4, 2), (4, 3)), ((2, 1, 5, 8), 2, 3)]:
        x = signed(rng, shape)
        x[..., -1, :] += 10.0  # a large last row and column: seen only by windows that run off the edge
        x[..., -1] += 10.0
        what = f"maxpool_forward(x, size={size}, stride={stride}) with x {shape}"
        check_pool(student.maxpool_forward, ref.maxpool_forward, x, size, stride, what)


@grade(points=2, part="maxpool_forward",
       hint="Possible reason: the cache must be (x, (kh, kw), (sh, sw)) with x as float64 and ints in the pairs.")
def test_maxpool_cache(student, rng):
    x = signed(rng, (2, 3, 7, 8))
    check_cache(student.maxpool_forward(x, (3, 2), (2, 3)), x, (3, 2), (2, 3), "maxpool_forward(x, (3, 2), (2, 3))")
    check_cache(student.maxpool_forward(x, 3), x, (3, 3), (3, 3), "maxpool_forward(x, 3)")
    xi = rng.integers(0, 256, size=(1, 2, 5, 6)).astype(np.uint8)
    check_cache(student.maxpool_forward(xi, 2, 1), xi, (2, 2), (1, 1), "maxpool_forward(uint8 x, 2, 1)")


@grade(points=1, part="maxpool_forward",
       hint="Possible reason: the output keeps the input's integer dtype? Outputs are float64.")
def test_maxpool_uint8_inputs_and_ties(student, rng):
    x = rng.integers(250, 256, size=(2, 3, 6, 7)).astype(np.uint8)  # few values: many tied maxima
    what = "maxpool_forward on uint8 x (2, 3, 6, 7) with tied maxima"
    assert_close(pooled(student.maxpool_forward(x, (2, 3), (2, 2)), what), ref.maxpool_forward(x, (2, 3), 2)[0],
                 what)


@grade(points=1, part="maxpool_forward", hint="Possible reason: x changed in place (e.g. while searching the max)?")
def test_maxpool_inputs_unchanged(student, rng):
    for x, size, stride in [(signed(rng, (2, 3, 6, 7)), 2, None), (signed(rng, (1, 2, 7, 5)), (3, 2), 1)]:
        got, args, _ = student.maxpool_forward.with_inputs(x, size, stride)
        what = f"maxpool_forward on x {x.shape}, size {size}, stride {stride}"
        assert_close(pooled(got, what), ref.maxpool_forward(x, size, stride)[0], what)  # only a working function
        assert_unchanged(x, args[0], "x")


@grade(points=1, part="maxpool_forward", hint="Possible reason: state kept between calls (a global or a default)?")
def test_maxpool_repeated_and_interleaved_calls(student, rng):
    x, x2 = signed(rng, (2, 3, 7, 6)), signed(rng, (1, 2, 5, 9))
    first = pooled(student.maxpool_forward(x, (3, 2), 2), "maxpool_forward, first call")
    student.maxpool_forward(x2, 3)
    again = pooled(student.maxpool_forward(x, (3, 2), 2), "maxpool_forward, third call")
    want = ref.maxpool_forward(x, (3, 2), 2)[0]
    assert_close(first, want, "maxpool_forward, first call")
    assert_close(again, want, "maxpool_forward called again with the same arguments")


# --- avgpool_forward (12) -------------------------------------------------------------------------------------------


@grade(points=2, part="avgpool_forward",
       hint="Possible reason: leftover rows/columns not dropped, or the mean taken over the wrong axes?")
def test_avgpool_default_2x2(student, rng):
    for shape in [(2, 3, 6, 8), (3, 2, 7, 5)]:
        x = rng.standard_normal(shape)
        what = f"avgpool_forward(x) with x {shape}"
        assert_close(pooled(student.avgpool_forward(x), what), ref.avgpool_forward(x)[0], what)


@grade(points=4, part="avgpool_forward",
       hint="Possible reason: divided by the wrong count (KH*KW), or (kh, kw) / (sh, sw) read in the wrong order?")
def test_avgpool_rectangular_windows_uneven_strides(student, rng):
    for N, C, H, W, size, stride in UNEVEN + OVERLAPPING[1:]:
        x = rng.standard_normal((N, C, H, W))
        what = f"avgpool_forward(x, size={size}, stride={stride}) with x {x.shape}"
        check_pool(student.avgpool_forward, ref.avgpool_forward, x, size, stride, what)


@grade(points=2, part="avgpool_forward",
       hint="Possible reason: stride=None should mean stride = size; a window off the edge is dropped.")
def test_avgpool_stride_defaults_to_size(student, rng):
    for shape, size in [((2, 3, 9, 7), 3), ((1, 2, 8, 9), (2, 3))]:
        x = rng.standard_normal(shape)
        what = f"avgpool_forward(x, size={size}) with x {shape}, stride not given"
        assert_close(pooled(student.avgpool_forward(x, size), what), ref.avgpool_forward(x, size)[0], what)


@grade(points=2, part="avgpool_forward",
       hint="Possible reason: the sum computed in uint8 overflows? Convert to float64 first.")
def test_avgpool_uint8_inputs(student, rng):
    x = rng.integers(200, 256, size=(2, 3, 6, 7)).astype(np.uint8)
    what = "avgpool_forward on uint8 x (2, 3, 6, 7)"
    got = pooled(student.avgpool_forward(x, (2, 3), (2, 2)), what)
    assert_close(got, ref.avgpool_forward(x, (2, 3), 2)[0], what)


@grade(points=1, part="avgpool_forward",
       hint="Possible reason: the cache must be (x, (kh, kw), (sh, sw)) with x as float64 and ints in the pairs.")
def test_avgpool_cache(student, rng):
    x = rng.standard_normal((2, 3, 7, 8))
    check_cache(student.avgpool_forward(x, (3, 2), (2, 3)), x, (3, 2), (2, 3), "avgpool_forward(x, (3, 2), (2, 3))")
    check_cache(student.avgpool_forward(x, 2), x, (2, 2), (2, 2), "avgpool_forward(x, 2)")


@grade(points=1, part="avgpool_forward", hint="Possible reason: x changed in place, or state kept between calls?")
def test_avgpool_inputs_unchanged_and_repeated_calls(student, rng):
    x, x2 = rng.standard_normal((2, 3, 6, 7)), rng.standard_normal((1, 2, 5, 9))
    first, args, _ = student.avgpool_forward.with_inputs(x, (2, 3), 1)
    assert_unchanged(x, args[0], "x")
    student.avgpool_forward(x2, 3)
    again = student.avgpool_forward(x, (2, 3), 1)
    want = ref.avgpool_forward(x, (2, 3), 1)[0]
    assert_close(pooled(first, "avgpool_forward, first call"), want, "avgpool_forward, first call")
    assert_close(pooled(again, "avgpool_forward, third call"), want, "avgpool_forward called again")
