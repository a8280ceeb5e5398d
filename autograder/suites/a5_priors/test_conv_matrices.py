"""A5 hidden suite, part 1: a convolution is a constrained dense layer (36 points)."""

import numpy as np

import solutions.a5_priors as ref
from autograder.testing import Mismatch, as_array, assert_close, assert_unchanged, grade

# --- conv_matrix (7) ------------------------------------------------------------------------------------------------


@grade(points=2, part="conv_matrix",
       hint="Possible reason: kernel flipped? The layer is a cross-correlation: row t holds w[0], w[1], ... from "
            "column t on.")
def test_conv_matrix_stride_1(student, rng):
    for n_in, k in [(11, 3), (9, 4), (6, 6), (7, 1)]:
        w = rng.standard_normal(k)
        assert_close(student.conv_matrix(w, n_in), ref.conv_matrix(w, n_in), f"conv_matrix(w, {n_in}), len(w) = {k}")


@grade(points=3, part="conv_matrix",
       hint="Possible reason: stride ignored (row t starts at column t*stride - pad), or the padding columns kept? "
            "M has n_in columns: the padded zeros multiply nothing.")
def test_conv_matrix_stride_and_pad(student, rng):
    for n_in, k, stride, pad in [(13, 3, 2, 1), (10, 4, 3, 2), (12, 5, 2, 0), (8, 3, 3, 3), (5, 2, 1, 3)]:
        w = rng.standard_normal(k)
        assert_close(student.conv_matrix(w, n_in, stride, pad), ref.conv_matrix(w, n_in, stride, pad),
                     f"conv_matrix(w, {n_in}, stride={stride}, pad={pad}), len(w) = {k}")


@grade(points=1, part="conv_matrix", hint="Possible reason: integer arithmetic; convert w to float64.")
def test_conv_matrix_integer_kernel_gives_float64(student, rng):
    w = np.array([200, 3, 255], dtype=np.uint8)
    assert_close(student.conv_matrix(w, 7, 2, 1), ref.conv_matrix(w, 7, 2, 1), "conv_matrix of a uint8 kernel")


@grade(points=1, part="conv_matrix", hint="Possible reason: the kernel changed in place (w[:] = w[::-1], w *= ...)?")
def test_conv_matrix_kernel_unchanged(student, rng):
    w = rng.standard_normal(4)
    got, args, _ = student.conv_matrix.with_inputs(w, 9, 2, 1)
    assert_unchanged(w, args[0], "w")
    assert_close(got, ref.conv_matrix(w, 9, 2, 1), "conv_matrix(w, 9, 2, 1)")


# --- conv2d_matrix (8) ----------------------------------------------------------------------------------------------


@grade(points=3, part="conv2d_matrix",
       hint="Possible reason: ravel order (row-major: input pixel (i, j) is column i*W + j, output (r, c) is row "
            "r*OW + c), or the kernel transposed or flipped?")
def test_conv2d_matrix_stride_1(student, rng):
    for (H, W), (KH, KW) in [((5, 7), (2, 3)), ((6, 4), (3, 3)), ((4, 9), (1, 4)), ((3, 5), (3, 2))]:
        w = rng.standard_normal((KH, KW))
        assert_close(student.conv2d_matrix(w, (H, W)), ref.conv2d_matrix(w, (H, W)),
                     f"conv2d_matrix(w, ({H}, {W})), w {w.shape}")


@grade(points=3, part="conv2d_matrix",
       hint="Possible reason: stride or padding applied along one axis only, or H and W swapped?")
def test_conv2d_matrix_stride_and_pad(student, rng):
    for (H, W), (KH, KW), stride, pad in [((7, 5), (3, 2), 2, 1), ((6, 9), (3, 4), 3, 2), ((5, 8), (2, 2), 2, 0),
                                          ((4, 6), (3, 5), 1, 1)]:
        w = rng.standard_normal((KH, KW))
        assert_close(student.conv2d_matrix(w, (H, W), stride, pad), ref.conv2d_matrix(w, (H, W), stride, pad),
                     f"conv2d_matrix(w, ({H}, {W}), stride={stride}, pad={pad}), w {w.shape}")


@grade(points=2, part="conv2d_matrix", hint="Possible reason: integer arithmetic, or the kernel changed in place?")
def test_conv2d_matrix_integers_and_inputs_unchanged(student, rng):
    w = np.array([[200, 3], [255, 7], [1, 100]], dtype=np.uint8)
    assert_close(student.conv2d_matrix(w, (4, 5), 1, 1), ref.conv2d_matrix(w, (4, 5), 1, 1),
                 "conv2d_matrix of a uint8 kernel")
    wf = rng.standard_normal((2, 3))
    _, args, _ = student.conv2d_matrix.with_inputs(wf, (5, 6), 2, 1)
    assert_unchanged(wf, args[0], "w")


# --- conv_structure (11) --------------------------------------------------------------------------------------------


def check_structure(got, want, what: str) -> None:
    got = as_array(got, what, shape=want.shape, dtype=None)
    if got.dtype.kind not in "iu":
        raise Mismatch(f"{what}: expected an integer array, got dtype {got.dtype}")
    bad = got != want
    if bad.any():
        first = tuple(int(i) for i in np.argwhere(bad)[0])
        raise Mismatch(f"{what}: {int(bad.sum())} of {bad.size} entries differ from the expected result "
                       f"(first at index {first})")


@grade(points=4, part="conv_structure",
       hint="Possible reason: taps numbered from the wrong end (output t sees input t + a through tap a), or -1 "
            "missing outside the window?")
def test_conv_structure_stride_1(student, rng):
    for n_in, k in [(9, 3), (7, 7), (10, 1), (6, 4)]:
        check_structure(student.conv_structure(n_in, k), ref.conv_structure(n_in, k), f"conv_structure({n_in}, {k})")


@grade(points=5, part="conv_structure",
       hint="Possible reason: stride or pad ignored? Output t sees input j through tap j + pad - t*stride.")
def test_conv_structure_stride_and_pad(student, rng):
    for n_in, k, stride, pad in [(11, 3, 2, 1), (10, 4, 3, 2), (12, 5, 2, 0), (8, 3, 3, 3)]:
        check_structure(student.conv_structure(n_in, k, stride, pad), ref.conv_structure(n_in, k, stride, pad),
                        f"conv_structure({n_in}, {k}, stride={stride}, pad={pad})")


@grade(points=2, part="conv_structure",
       hint="Possible reason: a pad larger than the kernel: whole rows see only zeros.")
def test_conv_structure_large_pad(student, rng):
    check_structure(student.conv_structure(5, 2, 1, 3), ref.conv_structure(5, 2, 1, 3), "conv_structure(5, 2, 1, 3)")


# --- project_to_conv (10) -------------------------------------------------------------------------------------------


@grade(points=3, part="project_to_conv", hint="Possible reason: a convolution matrix must project onto its own kernel.")
def test_projection_of_a_convolution_is_its_kernel(student, rng):
    for n_in, k, stride, pad in [(9, 3, 1, 0), (11, 4, 2, 1)]:
        w = rng.standard_normal(k)
        M = ref.conv_matrix(w, n_in, stride, pad)
        assert_close(student.project_to_conv(M, k, stride, pad), w,
                     f"project_to_conv(conv_matrix(w, {n_in}, {stride}, {pad}), {k}, {stride}, {pad})")


@grade(points=5, part="project_to_conv",
       hint="Possible reason: minimise the squared distance over each tap w[a] alone: which entries of M does it "
            "set, and how many are there? Entries outside the band, or diagonals of the wrong direction?")
def test_projection_of_a_dense_matrix(student, rng):
    for n_in, k, stride, pad in [(9, 3, 1, 0), (11, 4, 2, 1), (10, 3, 3, 2), (6, 5, 1, 2)]:
        S = ref.conv_structure(n_in, k, stride, pad)
        W = rng.standard_normal(S.shape)
        assert_close(student.project_to_conv(W, k, stride, pad), ref.project_to_conv(W, k, stride, pad),
                     f"project_to_conv(W {W.shape}, {k}, stride={stride}, pad={pad})")


@grade(points=2, part="project_to_conv",
       hint="Possible reason: a tap tied to no entry (a pad larger than the kernel) is 0, not nan; or W changed in "
            "place?")
def test_projection_untied_taps_and_input_unchanged(student, rng):
    W = rng.standard_normal((1, 1))
    assert_close(student.project_to_conv(W, 3, 1, 1), ref.project_to_conv(W, 3, 1, 1),
                 "project_to_conv(W (1, 1), 3, 1, 1)")
    W = rng.standard_normal((5, 8))
    _, args, _ = student.project_to_conv.with_inputs(W, 4, 1, 0)
    assert_unchanged(W, args[0], "W")
