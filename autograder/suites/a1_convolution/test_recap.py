"""A1 hidden suite, part 1: the FIR filter with bias — Wiener solution and gradient descent."""

import numpy as np

import solutions.a1_convolution as ref
from autograder.testing import as_array, as_tuple, assert_close, assert_scalar_close, assert_unchanged, grade


def fir_data(rng, n, n_true=3, mean=3.0, noise=0.2):
    """Non-zero-mean input x and desired d = bias + FIR(x) + noise, with random filter and bias."""
    signal = mean + rng.standard_normal(n)
    taps, bias = rng.standard_normal(n_true), rng.uniform(-2, 2)
    desired = bias + np.convolve(signal, taps)[:n] + noise * rng.standard_normal(n)
    return signal, desired


def check_fit(got, want, what):
    as_tuple(got, ("w", "b"), what)
    assert_close(got[0], want[0], f"{what}: w", rtol=1e-6, atol=1e-8)
    assert_scalar_close(got[1], want[1], f"{what}: b", rtol=1e-6, atol=1e-8)


def losses_array(got, n, what):
    """`losses` may be a list or an array; it must hold n finite numbers."""
    if isinstance(got, list) and all(isinstance(v, (int, float)) for v in got):
        got = np.asarray(got, dtype=np.float64)
    return as_array(got, f"{what}: losses", shape=(n,), dtype=None).astype(np.float64)


# --- fit_fir_wiener (10) --------------------------------------------------------------------------------------------

@grade(points=2, part="fit_fir_wiener",
       hint="Possible reason: row i of X is time t = i + n_taps - 1 and holds x[t], x[t-1], ..., x[t-n_taps+1].")
def test_design_matrix_rows_are_delayed_inputs(student, rng):
    x = rng.standard_normal(13)
    for n_taps in (1, 4):
        assert_close(student.fir_design_matrix(x, n_taps), ref.fir_design_matrix(x, n_taps),
                     f"fir_design_matrix(x, {n_taps}) with len(x) = 13")


@grade(points=4, part="fit_fir_wiener",
       hint="Possible reason: bias ignored (x is not zero-mean), or the sum not over t = n_taps-1 ... N-1?")
def test_wiener_matches_on_non_zero_mean_input(student, rng):
    x, d = fir_data(rng, 40)
    check_fit(student.fit_fir_wiener(x, d, 3), ref.fit_fir_wiener(x, d, 3), "fit_fir_wiener(x, d, 3), mean(x) = 3")


@grade(points=2, part="fit_fir_wiener",
       hint="Possible reason: the number of taps or the alignment of x and d fixed to one case?")
def test_wiener_other_tap_counts_and_lengths(student, rng):
    for n, n_taps in [(17, 1), (23, 2), (31, 5)]:
        x, d = fir_data(rng, n, n_true=4, mean=-1.5)
        check_fit(student.fit_fir_wiener(x, d, n_taps), ref.fit_fir_wiener(x, d, n_taps),
                  f"fit_fir_wiener with len(x) = {n}, n_taps = {n_taps}")


@grade(points=2, part="fit_fir_wiener",
       hint="Possible reason: integer arithmetic, or x / d changed in place (e.g. centred with -=)?")
def test_wiener_integer_inputs_and_inputs_unchanged(student, rng):
    x, d = fir_data(rng, 30)
    xi, di = np.round(3 * x).astype(np.int64), np.round(3 * d).astype(np.int64)
    got, args, _ = student.fit_fir_wiener.with_inputs(xi, di, 2)
    check_fit(got, ref.fit_fir_wiener(xi, di, 2), "fit_fir_wiener on int64 x and d")
    assert_unchanged(xi, args[0], "x")
    assert_unchanged(di, args[1], "d")
    _, args, _ = student.fit_fir_wiener.with_inputs(x, d, 3)
    assert_unchanged(x, args[0], "x")
    assert_unchanged(d, args[1], "d")


# --- fit_fir_gd (10) ------------------------------------------------------------------------------------------------

def check_gd(got, want, n_steps, what):
    as_tuple(got, ("w", "b", "losses"), what)
    assert_close(got[0], want[0], f"{what}: w", rtol=1e-6, atol=1e-9)
    assert_scalar_close(got[1], want[1], f"{what}: b", rtol=1e-6, atol=1e-9)
    assert_close(losses_array(got[2], n_steps + 1, what), want[2], f"{what}: losses", rtol=1e-6, atol=1e-9)


@grade(points=4, part="fit_fir_gd",
       hint="Possible reason: a factor 2 or 1/T missing in the gradient, or the bias not updated?")
def test_gd_trajectory(student, rng):
    x, d = fir_data(rng, 30)
    args = (x, d, 3, 0.005, 25)
    check_gd(student.fit_fir_gd(*args), ref.fit_fir_gd(*args), 25, "fit_fir_gd(x, d, 3, lr=0.005, n_steps=25)")


@grade(points=2, part="fit_fir_gd",
       hint="Possible reason: losses must hold n_steps + 1 values: J before every step and J after the last.")
def test_gd_losses_before_each_step_and_after_the_last(student, rng):
    x, d = fir_data(rng, 21, mean=1.0)
    want = ref.fit_fir_gd(x, d, 2, 0.02, 7)
    got = as_tuple(student.fit_fir_gd(x, d, 2, 0.02, 7), ("w", "b", "losses"), "fit_fir_gd")
    assert_close(losses_array(got[2], 8, "fit_fir_gd(..., n_steps=7)"), want[2], "fit_fir_gd(..., n_steps=7): losses")


@grade(points=1, part="fit_fir_gd", hint="Possible reason: not starting from w = 0, b = 0?")
def test_gd_zero_steps_is_the_start(student, rng):
    x, d = fir_data(rng, 15)
    check_gd(student.fit_fir_gd(x, d, 4, 0.01, 0), ref.fit_fir_gd(x, d, 4, 0.01, 0), 0, "fit_fir_gd with n_steps=0")


@grade(points=2, part="fit_fir_gd", hint="Possible reason: the update has the wrong sign or scale?")
def test_gd_long_run_on_centred_input(student, rng):
    x, d = fir_data(rng, 50, mean=0.0)
    args = (x, d, 3, 0.1, 200)
    check_gd(student.fit_fir_gd(*args), ref.fit_fir_gd(*args), 200, "fit_fir_gd(x, d, 3, lr=0.1, n_steps=200)")


@grade(points=1, part="fit_fir_gd", hint="Possible reason: integer arithmetic, or x / d changed in place?")
def test_gd_integer_inputs_and_inputs_unchanged(student, rng):
    x = rng.integers(-3, 4, size=20)
    d = rng.integers(0, 9, size=20)
    got, args, _ = student.fit_fir_gd.with_inputs(x, d, 2, 0.01, 5)
    check_gd(got, ref.fit_fir_gd(x, d, 2, 0.01, 5), 5, "fit_fir_gd on int64 x and d")
    assert_unchanged(x, args[0], "x")
    assert_unchanged(d, args[1], "d")
