"""A2 reference against independent implementations, and the wheat/chaff catalogue of its hidden suite.

- circular_corr2d against a direct loop written here and scipy.ndimage.correlate(mode="wrap"); the check is a
  function, and it is shown to reject typical buggy variants;
- equivariance_error against hand-derived values; the given helpers against their index formulas;
- the catalogue: every wheat satisfies its claim and every chaff breaks it, shown by brute force here (not by the
  reference tests); every implementation of a property looks the same from outside (same wrapper, same errors);
- the reference tests, called directly, pass every wheat and fail every chaff.
"""

from __future__ import annotations

import importlib.util
import itertools
from pathlib import Path

import numpy as np
import pytest
import scipy.ndimage as ndi

import solutions.a2_equivariance as ref

IMPLS_PATH = Path(__file__).resolve().parent.parent / "autograder" / "suites" / "a2_equivariance" / "impls.py"
_spec = importlib.util.spec_from_file_location("a2_impls_for_tests", IMPLS_PATH)
impls = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(impls)

RNG = np.random.default_rng(20240502)

# image shape, kernel shape: every axis a different size, odd and even kernels, kernels larger than the image
CONFIGS = [((5, 7), (3, 3)), ((6, 4), (2, 5)), ((4, 9), (3, 5)), ((7, 6), (4, 2)), ((3, 4), (5, 6)),
           ((1, 5), (3, 1)), ((8, 3), (1, 1)), ((2, 2), (4, 3))]


# --- independent implementations ------------------------------------------------------------------------------------


def loop_circular_corr2d(x, w):
    """The definition, one output pixel and one tap at a time."""
    (H, W), (KH, KW) = np.shape(x), np.shape(w)
    y = np.zeros((H, W))
    for i in range(H):
        for j in range(W):
            for a in range(KH):
                for b in range(KW):
                    y[i, j] += w[a][b] * x[(i + a - KH // 2) % H][(j + b - KW // 2) % W]
    return y


def check_circular_corr2d(impl) -> None:
    """AssertionError unless impl agrees with the loop and with scipy's wrapped correlation on CONFIGS."""
    for (H, W), (KH, KW) in CONFIGS:
        x, w = RNG.standard_normal((H, W)), RNG.standard_normal((KH, KW))
        y = impl(x, w)
        assert y.shape == (H, W) and y.dtype == np.float64, f"x {x.shape}, w {w.shape}: got {y.shape} {y.dtype}"
        np.testing.assert_allclose(y, loop_circular_corr2d(x, w), atol=1e-12, err_msg=f"x {x.shape}, w {w.shape}")
        if KH <= H and KW <= W:  # scipy wraps once only
            np.testing.assert_allclose(y, ndi.correlate(x, w, mode="wrap"), atol=1e-12)


def zero_padded_variant(x, w):
    return ndi.correlate(np.asarray(x, float), np.asarray(w, float), mode="constant")


def flipped_variant(x, w):
    return ref.circular_corr2d(x, np.asarray(w)[::-1, ::-1])


def transposed_variant(x, w):
    return ref.circular_corr2d(np.asarray(x).T, np.asarray(w)).T


def top_left_variant(x, w):
    KH, KW = np.shape(w)
    return np.roll(ref.circular_corr2d(x, w), (KH // 2, KW // 2), axis=(0, 1))


# --- circular_corr2d ----------------------------------------------------------------------------------------------


def test_circular_corr2d_matches_the_definition_and_scipy():
    check_circular_corr2d(ref.circular_corr2d)


@pytest.mark.parametrize("variant", [zero_padded_variant, flipped_variant, transposed_variant, top_left_variant])
def test_the_check_rejects_buggy_correlations(variant):
    with pytest.raises(AssertionError):
        check_circular_corr2d(variant)


def test_circular_corr2d_golden_values():
    x = np.arange(12.0).reshape(3, 4)
    np.testing.assert_array_equal(ref.circular_corr2d(x, [[1.0, 0.0]]), [[3, 0, 1, 2], [7, 4, 5, 6], [11, 8, 9, 10]])
    np.testing.assert_array_equal(ref.circular_corr2d(x, [[0.0], [0.0], [1.0]]), [[4, 5, 6, 7], [8, 9, 10, 11],
                                                                                 [0, 1, 2, 3]])
    assert np.allclose(ref.circular_corr2d(np.ones((4, 5)), np.arange(6.0).reshape(2, 3)), 15.0)


def test_circular_corr2d_integers_float64_inputs_unchanged_and_bad_arguments():
    x, w = np.arange(20, dtype=np.uint8).reshape(4, 5) * 12, np.full((3, 3), 200, dtype=np.uint8)
    x0, w0 = x.copy(), w.copy()
    y = ref.circular_corr2d(x, w)
    assert y.dtype == np.float64 and np.allclose(y, loop_circular_corr2d(x.astype(float), w.astype(float)))
    assert np.array_equal(x, x0) and np.array_equal(w, w0)
    xf = RNG.standard_normal((4, 5))
    xf0 = xf.copy()
    ref.circular_corr2d(xf, np.ones((2, 2)))
    assert np.array_equal(xf, xf0)
    bad_arguments = [(np.ones(5), np.ones((3, 3))), (np.ones((3, 3)), np.ones((3, 3, 1))),
                     (np.ones((0, 3)), np.ones((1, 1)))]
    for bad in bad_arguments:
        with pytest.raises(ValueError, match="shape"):
            ref.circular_corr2d(*bad)


# --- given helpers and equivariance_error --------------------------------------------------------------------------


def test_given_helpers_follow_their_index_formulas():
    x = RNG.standard_normal((2, 4, 5))
    H, W = 4, 5
    for dy, dx in [(1, 2), (-3, 4), (7, -6)]:
        want = np.array([[[x[n, (i - dy) % H, (j - dx) % W] for j in range(W)] for i in range(H)] for n in range(2)])
        np.testing.assert_array_equal(ref.shift(x, dy, dx), want)
    want = np.array([[[x[n, j, W - 1 - i] for j in range(H)] for i in range(W)] for n in range(2)])
    np.testing.assert_array_equal(ref.rot90(x), want)
    np.testing.assert_array_equal(ref.upsample2(x), np.kron(x, np.ones((1, 2, 2))))


def check_equivariance_error(impl) -> None:
    """AssertionError unless impl gives the hand-derived values below."""
    x = np.arange(12.0).reshape(3, 4)

    def add_ramp(z):
        return z + np.arange(4.0)

    def shift_right(z):
        return np.roll(z, 1, axis=1)

    assert impl(add_ramp, shift_right, x) == 3.0  # ramp - shifted ramp = [-3, 1, 1, 1]
    assert impl(shift_right, add_ramp, x) == 3.0
    assert impl(np.negative, np.rot90, x) == 0.0
    assert impl(lambda z: z[:1], ref.upsample2, x) == np.inf  # shapes (1, 8) and (2, 8) would broadcast
    assert impl(lambda z: z[:-1], np.rot90, x) == np.inf
    got = impl(lambda z: 2 * z, lambda z: z + 1, np.array([1, 2]))
    assert isinstance(got, float) and got == 1.0  # 2(z + 1) - (2z + 1) = 1


def test_equivariance_error_golden_values():
    check_equivariance_error(ref.equivariance_error)


def no_abs_variant(f, g, x):
    return float(np.max(np.asarray(f(g(x)), float) - np.asarray(g(f(x)), float)))


def mean_variant(f, g, x):
    a, b = np.asarray(f(g(x)), float), np.asarray(g(f(x)), float)
    return np.inf if a.shape != b.shape else float(np.mean(np.abs(a - b)))


def broadcasting_variant(f, g, x):
    try:
        return float(np.max(np.abs(np.asarray(f(g(x)), float) - np.asarray(g(f(x)), float))))
    except ValueError:
        return np.inf


@pytest.mark.parametrize("variant", [no_abs_variant, mean_variant, broadcasting_variant])
def test_the_equivariance_check_rejects_buggy_variants(variant):
    with pytest.raises(AssertionError):
        check_equivariance_error(variant)


# --- the catalogue: claims checked by brute force, independently of the reference tests ----------------------------


def shift_violation(layer, x) -> float:
    """Largest |layer(shift(x)) - shift(layer(x))| over every shift of x (inf on a shape change)."""
    y = layer(x)
    worst = 0.0
    for dy, dx in itertools.product(range(x.shape[0]), range(x.shape[1])):
        a, b = layer(np.roll(x, (dy, dx), axis=(0, 1))), np.roll(y, (dy, dx), axis=(0, 1))
        worst = max(worst, np.inf if a.shape != b.shape else float(np.abs(a - b).max()))
    return worst


SHIFT = impls.PROPERTIES["test_shift_equivariance"]


@pytest.mark.parametrize("name, core", SHIFT.wheats, ids=[n for n, _ in SHIFT.wheats])
def test_shift_wheats_commute_with_every_shift(name, core):
    layer = SHIFT.wrapped(core)
    for shape in [(1, 1), (3, 5), (6, 4), (7, 7)]:
        for x in (RNG.standard_normal(shape), RNG.integers(-5, 6, shape)):
            assert shift_violation(layer, x) < 1e-9, (name, shape)


@pytest.mark.parametrize("chaff", SHIFT.chaffs, ids=[c.label for c in SHIFT.chaffs])
def test_shift_chaffs_break_the_claim(chaff):
    assert chaff.breaks == "every shift"
    assert shift_violation(SHIFT.wrapped(chaff.core), RNG.standard_normal((6, 5))) > 1e-3, chaff.label


def circular_corr_scipy(x, w):
    return ndi.correlate(x, w, mode="wrap")


SAME_SIZE = {  # wheat name -> an independent implementation (odd kernels no larger than the image)
    "circular correlation, sum of shifted copies": circular_corr_scipy,
    "circular correlation by FFT (rounding differs)": circular_corr_scipy,
    "zero-padded correlation": lambda x, w: ndi.correlate(x, w, mode="constant"),
    "mirror-padded correlation": lambda x, w: ndi.correlate(x, w, mode="reflect"),  # scipy's reflect: d c b a | a b c d
    "mirror-padded correlation, edge not repeated": lambda x, w: ndi.correlate(x, w, mode="mirror"),  # d c b | a b c
    "circular convolution (kernel flipped)": lambda x, w: ndi.convolve(x, w, mode="wrap"),
    "zero-padded convolution": lambda x, w: ndi.convolve(x, w, mode="constant"),
    "mirror-padded convolution": lambda x, w: ndi.convolve(x, w, mode="reflect"),
}
ROTATION = impls.PROPERTIES["test_rotation_counterexample"]
ROTATED = impls.PROPERTIES["test_rotated_kernel"]
SCALING = impls.PROPERTIES["test_scaling_counterexample"]


def test_the_correlation_wheats_are_the_stated_family():
    """Section 5's layers for every claim; the counterexample claims, which the notebook says hold for any anchor,
    also get layers anchored elsewhere (which the rotated-kernel claim does not hold for)."""
    assert [n for n, _ in ROTATED.wheats] == list(SAME_SIZE)
    assert ROTATION.wheats == SCALING.wheats and ROTATION.wheats[: len(SAME_SIZE)] == ROTATED.wheats
    assert len(ROTATION.wheats) > len(ROTATED.wheats)


@pytest.mark.parametrize("name, core", ROTATED.wheats, ids=[n for n, _ in ROTATED.wheats])
def test_correlation_wheats_match_scipy_and_satisfy_the_rotated_kernel_claim(name, core):
    corr = ROTATED.wrapped(core)
    for (H, W), (KH, KW) in [((5, 7), (3, 3)), ((6, 9), (5, 3)), ((7, 4), (1, 3)), ((8, 8), (3, 5))]:
        x, w = RNG.standard_normal((H, W)), RNG.standard_normal((KH, KW))
        np.testing.assert_allclose(corr(x, w), SAME_SIZE[name](x, w), atol=1e-12)
    for (H, W), (KH, KW) in itertools.product([(1, 1), (2, 5), (4, 3), (6, 6)], [(1, 1), (3, 1), (3, 5), (7, 7)]):
        x, w = RNG.standard_normal((H, W)), RNG.standard_normal((KH, KW))
        np.testing.assert_allclose(corr(np.rot90(x), np.rot90(w)), np.rot90(corr(x, w)), atol=1e-10)


ANCHORED = {  # wheat name -> (anchor of the kernel (KH, KW), boundary) of the counterexample claims' extra layers
    "circular correlation anchored at the kernel's top-left tap": (lambda KH, KW: (0, 0), "periodic"),
    "zero-padded correlation anchored at the kernel's last tap": (lambda KH, KW: (KH - 1, KW - 1), "zero"),
}


def loop_anchored_corr(x, w, anchor, boundary):
    """y[i, j] = sum_{a,b} w[a, b] x[i + a - c, j + b - d], indices wrapped (periodic) or outside taps 0 (zero)."""
    (H, W), (KH, KW) = x.shape, w.shape
    c, d = anchor(KH, KW)
    y = np.zeros((H, W))
    for i, j, a, b in itertools.product(range(H), range(W), range(KH), range(KW)):
        r, q = i + a - c, j + b - d
        if boundary == "periodic" or (0 <= r < H and 0 <= q < W):
            y[i, j] += w[a, b] * x[r % H, q % W]
    return y


@pytest.mark.parametrize("name, core", ROTATION.wheats[len(SAME_SIZE):], ids=list(ANCHORED))
def test_anchored_wheats_are_correlations_anchored_elsewhere(name, core):
    corr = ROTATION.wrapped(core)
    for (H, W), (KH, KW) in [((5, 7), (3, 3)), ((4, 6), (2, 5)), ((3, 2), (4, 3)), ((1, 1), (1, 1))]:
        x, w = RNG.standard_normal((H, W)), RNG.standard_normal((KH, KW))
        np.testing.assert_allclose(corr(x, w), loop_anchored_corr(x, w, *ANCHORED[name]), atol=1e-12)


def rotation_error(corr, x, w):
    return float(np.abs(corr(np.rot90(x), w) - np.rot90(corr(x, w))).max())


def scaling_error(corr, x, w):
    return float(np.abs(corr(ref.upsample2(x), w) - ref.upsample2(corr(x, w))).max())


@pytest.mark.parametrize("error", [rotation_error, scaling_error])
@pytest.mark.parametrize("name, core", ROTATION.wheats, ids=[n for n, _ in ROTATION.wheats])
def test_correlation_wheats_have_counterexamples(name, core, error):
    x, w = RNG.standard_normal((5, 6)), RNG.standard_normal((3, 3))
    assert error(ROTATION.wrapped(core), x, w) > 0.1


@pytest.mark.parametrize(("prop", "error"), [(ROTATION, rotation_error), (SCALING, scaling_error)],
                         ids=["rotation", "scaling"])
def test_counterexample_chaffs_have_none(prop, error):
    """The claim 'a counterexample exists' is false for every chaff: on many inputs, no difference at all, or (the
    'beyond rounding' clause) differences of rounding size only."""
    for chaff in prop.chaffs:
        corr, worst = prop.wrapped(chaff.core), 0.0
        for (H, W), (KH, KW) in itertools.product([(1, 1), (4, 5), (6, 6), (3, 8)], [(1, 1), (2, 3), (3, 3), (5, 4)]):
            x, w = RNG.standard_normal((H, W)), RNG.standard_normal((KH, KW))
            worst = max(worst, error(corr, x, w))
        worst = max(worst, error(corr, RNG.integers(0, 3, (4, 4)), np.ones((3, 3))))
        if chaff.breaks == "a counterexample":
            assert worst < 1e-13, chaff.label
        else:
            assert chaff.breaks == "beyond rounding" and 0 < worst < 1e-9, chaff.label


@pytest.mark.parametrize("chaff", ROTATED.chaffs, ids=[c.label for c in ROTATED.chaffs])
def test_rotated_kernel_chaffs_break_the_claim(chaff):
    corr = ROTATED.wrapped(chaff.core)
    x, w = RNG.standard_normal((5, 7)), RNG.standard_normal((3, 5))
    assert chaff.breaks == "rotated kernel"
    assert np.abs(corr(np.rot90(x), np.rot90(w)) - np.rot90(corr(x, w))).max() > 1e-3, chaff.label


STRIDE = impls.PROPERTIES["test_stride_breaks_shift"]


def stride_claim(corr_strided, x, w) -> tuple[float, bool]:
    """(largest violation of 'shift by 2 -> output shift by 1', whether some shift by 1 is no output shift)."""
    y = corr_strided(x, w)
    h, v = y.shape
    worst = 0.0
    for a, b in itertools.product(range(h), range(v)):
        worst = max(worst, float(np.abs(corr_strided(np.roll(x, (2 * a, 2 * b), (0, 1)), w)
                                        - np.roll(y, (a, b), (0, 1))).max()))
    breaks = []
    for d in [(1, 0), (0, 1)]:
        moved = corr_strided(np.roll(x, d, (0, 1)), w)
        breaks.append(all(np.abs(moved - np.roll(y, s, (0, 1))).max() > 1e-6
                          for s in itertools.product(range(h), range(v))))
    return worst, all(breaks)


@pytest.mark.parametrize("name, core", STRIDE.wheats, ids=[n for n, _ in STRIDE.wheats])
def test_stride_wheats_satisfy_the_claim(name, core):
    corr_strided = STRIDE.wrapped(core)
    for (H, W), (KH, KW) in [((6, 8), (3, 3)), ((4, 10), (2, 5)), ((8, 2), (1, 3))]:
        x, w = RNG.standard_normal((H, W)), RNG.standard_normal((KH, KW))
        worst, breaks = stride_claim(corr_strided, x, w)
        assert worst < 1e-9 and breaks, (name, (H, W), (KH, KW))
        kept = ndi.correlate(x, w, mode="wrap") if "convolution" not in name else ndi.convolve(x, w, mode="wrap")
        phases = [np.roll(kept, (-p, -q), (0, 1))[::2, ::2] for p in (0, 1) for q in (0, 1)]
        if KH % 2 and KW % 2:  # scipy's anchor for even kernels differs; odd ones: one of the four phases
            assert any(np.allclose(corr_strided(x, w), ph) for ph in phases), name


@pytest.mark.parametrize("chaff", STRIDE.chaffs, ids=[c.label for c in STRIDE.chaffs])
def test_stride_chaffs_break_the_clause_they_name(chaff):
    worst, breaks = stride_claim(STRIDE.wrapped(chaff.core), RNG.standard_normal((6, 8)), RNG.standard_normal((3, 3)))
    assert {"shift by 2": worst > 1e-3, "shift by 1": not breaks}[chaff.breaks], chaff.label


POOL = impls.PROPERTIES["test_pool_local_invariance"]


def loop_maxpool(x):
    H, W = x.shape
    return np.array([[max(x[2 * i + a, 2 * j + b] for a in (0, 1) for b in (0, 1)) for j in range(W // 2)]
                     for i in range(H // 2)]).reshape(H // 2, W // 2)


@pytest.mark.parametrize("name, core", POOL.wheats, ids=[n for n, _ in POOL.wheats])
def test_pool_wheats_are_max_pooling(name, core):
    pool = POOL.wrapped(core)
    for shape in [(2, 2), (2, 7), (5, 4), (6, 9), (9, 3)]:
        x = RNG.standard_normal(shape)
        np.testing.assert_array_equal(pool(x), loop_maxpool(x))


@pytest.mark.parametrize("chaff", POOL.chaffs, ids=[c.label for c in POOL.chaffs])
def test_pool_chaffs_are_not(chaff):
    x = RNG.standard_normal((6, 9))
    got = POOL.wrapped(chaff.core)(x)
    assert chaff.breaks == "max pooling"
    assert got.shape != (3, 4) or not np.allclose(got, loop_maxpool(x)), chaff.label


# --- what a student's test sees: nothing but behaviour ------------------------------------------------------------

BAD_CALLS = [((np.ones(4),), {}), ((np.ones((2, 2, 2)),), {}), ((np.array([["a"]]),), {}), ((), {}),
             ((np.ones((3, 3)),), {"mode": "wrap"}), ((np.ones((0, 3)),), {}), ((np.ones((1001, 1001)),), {})]


def outcome(op, args, kwargs):
    try:
        return "ok", op(*args, **kwargs).dtype
    except Exception as exc:  # the type and message are what would cross to the student
        return type(exc).__name__, str(exc)


@pytest.mark.parametrize("prop_name", list(impls.PROPERTIES))
def test_implementations_of_a_property_are_alike_from_outside(prop_name):
    prop = impls.PROPERTIES[prop_name]
    ops = [prop.wrapped(core) for _, core, *_ in prop.wheats + prop.chaffs]
    assert len({op.__code__ for op in ops}) == 1 and len({op.__name__ for op in ops}) == 1
    assert all(op.__doc__ is None and op.__defaults__ is None and not op.__dict__ for op in ops)
    extra = (np.ones((3, 3)),) if prop.signature == "x, w" else ()
    for args, kwargs in BAD_CALLS:
        results = {outcome(op, args + extra if args else args, kwargs) for op in ops}
        assert len(results) == 1, (args, kwargs, results)
    good = RNG.integers(0, 9, (4, 6)).astype(np.uint8)
    assert {outcome(op, (good, *extra), {}) for op in ops} == {("ok", np.dtype(np.float64))}
    assert len(prop.chaffs) >= 4 and len(prop.wheats) >= 3


def test_no_implementation_fails_on_valid_inputs():
    for prop in impls.PROPERTIES.values():
        for _, core, *_ in prop.wheats + prop.chaffs:
            op = prop.wrapped(core)
            for H, W in itertools.product((1, 2, 3, 6), (1, 2, 5)):
                x = RNG.standard_normal((H, W))
                if prop.signature == "x":
                    if min(H, W) >= prop.least:
                        op(x)
                else:
                    for k in itertools.product((1, 2, 3, 7), (1, 4, 5)):
                        op(x, RNG.standard_normal(k))


# --- the reference tests classify the catalogue perfectly ---------------------------------------------------------

CASES = [(prop, kind, name, core) for prop, p in impls.PROPERTIES.items()
         for kind, group in (("wheat", p.wheats), ("chaff", p.chaffs)) for name, core, *_ in group]


@pytest.mark.parametrize(("prop", "kind", "name", "core"), CASES, ids=[f"{p}:{k}:{n}" for p, k, n, _ in CASES])
def test_reference_tests_pass_every_wheat_and_fail_every_chaff(prop, kind, name, core):
    test = getattr(ref, prop)
    implementation = impls.PROPERTIES[prop].wrapped(core)
    if kind == "wheat":
        test(implementation)
    else:
        with pytest.raises(AssertionError):
            test(implementation)
