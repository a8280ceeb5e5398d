"""A5 hidden suite, part 2a: Bayes' rule and entropies (12 points)."""

import numpy as np

import solutions.a5_priors as ref
from autograder.testing import Mismatch, StudentError, assert_close, assert_scalar_close, assert_unchanged, grade


def expect_value_error(call, what: str) -> None:
    """`call()` must raise ValueError in the student's code."""
    try:
        call()
    except StudentError as exc:
        if exc.type != "ValueError":
            raise Mismatch(f"{what}: expected ValueError, got {exc.type}") from None
        return
    raise Mismatch(f"{what}: expected ValueError, nothing was raised")


# --- posterior (4) --------------------------------------------------------------------------------------------------


@grade(points=1.5, part="posterior",
       hint="Possible reason: the product prior * likelihood not normalised, or only one of the two normalised?")
def test_posterior_values(student, rng):
    for K in (5, 2, 8):
        prior, likelihood = rng.uniform(0.0, 3.0, K), rng.uniform(0.0, 0.2, K)
        assert_close(student.posterior(prior, likelihood), ref.posterior(prior, likelihood),
                     f"posterior(prior, likelihood), K = {K}, neither normalised")
    prior = np.array([0.0, 0.3, 0.7, 0.0])
    likelihood = np.array([0.9, 0.0, 0.2, 0.4])
    assert_close(student.posterior(prior, likelihood), ref.posterior(prior, likelihood), "posterior with zero entries")


@grade(points=1, part="posterior", hint="Possible reason: integer division or integer dtype; convert to float64.")
def test_posterior_of_integer_lists(student, rng):
    assert_close(student.posterior([1, 2, 3], [3, 2, 1]), ref.posterior([1, 2, 3], [3, 2, 1]),
                 "posterior([1, 2, 3], [3, 2, 1])")


@grade(points=1, part="posterior",
       hint="Possible reason: no ValueError for negative entries or for a product that is zero everywhere?")
def test_posterior_rejects_bad_arguments(student, rng):
    expect_value_error(lambda: student.posterior([0.5, 0.5, 0.0], [0.0, 0.0, 1.0]), "a product zero everywhere")
    expect_value_error(lambda: student.posterior([0.5, -0.1, 0.6], [0.2, 0.3, 0.5]), "a negative prior entry")
    expect_value_error(lambda: student.posterior([0.5, 0.5], [0.2, 0.3, 0.5]), "prior and likelihood of other shapes")


@grade(points=0.5, part="posterior", hint="Possible reason: prior or likelihood normalised in place (p /= p.sum())?")
def test_posterior_inputs_unchanged(student, rng):
    prior, likelihood = rng.uniform(0.1, 2.0, 6), rng.uniform(0.1, 2.0, 6)
    got, args, _ = student.posterior.with_inputs(prior, likelihood)
    assert_unchanged(prior, args[0], "prior")
    assert_unchanged(likelihood, args[1], "likelihood")
    assert_close(got, ref.posterior(prior, likelihood), "posterior(prior, likelihood)")


# --- entropy (4) ----------------------------------------------------------------------------------------------------


@grade(points=1.5, part="entropy", hint="Possible reason: log base 2 or 10 instead of the natural log, or a sign?")
def test_entropy_values(student, rng):
    for K in (2, 6, 11):
        p = rng.uniform(0.05, 1.0, K)
        p /= p.sum()
        assert_scalar_close(student.entropy(p), ref.entropy(p), f"entropy(p), K = {K}")
    assert_scalar_close(student.entropy(np.ones(7) / 7), ref.entropy(np.ones(7) / 7), "entropy(uniform on 7 classes)")


@grade(points=1, part="entropy", hint="Possible reason: 0 log 0 gives nan (its limit is 0), or p changed in place?")
def test_entropy_with_zeros(student, rng):
    p = np.array([0.0, 0.25, 0.0, 0.75])
    got, args, _ = student.entropy.with_inputs(p)
    assert_scalar_close(got, ref.entropy(p), "entropy([0, 0.25, 0, 0.75])")
    assert_unchanged(p, args[0], "p")
    assert_scalar_close(student.entropy(np.array([0.0, 1.0, 0.0])), 0.0, "entropy of a one-hot distribution")


@grade(points=1, part="entropy",
       hint="Possible reason: the entropy of a certain outcome comes out as -0.0 (the sign of -sum of zeros)?")
def test_entropy_of_a_certain_outcome_is_plus_zero(student, rng):
    for p in (np.array([0.0, 1.0, 0.0]), np.array([1.0]), np.array([0.0, 0.0, 1.0, 0.0])):
        got = student.entropy(p)
        assert_scalar_close(got, 0.0, f"entropy of a one-hot distribution of {len(p)} classes")
        if np.copysign(1.0, float(got)) != 1.0:
            raise Mismatch(f"entropy of a one-hot distribution of {len(p)} classes: expected +0.0, got -0.0")


@grade(points=0.5, part="entropy", hint="Possible reason: no ValueError when p is not a distribution?")
def test_entropy_rejects_non_distributions(student, rng):
    expect_value_error(lambda: student.entropy(np.array([0.5, 0.5, 0.5])), "entropy of [0.5, 0.5, 0.5] (sum 1.5)")
    expect_value_error(lambda: student.entropy(np.array([1.2, -0.2])), "entropy of [1.2, -0.2]")


# --- gaussian_entropy (4) -------------------------------------------------------------------------------------------


@grade(points=3, part="gaussian_entropy",
       hint="Possible reason: a slip in the derivation of -integral p log p (compare with a numerical integral)?")
def test_gaussian_entropy_values(student, rng):
    for var in (0.3, 1.0, 7.5, 1e-6):
        assert_scalar_close(student.gaussian_entropy(var), ref.gaussian_entropy(var), f"gaussian_entropy({var})")


@grade(points=1, part="gaussian_entropy",
       hint="Possible reason: variance 0 is the limit -inf (no error); a negative variance is a ValueError.")
def test_gaussian_entropy_limits(student, rng):
    assert_scalar_close(student.gaussian_entropy(0.0), -np.inf, "gaussian_entropy(0.0)")
    expect_value_error(lambda: student.gaussian_entropy(-1.0), "gaussian_entropy(-1.0)")
