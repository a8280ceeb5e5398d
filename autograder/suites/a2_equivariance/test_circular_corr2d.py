"""A2 hidden suite: circular_corr2d (15 points)."""

import numpy as np

import solutions.a2_equivariance as ref
from autograder.testing import assert_close, assert_unchanged, grade

DEFINITION = "y[i, j] = sum_{a,b} w[a, b] x[(i + a - KH//2) mod H, (j + b - KW//2) mod W]"


def _matches_reference(student, x, w, what: str = "") -> None:
    """student.circular_corr2d(x, w) must equal the reference; `what` defaults to the shapes of x and w."""
    what = what or f"circular_corr2d, x {x.shape}, w {w.shape}"
    assert_close(student.circular_corr2d(x, w), ref.circular_corr2d(x, w), what=what)


@grade(points=3, part="circular_corr2d", hint=f"Possible reason: the index arithmetic; {DEFINITION}.")
def test_random_image_and_kernel(student, rng):
    _matches_reference(student, rng.standard_normal((5, 7)), rng.standard_normal((3, 3)))


@grade(points=2, part="circular_corr2d", hint="Possible reason: kernel flipped? This is a cross-correlation: no flip.")
def test_delta_image_gives_the_flipped_kernel_around_it(student, rng):
    x = np.zeros((7, 8))
    x[3, 4] = 1.0
    w = rng.standard_normal((3, 3))
    _matches_reference(student, x, w, "circular_corr2d of a delta image")


@grade(points=2, part="circular_corr2d",
       hint="Possible reason: zero padding instead of a periodic boundary? The image wraps around at every border.")
def test_wraps_around_every_border(student, rng):
    x = np.zeros((6, 5))
    x[0, 0], x[5, 4] = 1.0, -2.0
    w = rng.standard_normal((3, 3))
    _matches_reference(student, x, w, "circular_corr2d, peaks in corners")


@grade(points=2, part="circular_corr2d", hint="Possible reason: H and W (or KH and KW) swapped somewhere?")
def test_non_square_image_and_kernel(student, rng):
    _matches_reference(student, rng.standard_normal((4, 9)), rng.standard_normal((3, 5)))


@grade(points=2, part="circular_corr2d",
       hint="Possible reason: the kernel's anchor; for an even size it is still (KH//2, KW//2).")
def test_even_kernel_sizes(student, rng):
    _matches_reference(student, rng.standard_normal((6, 7)), rng.standard_normal((2, 4)))


@grade(points=1, part="circular_corr2d",
       hint="Possible reason: a kernel larger than the image wraps around more than once (indices mod H, mod W).")
def test_kernel_larger_than_the_image(student, rng):
    _matches_reference(student, rng.standard_normal((3, 4)), rng.standard_normal((5, 6)))


@grade(points=1, part="circular_corr2d",
       hint="Possible reason: integer arithmetic (uint8 overflows); convert the inputs to float64 first.")
def test_integer_inputs_give_float64(student, rng):
    x = rng.integers(0, 256, size=(5, 6)).astype(np.uint8)
    w = rng.integers(0, 256, size=(3, 3)).astype(np.uint8)
    _matches_reference(student, x, w, "circular_corr2d of uint8 arrays")


@grade(points=1, part="circular_corr2d", hint="Possible reason: x or w modified in place (e.g. `x -= ...`).")
def test_inputs_are_not_modified(student, rng):
    x, w = rng.standard_normal((5, 6)), rng.standard_normal((3, 2))
    got, (x_after, w_after), _ = student.circular_corr2d.with_inputs(x, w)
    assert_unchanged(x, x_after, "x")
    assert_unchanged(w, w_after, "w")
    assert_close(got, ref.circular_corr2d(x, w), what="circular_corr2d, x (5, 6), w (3, 2)")


@grade(points=1, part="circular_corr2d",
       hint="Possible reason: a 1x1 kernel is a plain scaling; state kept between calls?")
def test_one_by_one_kernel_then_another_call(student, rng):
    x = rng.standard_normal((4, 3))
    assert_close(student.circular_corr2d(x, np.array([[2.5]])), 2.5 * x, what="circular_corr2d with w = [[2.5]]")
    x2, w2 = rng.standard_normal((3, 5)), rng.standard_normal((3, 1))
    _matches_reference(student, x2, w2, "a second call, w (3, 1)")
