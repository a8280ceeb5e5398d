"""A5 hidden suite, part 2b: the student's proof by test of the infinitely strong prior, judged as a classifier of
`posterior` implementations (12 points), by the one shared judge (`autograder.judge`), as in A2."""

import importlib.util
from pathlib import Path

from autograder.judge import judge_property
from autograder.testing import grade

_spec = importlib.util.spec_from_file_location("a5_priors_impls", Path(__file__).with_name("impls.py"))
impls = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(impls)

TIMEOUT = 20.0  # seconds per run of a student's test on one implementation


@grade(points=12, part="test_infinitely_strong_prior",
       hint="Possible reasons: compare floats with a tolerance (correct implementations round differently); test both "
            "parts of the claim: the uniform prior (normalised likelihood) and priors whose entropy goes to 0 (the "
            "posterior must approach the prior's class closely, also when the likelihood speaks against it, and equal "
            "it for a one-hot prior).")
def test_infinitely_strong_prior_classifies_posteriors(student, credit, order_rng):
    name = "test_infinitely_strong_prior"
    judge_property(student, impls.PROPERTIES[name], name, credit, TIMEOUT, order_rng)
