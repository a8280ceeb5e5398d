"""The toy assignment's hidden suite."""

import solutions.toy as ref

from autograder.testing import assert_close, grade


@grade(points=60, part="double", hint="Possible reason: not doubled?")
def test_random_vector(student, rng):
    x = rng.standard_normal(5)
    assert_close(student.double(x), ref.double(x), what="double(x)")


@grade(points=40, part="double", hint="Possible reason: integer input not turned into float64?")
def test_integer_input(student):
    assert_close(student.double([1, 2]), ref.double([1, 2]), what="double([1, 2])")
