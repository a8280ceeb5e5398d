"""A1 reference against independent implementations: numpy, scipy.signal, direct loops, numerical gradients.

Each independent check is a function of the implementation under test (`check_*`), run on the reference and,
to show that it can fail, on buggy variants it must reject.
"""

from __future__ import annotations

import numpy as np
import pytest
import scipy.signal
from oracles import loop_conv_forward

import solutions.a1_convolution as ref

RNG = np.random.default_rng(20240501)


def random_configs(count: int = 12):
    """NCHW layer configurations with every axis a different size, uneven strides and pad 0-2."""
    rng = np.random.default_rng(7)
    configs = []
    while len(configs) < count:
        N, C, F = rng.integers(1, 4), rng.integers(1, 4), rng.integers(1, 5)
        H, W = rng.integers(3, 12, size=2)
        KH, KW = rng.integers(1, 5, size=2)
        stride, pad = int(rng.integers(1, 4)), int(rng.integers(0, 3))
        sizes = [N, C, F, H, W, KH, KW]
        if len(set(sizes)) < len(sizes) - 1 or KH > H + 2 * pad or KW > W + 2 * pad:
            continue
        configs.append((int(N), int(C), int(F), int(H), int(W), int(KH), int(KW), stride, pad))
    return configs


CONFIGS = random_configs(10)


# --- independent implementations ----------------------------------------------------------------------------------


def loop_corr1d(x, w, stride):
    N, M = len(x), len(w)
    return np.array([sum(x[t * stride + a] * w[a] for a in range(M)) for t in range((N - M) // stride + 1)])


def fir_loss(x, d, n_taps, w, b):
    """J(w, b) written as the lecture writes it: a sum over time of squared errors of the filter output."""
    ts = range(n_taps - 1, len(x))
    return sum((d[t] - b - sum(w[k] * x[t - k] for k in range(n_taps))) ** 2 for t in ts) / len(ts)


def numerical_grad(f, theta, h=1e-5):
    g = np.zeros_like(theta)
    for i in range(len(theta)):
        e = np.zeros_like(theta)
        e[i] = h
        g[i] = (f(theta + e) - f(theta - e)) / (2 * h)
    return g


# --- checks (each takes the implementation under test) ------------------------------------------------------------


def check_conv_forward(conv_forward):
    for N, C, F, H, W, KH, KW, stride, pad in CONFIGS:
        x = RNG.standard_normal((N, C, H, W))
        w = RNG.standard_normal((F, C, KH, KW))
        b = RNG.standard_normal(F)
        out, cache = conv_forward(x, w, b, stride, pad)
        want = loop_conv_forward(x, w, b, stride, pad)
        assert out.shape == want.shape, (out.shape, want.shape)
        assert out.dtype == np.float64
        np.testing.assert_allclose(out, want, rtol=1e-10, atol=1e-12)
        # the per-channel sum of scipy's 2-D correlations agrees too
        scipy_out = np.stack([np.stack([
            sum(scipy.signal.correlate2d(np.pad(x[n, c], pad), w[f, c], mode="valid")[::stride, ::stride]
                for c in range(C)) + b[f]
            for f in range(F)]) for n in range(N)])
        np.testing.assert_allclose(out, scipy_out, rtol=1e-10, atol=1e-12)


def check_corr2d(corr2d, conv2d):
    for _, _, _, H, W, KH, KW, stride, pad in CONFIGS[:8]:
        x, w = RNG.standard_normal((H, W)), RNG.standard_normal((KH, KW))
        want = scipy.signal.correlate2d(np.pad(x, pad), w, mode="valid")[::stride, ::stride]
        got = corr2d(x, w, stride, pad)
        assert got.shape == want.shape
        np.testing.assert_allclose(got, want, rtol=1e-10, atol=1e-12)
        want = scipy.signal.convolve2d(np.pad(x, pad), w, mode="valid")[::stride, ::stride]
        got = conv2d(x, w, stride, pad)
        assert got.shape == want.shape
        np.testing.assert_allclose(got, want, rtol=1e-10, atol=1e-12)


def check_conv1d(conv1d):
    for N, M in [(9, 4), (8, 5), (7, 7), (3, 6), (10, 1), (6, 2)]:
        x, w = RNG.standard_normal(N), RNG.standard_normal(M)
        for mode in ("full", "same", "valid"):
            got, want = conv1d(x, w, mode), np.convolve(x, w, mode)
            assert got.shape == want.shape, (mode, got.shape, want.shape)
            np.testing.assert_allclose(got, want, rtol=1e-10, atol=1e-12)
    # the impulse response of a convolution is the kernel itself, in order
    np.testing.assert_allclose(conv1d(np.eye(1, 7, 0)[0], [1.0, 2.0, 3.0]), [1, 2, 3, 0, 0, 0, 0, 0, 0])


def check_corr1d(corr1d):
    for N, M, stride in [(11, 3, 1), (11, 3, 2), (12, 4, 3), (7, 7, 2), (10, 1, 4), (13, 5, 3)]:
        x, w = RNG.standard_normal(N), RNG.standard_normal(M)
        want = loop_corr1d(x, w, stride)
        got = corr1d(x, w, stride)
        assert got.shape == want.shape
        np.testing.assert_allclose(got, want, rtol=1e-10, atol=1e-12)
        np.testing.assert_allclose(got, np.correlate(x, w, "valid")[::stride], rtol=1e-10, atol=1e-12)


def check_output_size(output_size):
    for n in range(1, 12):
        for k in range(1, 6):
            for stride in (1, 2, 3):
                for pad in (0, 1, 2):
                    if k <= n + 2 * pad:
                        count = len(range(0, n + 2 * pad - k + 1, stride))  # window starts that fit
                        assert output_size(n, k, stride, pad) == count, (n, k, stride, pad)


def make_fir_data(n=60, w_true=(0.8, -0.5, 0.25), b_true=1.5, noise=0.05, seed=3):
    rng = np.random.default_rng(seed)
    x = 2.0 + rng.standard_normal(n)  # not zero-mean, as in the lecture
    d = b_true + np.convolve(x, w_true)[:n] + noise * rng.standard_normal(n)
    return x, d


def check_fit_fir_wiener(fit):
    x, d = make_fir_data()
    for n_taps in (1, 3, 5):
        rows = np.array([[x[t - k] for k in range(n_taps)] + [1.0] for t in range(n_taps - 1, len(x))])
        theta, *_ = np.linalg.lstsq(rows, d[n_taps - 1 :], rcond=None)
        w, b = fit(x, d, n_taps)
        np.testing.assert_allclose(w, theta[:-1], rtol=1e-8, atol=1e-10)
        assert b == pytest.approx(theta[-1], rel=1e-8, abs=1e-10)
    # noiseless data: the true filter is recovered exactly (golden values)
    x, d = make_fir_data(noise=0.0)
    w, b = fit(x, d, 3)
    np.testing.assert_allclose(w, [0.8, -0.5, 0.25], atol=1e-9)
    assert b == pytest.approx(1.5, abs=1e-9)


def check_fit_fir_gd(fit_gd):
    x, d = make_fir_data(n=25)
    n_taps, lr, n_steps = 3, 0.01, 6
    w, b, losses = fit_gd(x, d, n_taps, lr, n_steps)
    theta = np.zeros(n_taps + 1)
    want_losses = []
    J = lambda th: fir_loss(x, d, n_taps, th[:-1], th[-1])  # noqa: E731
    for _ in range(n_steps):
        want_losses.append(J(theta))
        theta = theta - lr * numerical_grad(J, theta)
    want_losses.append(J(theta))
    assert np.shape(losses) == (n_steps + 1,)
    np.testing.assert_allclose(losses, want_losses, rtol=1e-7)
    np.testing.assert_allclose(w, theta[:-1], rtol=1e-6, atol=1e-9)
    assert b == pytest.approx(theta[-1], rel=1e-6, abs=1e-9)


def check_receptive_field(receptive_field):
    """Brute force: perturb each input of a stack of all-ones strided correlations; count what reaches output 0."""
    stacks = [([3], [1]), ([3, 3], [1, 1]), ([3, 3, 3], [2, 2, 1]), ([5, 2, 3], [1, 3, 2]), ([2, 4], [3, 1]),
              ([1], [2]), ([4, 1, 3], [2, 3, 1])]
    for kernels, strides in stacks:
        n = 80

        def forward(x, kernels=kernels, strides=strides):
            for k, s in zip(kernels, strides, strict=True):
                x = np.correlate(x, np.ones(k), "valid")[::s]
            return x[0]

        base = forward(np.zeros(n))
        seen = [i for i in range(n) if forward(np.eye(1, n, i)[0]) != base]
        assert receptive_field(kernels, strides) == max(seen) - min(seen) + 1, (kernels, strides)


# --- the reference passes -------------------------------------------------------------------------------------------


def test_conv_forward_matches_direct_loops_and_scipy():
    check_conv_forward(ref.conv_forward)


def test_conv_forward_cache_format():
    x = RNG.integers(0, 5, size=(2, 3, 6, 5))
    w, b = RNG.standard_normal((4, 3, 2, 3)), RNG.standard_normal(4)
    out, cache = ref.conv_forward(x, w, b, stride=2, pad=1)
    assert out.dtype == np.float64 and out.shape == (2, 4, 4, 3)
    assert len(cache) == 5 and type(cache) is tuple
    for got, given in zip(cache[:3], (x, w, b), strict=True):
        assert type(got) is np.ndarray and got.dtype == np.float64 and np.array_equal(got, given)
    assert cache[3:] == (2, 1) and all(type(v) is int for v in cache[3:])


def test_corr2d_and_conv2d_match_scipy():
    check_corr2d(ref.corr2d, ref.conv2d)


def test_conv1d_matches_numpy():
    check_conv1d(ref.conv1d)


def test_corr1d_matches_loops():
    check_corr1d(ref.corr1d)


def test_output_size_counts_window_positions():
    check_output_size(ref.output_size)
    assert type(ref.output_size(10, 3, 2, 1)) is int


def test_fit_fir_wiener_matches_lstsq():
    check_fit_fir_wiener(ref.fit_fir_wiener)


def test_fit_fir_gd_follows_numerical_gradient():
    check_fit_fir_gd(ref.fit_fir_gd)


def test_fit_fir_gd_converges_to_wiener():
    x, d = make_fir_data(n=200)
    x = x - 2.0  # zero-mean input: well conditioned, fast convergence
    w, b, losses = ref.fit_fir_gd(x, d, 3, 0.2, 400)
    w_star, b_star = ref.fit_fir_wiener(x, d, 3)
    np.testing.assert_allclose(w, w_star, atol=1e-6)
    assert b == pytest.approx(b_star, abs=1e-6)
    assert np.all(np.diff(losses) <= 1e-12)


def test_fir_design_matrix_rows_are_delays():
    x = np.arange(6.0)
    np.testing.assert_array_equal(ref.fir_design_matrix(x, 3), [[2, 1, 0], [3, 2, 1], [4, 3, 2], [5, 4, 3]])


def test_receptive_field_by_perturbation():
    check_receptive_field(ref.receptive_field)


def test_param_counts_golden():
    assert ref.dense_param_count((3, 32, 32), (16, 32, 32)) == 3072 * 16384 + 16384
    assert ref.dense_param_count((3, 32, 32), (16, 32, 32), bias=False) == 3072 * 16384
    assert ref.dense_param_count(784, 10) == 7850
    assert ref.conv_param_count(3, 16, 5, 5) == 1216
    assert ref.conv_param_count(3, 16, 5, 3, bias=False) == 720
    assert all(type(v) is int for v in (ref.dense_param_count((2, 3), (4,)), ref.conv_param_count(1, 2, 3, 4)))


def test_stride_proof_by_test_passes_correct_and_fails_wrong_implementations():
    ref.test_stride_is_downsampling(ref.corr1d)
    ref.test_stride_is_downsampling(lambda x, w, stride=1: np.correlate(x, w, "valid")[::stride])
    ref.test_stride_is_downsampling(lambda x, w, stride=1: loop_corr1d(x, w, stride))
    chaffs = [
        lambda x, w, stride=1: np.correlate(x, w, "valid"),  # stride ignored
        lambda x, w, stride=1: np.correlate(x[::stride], w, "valid"),  # input downsampled instead
        lambda x, w, stride=1: np.correlate(x, w, "valid")[stride - 1 :: stride],  # wrong phase
    ]
    for chaff in chaffs:
        with pytest.raises(AssertionError):
            ref.test_stride_is_downsampling(chaff)


def test_integer_inputs_give_float64_and_inputs_are_unchanged():
    x8 = RNG.integers(0, 256, size=(2, 2, 7, 6)).astype(np.uint8)
    w8 = np.full((3, 2, 3, 2), 200, dtype=np.uint8)  # products and sums overflow uint8
    b = np.arange(3)
    before = [a.copy() for a in (x8, w8, b)]
    out, _ = ref.conv_forward(x8, w8, b, 2, 1)
    assert out.dtype == np.float64
    np.testing.assert_allclose(out, loop_conv_forward(x8.astype(float), w8.astype(float), b, 2, 1))
    for a, a0 in zip((x8, w8, b), before, strict=True):
        np.testing.assert_array_equal(a, a0)
    xi, wi = np.arange(9), np.array([255, 1, 3])
    for got in (ref.conv1d(xi, wi), ref.corr1d(xi, wi, 2), ref.corr2d(xi.reshape(3, 3), wi[:2, None]),
                ref.conv2d(xi.reshape(3, 3).astype(np.uint8), np.ones((2, 2), np.uint8) * 255)):
        assert got.dtype == np.float64
    np.testing.assert_array_equal(ref.conv2d(np.full((2, 2), 255, np.uint8), np.full((2, 2), 255, np.uint8)),
                                  [[4 * 255.0**2]])
    x = RNG.standard_normal(12)
    w = RNG.standard_normal(3)
    x0, w0 = x.copy(), w.copy()
    ref.conv1d(x, w, "same"), ref.corr1d(x, w, 3), ref.fit_fir_wiener(x, x**2, 2), ref.fit_fir_gd(x, x, 2, 0.1, 3)
    np.testing.assert_array_equal(x, x0)
    np.testing.assert_array_equal(w, w0)


def test_repeated_calls_agree():
    x, w, b = RNG.standard_normal((2, 3, 7, 8)), RNG.standard_normal((2, 3, 3, 2)), RNG.standard_normal(2)
    first, _ = ref.conv_forward(x, w, b, 2, 1)
    ref.conv_forward(x[:1], w[:1], b[:1], 3, 0)
    again, _ = ref.conv_forward(x, w, b, 2, 1)
    np.testing.assert_array_equal(first, again)


@pytest.mark.parametrize(
    "call, words",
    [
        (lambda: ref.conv_forward(np.ones((2, 3, 5, 5)), np.ones((4, 2, 3, 3)), np.ones(4)),
         ["channels", "(4, 2, 3, 3)"]),
        (lambda: ref.conv_forward(np.ones((3, 5, 5)), np.ones((4, 3, 3, 3)), np.ones(4)), ["x", "(3, 5, 5)"]),
        (lambda: ref.conv_forward(np.ones((1, 1, 2, 5)), np.ones((1, 1, 3, 3)), np.ones(1)),
         ["larger", "(1, 1, 2, 5)"]),
        (lambda: ref.conv_forward(np.ones((1, 1, 5, 5)), np.ones((2, 1, 3, 3)), np.ones(3)), ["b", "(3,)"]),
        (lambda: ref.conv_forward(np.ones((1, 1, 5, 5)), np.ones((1, 1, 3, 3)), np.ones(1), stride=0), ["stride"]),
        (lambda: ref.conv_forward(np.ones((1, 1, 5, 5)), np.ones((1, 1, 3, 3)), np.ones(1), pad=-1), ["pad"]),
        (lambda: ref.corr2d(np.ones((2, 6)), np.ones((3, 1))), ["larger", "(2, 6)"]),
        (lambda: ref.corr1d(np.ones(3), np.ones(4)), ["larger", "(4,)"]),
        (lambda: ref.corr1d(np.ones(5), np.ones(2), stride=-1), ["stride"]),
        (lambda: ref.conv1d(np.ones(5), np.ones(2), mode="middle"), ["mode"]),
        (lambda: ref.output_size(3, 6), ["larger"]),
        (lambda: ref.receptive_field([3, 3], [1]), ["stride"]),
        (lambda: ref.fit_fir_wiener(np.ones(5), np.ones(4), 2), ["shape"]),
    ],
)
def test_bad_arguments_raise_value_error_naming_the_problem(call, words):
    with pytest.raises(ValueError) as info:
        call()
    for word in words:
        assert word in str(info.value)


# --- the checks can fail: buggy variants are rejected -------------------------------------------------------------


def _without_bias(x, w, b, stride, pad):
    return ref.conv_forward(x, w, np.zeros(w.shape[0]), stride, pad)[0]


BUGGY_CONV_FORWARD = {
    "kernel flipped": lambda x, w, b, s, p: ref.conv_forward(x, w[:, :, ::-1, ::-1], b, s, p),
    "H/W swapped": lambda x, w, b, s, p: (ref.conv_forward(x, w, b, s, p)[0].swapaxes(2, 3), None),
    "bias on the wrong axis (per sample)": lambda x, w, b, s, p: (
        _without_bias(x, w, b, s, p) + np.resize(b, x.shape[0])[:, None, None, None], None),
    "stride ignored": lambda x, w, b, s, p: ref.conv_forward(x, w, b, 1, p),
    "padding ignored": lambda x, w, b, s, p: ref.conv_forward(x, w, b, s, 0),
}


@pytest.mark.parametrize("bug", sorted(BUGGY_CONV_FORWARD))
def test_conv_forward_check_rejects(bug):
    with pytest.raises(AssertionError):
        check_conv_forward(BUGGY_CONV_FORWARD[bug])


def test_other_checks_reject_typical_bugs():
    with pytest.raises(AssertionError):  # kernel flipped on one axis only
        check_corr2d(ref.corr2d, lambda x, w, s, p: ref.corr2d(x, w[::-1, :], s, p))
    with pytest.raises(AssertionError):  # H/W swapped (transposed output)
        check_corr2d(lambda x, w, s, p: ref.corr2d(x.T, w.T, s, p), ref.conv2d)
    with pytest.raises(AssertionError):  # not flipped: a correlation
        check_conv1d(lambda x, w, mode: np.correlate(x, w, mode))
    with pytest.raises(AssertionError):  # "same" centred on the other side for even kernels
        check_conv1d(lambda x, w, mode: np.convolve(x, w)[len(w) // 2 : len(w) // 2 + max(len(x), len(w))]
                     if mode == "same" else np.convolve(x, w, mode))
    with pytest.raises(AssertionError):  # stride ignored
        check_corr1d(lambda x, w, s: ref.corr1d(x, w))
    with pytest.raises(AssertionError):  # ceil
        check_output_size(lambda n, k, s, p: -(-(n + 2 * p - k) // s) + 1)
    with pytest.raises(AssertionError):  # no +1
        check_output_size(lambda n, k, s, p: (n + 2 * p - k) // s)
    with pytest.raises(AssertionError):  # bias ignored
        check_fit_fir_wiener(lambda x, d, n: (np.linalg.lstsq(ref.fir_design_matrix(x, n), d[n - 1 :], rcond=None)[0],
                                              0.0))
    with pytest.raises(AssertionError):  # gradient missing the factor 2
        check_fit_fir_gd(lambda x, d, n, lr, steps: ref.fit_fir_gd(x, d, n, lr / 2, steps))
    with pytest.raises(AssertionError):  # the stride of a layer applied before its own kernel
        check_receptive_field(lambda ks, ss: 1 + sum((k - 1) * int(np.prod(ss[: i + 1])) for i, k in enumerate(ks)))
