"""A2: the six claims, each tested exactly as section 4-8 of the notebook states it (np.roll is the given `shift`,
np.rot90 the given `rot90`); nothing is compared with an implementation of the test's own."""

import numpy as np


def test_shift_equivariance(layer):
    rng = np.random.default_rng(0)
    for H, W in [(1, 1), (1, 4), (3, 1), (4, 6), (5, 7), (6, 6)]:
        x = rng.standard_normal((H, W))
        y = np.asarray(layer(x))
        for dy in range(H):
            for dx in range(W):
                moved = np.asarray(layer(np.roll(x, (dy, dx), axis=(0, 1))))
                assert moved.shape == y.shape and np.allclose(moved, np.roll(y, (dy, dx), axis=(0, 1))), (H, W, dy, dx)


def test_rotation_counterexample(corr):
    rng = np.random.default_rng(0)
    found = False
    for shape, kernel in [((6, 7), (3, 3)), ((5, 5), (3, 5)), ((8, 6), (5, 3))]:
        x, w = rng.standard_normal(shape), rng.standard_normal(kernel)
        a, b = np.asarray(corr(np.rot90(x), w)), np.asarray(corr(x, w))
        b = np.rot90(b)
        found |= a.shape != b.shape or np.abs(a - b).max() > 1e-6 * (1 + np.abs(b).max())
    assert found, "no counterexample: corr commutes with rot90"


def test_rotated_kernel(corr):
    rng = np.random.default_rng(0)
    for shape in [(1, 1), (4, 6), (5, 7), (7, 4), (6, 6)]:
        for kernel in [(1, 1), (1, 3), (3, 1), (3, 3), (3, 5), (5, 3), (7, 7)]:
            x, w = rng.standard_normal(shape), rng.standard_normal(kernel)
            a = np.asarray(corr(np.rot90(x), np.rot90(w)))
            b = np.rot90(np.asarray(corr(x, w)))
            assert a.shape == b.shape and np.allclose(a, b), (shape, kernel)


def test_scaling_counterexample(corr):
    rng = np.random.default_rng(0)

    def upsample2(z):
        return np.repeat(np.repeat(z, 2, axis=0), 2, axis=1)

    found = False
    for shape, kernel in [((5, 6), (3, 3)), ((4, 4), (3, 5)), ((6, 3), (2, 2))]:
        x, w = rng.standard_normal(shape), rng.standard_normal(kernel)
        a, b = np.asarray(corr(upsample2(x), w)), upsample2(np.asarray(corr(x, w)))
        found |= a.shape != b.shape or np.abs(a - b).max() > 1e-6 * (1 + np.abs(b).max())
    assert found, "no counterexample: corr commutes with upsample2"


def test_stride_breaks_shift(corr_strided):
    rng = np.random.default_rng(0)
    breaks = {(1, 0): False, (0, 1): False}
    for shape, kernel in [((4, 6), (3, 3)), ((6, 8), (2, 5)), ((8, 4), (1, 3)), ((6, 6), (5, 5))]:
        x, w = rng.standard_normal(shape), rng.standard_normal(kernel)
        y = np.asarray(corr_strided(x, w))
        h, v = y.shape
        # 1. a shift by 2 along either axis shifts the output by 1
        for a in range(shape[0] // 2):
            for b in range(shape[1] // 2):
                moved = np.asarray(corr_strided(np.roll(x, (2 * a, 2 * b), axis=(0, 1)), w))
                assert moved.shape == y.shape and np.allclose(moved, np.roll(y, (a, b), axis=(0, 1))), (shape, a, b)
        # 2. for some x, w a shift by 1 (along each axis) is no circular shift of the output
        for d in breaks:
            moved = np.asarray(corr_strided(np.roll(x, d, axis=(0, 1)), w))
            is_a_shift = any(moved.shape == y.shape and np.allclose(moved, np.roll(y, (p, q), axis=(0, 1)))
                             for p in range(h) for q in range(v))
            breaks[d] |= not is_a_shift
    assert all(breaks.values()), f"a shift by 1 always gave a shifted output: {breaks}"


def test_pool_local_invariance(pool):
    rng = np.random.default_rng(0)
    # 1. pool is 2x2 max pooling with stride 2, a leftover row or column dropped
    for H, W in [(2, 2), (2, 5), (3, 4), (5, 5), (6, 7)]:
        x = rng.standard_normal((H, W))
        want = np.array([[x[2 * i:2 * i + 2, 2 * j:2 * j + 2].max() for j in range(W // 2)] for i in range(H // 2)])
        got = np.asarray(pool(x))
        assert got.shape == (H // 2, W // 2) and np.allclose(got, want), (H, W)
    # 2. moving a cell's maximum within its cell, or lowering the cell's other values, changes nothing
    x = rng.uniform(0, 1, (4, 6))
    x[1, 3] = 5.0  # the maximum of cell (0, 1)
    y = np.asarray(pool(x))
    for r, c in [(0, 2), (0, 3), (1, 2)]:
        z = x.copy()
        z[1, 3], z[r, c] = z[r, c], z[1, 3]
        assert np.allclose(pool(z), y), f"moving the maximum to {(r, c)} in its cell changed the output"
    lowered = x.copy()
    lowered[0:2, 2:4] = np.where(lowered[0:2, 2:4] < 5.0, -3.0, 5.0)
    assert np.allclose(pool(lowered), y), "lowering the other values of a cell changed the output"
    # 3. moving it into a neighbouring cell does change it
    z = x.copy()
    z[1, 3], z[1, 4] = z[1, 4], z[1, 3]
    assert not np.allclose(pool(z), y), "moving the maximum into the next cell left the output unchanged"
