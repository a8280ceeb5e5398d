"""A1 reference: from linear filters to convolution layers (numpy only).

Vocabulary: a 1-D signal x has length N, a 1-D kernel w length M; images are (H, W), kernels (KH, KW);
layer tensors are NCHW: x (N, C, H, W), w (F, C, KH, KW), b (F,). Output size along an axis of length n:
floor((n + 2*pad - k) / stride) + 1. Outputs are float64; inputs are never modified.
"""

from __future__ import annotations

import math

import numpy as np

from solutions.common import as_float64, check_fits, check_stride_pad

# --- recap: a linear FIR filter with bias -----------------------------------------------------------------------


def fir_design_matrix(x: np.ndarray, n_taps: int) -> np.ndarray:
    """Delayed copies of x, one row per time step t = n_taps-1 ... N-1.

    x (N,) -> X (N - n_taps + 1, n_taps) with X[i, k] = x[t - k] for t = i + n_taps - 1,
    so that the filter output at time t is (X @ w)[i] = sum_k w[k] * x[t - k].
    """
    x = as_float64(x, "x", 1)
    if not 1 <= n_taps <= len(x):
        raise ValueError(f"n_taps must be between 1 and len(x) = {len(x)}, got {n_taps}")
    return np.lib.stride_tricks.sliding_window_view(x, n_taps)[:, ::-1].copy()


def fit_fir_wiener(x: np.ndarray, d: np.ndarray, n_taps: int) -> tuple[np.ndarray, float]:
    """Least-squares FIR filter with bias (the Wiener solution), by the normal equations.

    x (N,), d (N,) -> w (n_taps,), b float minimising
        J(w, b) = mean_t (d[t] - b - sum_k w[k] * x[t - k])^2   over t = n_taps-1 ... N-1.
    With A = [X, 1] and theta = (w, b): (A^T A) theta = A^T d.
    """
    d = as_float64(d, "d", 1)
    X = fir_design_matrix(x, n_taps)
    if d.shape != np.shape(x):
        raise ValueError(f"x and d must have the same shape, got {np.shape(x)} and {d.shape}")
    A = np.column_stack([X, np.ones(len(X))])
    target = d[n_taps - 1 :]
    theta = np.linalg.solve(A.T @ A, A.T @ target)
    return theta[:-1], float(theta[-1])


def fit_fir_gd(
    x: np.ndarray, d: np.ndarray, n_taps: int, lr: float, n_steps: int
) -> tuple[np.ndarray, float, np.ndarray]:
    """The same cost J(w, b) as `fit_fir_wiener`, minimised by gradient descent from w = 0, b = 0.

    x (N,), d (N,) -> w (n_taps,), b float, losses (n_steps + 1,): losses[i] is J before step i,
    losses[n_steps] is J after the last step. With the error e = d - X w - b (T = len(e) terms):
        dJ/dw = -(2/T) X^T e,   dJ/db = -(2/T) sum(e),   w <- w - lr dJ/dw,   b <- b - lr dJ/db.
    """
    d = as_float64(d, "d", 1)
    X = fir_design_matrix(x, n_taps)
    if d.shape != np.shape(x):
        raise ValueError(f"x and d must have the same shape, got {np.shape(x)} and {d.shape}")
    target = d[n_taps - 1 :]
    T = len(target)
    w, b = np.zeros(n_taps), 0.0
    losses = np.empty(n_steps + 1)
    for step in range(n_steps):
        e = target - X @ w - b
        losses[step] = np.mean(e**2)
        w = w + lr * (2 / T) * (X.T @ e)
        b = b + lr * (2 / T) * np.sum(e)
    losses[n_steps] = np.mean((target - X @ w - b) ** 2)
    return w, float(b), losses


# --- 1-D convolution and cross-correlation ------------------------------------------------------------------------


def conv1d(x: np.ndarray, w: np.ndarray, mode: str = "full") -> np.ndarray:
    """True 1-D convolution s(t) = sum_a x(a) w(t - a), exactly as np.convolve(x, w, mode).

    x (N,), w (M,) -> "full": (N + M - 1,); "same": (max(N, M),), centred on the full output;
    "valid": (max(N, M) - min(N, M) + 1,). Like np.convolve, the shorter array slides over the longer one.
    """
    x, w = as_float64(x, "x", 1), as_float64(w, "w", 1)
    if mode not in ("full", "same", "valid"):
        raise ValueError(f"mode must be 'full', 'same' or 'valid', got {mode!r}")
    if len(w) > len(x):
        x, w = w, x  # convolution commutes; the output sizes are those of np.convolve
    N, M = len(x), len(w)
    full = np.lib.stride_tricks.sliding_window_view(np.pad(x, M - 1), M) @ w[::-1]
    if mode == "full":
        return full
    if mode == "same":
        start = (M - 1) // 2
        return full[start : start + N]
    return full[M - 1 : N]


def corr1d(x: np.ndarray, w: np.ndarray, stride: int = 1) -> np.ndarray:
    """Valid 1-D cross-correlation with stride: s[t] = sum_a x[t*stride + a] w[a].

    x (N,), w (M,) -> s (floor((N - M) / stride) + 1,).
    """
    x, w = as_float64(x, "x", 1), as_float64(w, "w", 1)
    stride, _ = check_stride_pad(stride)
    check_fits(len(x), len(w), 0, f"the signal (x {x.shape}, w {w.shape})")
    return np.lib.stride_tricks.sliding_window_view(x, len(w))[::stride] @ w


def test_stride_is_downsampling(corr1d) -> None:
    """Proof by test: stride s keeps every s-th output, corr1d(x, w, stride=s) == corr1d(x, w)[::s].

    `corr1d` is the implementation under test; the test fails (AssertionError) when the property is broken.
    """
    rng = np.random.default_rng(5)
    for N, M in [(12, 3), (13, 4), (10, 1), (7, 7), (16, 5)]:
        x, w = rng.standard_normal(N), rng.standard_normal(M)
        s1 = np.asarray(corr1d(x, w))
        for stride in (1, 2, 3, 4):
            s = np.asarray(corr1d(x, w, stride=stride))
            assert s.shape == s1[::stride].shape, f"stride {stride}: shape {s.shape}, not {s1[::stride].shape}"
            assert np.allclose(s, s1[::stride]), f"stride {stride}: values differ from the downsampled output"


# --- 2-D: single channel and multi-channel layers -----------------------------------------------------------------


def output_size(n: int, k: int, stride: int = 1, pad: int = 0) -> int:
    """Outputs of a window of size k sliding over n samples with zero padding `pad` on both sides.

    floor((n + 2*pad - k) / stride) + 1; leftover samples that do not fill a window are dropped.
    """
    stride, pad = check_stride_pad(stride, pad)
    if k < 1:
        raise ValueError(f"kernel size must be >= 1, got {k}")
    check_fits(n, k, pad, "the input")
    return (n + 2 * pad - k) // stride + 1


def corr2d(x: np.ndarray, w: np.ndarray, stride: int = 1, pad: int = 0) -> np.ndarray:
    """Single-channel 2-D cross-correlation with zero padding and stride.

    x (H, W), w (KH, KW) -> out (H', W'), H' = floor((H + 2*pad - KH) / stride) + 1, W' likewise;
    out[i, j] = sum_{p, q} x_pad[i*stride + p, j*stride + q] * w[p, q].
    """
    x, w = as_float64(x, "x", 2), as_float64(w, "w", 2)
    stride, pad = check_stride_pad(stride, pad)
    (H, W), (KH, KW) = x.shape, w.shape
    check_fits(H, KH, pad, f"H (x {x.shape}, w {w.shape})")
    check_fits(W, KW, pad, f"W (x {x.shape}, w {w.shape})")
    x_pad = np.pad(x, pad)
    windows = np.lib.stride_tricks.sliding_window_view(x_pad, (KH, KW))[::stride, ::stride]  # (H', W', KH, KW)
    return np.einsum("hwpq,pq->hw", windows, w)


def conv2d(x: np.ndarray, w: np.ndarray, stride: int = 1, pad: int = 0) -> np.ndarray:
    """Single-channel true 2-D convolution s(i, j) = sum_{m, n} x(m, n) w(i - m, j - n), with zero padding and stride.

    x (H, W), w (KH, KW) -> out (H', W') of corr2d's size: only positions where the kernel lies entirely inside the
    padded input, every stride-th one starting with the first.
    """
    w_flipped = as_float64(w, "w", 2)[::-1, ::-1]
    return corr2d(x, w_flipped, stride, pad)


def conv_forward(
    x: np.ndarray, w: np.ndarray, b: np.ndarray, stride: int = 1, pad: int = 0
) -> tuple[np.ndarray, tuple]:
    """Multi-channel convolution layer (a cross-correlation, as in deep-learning libraries).

    x (N, C, H, W), w (F, C, KH, KW), b (F,) -> out (N, F, H', W'),
    H' = floor((H + 2*pad - KH) / stride) + 1, W' likewise;
        out[n, f, i, j] = b[f] + sum_{c, p, q} x_pad[n, c, i*stride + p, j*stride + q] * w[f, c, p, q].
    cache = (x, w, b, stride, pad), x, w, b as float64 arrays, for conv_backward.
    """
    x, w, b = as_float64(x, "x", 4), as_float64(w, "w", 4), as_float64(b, "b", 1)
    stride, pad = check_stride_pad(stride, pad)
    (_, C, H, W), (F, C_w, KH, KW) = x.shape, w.shape
    if C_w != C:
        raise ValueError(f"w has {C_w} input channels but x has {C}: x {x.shape}, w {w.shape}")
    if b.shape != (F,):
        raise ValueError(f"b must have shape (F,) = ({F},) for w {w.shape}, got {b.shape}")
    check_fits(H, KH, pad, f"H (x {x.shape}, w {w.shape})")
    check_fits(W, KW, pad, f"W (x {x.shape}, w {w.shape})")
    x_pad = np.pad(x, ((0, 0), (0, 0), (pad, pad), (pad, pad)))
    windows = np.lib.stride_tricks.sliding_window_view(x_pad, (KH, KW), axis=(2, 3))[:, :, ::stride, ::stride]
    out = np.einsum("nchwpq,fcpq->nfhw", windows, w, optimize=True) + b[None, :, None, None]
    return out, (x, w, b, stride, pad)


# --- sparse connectivity, parameter sharing, receptive fields -----------------------------------------------------


def dense_param_count(in_shape: tuple[int, ...] | int, out_shape: tuple[int, ...] | int, bias: bool = True) -> int:
    """Parameters of a fully connected layer from in_shape to out_shape: every input to every output.

    D = prod(in_shape), M = prod(out_shape) -> D*M weights (+ M biases).
    """
    n_in, n_out = math.prod(np.atleast_1d(in_shape).tolist()), math.prod(np.atleast_1d(out_shape).tolist())
    return n_in * n_out + (n_out if bias else 0)


def conv_param_count(c_in: int, c_out: int, kh: int, kw: int, bias: bool = True) -> int:
    """Parameters of a convolution layer: one (c_in, kh, kw) kernel (+ one bias) per output channel.

    c_out*c_in*kh*kw weights (+ c_out biases), whatever the size of the image.
    """
    return c_out * c_in * kh * kw + (c_out if bias else 0)


def receptive_field(kernel_sizes: list[int], strides: list[int]) -> int:
    """Input extent (1-D) seen by one output unit of a stack of layers (layer l: kernel k_l, stride s_l).

    r = 1 + sum_l (k_l - 1) * prod_{m < l} s_m: each layer widens the field by k_l - 1 steps
    of the spacing ("jump") of its inputs, and strides multiply that spacing.
    """
    if len(kernel_sizes) != len(strides):
        raise ValueError(f"one stride per kernel: {len(kernel_sizes)} kernel sizes, {len(strides)} strides")
    r, jump = 1, 1
    for k, s in zip(kernel_sizes, strides, strict=True):
        r += (k - 1) * jump
        jump *= s
    return r
