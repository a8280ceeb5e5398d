"""A3 reference against independent implementations: direct loops, scipy.ndimage / scipy.signal, golden values.

Each independent check is a function of the implementation under test (`check_*`), run on the reference and,
to show that it can fail, on buggy variants it must reject.
"""

from __future__ import annotations

import math
from fractions import Fraction

import numpy as np
import pytest
import scipy.ndimage
import scipy.signal

import solutions.a3_pooling as ref


def random_configs(count: int = 12):
    """(N, C, H, W, KH, KW, SH, SW, stride_given): every axis a different size, strides that do not divide,
    overlapping windows (stride < window) and gaps (stride > window); stride_given False means stride=None."""
    rng = np.random.default_rng(3)
    configs = []
    while len(configs) < count:
        N, C = rng.integers(1, 4, size=2)
        H, W = rng.integers(4, 12, size=2)
        KH, KW = rng.integers(1, 5, size=2)
        SH, SW = rng.integers(1, 5, size=2)
        given = len(configs) % 3 != 0
        if not given:
            SH, SW = KH, KW
        sizes = [N, C, H, W, KH, KW]
        if len(set(sizes)) < len(sizes) - 1 or KH == KW or KH > H or KW > W:
            continue
        configs.append(tuple(int(v) for v in (N, C, H, W, KH, KW, SH, SW)) + (given,))
    return configs


CONFIGS = random_configs()


def call_pool(pool, x, KH, KW, SH, SW, given):
    return pool(x, (KH, KW), (SH, SW) if given else None)[0]


# --- independent implementations ----------------------------------------------------------------------------------


def loop_pool(x, KH, KW, SH, SW, reduce):
    """Pooling as a direct loop over every output position, with a Python reduction over the window's values."""
    N, C, H, W = x.shape
    Ho, Wo = (H - KH) // SH + 1, (W - KW) // SW + 1
    out = np.zeros((N, C, Ho, Wo))
    for n in range(N):
        for c in range(C):
            for i in range(Ho):
                for j in range(Wo):
                    values = [x[n, c, i * SH + p, j * SW + q] for p in range(KH) for q in range(KW)]
                    out[n, c, i, j] = reduce(values)
    return out


def scipy_maxpool(x, KH, KW, SH, SW):
    """scipy.ndimage.maximum_filter over (KH, KW), anchored at the window's top-left corner, then subsampled."""
    origin = (0, 0, -(KH // 2), -(KW // 2))  # shift the centred footprint so that output (i, j) sees x[i:i+KH, j:j+KW]
    full = scipy.ndimage.maximum_filter(x, size=(1, 1, KH, KW), origin=origin, mode="nearest")
    H, W = x.shape[2:]
    return full[:, :, : H - KH + 1 : SH, : W - KW + 1 : SW]


def scipy_avgpool(x, KH, KW, SH, SW):
    """Valid correlation with a box kernel of ones / (KH*KW) (scipy.signal), then subsampled by the stride."""
    box = np.ones((KH, KW)) / (KH * KW)
    out = [[scipy.signal.correlate2d(x[n, c], box, mode="valid")[::SH, ::SW] for c in range(x.shape[1])]
           for n in range(x.shape[0])]
    return np.array(out)


def region_bounds(n, n_out):
    """The adaptive region rule written with exact rationals: [floor(i*n/n_out), ceil((i+1)*n/n_out))."""
    return [(math.floor(Fraction(i * n, n_out)), math.ceil(Fraction((i + 1) * n, n_out))) for i in range(n_out)]


def loop_adaptive_maxpool(x, OH, OW):
    N, C = x.shape[:2]
    out = np.zeros((N, C, OH, OW))
    for i, (r0, r1) in enumerate(region_bounds(x.shape[2], OH)):
        for j, (c0, c1) in enumerate(region_bounds(x.shape[3], OW)):
            for n in range(N):
                for c in range(C):
                    out[n, c, i, j] = max(x[n, c, r, s] for r in range(r0, r1) for s in range(c0, c1))
    return out


def loop_channel_maxpool(x, group):
    N, C, H, W = x.shape
    out = np.zeros((N, C // group, H, W))
    for g in range(C // group):
        for n in range(N):
            for i in range(H):
                for j in range(W):
                    out[n, g, i, j] = max(x[n, g * group + k, i, j] for k in range(group))
    return out


# --- checks (each takes the implementation under test) ------------------------------------------------------------


def check_maxpool(maxpool):
    rng = np.random.default_rng(11)
    for N, C, H, W, KH, KW, SH, SW, given in CONFIGS:
        x = rng.standard_normal((N, C, H, W)) - 1.0  # mostly negative: a max started at 0 would show
        got = call_pool(maxpool, x, KH, KW, SH, SW, given)
        np.testing.assert_array_equal(got, loop_pool(x, KH, KW, SH, SW, max))
        np.testing.assert_array_equal(got, scipy_maxpool(x, KH, KW, SH, SW))


def check_avgpool(avgpool):
    rng = np.random.default_rng(12)
    for N, C, H, W, KH, KW, SH, SW, given in CONFIGS:
        x = rng.standard_normal((N, C, H, W))
        got = call_pool(avgpool, x, KH, KW, SH, SW, given)
        np.testing.assert_allclose(got, loop_pool(x, KH, KW, SH, SW, lambda v: math.fsum(v) / len(v)), rtol=1e-12)
        np.testing.assert_allclose(got, scipy_avgpool(x, KH, KW, SH, SW), rtol=1e-10, atol=1e-12)


def check_adaptive_maxpool(adaptive):
    rng = np.random.default_rng(13)
    for N, C, H, W, OH, OW in [(2, 3, 7, 5, 3, 2), (1, 2, 10, 11, 4, 3), (3, 1, 6, 9, 6, 4), (2, 2, 5, 8, 1, 5),
                               (1, 3, 9, 7, 2, 7), (2, 1, 11, 4, 5, 3)]:
        x = rng.standard_normal((N, C, H, W)) - 1.0
        got = adaptive(x, (OH, OW))
        np.testing.assert_array_equal(got, loop_adaptive_maxpool(x, OH, OW))


def check_channel_maxpool(channel_maxpool):
    rng = np.random.default_rng(14)
    for N, C, H, W, group in [(2, 6, 3, 4, 3), (1, 8, 5, 2, 4), (3, 6, 2, 5, 2), (2, 5, 4, 3, 5), (1, 4, 3, 2, 1)]:
        x = rng.standard_normal((N, C, H, W)) - 1.0
        np.testing.assert_array_equal(channel_maxpool(x, group), loop_channel_maxpool(x, group))


def check_shift_invariance(shift_invariance):
    def pool2(z):
        return loop_pool(z, 1, 2, 1, 2, max)

    # hand-derived: [5 0 | 0 0] -> [0 5 | 0 0] keeps both maxima; [0 5 | 0 0] -> [0 0 | 5 0] changes both
    assert shift_invariance(pool2, np.array([[[[5.0, 0, 0, 0]]]]), 1) == 1.0
    assert shift_invariance(pool2, np.array([[[[0.0, 5, 0, 0]]]]), 1) == 0.0
    # two rows, one of each kind; the shift is along W (the last axis), not H
    assert shift_invariance(pool2, np.array([[[[5.0, 0, 0, 0], [0, 5, 0, 0]]]]), 1) == 0.5
    assert shift_invariance(pool2, np.array([[[[0.0, 5, 0, 0], [0, 0, 0, 1]]]]), 2) == 0.0
    assert shift_invariance(pool2, np.array([[[[0.0, 5, 0, 0], [0, 0, 0, 1]]]]), 4) == 1.0
    # a direct count on random inputs
    rng = np.random.default_rng(15)
    for shape, s in [((2, 3, 6, 8), 1), ((1, 2, 5, 9), 2), ((3, 1, 7, 6), 3)]:
        x = rng.integers(0, 4, size=shape).astype(float)
        a, b = pool2(x), pool2(np.roll(x, s, axis=3))
        want = sum(a.flat[k] == b.flat[k] for k in range(a.size)) / a.size
        assert math.isclose(shift_invariance(pool2, x, s), want)


# --- the reference passes every check -----------------------------------------------------------------------------


def test_maxpool_forward_against_loops_and_scipy():
    check_maxpool(ref.maxpool_forward)


def test_avgpool_forward_against_loops_and_scipy():
    check_avgpool(ref.avgpool_forward)


def test_adaptive_maxpool_against_the_region_rule():
    check_adaptive_maxpool(ref.adaptive_maxpool)


def test_channel_maxpool_against_loops():
    check_channel_maxpool(ref.channel_maxpool)


def test_shift_invariance_against_golden_values_and_counts():
    check_shift_invariance(ref.shift_invariance)


def test_global_avgpool_against_loops():
    x = np.random.default_rng(16).standard_normal((2, 3, 5, 4))
    want = np.array([[math.fsum(x[n, c].flat) / 20 for c in range(3)] for n in range(2)])
    np.testing.assert_allclose(ref.global_avgpool(x), want, rtol=1e-12)


def test_golden_values():
    x = np.array([[[[1, 3, 2, 0, 7], [4, -1, 5, 6, 2], [0, 8, 1, 1, 3]]]])  # (1, 1, 3, 5), ints
    out, cache = ref.maxpool_forward(x)
    np.testing.assert_array_equal(out, [[[[4.0, 6.0]]]])  # 2x2 windows; last row and column dropped
    assert out.dtype == np.float64
    np.testing.assert_array_equal(ref.avgpool_forward(x)[0], [[[[7 / 4, 13 / 4]]]])
    np.testing.assert_array_equal(ref.maxpool_forward(x, (3, 2), 1)[0], [[[[8, 8, 6, 7]]]])
    np.testing.assert_array_equal(ref.maxpool_forward(x, (1, 3), (2, 2))[0], [[[[3, 7], [8, 3]]]])
    # adaptive: 7 rows into 3 regions [0, 3), [2, 5), [4, 7) (overlapping); 5 columns into 3 [0, 2), [1, 4), [3, 5)
    assert region_bounds(7, 3) == [(0, 3), (2, 5), (4, 7)] and region_bounds(5, 3) == [(0, 2), (1, 4), (3, 5)]
    np.testing.assert_array_equal(ref.adaptive_maxpool(np.arange(7.0).reshape(1, 1, 7, 1), (3, 1)).ravel(), [2, 4, 6])
    np.testing.assert_array_equal(ref.adaptive_maxpool(-np.arange(5.0).reshape(1, 1, 1, 5), (1, 3)).ravel(),
                                  [0, -1, -3])
    np.testing.assert_array_equal(ref.channel_maxpool(np.array([1, 9, 2, 3, 0, 4]).reshape(1, 6, 1, 1), 2).ravel(),
                                  [9, 3, 4])


def test_cache_format_is_pinned():
    x = np.arange(2 * 3 * 7 * 8).reshape(2, 3, 7, 8).astype(np.int32)
    for pool in (ref.maxpool_forward, ref.avgpool_forward):
        _, cache = pool(x, (3, 2), (2, 3))
        assert len(cache) == 3 and cache[1:] == ((3, 2), (2, 3))
        assert cache[0].dtype == np.float64 and np.array_equal(cache[0], x)
        assert all(type(v) is int for v in cache[1] + cache[2])
        assert pool(x, 3)[1][1:] == ((3, 3), (3, 3))  # stride None means stride = size
        assert pool(x, np.int64(2), (np.int64(1), 2))[1][1:] == ((2, 2), (1, 2))


def test_integer_inputs_float64_outputs_and_inputs_unchanged():
    x = np.random.default_rng(17).integers(0, 256, size=(2, 4, 6, 5)).astype(np.uint8)
    before = x.copy()
    outs = [ref.maxpool_forward(x, 2)[0], ref.avgpool_forward(x, (2, 3), 1)[0], ref.adaptive_maxpool(x, (4, 3)),
            ref.global_avgpool(x), ref.channel_maxpool(x, 2)]
    assert all(o.dtype == np.float64 for o in outs)
    np.testing.assert_array_equal(outs[1], loop_pool(x.astype(float), 2, 3, 1, 1, lambda v: sum(v) / len(v)))
    ref.shift_invariance(lambda z: ref.maxpool_forward(z, 2)[0], x, 1)
    np.testing.assert_array_equal(x, before)


@pytest.mark.parametrize(
    ("call", "words"),
    [
        (lambda: ref.maxpool_forward(np.zeros((3, 4, 5))), ["x", "4", "(3, 4, 5)"]),
        (lambda: ref.maxpool_forward(np.zeros((1, 1, 4, 5)), (5, 2)), ["H", "(1, 1, 4, 5)"]),
        (lambda: ref.avgpool_forward(np.zeros((1, 1, 4, 5)), (2, 6)), ["W", "(1, 1, 4, 5)"]),
        (lambda: ref.maxpool_forward(np.zeros((1, 1, 4, 5)), 2, 0), ["stride", "0"]),
        (lambda: ref.avgpool_forward(np.zeros((1, 1, 4, 5)), 2, -1), ["stride", "-1"]),
        (lambda: ref.maxpool_forward(np.zeros((1, 1, 4, 5)), (2, 2, 2)), ["size"]),
        (lambda: ref.maxpool_forward(np.zeros((1, 1, 4, 5)), 1.5), ["size"]),
        (lambda: ref.adaptive_maxpool(np.zeros((1, 1, 4, 5)), (5, 2)), ["out_hw", "(1, 1, 4, 5)"]),
        (lambda: ref.adaptive_maxpool(np.zeros((4, 5)), 2), ["x", "(4, 5)"]),
        (lambda: ref.channel_maxpool(np.zeros((1, 6, 2, 2)), 4), ["group", "C = 6", "(1, 6, 2, 2)"]),
        (lambda: ref.channel_maxpool(np.zeros((1, 6, 2, 2)), 0), ["group"]),
        (lambda: ref.global_avgpool(np.zeros((2, 3))), ["x", "(2, 3)"]),
        (lambda: ref.shift_invariance(lambda z: z[..., :-1] if z[0, 0] else z, np.eye(3)), ["shape"]),
    ],
)
def test_bad_arguments_raise_value_error_naming_the_problem(call, words):
    with pytest.raises(ValueError) as info:
        call()
    assert all(w in str(info.value) for w in words), str(info.value)


# --- the checks can fail: they reject typical bugs ----------------------------------------------------------------


def _maxpool_stride_1_by_default(x, size=2, stride=None):
    return ref.maxpool_forward(x, size, 1 if stride is None else stride)


def _maxpool_window_transposed(x, size=2, stride=None):
    kh, kw = ref.as_pair(size, "size")
    return ref.maxpool_forward(x, (kw, kh), stride)


def _maxpool_from_zero(x, size=2, stride=None):
    out, cache = ref.maxpool_forward(x, size, stride)
    return np.maximum(out, 0.0), cache


def _avgpool_wrong_divisor(x, size=2, stride=None):
    kh, kw = ref.as_pair(size, "size")
    out, cache = ref.avgpool_forward(x, size, stride)
    return out * (kh * kw) / (kh * kh), cache


def _avgpool_windows_off_the_edge(x, size=2, stride=None):
    """Windows at every stride step, zero-padded at the bottom/right: one extra output when the size does not tile."""
    kh, kw = ref.as_pair(size, "size")
    sh, sw = ref.as_pair((kh, kw) if stride is None else stride, "stride")
    H, W = x.shape[2:]
    x_pad = np.pad(np.asarray(x, float), ((0, 0), (0, 0), (0, kh), (0, kw)))
    out = np.lib.stride_tricks.sliding_window_view(x_pad, (kh, kw), axis=(2, 3))[:, :, :H:sh, :W:sw]
    return out.mean(axis=(4, 5)), None


def _adaptive_floor_both_ends(x, out_hw):
    OH, OW = ref.as_pair(out_hw, "out_hw")
    H, W = x.shape[2:]
    rows = [(i * H // OH, max((i + 1) * H // OH, i * H // OH + 1)) for i in range(OH)]
    cols = [(j * W // OW, max((j + 1) * W // OW, j * W // OW + 1)) for j in range(OW)]
    return np.array([[[[x[n, c, r0:r1, c0:c1].max() for c0, c1 in cols] for r0, r1 in rows]
                      for c in range(x.shape[1])] for n in range(x.shape[0])])


def _adaptive_equal_windows(x, out_hw):
    OH, OW = ref.as_pair(out_hw, "out_hw")
    H, W = x.shape[2:]
    return ref.maxpool_forward(x, (H // OH, W // OW))[0][:, :, :OH, :OW]


def _channel_groups_interleaved(x, group):
    N, C, H, W = x.shape
    return np.asarray(x, float).reshape(N, group, C // group, H, W).max(axis=1)


def _shift_along_h(pool, x, shift=1):
    return ref.shift_invariance(lambda z: pool(np.swapaxes(z, -1, -2)), np.swapaxes(np.asarray(x), -1, -2), shift)


def _shift_counts_changed(pool, x, shift=1):
    return 1.0 - ref.shift_invariance(pool, x, shift)


@pytest.mark.parametrize(
    ("check", "buggy"),
    [
        (check_maxpool, _maxpool_stride_1_by_default),
        (check_maxpool, _maxpool_window_transposed),
        (check_maxpool, _maxpool_from_zero),
        (check_avgpool, _avgpool_wrong_divisor),
        (check_avgpool, _avgpool_windows_off_the_edge),
        (check_avgpool, lambda x, size=2, stride=None: ref.maxpool_forward(x, size, stride)),
        (check_adaptive_maxpool, _adaptive_floor_both_ends),
        (check_adaptive_maxpool, _adaptive_equal_windows),
        (check_channel_maxpool, _channel_groups_interleaved),
        (check_shift_invariance, _shift_along_h),
        (check_shift_invariance, _shift_counts_changed),
    ],
    ids=lambda v: getattr(v, "__name__", "avgpool is maxpool"),
)
def test_checks_reject_buggy_variants(check, buggy):
    with pytest.raises(AssertionError):
        check(buggy)
