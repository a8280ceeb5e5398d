"""A1 mutants: typical student bugs, as edits of the reference solution cells; each must lose points."""

from course.mutation import Mutant

_OUTPUT_SIZE = "return (n + 2 * pad - k) // stride + 1"
_FLIPPED_2D = 'as_float64(w, "w", 2)[::-1, ::-1]'
_GD_BIAS_STEP = "b = b + lr * (2 / T) * np.sum(e)"


def _proof(name: str, body: str) -> Mutant:
    """A weak student proof: the whole cell is `def test_stride_is_downsampling(corr1d) -> None:` + body."""
    return Mutant(name, "test_stride_is_downsampling", code="def test_stride_is_downsampling(corr1d) -> None:\n" + body)


_WEAK_PROOF = '''    x, w = np.arange(10.0), np.array([1.0, 2.0, 3.0])
    assert np.allclose(corr1d(x, w, stride=2), corr1d(x, w)[::2])
'''

_SHAPES_ONLY_PROOF = '''    rng = np.random.default_rng(0)
    for N, M in [(12, 3), (13, 4)]:
        x, w = rng.standard_normal(N), rng.standard_normal(M)
        for s in (1, 2, 3):
            assert np.shape(corr1d(x, w, stride=s)) == np.shape(corr1d(x, w)[::s])
'''

_STRIDE_1_PROOF = '''    x, w = np.random.default_rng(0).standard_normal(12), np.array([1.0, -1.0, 2.0])
    assert np.allclose(corr1d(x, w, stride=1), corr1d(x, w))
'''

MUTANTS = [
    # --- recap: Wiener and gradient descent
    Mutant("FIR taps in reverse order (design matrix not flipped)", "fit_fir_wiener",
           replace=(("sliding_window_view(x, n_taps)[:, ::-1].copy()", "sliding_window_view(x, n_taps).copy()"),)),
    Mutant("Wiener fit with zero history: x padded, sum over every t", "fit_fir_wiener",
           replace=(("sliding_window_view(x, n_taps)", "sliding_window_view(np.pad(x, (n_taps - 1, 0)), n_taps)"),
                    ("target = d[n_taps - 1 :]", "target = d"))),
    Mutant("bias ignored in the Wiener fit", "fit_fir_wiener",
           replace=(("theta = np.linalg.solve(A.T @ A, A.T @ target)\n    return theta[:-1], float(theta[-1])",
                     "w = np.linalg.solve(X.T @ X, X.T @ target)\n    return w, 0.0"),)),
    Mutant("GD gradient missing the factor 2", "fit_fir_gd",
           replace=(("w = w + lr * (2 / T) * (X.T @ e)", "w = w + lr * (1 / T) * (X.T @ e)"),
                    (_GD_BIAS_STEP, "b = b + lr * (1 / T) * np.sum(e)"))),
    Mutant("GD bias never updated", "fit_fir_gd",
           replace=((_GD_BIAS_STEP, "b = b"),)),
    Mutant("GD losses without the loss after the last step", "fit_fir_gd",
           replace=(("losses = np.empty(n_steps + 1)", "losses = np.empty(n_steps)"),
                    ("losses[n_steps] = np.mean((target - X @ w - b) ** 2)", "pass"))),
    # --- 1-D
    Mutant("conv1d kernel not flipped (a cross-correlation)", "conv1d",
           replace=(("@ w[::-1]", "@ w"),)),
    Mutant("conv1d mode='same' centred wrongly for even kernels", "conv1d",
           replace=(("start = (M - 1) // 2", "start = M // 2"),)),
    Mutant("conv1d flips the kernel in place (w[:] = w[::-1])", "conv1d",
           replace=(("    full = np.lib.stride_tricks.sliding_window_view(np.pad(x, M - 1), M) @ w[::-1]",
                     "    w[:] = w[::-1]\n"
                     "    full = np.lib.stride_tricks.sliding_window_view(np.pad(x, M - 1), M) @ w"),)),
    Mutant("conv1d integer truncation (computes in the input dtype)", "conv1d",
           replace=(('x, w = as_float64(x, "x", 1), as_float64(w, "w", 1)', "x, w = np.asarray(x), np.asarray(w)"),)),
    Mutant("corr1d stride ignored", "corr1d",
           replace=(("sliding_window_view(x, len(w))[::stride] @ w", "sliding_window_view(x, len(w)) @ w"),)),
    Mutant("corr1d kernel flipped", "corr1d",
           replace=(("[::stride] @ w", "[::stride] @ w[::-1]"),)),
    Mutant("corr1d output length without + 1", "corr1d",
           replace=(("return np.lib.stride_tricks.sliding_window_view(x, len(w))[::stride] @ w",
                     "n_out = (len(x) - len(w)) // stride\n"
                     "    return np.lib.stride_tricks.sliding_window_view(x, len(w))[::stride][:n_out] @ w"),)),
    # --- output size
    Mutant("output size with ceil instead of floor", "output_size",
           replace=((_OUTPUT_SIZE, "return -(-(n + 2 * pad - k) // stride) + 1"),)),
    Mutant("output size without + 1", "output_size",
           replace=((_OUTPUT_SIZE, "return (n + 2 * pad - k) // stride"),)),
    Mutant("output size with the padding counted once", "output_size",
           replace=((_OUTPUT_SIZE, "return (n + pad - k) // stride + 1"),)),
    # --- 2-D single channel
    Mutant("corr2d H/W swapped (window KW x KH)", "corr2d",
           replace=(("sliding_window_view(x_pad, (KH, KW))", "sliding_window_view(x_pad, (KW, KH))"),
                    ('np.einsum("hwpq,pq->hw", windows, w)', 'np.einsum("hwpq,qp->hw", windows, w)'))),
    Mutant("corr2d stride applied to rows only", "corr2d",
           replace=(("[::stride, ::stride]  #", "[::stride, :]  #"),)),
    Mutant("corr2d padding only at the bottom and right", "corr2d",
           replace=(("x_pad = np.pad(x, pad)", "x_pad = np.pad(x, (0, 2 * pad))"),)),
    Mutant("conv2d kernel flipped on one axis only", "conv2d",
           replace=((_FLIPPED_2D, 'as_float64(w, "w", 2)[::-1, :]'),)),
    Mutant("conv2d kernel not flipped", "conv2d",
           replace=((_FLIPPED_2D, 'as_float64(w, "w", 2)'),)),
    # --- the layer
    Mutant("conv_forward padding on N and C too", "conv_forward",
           replace=(("np.pad(x, ((0, 0), (0, 0), (pad, pad), (pad, pad)))", "np.pad(x, pad)"),)),
    Mutant("conv_forward bias on the wrong axis (out + b)", "conv_forward",
           replace=(("+ b[None, :, None, None]", "+ b"),)),
    Mutant("conv_forward H/W swapped (kernel transposed)", "conv_forward",
           replace=(("(KH, KW), axis=(2, 3)", "(KW, KH), axis=(2, 3)"),
                    ('"nchwpq,fcpq->nfhw"', '"nchwpq,fcqp->nfhw"'))),
    Mutant("conv_forward kernel flipped (a true convolution)", "conv_forward",
           replace=(("windows, w, optimize=True", "windows, w[:, :, ::-1, ::-1], optimize=True"),)),
    Mutant("conv_forward stride ignored", "conv_forward",
           replace=(("[:, :, ::stride, ::stride]", ""),)),
    Mutant("conv_forward integer truncation (output in the input dtype)", "conv_forward",
           replace=(('    x, w, b = as_float64(x, "x", 4)',
                     '    dtype = np.asarray(x).dtype\n    x, w, b = as_float64(x, "x", 4)'),
                    ("return out, (x, w, b, stride, pad)", "return out.astype(dtype), (x, w, b, stride, pad)"))),
    Mutant("conv_forward caches the padded input", "conv_forward",
           replace=(("return out, (x, w, b, stride, pad)", "return out, (x_pad, w, b, stride, pad)"),)),
    # --- counts and receptive field
    Mutant("dense layer with one bias per input", "param_counts",
           replace=(("(n_out if bias else 0)", "(n_in if bias else 0)"),)),
    Mutant("conv parameter count without the input channels", "param_counts",
           replace=(("c_out * c_in * kh * kw", "c_out * kh * kw"),)),
    Mutant("receptive field: a layer's own stride applied to its kernel", "receptive_field",
           replace=(("r += (k - 1) * jump\n        jump *= s", "jump *= s\n        r += (k - 1) * jump"),)),
    Mutant("receptive field: strides ignored", "receptive_field",
           replace=(("jump *= s", "jump *= 1"),)),
    # --- the proof by test
    _proof("proof test: one stride (2) on one length it divides", _WEAK_PROOF),
    _proof("proof test: compares shapes only", _SHAPES_ONLY_PROOF),
    _proof("proof test: tries stride 1 only", _STRIDE_1_PROOF),
]

# Score ranges that say more than "loses some points".
EXPECTED = {
    # a test that cannot tell stride from no stride earns nothing of its 10 points, and loses nothing else
    "proof test: tries stride 1 only": (90, 90),
    # weak tests earn partial credit: some chaffs caught, not all
    "proof test: one stride (2) on one length it divides": (90.5, 99.5),
    "proof test: compares shapes only": (90.5, 99.5),
    # a layer bug that makes most layer outputs wrong loses most of conv_forward's 16 points
    "conv_forward bias on the wrong axis (out + b)": (84, 92),
    "conv_forward kernel flipped (a true convolution)": (84, 92),
}
