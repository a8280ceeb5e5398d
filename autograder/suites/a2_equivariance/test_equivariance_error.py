"""A2 hidden suite: equivariance_error (10 points). The functions f and g live here, in the grader; the
submission calls them back through opaque handles."""

import math

import numpy as np

import solutions.a2_equivariance as ref
from autograder.testing import Mismatch, assert_scalar_close, grade

KERNEL = np.array([[0.5, -1.0, 0.25], [2.0, 0.0, -0.5], [1.0, 0.75, -2.0]])


def corr(z):
    return ref.circular_corr2d(z, KERNEL)


def shift_1_2(z):
    return ref.shift(z, 1, 2)


@grade(points=2, part="equivariance_error",
       hint="Possible reason: not max |f(g(x)) - g(f(x))|? A pair that commutes must give (nearly) 0.")
def test_commuting_pair_gives_zero(student, rng):
    x = rng.standard_normal((5, 6))
    assert_scalar_close(student.equivariance_error(corr, shift_1_2, x), 0.0, atol=1e-9,
                        what="equivariance_error(correlation, shift, x)")
    assert_scalar_close(student.equivariance_error(np.negative, ref.rot90, x), 0.0,
                        what="equivariance_error(negation, rot90, x)")


@grade(points=2, part="equivariance_error",
       hint="Possible reason: mean or sum instead of the largest absolute difference?")
def test_rotation_gives_the_largest_difference(student, rng):
    x = rng.standard_normal((5, 6))
    assert_scalar_close(student.equivariance_error(corr, ref.rot90, x), ref.equivariance_error(corr, ref.rot90, x),
                        what="equivariance_error(correlation, rot90, x)")


@grade(points=2, part="equivariance_error",
       hint="Possible reason: the absolute value is missing (a signed max misses negative differences)?")
def test_absolute_value_in_both_orders(student, rng):
    x = rng.standard_normal((4, 7))
    ramp = np.arange(7.0)

    def add_ramp(z):
        return z + ramp

    for f, g, what in [(add_ramp, shift_1_2, "(add a ramp, shift)"), (shift_1_2, add_ramp, "(shift, add a ramp)")]:
        assert_scalar_close(student.equivariance_error(f, g, x), ref.equivariance_error(f, g, x),
                            what=f"equivariance_error{what}")


@grade(points=2, part="equivariance_error",
       hint="Possible reason: no shape check? Arrays of different shapes are never equal (broadcasting hides it).")
def test_different_shapes_give_inf(student, rng):
    x = rng.standard_normal((4, 6))

    def drop_last_row(z):
        return z[:-1]

    def first_row(z):
        return z[:1]

    for f, g, what in [(drop_last_row, ref.rot90, "(drop the last row, rot90)"),
                       (first_row, ref.upsample2, "(keep the first row, upsample2): shapes (1, 12) and (2, 12)")]:
        got = student.equivariance_error(f, g, x)
        if not (isinstance(got, float) and math.isinf(got) and got > 0):
            raise Mismatch(f"equivariance_error{what} should be inf: the two results have different shapes")


@grade(points=1, part="equivariance_error",
       hint="Possible reason: an array returned instead of one number, or f and g not both applied to x?")
def test_returns_a_number_and_applies_f_and_g_to_x(student, rng):
    x = rng.standard_normal((6, 5))
    seen = {"f": [], "g": []}

    def f(z):
        seen["f"].append(np.array(z, dtype=float))
        return corr(z)

    def g(z):
        seen["g"].append(np.array(z, dtype=float))
        return ref.upsample2(z)

    got = student.equivariance_error(f, g, x)
    assert_scalar_close(got, ref.equivariance_error(corr, ref.upsample2, x),
                        what="equivariance_error(correlation, upsample2, x)")
    for name, inputs in seen.items():
        if not any(z.shape == x.shape and np.array_equal(z, x) for z in inputs):
            raise Mismatch(f"{name} was never called with x itself (x modified, or {name}(x) not computed?)")


@grade(points=1, part="equivariance_error", hint="Possible reason: 2-D assumed? x may be an array of any shape.")
def test_one_dimensional_signals(student, rng):
    x = rng.standard_normal(9)

    def smooth(z):
        return z + 0.5 * np.roll(z, 1) - 0.25 * np.roll(z, -2)

    def reverse(z):
        return z[::-1]

    assert_scalar_close(student.equivariance_error(smooth, reverse, x), ref.equivariance_error(smooth, reverse, x),
                        what="equivariance_error(1-D filter, reversal, x of shape (9,))")
