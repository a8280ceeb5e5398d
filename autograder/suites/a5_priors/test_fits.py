"""A5 hidden suite, parts 3 and 4: MAP learning between dense and convolution, learning curves (32 points)."""

import numpy as np

import solutions.a5_priors as ref
from autograder.testing import Mismatch, as_array, assert_close, assert_unchanged, grade


def data(rng, N: int, n_in: int, n_out: int) -> tuple[np.ndarray, np.ndarray]:
    return rng.standard_normal((N, n_in)), rng.standard_normal((N, n_out))


def n_out(n_in: int, k: int, stride: int = 1, pad: int = 0) -> int:
    return (n_in + 2 * pad - k) // stride + 1


# --- fit_dense (5) --------------------------------------------------------------------------------------------------


@grade(points=2, part="fit_dense",
       hint="Possible reason: W transposed (it is (n_out, n_in): predictions X @ W.T), or X^T X inverted wrongly?")
def test_fit_dense_least_squares(student, rng):
    for N, n_in, m in [(25, 6, 4), (13, 9, 3)]:
        X, Y = data(rng, N, n_in, m)
        assert_close(student.fit_dense(X, Y), ref.fit_dense(X, Y), f"fit_dense(X {X.shape}, Y {Y.shape})")


@grade(points=1, part="fit_dense",
       hint="Possible reason: the ridge added with the wrong factor (ridge, not ridge/2 or 2 ridge)?")
def test_fit_dense_ridge(student, rng):
    for N, n_in, m, ridge in [(20, 7, 5, 0.5), (6, 9, 4, 2.0)]:
        X, Y = data(rng, N, n_in, m)
        assert_close(student.fit_dense(X, Y, ridge), ref.fit_dense(X, Y, ridge),
                     f"fit_dense(X {X.shape}, Y {Y.shape}, ridge={ridge})")


@grade(points=1, part="fit_dense",
       hint="Possible reason: fewer samples than inputs: X^T X is singular; the smallest-norm solution "
            "(np.linalg.lstsq or the pseudo-inverse) is wanted.")
def test_fit_dense_underdetermined(student, rng):
    X, Y = data(rng, 3, 8, 2)
    assert_close(student.fit_dense(X, Y), ref.fit_dense(X, Y), f"fit_dense(X {X.shape}, Y {Y.shape})")


@grade(points=1, part="fit_dense", hint="Possible reason: X or Y changed in place, or integer data not converted?")
def test_fit_dense_inputs_unchanged(student, rng):
    X, Y = rng.integers(-5, 6, (12, 4)), rng.integers(-5, 6, (12, 3))
    got, args, _ = student.fit_dense.with_inputs(X, Y, 0.1)
    assert_unchanged(X, args[0], "X")
    assert_unchanged(Y, args[1], "Y")
    assert_close(got, ref.fit_dense(X, Y, 0.1), "fit_dense on integer X, Y, ridge=0.1")


# --- fit_conv (8) ---------------------------------------------------------------------------------------------------


@grade(points=3, part="fit_conv",
       hint="Possible reason: kernel flipped (a cross-correlation: output t sees x[t + a] through w[a]), or only the "
            "first sample or output used?")
def test_fit_conv_stride_1(student, rng):
    for N, n_in, k in [(6, 11, 3), (4, 10, 4), (1, 7, 2)]:
        X, Y = data(rng, N, n_in, n_out(n_in, k))
        assert_close(student.fit_conv(X, Y, k), ref.fit_conv(X, Y, k), f"fit_conv(X {X.shape}, Y {Y.shape}, k={k})")


@grade(points=3, part="fit_conv", hint="Possible reason: stride or zero padding ignored when the windows are built?")
def test_fit_conv_stride_and_pad(student, rng):
    for N, n_in, k, stride, pad in [(5, 12, 3, 2, 1), (4, 10, 4, 3, 2), (3, 9, 5, 2, 2)]:
        X, Y = data(rng, N, n_in, n_out(n_in, k, stride, pad))
        assert_close(student.fit_conv(X, Y, k, stride, pad), ref.fit_conv(X, Y, k, stride, pad),
                     f"fit_conv(X {X.shape}, Y {Y.shape}, k={k}, stride={stride}, pad={pad})")


@grade(points=1, part="fit_conv",
       hint="Possible reason: a tap that only ever sees padding is not determined by the data: the smallest-norm "
            "solution sets it to 0 (np.linalg.lstsq).")
def test_fit_conv_undetermined_taps(student, rng):
    X, Y = data(rng, 5, 2, n_out(2, 5, 1, 2))
    assert_close(student.fit_conv(X, Y, 5, 1, 2), ref.fit_conv(X, Y, 5, 1, 2), f"fit_conv(X {X.shape}, Y, 5, 1, 2)")


@grade(points=1, part="fit_conv", hint="Possible reason: X or Y changed in place (padding written into X)?")
def test_fit_conv_inputs_unchanged(student, rng):
    X, Y = data(rng, 4, 9, n_out(9, 3, 2, 1))
    got, args, _ = student.fit_conv.with_inputs(X, Y, 3, 2, 1)
    assert_unchanged(X, args[0], "X")
    assert_unchanged(Y, args[1], "Y")
    assert_close(got, ref.fit_conv(X, Y, 3, 2, 1), "fit_conv(X, Y, 3, 2, 1)")


# --- fit_map (14) ---------------------------------------------------------------------------------------------------


@grade(points=2, part="fit_map", hint="Possible reason: with lam = 0 only the data term and the ridge remain.")
def test_fit_map_lam_0_is_dense(student, rng):
    X, Y = data(rng, 15, 8, n_out(8, 3))
    assert_close(student.fit_map(X, Y, 3, 0.0, ridge=0.1), ref.fit_dense(X, Y, 0.1),
                 "fit_map(X, Y, 3, lam=0, ridge=0.1) vs the dense fit")


@grade(points=6, part="fit_map",
       hint="Possible reason: the prior term pulls W towards 0 instead of towards its projection, lam or ridge with "
            "the wrong factor, or the projection's tied groups wrong (stride, pad)?")
def test_fit_map_between(student, rng):
    for N, n_in, k, lam, stride, pad in [(9, 8, 3, 0.5, 1, 0), (7, 10, 4, 20.0, 2, 1), (13, 9, 4, 3.0, 2, 2)]:
        X, Y = data(rng, N, n_in, n_out(n_in, k, stride, pad))
        assert_close(student.fit_map(X, Y, k, lam, stride, pad), ref.fit_map(X, Y, k, lam, stride, pad),
                     f"fit_map(X {X.shape}, Y {Y.shape}, k={k}, lam={lam}, stride={stride}, pad={pad})",
                     rtol=1e-5, atol=1e-7)


@grade(points=2, part="fit_map",
       hint="Possible reason: lam = np.inf is an exact convolution: return its (n_out, n_in) matrix, not the kernel.")
def test_fit_map_lam_inf_is_conv(student, rng):
    for N, n_in, k, stride, pad in [(6, 10, 3, 1, 0), (5, 11, 4, 2, 1)]:
        X, Y = data(rng, N, n_in, n_out(n_in, k, stride, pad))
        want = ref.conv_matrix(ref.fit_conv(X, Y, k, stride, pad), n_in, stride, pad)
        assert_close(student.fit_map(X, Y, k, np.inf, stride, pad, ridge=0.0), want,
                     f"fit_map(X {X.shape}, Y, k={k}, lam=inf, stride={stride}, pad={pad}, ridge=0)",
                     rtol=1e-6, atol=1e-8)


@grade(points=2, part="fit_map", hint="Possible reason: a large lam must squeeze W onto the convolution matrices.")
def test_fit_map_large_lam_approaches_conv(student, rng):
    X, Y = data(rng, 8, 9, n_out(9, 3))
    want = ref.conv_matrix(ref.fit_conv(X, Y, 3), 9)
    assert_close(student.fit_map(X, Y, 3, 1e7), want, "fit_map(X, Y, 3, lam=1e7)", rtol=1e-3, atol=1e-4)


@grade(points=1, part="fit_map", hint="Possible reason: the ridge term missing or with the wrong factor?")
def test_fit_map_ridge(student, rng):
    X, Y = data(rng, 4, 7, n_out(7, 2))
    assert_close(student.fit_map(X, Y, 2, 2.0, ridge=0.7), ref.fit_map(X, Y, 2, 2.0, ridge=0.7),
                 "fit_map(X (4, 7), Y, 2, lam=2, ridge=0.7)", rtol=1e-5, atol=1e-7)


@grade(points=1, part="fit_map", hint="Possible reason: X or Y changed in place?")
def test_fit_map_inputs_unchanged(student, rng):
    X, Y = data(rng, 6, 7, n_out(7, 3))
    got, args, _ = student.fit_map.with_inputs(X, Y, 3, 1.0)
    assert_close(got, ref.fit_map(X, Y, 3, 1.0), "fit_map(X (6, 7), Y, 3, lam=1)", rtol=1e-5, atol=1e-7)
    assert_unchanged(X, args[0], "X")
    assert_unchanged(Y, args[1], "Y")


# --- learning_curve (4) ---------------------------------------------------------------------------------------------


class Recorder:
    """make_data and fit callbacks (they run here, in the grader) that remember how they were called."""

    def __init__(self, n_in: int = 10, scale_rows: bool = False):
        self.n_in, self.scale_rows = n_in, scale_rows
        self.draws: list[tuple] = []
        self.trained_on: list[np.ndarray] = []
        self.data = None

    def make_data(self, n, seed):
        self.draws.append((n, seed))
        X, Y = ref.fir_system(int(n), int(seed), n_in=self.n_in)
        if self.scale_rows:  # later samples are larger: which rows are the test set shows in the error
            Y = Y * np.arange(1, len(Y) + 1)[:, None]
        self.data = (X, Y)
        return X, Y

    def fit(self, X, Y):
        self.trained_on.append(np.asarray(X))
        return ref.fit_dense(X, Y, 1e-3)

    def zero_fit(self, X, Y):
        self.trained_on.append(np.asarray(X))
        return np.zeros((np.shape(Y)[1], np.shape(X)[1]))


@grade(points=1, part="learning_curve",
       hint="Possible reason: the error not the mean over all test entries, or the test set not the last n_test "
            "samples?")
def test_learning_curve_values(student, rng):
    sizes, n_test, seed = [3, 12, 6], 7, 4
    rec = Recorder()
    got = student.learning_curve(rec.fit, rec.make_data, sizes, n_test, seed)
    want = ref.learning_curve(Recorder().fit, Recorder().make_data, sizes, n_test, seed)
    assert_close(got, want, f"learning_curve(dense fit, fir_system, sizes={sizes}, n_test={n_test}, seed={seed})")


@grade(points=1, part="learning_curve",
       hint="Possible reason: tested on the first samples (which are also trained on)?")
def test_learning_curve_tests_on_the_last_samples(student, rng):
    rec = Recorder(scale_rows=True)
    got = student.learning_curve(rec.zero_fit, rec.make_data, [2, 5], 4, 1)
    want = ref.learning_curve(Recorder(scale_rows=True).zero_fit, Recorder(scale_rows=True).make_data, [2, 5], 4, 1)
    assert_close(got, want, "learning_curve of a predictor of 0 on data whose later samples are larger")


@grade(points=1, part="learning_curve",
       hint="Possible reason: make_data must be called once, with max(sizes) + n_test and the seed.")
def test_learning_curve_draws_one_data_set(student, rng):
    rec = Recorder()
    as_array(student.learning_curve(rec.fit, rec.make_data, [4, 2, 9], 5, 11), "learning_curve(..., [4, 2, 9], ...)",
             shape=(3,))
    if rec.draws != [(14, 11)]:
        raise Mismatch(f"make_data was called {len(rec.draws)} time(s) with (n, seed) = {rec.draws}; expected once, "
                       "with (max(sizes) + n_test, seed) = (14, 11)")


@grade(points=1, part="learning_curve",
       hint="Possible reason: trained on the wrong samples (the first n, for each n in sizes, in the order given)?")
def test_learning_curve_trains_on_the_first_samples(student, rng):
    rec = Recorder()
    sizes = [4, 2, 9]
    got = student.learning_curve(rec.fit, rec.make_data, sizes, 5, 11)
    as_array(got, "learning_curve(...)", shape=(3,))
    if len(rec.trained_on) != len(sizes):
        raise Mismatch(f"fit was called {len(rec.trained_on)} times for {len(sizes)} sizes")
    X = rec.data[0]
    for n, trained in zip(sizes, rec.trained_on, strict=True):
        if trained.shape != (n, X.shape[1]) or not np.array_equal(trained, X[:n]):
            raise Mismatch(f"for size {n}, fit was not given the first {n} samples of the data set")
