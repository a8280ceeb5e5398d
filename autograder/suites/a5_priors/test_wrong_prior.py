"""A5 hidden suite, part 5: the student's data set on which the convolution prior underfits (9 points).

The data come from the student's code; the fits are the reference ones, run here: the convolution's training error
must exceed the dense layer's by WRONG_PRIOR_FACTOR, and be a real part of the targets' energy. Degenerate data
(X not of full rank, Y ~ 0, huge values) and shift-invariant systems earn nothing. The system must be the same for
every seed (the notebook's figure trains on one seed and tests on another).
"""

import numpy as np

import solutions.a5_priors as ref
from autograder.testing import Mismatch, as_array, as_tuple, grade

CONFIGS = [(48, 12, 0), (50, 8, 11), (60, 24, 5), (40, 16, 3)]  # (n, n_in, seed), n >= 2 * n_in
MIN_SHARE = 0.05  # the conv training MSE must be at least this share of mean(Y ** 2)
MAX_VALUE = 1e6
SAME_SYSTEM_FACTOR, SAME_SYSTEM_SHARE = 3.0, 0.01  # held-out MSE on another seed <= 3 train MSE + 1% of mean(Y^2)


def checked_data(student, n: int, n_in: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    what = f"wrong_prior_data({n}, {n_in}, {seed})"
    X, Y = as_tuple(student.wrong_prior_data(n, n_in, seed), ("X", "Y"), what)
    X = as_array(X, f"X of {what}", shape=(n, n_in))
    Y = as_array(Y, f"Y of {what}", shape=(n, n_in - ref.WRONG_PRIOR_K + 1))
    if max(np.abs(X).max(), np.abs(Y).max()) > MAX_VALUE:
        raise Mismatch(f"{what}: values above {MAX_VALUE:g}")
    X2, Y2 = as_tuple(student.wrong_prior_data(n, n_in, seed), ("X", "Y"), what)
    if not (isinstance(X2, np.ndarray) and isinstance(Y2, np.ndarray) and np.array_equal(X, X2)
            and np.array_equal(Y, Y2)):
        raise Mismatch(f"{what}: a second call with the same seed gives other data (use np.random.default_rng(seed))")
    if np.linalg.matrix_rank(X) < n_in:
        raise Mismatch(f"{what}: degenerate inputs, X is not of full column rank")
    if np.mean(Y**2) < 1e-6 * max(1.0, np.mean(X**2)):
        raise Mismatch(f"{what}: degenerate targets, Y is (nearly) zero")
    return X, Y


def check_underfits(X: np.ndarray, Y: np.ndarray, what: str) -> None:
    """The reference convolution's training error exceeds the dense layer's by WRONG_PRIOR_FACTOR and misses at least
    MIN_SHARE of the targets' energy."""
    conv = ref.mse(ref.conv_matrix(ref.fit_conv(X, Y, ref.WRONG_PRIOR_K), X.shape[1]), X, Y)
    dense = ref.mse(ref.fit_dense(X, Y), X, Y)
    if not conv > ref.WRONG_PRIOR_FACTOR * dense:
        raise Mismatch(f"{what}: the convolution's training error is only {conv / max(dense, 1e-300):.3g} times the "
                       f"dense layer's, not more than {ref.WRONG_PRIOR_FACTOR:g} times")
    if not conv >= MIN_SHARE * np.mean(Y**2):
        raise Mismatch(f"{what}: the convolution explains {1 - conv / np.mean(Y**2):.1%} of the targets; it must miss "
                       f"at least {MIN_SHARE:.0%}")


@grade(points=7, part="wrong_prior_data",
       hint="Possible reasons: the system is (nearly) shift-invariant, so a convolution fits it too; noise that no "
            "model can explain raises both training errors alike; or degenerate data. Each output must depend on "
            "the inputs in a way that changes with its position.")
def test_wrong_prior_data_makes_the_convolution_underfit(student, rng):
    for n, n_in, seed in CONFIGS:
        check_underfits(*checked_data(student, n, n_in, seed), f"wrong_prior_data({n}, {n_in}, {seed})")


@grade(points=2, part="wrong_prior_data",
       hint="Possible reason: the system itself is drawn from the seed; the seed may draw only the inputs and the "
            "noise, so that a model trained on one seed's data can be tested on another's.")
def test_wrong_prior_data_is_one_system_for_every_seed(student, rng):
    """One system, on which the convolution underfits, for every seed: a dense layer fitted on one seed's data
    predicts another seed's nearly as well as its own."""
    for n_in, seeds in [(12, (0, 1)), (9, (7, 123))]:
        n = 6 * n_in  # enough samples for the dense layer to pin the system down
        (X, Y), (X_other, Y_other) = (checked_data(student, n, n_in, seed) for seed in seeds)
        check_underfits(X, Y, f"wrong_prior_data({n}, {n_in}, {seeds[0]})")
        W = ref.fit_dense(X, Y)
        train, held_out = ref.mse(W, X, Y), ref.mse(W, X_other, Y_other)
        if not held_out <= SAME_SYSTEM_FACTOR * train + SAME_SYSTEM_SHARE * np.mean(Y_other**2):
            raise Mismatch(f"wrong_prior_data({n}, {n_in}, seed): the dense layer fitted on seed {seeds[0]} has "
                           f"held-out MSE {held_out:.3g} on seed {seeds[1]}, against training MSE {train:.3g}: "
                           "the seeds give different systems")
