"""A1 hidden suite, part 5: parameter counts (sparse, shared convolution vs fully connected), receptive fields."""

import solutions.a1_convolution as ref
from autograder.testing import Mismatch, grade


def check_int(got, want, what):
    if type(got) is not int:
        raise Mismatch(f"{what} returned {type(got).__name__}; expected an int")
    if got != want:
        raise Mismatch(f"{what}: the value differs from the expected result")


# --- param_counts (7) -----------------------------------------------------------------------------------------------


@grade(points=4, part="param_counts",
       hint="Possible reason: every input connects to every output; one bias per output (not per input).")
def test_dense_param_count(student):
    for args in [((3, 8, 6), (5,)), ((4,), (2, 3)), ((2, 5, 7), (3, 4, 6)), (13, 7)]:
        check_int(student.dense_param_count(*args), ref.dense_param_count(*args), f"dense_param_count{args}")
        check_int(student.dense_param_count(*args, bias=False), ref.dense_param_count(*args, bias=False),
                  f"dense_param_count{args} with bias=False")


@grade(points=3, part="param_counts",
       hint="Possible reason: one (c_in, kh, kw) kernel per output channel, plus one bias per output channel.")
def test_conv_param_count(student):
    for args in [(3, 16, 5, 3), (1, 4, 2, 7), (6, 2, 1, 1), (5, 7, 3, 4)]:
        check_int(student.conv_param_count(*args), ref.conv_param_count(*args), f"conv_param_count{args}")
        check_int(student.conv_param_count(*args, bias=False), ref.conv_param_count(*args, bias=False),
                  f"conv_param_count{args} with bias=False")


# --- receptive_field (7) --------------------------------------------------------------------------------------------


@grade(points=2, part="receptive_field", hint="Possible reason: each k-tap layer adds k - 1 to the field.")
def test_receptive_field_stride_1(student):
    for kernels in ([4], [3, 3], [5, 2, 3], [1, 1], [2, 7, 4, 3]):
        strides = [1] * len(kernels)
        check_int(student.receptive_field(kernels, strides), ref.receptive_field(kernels, strides),
                  f"receptive_field({kernels}, {strides})")


@grade(points=4, part="receptive_field",
       hint="Possible reason: a layer widens the field by (k - 1) times the product of the strides BELOW it.")
def test_receptive_field_with_strides(student):
    for kernels, strides in [([3, 3], [2, 1]), ([3, 3, 3], [2, 2, 2]), ([5, 2, 3], [1, 3, 2]), ([2, 4, 3], [3, 1, 2]),
                             ([4, 1, 3], [2, 3, 1])]:
        check_int(student.receptive_field(kernels, strides), ref.receptive_field(kernels, strides),
                  f"receptive_field({kernels}, {strides})")


@grade(points=1, part="receptive_field",
       hint="Possible reason: the last layer's stride does not matter for its own field.")
def test_receptive_field_last_stride_irrelevant(student):
    for kernels, strides in [([3], [4]), ([2, 3], [2, 5])]:
        check_int(student.receptive_field(kernels, strides), ref.receptive_field(kernels, strides),
                  f"receptive_field({kernels}, {strides})")
