"""A2 hidden suite: the students' own tests, judged as classifiers of implementations (75 points).

Each student test runs in the sandbox against every wheat (correct implementation) and chaff (subtly wrong one) of
its property, in a shuffled order; the implementations stay here and reach the test as opaque callbacks.
The rule (what counts as a rejection, what a timeout means) is `autograder.judge`'s, the same for every assignment.
"""

import importlib.util
from pathlib import Path

from autograder.judge import judge_property
from autograder.testing import grade

_spec = importlib.util.spec_from_file_location("a2_equivariance_impls", Path(__file__).with_name("impls.py"))
impls = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(impls)

TIMEOUT = 20.0  # seconds per run of a student's test on one implementation


def judge(student, name: str, credit, order_rng) -> None:
    """Judge student test `name` on every implementation of its property (the rule is `autograder.judge`'s)."""
    judge_property(student, impls.PROPERTIES[name], name, credit, TIMEOUT, order_rng)


@grade(points=15, part="test_shift_equivariance",
       hint="Possible reasons: exact == on floats (use a tolerance); images with zero borders, one shift, shifts "
            "along one axis only, or only even shifts miss bugs; checking shapes proves nothing.")
def test_shift_equivariance_classifies_layers(student, credit, order_rng):
    judge(student, "test_shift_equivariance", credit, order_rng)


@grade(points=10, part="test_rotation_counterexample",
       hint="Possible reasons: the counterexample must hold for every correct correlation and differ by far more "
            "than rounding; a kernel or image that is itself symmetric is no counterexample.")
def test_rotation_counterexample_classifies_correlations(student, credit, order_rng):
    judge(student, "test_rotation_counterexample", credit, order_rng)


@grade(points=15, part="test_rotated_kernel",
       hint="Possible reasons: even kernel sizes (the claim is for odd KH, KW); symmetric or square kernels and "
            "square images hide swapped axes; compare with a tolerance.")
def test_rotated_kernel_classifies_correlations(student, credit, order_rng):
    judge(student, "test_rotated_kernel", credit, order_rng)


@grade(points=10, part="test_scaling_counterexample",
       hint="Possible reasons: a 1x1 kernel or a constant image commutes with upsample2; the difference must be far "
            "above rounding.")
def test_scaling_counterexample_classifies_correlations(student, credit, order_rng):
    judge(student, "test_scaling_counterexample", credit, order_rng)


@grade(points=15, part="test_stride_breaks_shift",
       hint="Possible reasons: odd H or W (the claim is for even sizes); which rows and columns are kept (even or "
            "odd) is not part of the claim; test both parts, along each axis: shifts by 2, and a shift by 1.")
def test_stride_breaks_shift_classifies_strided_correlations(student, credit, order_rng):
    judge(student, "test_stride_breaks_shift", credit, order_rng)


@grade(points=10, part="test_pool_local_invariance",
       hint="Possible reasons: check the values too (max of each 2x2 cell, negative numbers, odd sizes), move the "
            "maximum within its cell and across a cell border, and lower the other values of a cell.")
def test_pool_local_invariance_classifies_pools(student, credit, order_rng):
    judge(student, "test_pool_local_invariance", credit, order_rng)
