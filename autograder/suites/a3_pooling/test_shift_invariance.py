"""A3 hidden suite, part shift_invariance (16): local translation invariance, measured.

The pooling functions handed to the student's shift_invariance run here, in the grader (callbacks).
"""

import numpy as np

import solutions.a3_pooling as ref
from autograder.testing import Mismatch, assert_scalar_close, assert_unchanged, grade


def max_1x2(z):
    """Max over pairs of neighbouring columns (1x2 windows, stride 2)."""
    return ref.maxpool_forward(z, (1, 2))[0]


def max_3_stride_1(z):
    return ref.maxpool_forward(z, 3, 1)[0]


def max_2x3_stride_1x2(z):
    return ref.maxpool_forward(z, (2, 3), (1, 2))[0]


def avg_2(z):
    return ref.avgpool_forward(z, 2)[0]


def max_pairs_2d(z):
    """Max over pairs of neighbouring columns of a 2-D image (H, W) -> (H, W // 2)."""
    z = np.asarray(z, dtype=np.float64)
    W = z.shape[-1] // 2 * 2
    return np.maximum(z[..., 0:W:2], z[..., 1:W:2])


def small_ints(rng, shape):
    """Integer-valued floats: few distinct values, so some pooled outputs survive a shift, and every mean is exact."""
    return rng.integers(0, 4, size=shape).astype(np.float64)


def check(student, pool, x, shift, what):
    got = student.shift_invariance(pool, x, shift)
    assert_scalar_close(got, ref.shift_invariance(pool, x, shift), what)


@grade(points=3, part="shift_invariance",
       hint="Possible reason: return the fraction of output entries that are unchanged (a number in [0, 1]).")
def test_hand_made_cases(student, rng):
    cases = [
        ([[[[5.0, 0, 0, 0]]]], 1),  # the maximum moves within its window: nothing changes
        ([[[[0.0, 5, 0, 0]]]], 1),  # the maximum moves into the next window: every output changes
        ([[[[5.0, 0, 0, 0], [0, 5, 0, 0]]]], 1),  # one row of each kind
        ([[[[0.0, 5, 0, 0, 0, 0], [3, 0, 0, 1, 0, 0]]], [[[1, 0, 0, 0, 0, 2], [0, 0, 4, 0, 0, 0]]]], 2),
    ]
    for x, shift in cases:
        x = np.array(x)
        check(student, max_1x2, x, shift, f"shift_invariance(1x2 max pooling, x {x.shape}, shift={shift})")


@grade(points=3, part="shift_invariance",
       hint="Possible reason: shift along W, the last axis (np.roll with axis=-1), not along H or the flattened array.")
def test_shift_is_along_w(student, rng):
    for shape in [(1, 2, 4, 6), (2, 1, 5, 8)]:
        x = small_ints(rng, shape)
        check(student, max_1x2, x, 1, f"shift_invariance(1x2 max pooling, x {shape}, shift=1)")
        check(student, max_2x3_stride_1x2, x, 1, f"shift_invariance(2x3 max pooling, x {shape}, shift=1)")


@grade(points=4, part="shift_invariance",
       hint="Possible reason: compare pool(x) with pool of the circularly shifted x (np.roll), entry by entry.")
def test_random_inputs_many_pools_and_shifts(student, rng):
    for pool, name in [(max_1x2, "1x2 max"), (max_3_stride_1, "3x3 max, stride 1"),
                       (max_2x3_stride_1x2, "2x3 max, stride (1, 2)"), (avg_2, "2x2 average")]:
        for shape, shift in [((2, 3, 6, 8), 1), ((1, 2, 7, 9), 2), ((2, 1, 5, 10), 3)]:
            x = small_ints(rng, shape)
            check(student, pool, x, shift, f"shift_invariance({name} pooling, x {shape}, shift={shift})")
        x = rng.standard_normal((2, 2, 6, 7))
        check(student, pool, x, 1, f"shift_invariance({name} pooling, random x (2, 2, 6, 7), shift=1)")


@grade(points=2, part="shift_invariance", hint="Possible reason: the shift should default to 1.")
def test_default_shift_is_one(student, rng):
    x = small_ints(rng, (2, 2, 5, 8))
    got = student.shift_invariance(max_1x2, x)
    assert_scalar_close(got, ref.shift_invariance(max_1x2, x, 1), "shift_invariance(1x2 max pooling, x) without shift")


@grade(points=1, part="shift_invariance",
       hint="Possible reason: a circular shift by W is no shift at all; a negative shift moves left.")
def test_full_period_and_negative_shifts(student, rng):
    x = rng.standard_normal((1, 2, 4, 6))
    check(student, max_3_stride_1, x, 6, "shift_invariance(3x3 max pooling, x (1, 2, 4, 6), shift=6)")
    x = small_ints(rng, (2, 1, 5, 8))
    check(student, max_1x2, x, -1, "shift_invariance(1x2 max pooling, x (2, 1, 5, 8), shift=-1)")


@grade(points=1, part="shift_invariance",
       hint="Possible reason: x may have any number of axes; W is always the last one.")
def test_images_without_batch_and_channel_axes(student, rng):
    x = small_ints(rng, (5, 8))
    check(student, max_pairs_2d, x, 1, "shift_invariance(pairwise max, 2-D x (5, 8), shift=1)")


@grade(points=2, part="shift_invariance",
       hint="Possible reason: pool should see x itself and a circularly shifted copy of x (np.roll along W), "
            "and x must stay as it was (np.roll makes a copy; shifting x in place does not).")
def test_pool_sees_x_and_its_shifted_copy(student, rng):
    for x, shift in ((small_ints(rng, (2, 2, 4, 6)), 1), (rng.standard_normal((1, 3, 5, 7)), 3)):
        seen = []

        def recording_pool(z, seen=seen):
            seen.append(np.array(z, dtype=np.float64))
            return max_1x2(z)

        _, args, _ = student.shift_invariance.with_inputs(recording_pool, x, shift)
        what = f"shift_invariance(pool, x {x.shape}, shift={shift})"
        if not any(z.shape == x.shape and np.array_equal(z, x) for z in seen):
            raise Mismatch(f"{what}: pool was never called with x itself")
        if not any(z.shape == x.shape and np.array_equal(z, np.roll(x, shift, axis=-1)) for z in seen):
            raise Mismatch(f"{what}: pool was never called with x shifted circularly by {shift} along W")
        assert_unchanged(x, args[1], f"x of {what}")
