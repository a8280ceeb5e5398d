"""A2 mutants: typical bugs in circular_corr2d / equivariance_error, and weak student-written test suites.

A weak test replaces the whole cell of one of the six student tests; EXPECTED pins the score the submission
deserves (the reference earns 100, so a weak test of part P earns 100 - points(P) + what the weak test earns).
Points per part: circular_corr2d 15, equivariance_error 10, test_shift_equivariance 15,
test_rotation_counterexample 10, test_rotated_kernel 15, test_scaling_counterexample 10,
test_stride_breaks_shift 15, test_pool_local_invariance 10.
"""

from course.mutation import Mutant


def _weak(cell: str, name: str, body: str) -> Mutant:
    """A student test of cell `cell` whose whole code is `def cell(arg):` + body."""
    arg = {"test_shift_equivariance": "layer", "test_stride_breaks_shift": "corr_strided",
           "test_pool_local_invariance": "pool"}.get(cell, "corr")
    return Mutant(name, cell, code=f"def {cell}({arg}):\n" + body)


# --- weak tests of the shift claim (15 points) -------------------------------------------------------------------
_SHIFT_VACUOUS = """    layer(np.zeros((4, 4)))
"""
_SHIFT_SHAPES = """    x = np.random.default_rng(0).standard_normal((6, 5))
    assert np.shape(layer(x)) == x.shape
"""
_SHIFT_EXACT = """    x = np.random.default_rng(0).standard_normal((6, 5))
    for dy in range(6):
        for dx in range(5):
            assert np.array_equal(layer(shift(x, dy, dx)), shift(layer(x), dy, dx))
"""
_SHIFT_ONE = """    x = np.random.default_rng(0).standard_normal((6, 5))
    assert np.allclose(layer(shift(x, 1, 0)), shift(layer(x), 1, 0))
"""
_SHIFT_ALONG_W = """    x = np.random.default_rng(0).standard_normal((6, 5))
    for dx in range(5):
        assert np.allclose(layer(shift(x, 0, dx)), shift(layer(x), 0, dx))
"""
_SHIFT_EVEN = """    x = np.random.default_rng(0).standard_normal((6, 8))
    for dy in (0, 2, 4):
        for dx in (0, 2, 4, 6):
            assert np.allclose(layer(shift(x, dy, dx)), shift(layer(x), dy, dx))
"""
_SHIFT_ZERO_BORDER = """    x = np.zeros((10, 10))
    x[3:7, 3:7] = np.random.default_rng(0).standard_normal((4, 4))
    for dy, dx in [(1, 0), (0, 1), (-1, 1)]:
        assert np.allclose(layer(shift(x, dy, dx)), shift(layer(x), dy, dx))
"""

# --- weak tests of the rotation counterexample (10 points) -------------------------------------------------------
_ROT_VACUOUS = """    corr(np.ones((3, 3)), np.ones((3, 3)))
"""
_ROT_SHAPES = """    x, w = np.random.default_rng(0).standard_normal((5, 6)), np.ones((3, 3))
    assert np.shape(corr(rot90(x), w)) == np.shape(rot90(corr(x, w)))
"""
_ROT_SYMMETRIC_KERNEL = """    x = np.random.default_rng(0).standard_normal((5, 6))
    assert not np.allclose(corr(rot90(x), np.ones((3, 3))), rot90(corr(x, np.ones((3, 3)))))
"""
_ROT_EXACT = """    rng = np.random.default_rng(0)
    x, w = rng.standard_normal((5, 6)), rng.standard_normal((3, 3))
    assert not np.array_equal(corr(rot90(x), w), rot90(corr(x, w)))
"""

# --- weak tests of the rotated-kernel claim (15 points) ----------------------------------------------------------
_ROTK_VACUOUS = """    pass
"""
_ROTK_ONES = """    x = np.random.default_rng(0).standard_normal((5, 5))
    w = np.ones((3, 3))
    assert np.allclose(corr(rot90(x), rot90(w)), rot90(corr(x, w)))
"""
_ROTK_SQUARE = """    rng = np.random.default_rng(0)
    x, w = rng.standard_normal((6, 6)), rng.standard_normal((3, 3))
    assert np.allclose(corr(rot90(x), rot90(w)), rot90(corr(x, w)))
"""
_ROTK_EVEN_KERNEL = """    rng = np.random.default_rng(0)
    x, w = rng.standard_normal((5, 7)), rng.standard_normal((2, 4))
    assert np.allclose(corr(rot90(x), rot90(w)), rot90(corr(x, w)))
"""
_ROTK_ORACLE = """    rng = np.random.default_rng(0)
    x, w = rng.standard_normal((5, 7)), rng.standard_normal((3, 5))
    assert np.allclose(corr(x, w), circular_corr2d(x, w))
"""

# --- weak tests of the scaling counterexample (10 points) --------------------------------------------------------
_SCALE_VACUOUS = """    corr(np.ones((2, 2)), np.ones((1, 1)))
"""
_SCALE_ONE_TAP = """    x = np.random.default_rng(0).standard_normal((4, 5))
    assert equivariance_error(lambda z: corr(z, np.array([[2.0]])), upsample2, x) > 1e-6
"""
_SCALE_CONSTANT_IMAGE = """    w = np.random.default_rng(0).standard_normal((3, 3))
    assert equivariance_error(lambda z: corr(z, w), upsample2, np.ones((4, 4))) > 1e-6
"""
_SCALE_EXACT = """    rng = np.random.default_rng(0)
    x, w = rng.standard_normal((4, 5)), rng.standard_normal((3, 3))
    assert not np.array_equal(corr(upsample2(x), w), upsample2(corr(x, w)))
"""

# --- weak tests of the stride claim (15 points) ------------------------------------------------------------------
_STRIDE_VACUOUS = """    corr_strided(np.ones((4, 4)), np.ones((3, 3)))
"""
_STRIDE_SHAPES = """    x, w = np.random.default_rng(0).standard_normal((6, 8)), np.ones((3, 3))
    assert np.shape(corr_strided(x, w)) == (3, 4)
"""
_STRIDE_BY_2_ONLY = """    rng = np.random.default_rng(0)
    x, w = rng.standard_normal((6, 8)), rng.standard_normal((3, 3))
    y = corr_strided(x, w)
    for dy, dx in [(2, 0), (0, 2)]:
        assert np.allclose(corr_strided(shift(x, dy, dx), w), shift(y, dy // 2, dx // 2))
"""
_STRIDE_ONE_AXIS = """    rng = np.random.default_rng(0)
    x, w = rng.standard_normal((6, 8)), rng.standard_normal((3, 3))
    y = corr_strided(x, w)
    for dy, dx in [(2, 0), (0, 2)]:
        assert np.allclose(corr_strided(shift(x, dy, dx), w), shift(y, dy // 2, dx // 2))
    moved = corr_strided(shift(x, 1, 0), w)
    assert not any(np.allclose(moved, shift(y, a, b)) for a in range(3) for b in range(4))
"""
_STRIDE_ORACLE = """    rng = np.random.default_rng(0)
    x, w = rng.standard_normal((6, 8)), rng.standard_normal((3, 3))
    assert np.allclose(corr_strided(x, w), circular_corr2d(x, w)[::2, ::2])
"""

# --- weak tests of the pooling claim (10 points) -----------------------------------------------------------------
_POOL_VACUOUS = """    pool(np.ones((4, 4)))
"""
_POOL_SHAPES = """    assert np.shape(pool(np.random.default_rng(0).standard_normal((6, 8)))) == (3, 4)
"""
_POOL_FIXED_VALUES = """    x = np.arange(16.0).reshape(4, 4)
    assert np.allclose(pool(x), [[5.0, 7.0], [13.0, 15.0]])
"""
_POOL_PEAK_IN_CELL = """    outputs = []
    for r, c in [(2, 2), (2, 3), (3, 2), (3, 3)]:
        x = np.zeros((6, 6))
        x[r, c] = 1.0
        outputs.append(pool(x))
    for out in outputs[1:]:
        assert np.allclose(out, outputs[0])
"""

MUTANTS = [
    # --- circular_corr2d
    Mutant("kernel flipped (a convolution)", "circular_corr2d",
           replace=(('np.einsum("ijab,ab->ij", patches, w)', 'np.einsum("ijab,ab->ij", patches, w[::-1, ::-1])'),)),
    Mutant("zero padding instead of a periodic boundary", "circular_corr2d",
           replace=(("    patches = x[rows[:, None, :, None], cols[None, :, None, :]]  # (H, W, KH, KW)\n",
                     "    r0 = np.arange(H)[:, None] + np.arange(KH)[None, :] - KH // 2\n"
                     "    c0 = np.arange(W)[:, None] + np.arange(KW)[None, :] - KW // 2\n"
                     "    inside = ((r0 >= 0) & (r0 < H))[:, None, :, None]\n"
                     "    inside = inside & ((c0 >= 0) & (c0 < W))[None, :, None, :]\n"
                     "    patches = np.where(inside, x[rows[:, None, :, None], cols[None, :, None, :]], 0.0)\n"),)),
    Mutant("kernel anchored at its top-left tap, not centred", "circular_corr2d",
           replace=(("np.arange(KH)[None, :] - KH // 2)", "np.arange(KH)[None, :])"),
                    ("np.arange(KW)[None, :] - KW // 2)", "np.arange(KW)[None, :])"))),
    Mutant("centre (K - 1) // 2: wrong for even kernels", "circular_corr2d",
           replace=(("- KH // 2)", "- (KH - 1) // 2)"), ("- KW // 2)", "- (KW - 1) // 2)"))),
    Mutant("columns wrapped with period H", "circular_corr2d",
           replace=(("- KW // 2) % W", "- KW // 2) % H"),)),
    Mutant("kernel transposed", "circular_corr2d",
           replace=(('np.einsum("ijab,ab->ij", patches, w)', 'np.einsum("ijab,ba->ij", patches, w)'),)),
    Mutant("integer arithmetic: no conversion to float64", "circular_corr2d",
           replace=(('x, w = as_float64(x, "x", 2), as_float64(w, "w", 2)', "x, w = np.asarray(x), np.asarray(w)"),)),
    Mutant("x zeroed in place after use", "circular_corr2d",
           replace=(('    return np.einsum("ijab,ab->ij", patches, w)',
                     '    y = np.einsum("ijab,ab->ij", patches, w)\n    x[...] = 0.0\n    return y'),)),
    # --- equivariance_error
    Mutant("no absolute value", "equivariance_error",
           replace=(("np.max(np.abs(fg - gf))", "np.max(fg - gf)"),)),
    Mutant("mean instead of max", "equivariance_error",
           replace=(("np.max(np.abs(fg - gf))", "np.mean(np.abs(fg - gf))"),)),
    Mutant("shapes compared by rank only (broadcasting hides the rest)", "equivariance_error",
           replace=(("if fg.shape != gf.shape:", "if fg.ndim != gf.ndim:"),)),
    Mutant("0.0 instead of inf for different shapes", "equivariance_error",
           replace=(("        return np.inf", "        return 0.0"),)),
    Mutant("invariance instead of equivariance: f(g(x)) vs f(x)", "equivariance_error",
           replace=(("gf = np.asarray(g(f(x)), dtype=np.float64)", "gf = np.asarray(f(x), dtype=np.float64)"),)),
    Mutant("returns the array of differences, not its max", "equivariance_error",
           replace=(("return float(np.max(np.abs(fg - gf)))", "return np.abs(fg - gf)"),)),
    # --- weak student tests
    _weak("test_shift_equivariance", "shift test: vacuous (asserts nothing)", _SHIFT_VACUOUS),
    _weak("test_shift_equivariance", "shift test: shapes only", _SHIFT_SHAPES),
    _weak("test_shift_equivariance", "shift test: exact == on floats", _SHIFT_EXACT),
    _weak("test_shift_equivariance", "shift test: a single shift (1, 0)", _SHIFT_ONE),
    _weak("test_shift_equivariance", "shift test: shifts along W only", _SHIFT_ALONG_W),
    _weak("test_shift_equivariance", "shift test: even shifts only", _SHIFT_EVEN),
    _weak("test_shift_equivariance", "shift test: image with a zero border (boundary-blind)", _SHIFT_ZERO_BORDER),
    _weak("test_rotation_counterexample", "rotation counterexample: vacuous", _ROT_VACUOUS),
    _weak("test_rotation_counterexample", "rotation counterexample: shapes only", _ROT_SHAPES),
    _weak("test_rotation_counterexample", "rotation counterexample: symmetric kernel", _ROT_SYMMETRIC_KERNEL),
    _weak("test_rotation_counterexample", "rotation counterexample: exact != on floats", _ROT_EXACT),
    _weak("test_rotated_kernel", "rotated kernel: vacuous", _ROTK_VACUOUS),
    _weak("test_rotated_kernel", "rotated kernel: one fixed symmetric kernel", _ROTK_ONES),
    _weak("test_rotated_kernel", "rotated kernel: square image and kernel only", _ROTK_SQUARE),
    _weak("test_rotated_kernel", "rotated kernel: even kernel (outside the claim)", _ROTK_EVEN_KERNEL),
    _weak("test_rotated_kernel", "rotated kernel: compared with circular_corr2d, not the claim", _ROTK_ORACLE),
    _weak("test_scaling_counterexample", "scaling counterexample: vacuous", _SCALE_VACUOUS),
    _weak("test_scaling_counterexample", "scaling counterexample: 1x1 kernel", _SCALE_ONE_TAP),
    _weak("test_scaling_counterexample", "scaling counterexample: constant image", _SCALE_CONSTANT_IMAGE),
    _weak("test_scaling_counterexample", "scaling counterexample: exact != on floats", _SCALE_EXACT),
    _weak("test_stride_breaks_shift", "stride test: vacuous", _STRIDE_VACUOUS),
    _weak("test_stride_breaks_shift", "stride test: shapes only", _STRIDE_SHAPES),
    _weak("test_stride_breaks_shift", "stride test: shifts by 2 only", _STRIDE_BY_2_ONLY),
    _weak("test_stride_breaks_shift", "stride test: shift by 1 along H only", _STRIDE_ONE_AXIS),
    _weak("test_stride_breaks_shift", "stride test: compared with circular_corr2d[::2, ::2]", _STRIDE_ORACLE),
    _weak("test_pool_local_invariance", "pool test: vacuous", _POOL_VACUOUS),
    _weak("test_pool_local_invariance", "pool test: shapes only", _POOL_SHAPES),
    _weak("test_pool_local_invariance", "pool test: one fixed input", _POOL_FIXED_VALUES),
    _weak("test_pool_local_invariance", "pool test: peak moved within a cell only", _POOL_PEAK_IN_CELL),
]

# Scores of the whole submission (reference cells + one weak test). Earning nothing: 100 - the part's points.
# A weak test that fails a correct implementation (exact ==, a claim-less oracle, inputs outside the claim) or
# rejects no wrong one (vacuous, shapes only) earns 0; partial ones earn roughly the share of bugs they can see.
EXPECTED: dict[str, tuple[float, float]] = {
    "shift test: vacuous (asserts nothing)": (85, 85),
    "shift test: shapes only": (85, 85),
    "shift test: exact == on floats": (85, 85),
    "shift test: a single shift (1, 0)": (94, 99),  # misses bugs that only column shifts or squares reveal
    "shift test: shifts along W only": (94, 99.5),  # misses the layer that is periodic along W only
    "shift test: even shifts only": (94, 99.5),  # misses the stride-2-then-upsample layer
    "shift test: image with a zero border (boundary-blind)": (87, 92),  # sees no border bug at all
    "rotation counterexample: vacuous": (90, 90),
    "rotation counterexample: shapes only": (90, 90),
    "rotation counterexample: symmetric kernel": (90, 90),
    "rotation counterexample: exact != on floats": (92, 96),  # rounding noise passes for a counterexample
    "rotated kernel: vacuous": (85, 85),
    "rotated kernel: one fixed symmetric kernel": (89, 94),  # blind to transposed or flipped kernels
    "rotated kernel: square image and kernel only": (94, 99),  # blind to swapped axes
    "rotated kernel: even kernel (outside the claim)": (85, 85),
    "rotated kernel: compared with circular_corr2d, not the claim": (85, 85),
    "scaling counterexample: vacuous": (90, 90),
    "scaling counterexample: 1x1 kernel": (90, 90),
    "scaling counterexample: constant image": (90, 90),
    "scaling counterexample: exact != on floats": (93, 98),
    "stride test: vacuous": (85, 85),
    "stride test: shapes only": (85, 85),
    "stride test: shifts by 2 only": (90, 95),  # half the claim
    "stride test: shift by 1 along H only": (96, 99.5),
    "stride test: compared with circular_corr2d[::2, ::2]": (85, 85),
    "pool test: vacuous": (90, 90),
    "pool test: shapes only": (90, 90),
    "pool test: one fixed input": (95, 99),  # non-negative, even-sized: blind to |x| and ceil mode
    "pool test: peak moved within a cell only": (92, 97),  # tests invariance but not that it is max pooling
}
