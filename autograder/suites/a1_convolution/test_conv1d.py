"""A1 hidden suite, part 2: 1-D convolution, cross-correlation with stride, output size."""

import numpy as np

import solutions.a1_convolution as ref
from autograder.testing import Mismatch, assert_close, assert_unchanged, grade

# --- conv1d (12) ----------------------------------------------------------------------------------------------------


@grade(points=3, part="conv1d", hint="Possible reason: kernel not flipped? conv1d is a true convolution.")
def test_full_mode(student, rng):
    for n, m in [(11, 4), (9, 3), (7, 7), (12, 1)]:
        x, w = rng.standard_normal(n), rng.standard_normal(m)
        assert_close(student.conv1d(x, w), ref.conv1d(x, w), f"conv1d(x, w) with len(x) = {n}, len(w) = {m}")
        assert_close(student.conv1d(x, w, "full"), ref.conv1d(x, w, "full"), f"conv1d(x, w, 'full'), {n}, {m}")


@grade(points=3, part="conv1d",
       hint="Possible reason: 'same' centred wrongly for even kernel lengths? Compare with np.convolve(x, w, 'same').")
def test_same_mode_odd_and_even_kernels(student, rng):
    for n, m in [(10, 3), (10, 4), (9, 2), (13, 6)]:
        x, w = rng.standard_normal(n), rng.standard_normal(m)
        assert_close(student.conv1d(x, w, "same"), ref.conv1d(x, w, "same"),
                     f"conv1d(x, w, 'same') with len(x) = {n}, len(w) = {m}")


@grade(points=2, part="conv1d", hint="Possible reason: 'valid' keeps only complete overlaps: N - M + 1 values.")
def test_valid_mode(student, rng):
    for n, m in [(10, 3), (11, 4), (6, 6)]:
        x, w = rng.standard_normal(n), rng.standard_normal(m)
        assert_close(student.conv1d(x, w, "valid"), ref.conv1d(x, w, "valid"),
                     f"conv1d(x, w, 'valid') with len(x) = {n}, len(w) = {m}")


@grade(points=1, part="conv1d", hint="Possible reason: kernel flipped twice, or not at all?")
def test_impulse_response_is_the_kernel(student, rng):
    x = np.zeros(9)
    x[4] = 1.0
    w = np.array([1.0, 2.0, -3.0, 0.5])  # asymmetric
    for mode in ("full", "same", "valid"):
        assert_close(student.conv1d(x, w, mode), ref.conv1d(x, w, mode), f"conv1d(impulse, w, {mode!r})")


@grade(points=1, part="conv1d", hint="Possible reason: the kernel longer than the signal (np.convolve swaps them).")
def test_full_mode_kernel_longer_than_signal(student, rng):
    x, w = rng.standard_normal(3), rng.standard_normal(5)
    assert_close(student.conv1d(x, w), ref.conv1d(x, w), "conv1d(x, w) with len(x) = 3, len(w) = 5")


@grade(points=1, part="conv1d", hint="Possible reason: integer (uint8) arithmetic overflows; convert to float64.")
def test_uint8_inputs_give_float64(student, rng):
    x = rng.integers(100, 256, size=10).astype(np.uint8)
    w = np.array([200, 3, 255], dtype=np.uint8)
    assert_close(student.conv1d(x, w, "same"), ref.conv1d(x, w, "same"), "conv1d on uint8 x and w, mode 'same'")


@grade(points=1, part="conv1d", hint="Possible reason: the kernel flipped in place (w[:] = w[::-1]) or x changed?")
def test_conv1d_inputs_unchanged(student, rng):
    x, w = rng.standard_normal(8), rng.standard_normal(3)
    got, args, _ = student.conv1d.with_inputs(x, w, "same")
    assert_close(got, ref.conv1d(x, w, "same"), "conv1d(x, w, 'same')")  # a function that returns junk earns nothing
    assert_unchanged(x, args[0], "x")
    assert_unchanged(w, args[1], "w")


# --- corr1d (8) -----------------------------------------------------------------------------------------------------


@grade(points=2, part="corr1d", hint="Possible reason: kernel flipped? corr1d is a cross-correlation: x[t + a] w[a].")
def test_corr1d_stride_1(student, rng):
    for n, m in [(11, 4), (8, 3), (5, 5)]:
        x, w = rng.standard_normal(n), rng.standard_normal(m)
        assert_close(student.corr1d(x, w), ref.corr1d(x, w), f"corr1d(x, w) with len(x) = {n}, len(w) = {m}")


@grade(points=3, part="corr1d",
       hint="Possible reason: stride ignored, or the output length is not floor((N - M) / stride) + 1?")
def test_corr1d_strides_that_do_not_divide_evenly(student, rng):
    for n, m, s in [(13, 4, 2), (12, 3, 2), (14, 3, 3), (11, 2, 3), (10, 4, 4), (6, 5, 3)]:
        x, w = rng.standard_normal(n), rng.standard_normal(m)
        assert_close(student.corr1d(x, w, stride=s), ref.corr1d(x, w, s),
                     f"corr1d(x, w, stride={s}) with len(x) = {n}, len(w) = {m}")


@grade(points=1, part="corr1d", hint="Possible reason: integer arithmetic, or x / w changed in place?")
def test_corr1d_integer_inputs_and_inputs_unchanged(student, rng):
    x, w = rng.integers(0, 256, size=11).astype(np.uint8), np.array([255, 2, 7], dtype=np.uint8)
    got, args, kwargs = student.corr1d.with_inputs(x, w, stride=2)
    assert_close(got, ref.corr1d(x, w, 2), "corr1d on uint8 x and w, stride 2")
    assert_unchanged(x, args[0], "x")
    assert_unchanged(w, args[1], "w")


@grade(points=1, part="corr1d", hint="Possible reason: x[t*stride + a] — the stride moves the window, not the taps.")
def test_corr1d_impulse_gives_the_kernel_reversed(student, rng):
    x = np.zeros(12)
    x[6] = 1.0
    w = np.array([1.0, -2.0, 4.0])
    for s in (1, 2):
        assert_close(student.corr1d(x, w, s), ref.corr1d(x, w, s), f"corr1d(impulse, w, stride={s})")


@grade(points=1, part="corr1d", hint="Possible reason: state kept between calls (a global or a default argument)?")
def test_corr1d_repeated_and_interleaved_calls(student, rng):
    x, w = rng.standard_normal(14), rng.standard_normal(3)
    x2, w2 = rng.standard_normal(9), rng.standard_normal(2)
    first = student.corr1d(x, w, 3)
    student.corr1d(x2, w2, 1)
    student.corr1d(x2, w2)
    assert_close(student.corr1d(x, w, 3), ref.corr1d(x, w, 3), "corr1d called again with the same arguments")
    assert_close(first, ref.corr1d(x, w, 3), "corr1d(x, w, 3), first call")


# --- output_size (6) ------------------------------------------------------------------------------------------------


def check_sizes(student, cases, what):
    for n, k, s, p in cases:
        got = student.output_size(n, k, s, p)
        if type(got) is not int:
            raise Mismatch(f"output_size({n}, {k}, {s}, {p}) returned {type(got).__name__}; expected an int")
        if got != ref.output_size(n, k, s, p):
            raise Mismatch(f"output_size({n}, {k}, stride={s}, pad={p}) is not the expected value ({what})")


@grade(points=2, part="output_size", hint="Possible reason: stride 1 gives n + 2*pad - k + 1 outputs.")
def test_output_size_stride_1(student):
    check_sizes(student, [(5, 3, 1, 0), (7, 1, 1, 0), (6, 6, 1, 0), (5, 3, 1, 1), (4, 5, 1, 2)], "stride 1")


@grade(points=3, part="output_size",
       hint="Possible reason: floor, not ceil; and + 1: floor((n + 2*pad - k) / stride) + 1.")
def test_output_size_uneven_strides_and_padding(student):
    cases = [(7, 3, 2, 0), (8, 3, 2, 0), (10, 3, 3, 1), (11, 4, 3, 2), (9, 2, 4, 1), (3, 3, 2, 0), (5, 2, 3, 2)]
    check_sizes(student, cases, "strides that do not divide evenly")


@grade(points=1, part="output_size", hint="Possible reason: keyword arguments stride= and pad= not supported?")
def test_output_size_keywords(student):
    for n, k, s, p in [(9, 3, 2, 1), (12, 5, 3, 0)]:
        got = student.output_size(n, k, stride=s, pad=p)
        if got != ref.output_size(n, k, s, p) or type(got) is not int:
            raise Mismatch(f"output_size({n}, {k}, stride={s}, pad={p}) is not the expected int")
