"""A2 reference: equivariance, proved by tests (numpy only).

Vocabulary: images are (H, W), kernels (KH, KW). An operation f is *equivariant* to a transformation g when
f(g(x)) = g(f(x)) for every x, and *invariant* when f(g(x)) = f(x). Outputs are float64; inputs are never modified.

The student-written tests (`test_*`) each take the operation under test as their argument and fail with an
AssertionError when the claimed property is broken; the grader runs them against correct implementations
(wheats: a test must pass all of them) and subtly wrong ones (chaffs: a test should fail as many as it can).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from solutions.common import as_float64

# --- given helpers: the transformations g -------------------------------------------------------------------------


def shift(x: np.ndarray, dy: int, dx: int) -> np.ndarray:
    """Circular shift of the last two axes: dy rows down, dx columns right (np.roll; negative = up / left).

    x (..., H, W) -> (..., H, W) with out[..., i, j] = x[..., (i - dy) mod H, (j - dx) mod W].
    """
    return np.roll(x, (dy, dx), axis=(-2, -1))


def rot90(x: np.ndarray) -> np.ndarray:
    """Rotation by 90 degrees counter-clockwise of the last two axes (np.rot90).

    x (..., H, W) -> (..., W, H) with out[..., i, j] = x[..., j, W - 1 - i].
    """
    return np.rot90(x, 1, axes=(-2, -1))


def upsample2(x: np.ndarray) -> np.ndarray:
    """Nearest-neighbour upsampling by 2 of the last two axes: every pixel becomes a 2x2 block.

    x (..., H, W) -> (..., 2H, 2W) with out[..., i, j] = x[..., i // 2, j // 2].
    """
    return np.repeat(np.repeat(x, 2, axis=-2), 2, axis=-1)


# --- graded functions ---------------------------------------------------------------------------------------------


def circular_corr2d(x: np.ndarray, w: np.ndarray) -> np.ndarray:
    """2-D cross-correlation with a periodic boundary (the image wraps around), kernel centred at (KH//2, KW//2).

    x (H, W), w (KH, KW) -> y (H, W), any kernel size (a kernel larger than the image wraps more than once):
        y[i, j] = sum_{a, b} w[a, b] * x[(i + a - KH//2) mod H, (j + b - KW//2) mod W].
    """
    x, w = as_float64(x, "x", 2), as_float64(w, "w", 2)
    (H, W), (KH, KW) = x.shape, w.shape
    rows = (np.arange(H)[:, None] + np.arange(KH)[None, :] - KH // 2) % H  # (H, KH)
    cols = (np.arange(W)[:, None] + np.arange(KW)[None, :] - KW // 2) % W  # (W, KW)
    patches = x[rows[:, None, :, None], cols[None, :, None, :]]  # (H, W, KH, KW)
    return np.einsum("ijab,ab->ij", patches, w)


def equivariance_error(f: Callable, g: Callable, x: np.ndarray) -> float:
    """How far f is from commuting with g at x: max |f(g(x)) - g(f(x))| over all entries.

    f, g: functions of arrays; x: an array both accept. Returns a float >= 0 (0.0 when they commute at x);
    inf when f(g(x)) and g(f(x)) have different shapes (they cannot be equal; broadcasting is no excuse).
    """
    fg = np.asarray(f(g(x)), dtype=np.float64)
    gf = np.asarray(g(f(x)), dtype=np.float64)
    if fg.shape != gf.shape:
        return np.inf
    if fg.size == 0:
        return 0.0
    return float(np.max(np.abs(fg - gf)))


# --- reference versions of the student-written tests --------------------------------------------------------------
# Each takes the implementation under test; it returns normally when the claim holds, and raises AssertionError
# when it finds the claim broken. They use only the given helpers, circular_corr2d and equivariance_error.


def test_shift_equivariance(layer: Callable) -> None:
    """Claim: `layer`, (H, W) -> (H, W), commutes with every circular shift:
    layer(shift(x, dy, dx)) == shift(layer(x), dy, dx) for every x, dy, dx.

    Passes (returns) when the claim holds for `layer`; fails (AssertionError) when it finds it broken.
    """
    rng = np.random.default_rng(0)
    # Random images (negative values too) of odd and even, non-square sizes; every shift of each, so bugs that
    # hide near a border, along one axis or for odd shifts all show; a tolerance relative to the output's scale.
    for H, W in [(6, 5), (5, 8)]:
        x = rng.standard_normal((H, W))
        y = np.asarray(layer(x))
        assert y.shape == (H, W), f"layer maps an image of shape {(H, W)} to shape {y.shape}"
        tol = 1e-9 * (1 + np.abs(y).max())
        for dy in range(H):
            for dx in range(W):
                err = equivariance_error(layer, lambda z, dy=dy, dx=dx: shift(z, dy, dx), x)
                assert err <= tol, f"layer(shift(x, {dy}, {dx})) != shift(layer(x), {dy}, {dx}): error {err:.3g}"


def test_rotation_counterexample(corr: Callable) -> None:
    """Claim: correlation does not commute with rotation: some x, w have corr(rot90(x), w) != rot90(corr(x, w)).

    `corr(x, w)`, (H, W) and (KH, KW) -> (H, W), is a correlation layer (periodic, zero or mirror boundary; maybe
    a convolution). Passes when it exhibits such x, w for `corr`; fails (AssertionError) when it cannot.
    """
    rng = np.random.default_rng(1)
    # A generic (random) image and kernel are a counterexample for every correlation layer; the difference must
    # be far above rounding, or it proves nothing.
    x, w = rng.standard_normal((5, 6)), rng.standard_normal((3, 3))
    scale = 1 + np.abs(np.asarray(corr(x, w))).max()
    err = equivariance_error(lambda z: corr(z, w), rot90, x)
    assert err > 1e-6 * scale, f"no counterexample: corr commutes with rot90 here (error {err:.3g})"


def test_rotated_kernel(corr: Callable) -> None:
    """Claim: rotating the image and the kernel together rotates the output:
    corr(rot90(x), rot90(w)) == rot90(corr(x, w)) for every x and every kernel w of odd size KH, KW,
    whichever boundary (periodic, zero, mirror) the correlation layer `corr` uses.

    Passes when the claim holds for `corr`; fails (AssertionError) when it finds it broken.
    """
    rng = np.random.default_rng(2)
    # Non-square images and non-square kernels (square ones hide swapped axes), thin kernels, random values.
    for (H, W), (KH, KW) in [((5, 7), (3, 5)), ((6, 6), (3, 3)), ((4, 7), (1, 3)), ((7, 4), (5, 1))]:
        x, w = rng.standard_normal((H, W)), rng.standard_normal((KH, KW))
        rotated_first = np.asarray(corr(rot90(x), rot90(w)))
        rotated_after = rot90(np.asarray(corr(x, w)))
        assert rotated_first.shape == rotated_after.shape, f"x {x.shape}, w {w.shape}: the shapes differ"
        assert np.allclose(rotated_first, rotated_after, rtol=1e-9, atol=1e-9), (
            f"x {x.shape}, w {w.shape}: corr(rot90(x), rot90(w)) != rot90(corr(x, w))"
        )


def test_scaling_counterexample(corr: Callable) -> None:
    """Claim: correlation does not commute with upscaling: some x, w have
    corr(upsample2(x), w) != upsample2(corr(x, w)) (the kernel does not grow with the image).

    Passes when it exhibits such x, w for the correlation layer `corr`; fails (AssertionError) when it cannot.
    """
    rng = np.random.default_rng(3)
    x, w = rng.standard_normal((4, 5)), rng.standard_normal((3, 3))
    scale = 1 + np.abs(np.asarray(corr(x, w))).max()
    err = equivariance_error(lambda z: corr(z, w), upsample2, x)
    assert err > 1e-6 * scale, f"no counterexample: corr commutes with upsample2 here (error {err:.3g})"


def test_stride_breaks_shift(corr_strided: Callable) -> None:
    """Claim: `corr_strided(x, w)`, a circular correlation layer with stride 2 ((H, W) -> (H/2, W/2) for even H, W),
    commutes with shifts by 2 (the output shifts by 1), but not with a shift by 1 along either axis: for some
    x, w the output for shift(x, 1, 0) is no circular shift at all of the output for x; the same for shift(x, 0, 1).

    Passes when the claim holds for `corr_strided`; fails (AssertionError) when it finds it broken.
    """
    rng = np.random.default_rng(4)
    x, w = rng.standard_normal((6, 8)), rng.standard_normal((3, 3))
    y = np.asarray(corr_strided(x, w))
    assert y.shape == (3, 4), f"an image of shape (6, 8) gives an output of shape {y.shape}, not (3, 4)"
    for dy, dx in [(2, 0), (0, 2), (-2, 4)]:
        assert np.allclose(corr_strided(shift(x, dy, dx), w), shift(y, dy // 2, dx // 2)), (
            f"a shift by ({dy}, {dx}) does not shift the output by ({dy // 2}, {dx // 2})"
        )
    for dy, dx in [(0, 1), (1, 0)]:
        moved = np.asarray(corr_strided(shift(x, dy, dx), w))
        matches = [(sy, sx) for sy in range(3) for sx in range(4) if np.allclose(moved, shift(y, sy, sx))]
        assert not matches, f"a shift by ({dy}, {dx}) just shifts the output by {matches[0]}"


def test_pool_local_invariance(pool: Callable) -> None:
    """Claim: `pool` is 2x2 max pooling (stride 2, leftover rows/columns dropped): (H, W) -> (H//2, W//2),
    each output the maximum of its 2x2 cell. So moving a maximum within its cell, or lowering the other values
    of the cell, leaves the output unchanged; moving it into the next cell does not.

    Passes when the claim holds for `pool`; fails (AssertionError) when it finds it broken.
    """
    rng = np.random.default_rng(5)
    # The values on a random image with negative entries and an odd width, then the invariance on a peak.
    x = rng.standard_normal((6, 9))
    cells = x[:, :8].reshape(3, 2, 4, 2)
    y = np.asarray(pool(x))
    assert y.shape == (3, 4), f"an image of shape (6, 9) gives an output of shape {y.shape}, not (3, 4)"
    assert np.allclose(y, cells.max(axis=(1, 3))), "the outputs are not the maxima of the 2x2 cells"
    background = rng.uniform(-1.0, 0.0, size=(4, 6))
    outputs = []
    for r, c in [(2, 2), (2, 3), (3, 2), (3, 3)]:  # the peak anywhere in cell (1, 1)
        image = background.copy()
        image[r, c] = 2.0
        outputs.append(np.asarray(pool(image)))
    for out in outputs[1:]:
        assert np.allclose(out, outputs[0]), "moving the maximum within its cell changed the output"
    quieter = background.copy()
    quieter[2:4, 2:4] -= 3.0  # the other values of cell (1, 1) lower still
    quieter[2, 2] = 2.0
    assert np.allclose(pool(quieter), outputs[0]), "lowering the other values of a cell changed the output"
    across = background.copy()
    across[2, 4] = 2.0  # the peak moved one column right, into cell (1, 2)
    assert not np.allclose(pool(across), outputs[0]), "moving the maximum into the next cell changed nothing"
