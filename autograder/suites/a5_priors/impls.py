"""Wheats and chaffs of A5: the `posterior` implementations a student's `test_infinitely_strong_prior` is judged
against (hidden; never released).

The claim (as the notebook states it) for `posterior(prior, likelihood)`, Bayes' rule over K classes:
1. as the prior's entropy goes to 0 (all its mass on one class c), the posterior goes to e_c whatever the
   likelihood (entries > 0); a prior that is exactly e_c gives e_c;
2. with the uniform prior, the posterior is the normalised likelihood.

*Wheats* are correct Bayes' rules that normalise in another order, loop, or work with logarithms (so they round
differently); *chaffs* are the mistakes people make with Bayes' rule; some break part 2 (the uniform prior), the
subtler ones only part 1 (a prior that never gets strong, a one-hot prior taken for "no prior"). Each chaff names the
clause of `CLAIM` (the notebook's words) it breaks. Every one reaches the student's test through the same neutral
wrapper (`operation`): same argument checks and error messages, float64 outputs, no name or attribute that tells.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import NamedTuple

import numpy as np

from autograder.judge import Chaff

MAX_CLASSES = 10**5


# --- the neutral wrapper ------------------------------------------------------------------------------------------


def _vector(value, name: str) -> np.ndarray:
    try:
        arr = np.asarray(value)
    except Exception:  # ragged lists and the like
        arr = np.asarray(None)
    if arr.dtype.kind not in "biuf" or arr.ndim != 1 or not 2 <= arr.size <= MAX_CLASSES:
        raise ValueError(f"{name} must be a 1-D array of between 2 and {MAX_CLASSES} real numbers")
    arr = arr.astype(np.float64)
    if not np.all(np.isfinite(arr)) or np.any(arr < 0):
        raise ValueError(f"{name} must hold finite numbers >= 0")
    return arr


def operation(core: Callable) -> Callable:
    """The `posterior(prior, likelihood)` handed to a student's test: checks arguments exactly as every other does."""

    def posterior(*args, **kwargs):
        names = ["prior", "likelihood"]
        if len(args) > 2 or set(kwargs) - set(names[len(args):]) or len(args) + len(kwargs) != 2:
            raise TypeError("posterior takes two arguments: (prior, likelihood)")
        values = list(args) + [kwargs[n] for n in names[len(args):]]
        prior, likelihood = (_vector(v, n) for v, n in zip(values, names, strict=True))
        if prior.shape != likelihood.shape:
            raise ValueError(f"prior and likelihood must have the same shape, got {prior.shape} and {likelihood.shape}")
        if not np.any((prior > 0) & (likelihood > 0)):
            raise ValueError("prior * likelihood is zero for every class: the data are impossible under this prior")
        try:
            with np.errstate(all="ignore"):
                out = core(prior, likelihood)
            return np.ascontiguousarray(out, dtype=np.float64)
        except Exception:  # never expected; a neutral message in any case
            raise ValueError(f"posterior cannot be applied to arguments of shape {prior.shape}") from None

    return posterior


# --- wheats: Bayes' rule, computed in different ways ----------------------------------------------------------------


def _scaled(v: np.ndarray) -> np.ndarray:
    """v / max(v): the same posterior, and no underflow of the product for tiny (but representable) entries."""
    return v / v.max()


def bayes_vectorised(prior, likelihood):
    joint = _scaled(prior) * _scaled(likelihood)
    return joint / joint.sum()


def bayes_loop(prior, likelihood):
    p, q = _scaled(prior), _scaled(likelihood)
    joint = [float(a) * float(b) for a, b in zip(p, q, strict=True)]
    total = math.fsum(joint)
    return np.array([j / total for j in joint])


def bayes_logs(prior, likelihood):
    with np.errstate(divide="ignore"):
        s = np.log(prior) + np.log(likelihood)
    s = s - s.max()
    return np.exp(s) / np.sum(np.exp(s))


def bayes_normalise_first(prior, likelihood):
    """Normalises prior and likelihood to sums of 1 first, then the product."""
    p, q = prior / prior.sum(), likelihood / likelihood.sum()
    joint = _scaled(p) * _scaled(q)
    return joint * (1.0 / joint.sum())


def bayes_two_steps(prior, likelihood):
    """Divides by the largest joint value first, then by the sum."""
    joint = _scaled(prior) * _scaled(likelihood)
    joint = joint / joint.max()
    return joint / np.sum(joint)


def bayes_odds(prior, likelihood):
    """Through odds against the most probable class: p_c = r_c / sum r, r_c = joint_c / joint_max (einsum)."""
    joint = np.einsum("i,i->i", _scaled(prior), _scaled(likelihood))
    r = joint / joint[np.argmax(joint)]
    return r / np.add.reduce(r)


# --- chaffs: mistakes with Bayes' rule ------------------------------------------------------------------------------


def ignores_prior(prior, likelihood):
    return likelihood / likelihood.sum()


def ignores_likelihood(prior, likelihood):
    return prior / prior.sum()


def unnormalised(prior, likelihood):
    return prior * likelihood


def prior_plus_likelihood(prior, likelihood):
    s = prior + likelihood
    return s / s.sum()


def likelihood_normalised_only(prior, likelihood):
    return prior * (likelihood / likelihood.sum())


def normalised_by_prior(prior, likelihood):
    return prior * likelihood / prior.sum()


def likelihood_tempered(prior, likelihood):
    return bayes_vectorised(prior, np.sqrt(likelihood))


def posterior_smoothed(prior, likelihood):
    """A floor of 1e-3 added to every class 'for numerical safety'."""
    joint = bayes_vectorised(prior, likelihood) + 1e-3
    return joint / joint.sum()


def map_one_hot(prior, likelihood):
    """The decision instead of the distribution: one-hot at the most probable class."""
    return np.eye(len(prior))[np.argmax(prior * likelihood)]


def prior_clipped(prior, likelihood):
    """The prior is kept >= 1e-3 'to avoid zeros': it can never get stronger than that."""
    return bayes_vectorised(np.maximum(prior / prior.sum(), 1e-3), likelihood)


def log_prior_clipped(prior, likelihood):
    """In log space, with log(prior) clipped at log(1e-4) 'to avoid log 0'."""
    with np.errstate(divide="ignore"):
        s = np.maximum(np.log(prior / prior.sum()), np.log(1e-4)) + np.log(likelihood)
    s = s - s.max()
    return np.exp(s) / np.exp(s).sum()


def prior_mixed_with_uniform(prior, likelihood):
    """The prior 'regularised' towards uniform by 5%: it never concentrates."""
    p = prior / prior.sum()
    return bayes_vectorised(0.95 * p + 0.05 / len(p), likelihood)


def one_hot_prior_as_uninformative(prior, likelihood):
    """A prior with a single non-zero class is taken for 'no prior' (entropy 0 mistaken for no information)."""
    if np.count_nonzero(prior) == 1:
        return likelihood / likelihood.sum()
    return bayes_vectorised(prior, likelihood)


class Property(NamedTuple):
    claim: dict[str, str]  # clause name -> the released notebook's words
    wheats: list[tuple[str, Callable]]
    chaffs: list[Chaff]

    def wrapped(self, core: Callable) -> Callable:
        return operation(core)


CLAIM = {
    "limit": "the posterior goes to e_c (the one-hot vector of class c) whatever the likelihood (as long as its "
             "entries are > 0)",
    "closer": "The closer the prior is to e_c, the closer the posterior",
    "one-hot": "a prior that is e_c gives the posterior e_c",
    "uniform": "with the weakest prior, the uniform one (the largest entropy), the posterior is the likelihood, "
               "normalised",
}
WHEATS = [("Bayes' rule, vectorised", bayes_vectorised), ("Bayes' rule with a loop", bayes_loop),
          ("Bayes' rule in log space", bayes_logs), ("Bayes' rule normalising first", bayes_normalise_first),
          ("Bayes' rule in two steps", bayes_two_steps), ("Bayes' rule through odds", bayes_odds)]
CHAFFS = [Chaff(f.__name__, f, clause) for f, clause in (
    (ignores_prior, "limit"),
    (ignores_likelihood, "uniform"),
    (unnormalised, "one-hot"),
    (prior_plus_likelihood, "limit"),
    (likelihood_normalised_only, "one-hot"),
    (normalised_by_prior, "one-hot"),
    (likelihood_tempered, "uniform"),
    (posterior_smoothed, "one-hot"),
    (map_one_hot, "uniform"),
    (prior_clipped, "limit"),
    (log_prior_clipped, "limit"),
    (prior_mixed_with_uniform, "limit"),
    (one_hot_prior_as_uninformative, "one-hot"),
)]
PROPERTIES = {"test_infinitely_strong_prior": Property(CLAIM, WHEATS, CHAFFS)}
