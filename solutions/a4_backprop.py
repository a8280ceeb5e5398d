"""A4 reference: backpropagation through every layer, gradient checking, and training a small CNN (numpy only).

Vocabulary: layer tensors are NCHW: x (N, C, H, W), conv weights w (F, C, KH, KW), bias b (F,); dense layers map
x (N, D) with w (D, M), b (M,) to (N, M). Output size along an axis of length n with window k, stride s, pad p:
floor((n + 2*p - k) / s) + 1. A backward function takes (dout, cache) -- dout the gradient of the loss with respect
to the forward output, cache what the forward pass kept -- and returns the gradients in the forward's argument
order. Weight and bias gradients are summed over the batch; losses are means as stated. Outputs are float64;
inputs are never modified.

The forward layers come from the kit: conv_forward from A1 and maxpool_forward / avgpool_forward from A3; their
caches are (x, w, b, stride, pad) and (x, (kh, kw), (sh, sw)).
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np

from solutions.a1_convolution import conv_forward
from solutions.a3_pooling import maxpool_forward
from solutions.common import as_float64, check_stride_pad

# What train_cnn with its defaults must reach on held-out data (graded by the hidden suite, stated in the notebook).
ACCURACY_BAR = 0.9  # chance is 0.25
ORIENTATION_BAR = 0.4  # median orientation_selectivity of the learned first-layer filters

# --- elementwise and dense layers ---------------------------------------------------------------------------------


def relu_forward(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Rectified linear unit, elementwise: out = max(x, 0).

    x (any shape) -> out (same shape); cache = x as a float64 array, for relu_backward.
    """
    x = np.asarray(x, dtype=np.float64)
    return np.maximum(x, 0.0), x


def relu_backward(dout: np.ndarray, cache: np.ndarray) -> np.ndarray:
    """Gradient of ReLU, with the convention ReLU'(0) = 0.

    dout (same shape as x), cache = x -> dx (same shape as x).
    """
    dout, x = np.asarray(dout, dtype=np.float64), np.asarray(cache, dtype=np.float64)
    if dout.shape != x.shape:
        raise ValueError(f"dout must have the shape of x: dout {dout.shape}, x {x.shape}")
    return dout * (x > 0)


def dense_forward(x: np.ndarray, w: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, tuple]:
    """Fully connected (affine) layer: out = x w + b.

    x (N, D), w (D, M), b (M,) -> out (N, M); cache = (x, w, b) as float64 arrays, for dense_backward.
    """
    x, w, b = as_float64(x, "x", 2), as_float64(w, "w", 2), as_float64(b, "b", 1)
    if x.shape[1] != w.shape[0]:
        raise ValueError(f"x has {x.shape[1]} features but w expects {w.shape[0]}: x {x.shape}, w {w.shape}")
    if b.shape != (w.shape[1],):
        raise ValueError(f"b must have shape (M,) = ({w.shape[1]},) for w {w.shape}, got {b.shape}")
    return x @ w + b, (x, w, b)


def dense_backward(dout: np.ndarray, cache: tuple) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Gradients of the dense layer out = x w + b.

    dout (N, M), cache = (x (N, D), w (D, M), b (M,)) -> dx (N, D), dw (D, M), db (M,); dw and db are summed
    over the batch.
    """
    x, w, _ = (np.asarray(a, dtype=np.float64) for a in cache)
    dout = as_float64(dout, "dout", 2)
    if dout.shape != (x.shape[0], w.shape[1]):
        raise ValueError(f"dout must have shape (N, M) = {(x.shape[0], w.shape[1])}, got {dout.shape}")
    return dout @ w.T, x.T @ dout, dout.sum(axis=0)


# --- convolution and pooling layers -------------------------------------------------------------------------------


def conv_backward(dout: np.ndarray, cache: tuple) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Gradients of the convolution layer (a cross-correlation) with any stride and zero padding.

    dout (N, F, H', W'), cache = (x (N, C, H, W), w (F, C, KH, KW), b (F,), stride, pad)
    -> dx (N, C, H, W), dw (F, C, KH, KW), db (F,), with H' = floor((H + 2*pad - KH) / stride) + 1, W' likewise.
    Forward: out[n, f, i, j] = b[f] + sum_{c, p, q} x_pad[n, c, i*stride + p, j*stride + q] w[f, c, p, q]
    (x_pad: x with `pad` zeros around each image). dw and db are summed over the batch; input rows and columns
    the forward pass dropped get zero gradient.
    """
    x, w, _, stride, pad = cache
    x, w = as_float64(x, "x", 4), as_float64(w, "w", 4)
    stride, pad = check_stride_pad(stride, pad)
    (N, C, H, W), (F, C_w, KH, KW) = x.shape, w.shape
    if C_w != C:
        raise ValueError(f"w has {C_w} input channels but x has {C}: x {x.shape}, w {w.shape}")
    Ho, Wo = (H + 2 * pad - KH) // stride + 1, (W + 2 * pad - KW) // stride + 1
    dout = as_float64(dout, "dout", 4)
    if dout.shape != (N, F, Ho, Wo):
        raise ValueError(f"dout must have shape (N, F, H', W') = {(N, F, Ho, Wo)}, got {dout.shape}")
    x_pad = np.pad(x, [(0, 0), (0, 0), (pad, pad), (pad, pad)])
    patches = np.lib.stride_tricks.sliding_window_view(x_pad, (KH, KW), axis=(2, 3))[:, :, ::stride, ::stride]
    # patches[n, c, i, j] is the (KH, KW) patch of channel c that out[n, :, i, j] read. As matrices (im2col):
    # x_cols[(c, p, q), (n, i, j)] = x_pad[n, c, i*stride + p, j*stride + q], dout_f[f, (n, i, j)] = dout[n, f, i, j]
    x_cols = patches.transpose(1, 4, 5, 0, 2, 3).reshape(C * KH * KW, N * Ho * Wo)
    dout_f = dout.transpose(1, 0, 2, 3).reshape(F, N * Ho * Wo)
    dw = (dout_f @ x_cols.T).reshape(F, C, KH, KW)
    db = dout.sum(axis=(0, 2, 3))
    # dcols[c, p, q, n, i, j] = sum_f w[f, c, p, q] dout[n, f, i, j]: what each patch sends back (col2im scatters it)
    dcols = (w.reshape(F, C * KH * KW).T @ dout_f).reshape(C, KH, KW, N, Ho, Wo)
    dx_pad = np.zeros_like(x_pad)
    for p in range(KH):
        for q in range(KW):
            rows, cols = slice(p, p + stride * Ho, stride), slice(q, q + stride * Wo, stride)
            dx_pad[:, :, rows, cols] += dcols[:, p, q].transpose(1, 0, 2, 3)
    return dx_pad[:, :, pad : pad + H, pad : pad + W], dw, db


def maxpool_backward(dout: np.ndarray, cache: tuple) -> np.ndarray:
    """Gradient of max pooling, for the cache of maxpool_forward.

    dout (N, C, H', W'), cache = (x (N, C, H, W), (kh, kw), (sh, sw)) -> dx (N, C, H, W),
    H' = floor((H - kh) / sh) + 1, W' likewise. Windows may overlap (stride < size). Ties: the gradient goes to the
    first maximum in row-major order of the window.
    """
    x, (kh, kw), (sh, sw) = cache
    x, dout = as_float64(x, "x", 4), as_float64(dout, "dout", 4)
    N, C, H, W = x.shape
    Ho, Wo = (H - kh) // sh + 1, (W - kw) // sw + 1
    if dout.shape != (N, C, Ho, Wo):
        raise ValueError(f"dout must have shape (N, C, H', W') = {(N, C, Ho, Wo)}, got {dout.shape}")
    view = np.lib.stride_tricks.sliding_window_view(x, (kh, kw), axis=(2, 3))  # every (kh, kw) window, stride 1
    windows = view[:, :, ::sh, ::sw]  # (N, C, H', W', kh, kw): the windows the forward pass took the maximum of
    first_max = windows.reshape(N, C, Ho, Wo, kh * kw).argmax(axis=-1)  # (N, C, H', W'), row-major index
    dx = np.zeros_like(x)
    for p in range(kh):
        for q in range(kw):
            rows, cols = slice(p, p + sh * Ho, sh), slice(q, q + sw * Wo, sw)
            dx[:, :, rows, cols] += np.where(first_max == p * kw + q, dout, 0.0)
    return dx


def avgpool_backward(dout: np.ndarray, cache: tuple) -> np.ndarray:
    """Gradient of average pooling, for the cache of avgpool_forward.

    dout (N, C, H', W'), cache = (x (N, C, H, W), (kh, kw), (sh, sw)) -> dx (N, C, H, W),
    H' = floor((H - kh) / sh) + 1, W' likewise. Windows may overlap; some inputs may lie in no window.
    """
    x, (kh, kw), (sh, sw) = cache
    x, dout = as_float64(x, "x", 4), as_float64(dout, "dout", 4)
    N, C, H, W = x.shape
    Ho, Wo = (H - kh) // sh + 1, (W - kw) // sw + 1
    if dout.shape != (N, C, Ho, Wo):
        raise ValueError(f"dout must have shape (N, C, H', W') = {(N, C, Ho, Wo)}, got {dout.shape}")
    share = dout / (kh * kw)
    dx = np.zeros_like(x)
    for p in range(kh):
        for q in range(kw):
            dx[:, :, p : p + sh * Ho : sh, q : q + sw * Wo : sw] += share
    return dx


# --- losses -------------------------------------------------------------------------------------------------------


def mse_loss(pred: np.ndarray, target: np.ndarray) -> tuple[float, np.ndarray]:
    """Mean squared error over all elements: loss = mean((pred - target)^2).

    pred, target (same shape, S elements) -> loss float, dpred (same shape) the gradient of loss w.r.t. pred.
    """
    pred, target = np.asarray(pred, dtype=np.float64), np.asarray(target, dtype=np.float64)
    if pred.shape != target.shape:
        raise ValueError(f"pred and target must have the same shape, got {pred.shape} and {target.shape}")
    if pred.size == 0:
        raise ValueError("pred must not be empty")
    diff = pred - target
    return float(np.mean(diff**2)), 2.0 * diff / diff.size


def softmax_cross_entropy(scores: np.ndarray, y: np.ndarray) -> tuple[float, np.ndarray]:
    """Softmax cross-entropy, averaged over the batch; numerically stable (finite for scores of any size).

    scores (N, M), y (N,) integer labels in [0, M) -> loss float, dscores (N, M) the gradient of the loss:
        p = softmax(scores) row-wise,   loss = -(1/N) sum_n log p[n, y[n]].
    """
    scores, y = as_float64(scores, "scores", 2), np.asarray(y)
    N, M = scores.shape
    if y.shape != (N,) or y.dtype.kind not in "iu":
        raise ValueError(f"y must be an integer array of shape (N,) = ({N},), got {y.dtype} {y.shape}")
    if y.min() < 0 or y.max() >= M:
        raise ValueError(f"labels must lie in [0, {M}) for scores {scores.shape}, got {y.min()}..{y.max()}")
    shifted = scores - scores.max(axis=1, keepdims=True)
    log_p = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    rows = np.arange(N)
    dscores = np.exp(log_p)
    dscores[rows, y] -= 1.0
    return float(-log_p[rows, y].mean()), dscores / N


def l2_penalty(w: np.ndarray, lam: float) -> tuple[float, np.ndarray]:
    """L2 weight penalty ("weight decay"): loss = 0.5 lam sum(w^2), and its gradient.

    w (any shape), lam >= 0 -> loss float, dw (same shape as w) the gradient of loss w.r.t. w.
    """
    w = np.asarray(w, dtype=np.float64)
    return float(0.5 * lam * np.sum(w**2)), lam * w


# --- gradient checking and the update -----------------------------------------------------------------------------


def numerical_gradient(f: Callable[[np.ndarray], float], x: np.ndarray, h: float = 1e-5) -> np.ndarray:
    """Central-difference gradient of a scalar function f at x.

    x (any shape, any numeric dtype), h the step on either side -> grad (same shape, float64), the central
    difference estimate of df/dx_i for every element i. f is called with float64 arrays of x's shape; x is
    unchanged afterwards.
    """
    x_work = np.array(x, dtype=np.float64)  # a copy: the caller's x is never touched
    grad = np.zeros_like(x_work)
    for i in np.ndindex(x_work.shape):
        old = x_work[i]
        x_work[i] = old + h
        f_plus = float(f(x_work))
        x_work[i] = old - h
        f_minus = float(f(x_work))
        x_work[i] = old
        grad[i] = (f_plus - f_minus) / (2 * h)
    return grad


def rel_error(a: np.ndarray, b: np.ndarray) -> float:
    """Relative difference of two arrays: ||a - b|| / (||a|| + ||b||), 0 for two zero arrays.

    About 1e-7 or less: the same up to rounding; above 1e-4: almost surely a bug.
    """
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    scale = np.linalg.norm(a) + np.linalg.norm(b)
    return float(np.linalg.norm(a - b) / scale) if scale > 0 else 0.0


def gradient_check(f: Callable[[np.ndarray], float], x: np.ndarray, analytic: np.ndarray, what: str = "gradient",
                   tol: float = 1e-6) -> float:
    """Compare an analytic gradient of the scalar function f at x with numerical_gradient(f, x).

    Returns their rel_error; raises AssertionError (naming `what`) when the shapes differ or the error exceeds tol.
    """
    numeric = numerical_gradient(f, x)
    if np.shape(analytic) != numeric.shape:
        raise AssertionError(f"{what}: shape {np.shape(analytic)}, expected {numeric.shape}")
    err = rel_error(analytic, numeric)
    if err > tol:
        raise AssertionError(f"{what}: relative error {err:.1e} against the numerical gradient (expected < {tol:g})")
    return err


def sgd_step(params: dict[str, np.ndarray], grads: dict[str, np.ndarray], lr: float) -> dict[str, np.ndarray]:
    """One step of (stochastic) gradient descent with learning rate lr, for every parameter.

    params, grads: dicts name -> array (grads has every name of params, same shapes) -> a new dict of new arrays;
    neither input dict nor any of its arrays is modified.
    """
    missing = sorted(set(params) - set(grads))
    if missing:
        raise ValueError(f"grads lacks a gradient for {missing}")
    new = {}
    for name, p in params.items():
        p, g = np.asarray(p, dtype=np.float64), np.asarray(grads[name], dtype=np.float64)
        if p.shape != g.shape:
            raise ValueError(f"param {name!r} has shape {p.shape} but its gradient {g.shape}")
        new[name] = p - lr * g
    return new


# --- the kit's synthetic data, Gabor filters and the small CNN ----------------------------------------------------


def make_edge_images(
    n: int, size: int = 12, n_classes: int = 4, noise: float = 0.3, seed: int = 0
) -> tuple[np.ndarray, np.ndarray]:
    """Oriented bars in Gaussian noise: class k is a bright bar at angle 180 k / n_classes degrees (+- 10).

    -> X (n, 1, size, size) float64, y (n,) int64 labels in [0, n_classes). Each bar has a Gaussian profile
    (width ~1 pixel), a random offset of up to 2 pixels from the centre across the bar and a random brightness
    in [0.8, 1.2]; noise is the standard deviation of the white Gaussian noise added on top. Seeded: the same
    arguments give the same images.
    """
    rng = np.random.default_rng(seed)
    y = rng.integers(0, n_classes, size=n)
    theta = np.pi * y / n_classes + np.deg2rad(rng.uniform(-10, 10, size=n))
    offset = rng.uniform(-2, 2, size=n)
    brightness = rng.uniform(0.8, 1.2, size=n)
    r, c = np.mgrid[:size, :size] - (size - 1) / 2
    # signed distance of every pixel from the bar's centre line, a line through the centre at angle theta
    dist = r[None] * np.cos(theta)[:, None, None] - c[None] * np.sin(theta)[:, None, None] - offset[:, None, None]
    bars = brightness[:, None, None] * np.exp(-(dist**2) / 2)
    X = bars + noise * rng.standard_normal((n, size, size))
    return X[:, None], y.astype(np.int64)


def gabor_bank(
    size: int = 5, n_orientations: int = 8, wavelengths: tuple[float, ...] = (5.0, 8.0), sigma: float = 2.0
) -> np.ndarray:
    """Oriented Gabor filters, each with zero mean and unit norm: a model of V1 simple cells.

    -> bank (n_orientations * len(wavelengths) * 2, size, size): for every orientation theta = pi k / n_orientations,
    wavelength lam and phase phi in (0, pi/2) (even and odd: bar and edge detectors),
        g(r, c) = exp(-(u^2 + v^2) / (2 sigma^2)) cos(2 pi u / lam + phi),  u = c cos(theta) + r sin(theta),
        v = -c sin(theta) + r cos(theta), with (r, c) measured from the centre of the window.
    """
    r, c = np.mgrid[:size, :size] - (size - 1) / 2
    filters = []
    for k in range(n_orientations):
        theta = np.pi * k / n_orientations
        u, v = c * np.cos(theta) + r * np.sin(theta), -c * np.sin(theta) + r * np.cos(theta)
        for lam in wavelengths:
            for phi in (0.0, np.pi / 2):
                g = np.exp(-(u**2 + v**2) / (2 * sigma**2)) * np.cos(2 * np.pi * u / lam + phi)
                g = g - g.mean()
                filters.append(g / np.linalg.norm(g))
    return np.array(filters)


def _centred_unit(filters: np.ndarray) -> np.ndarray:
    """Filters (F, KH, KW) or (F, 1, KH, KW) as rows (F, KH*KW) with zero mean and unit norm (flat rows stay 0)."""
    f = np.asarray(filters, dtype=np.float64)
    f = f.reshape(f.shape[0], -1)
    f = f - f.mean(axis=1, keepdims=True)
    norms = np.linalg.norm(f, axis=1, keepdims=True)
    return f / np.maximum(norms, 1e-12)


def _explained(f: np.ndarray, basis: np.ndarray) -> np.ndarray:
    """Fraction of each unit row of f that lies in the span of basis (..., P, D) with orthonormal rows."""
    return np.sum(np.einsum("fd,...pd->f...p", f, basis) ** 2, axis=-1)


def _zero_mean_orthonormal(vectors: np.ndarray) -> np.ndarray:
    """An orthonormal basis (..., P, D) of the zero-mean parts of the vectors (..., P, D)."""
    vectors = vectors - vectors.mean(axis=-1, keepdims=True)
    q, _ = np.linalg.qr(np.swapaxes(vectors, -1, -2))
    return np.swapaxes(q, -1, -2)


def _gabor_pairs(
    size: int, n_orientations: int = 16, wavelengths: tuple[float, ...] = (3.0, 4.0, 5.0, 6.0, 8.0),
    sigmas: tuple[float, ...] = (1.0, 1.5, 2.0),
) -> np.ndarray:
    """Even and odd Gabor filters of a grid of shapes, as zero-mean orthonormal pairs (O, L, S, 2, size*size);
    n_orientations is even, so orientation k + O/2 is orientation k turned by 90 degrees."""
    r, c = np.mgrid[:size, :size] - (size - 1) / 2
    pairs = np.empty((n_orientations, len(wavelengths), len(sigmas), 2, size * size))
    for k in range(n_orientations):
        theta = np.pi * k / n_orientations
        u, v = c * np.cos(theta) + r * np.sin(theta), -c * np.sin(theta) + r * np.cos(theta)
        for i, lam in enumerate(wavelengths):
            for j, sigma in enumerate(sigmas):
                envelope = np.exp(-(u**2 + v**2) / (2 * sigma**2))
                pairs[k, i, j] = [(envelope * np.cos(2 * np.pi * u / lam)).ravel(),
                                  (envelope * np.sin(2 * np.pi * u / lam)).ravel()]
    return _zero_mean_orthonormal(pairs)


def plane_fit(filters: np.ndarray) -> np.ndarray:
    """How much of each filter a plane explains: filters (F, K, K) or (F, 1, K, K) -> (F,) in [0, 1], the fraction
    of the variance of the filter (its mean removed) explained by a least-squares fit of a*row + b*column.
    1 for a ramp; 0 for a flat filter and for every filter symmetric under a half turn."""
    f = _centred_unit(filters)
    size = int(round(np.sqrt(f.shape[1])))
    r, c = np.mgrid[:size, :size] - (size - 1) / 2
    return _explained(f, _zero_mean_orthonormal(np.stack([r.ravel(), c.ravel()])))


def orientation_selectivity(filters: np.ndarray) -> np.ndarray:
    """How oriented each filter is: filters (F, K, K) or (F, 1, K, K) -> (F,) in [-1, 1].

    For every Gabor shape of a grid (16 orientations, wavelengths 3 to 8, envelope widths 1 to 2; the best phase
    fitted by least squares) the fraction of the filter's variance (mean removed) that the Gabor explains, minus the
    fraction that the same Gabor turned by 90 degrees explains; the largest such difference. High for an edge, a bar
    or a ramp; near 0 for a flat filter and for a round blob (it fits every orientation alike).
    """
    f = _centred_unit(filters)
    explained = _explained(f, _gabor_pairs(int(round(np.sqrt(f.shape[1])))))  # (F, O, L, S)
    turned = np.roll(explained, explained.shape[1] // 2, axis=1)  # orientation k + O/2: 90 degrees further
    return (explained - turned).reshape(len(f), -1).max(axis=1)


def gabor_likeness(filters: np.ndarray) -> np.ndarray:
    """How Gabor-like each filter is: orientation_selectivity minus plane_fit, clipped at 0 -> (F,) in [0, 1].

    An oriented filter that a plane does not explain: high for Gabor filters (bars, and edges whose wavelength fits
    the window); 0 for ramps (a plane explains them), for round blobs and flat filters (not oriented).
    """
    return np.maximum(orientation_selectivity(filters) - plane_fit(filters), 0.0)


def init_cnn(
    in_shape: tuple[int, int, int], n_classes: int, n_filters: int = 6, kernel_size: int = 5, seed: int = 0
) -> dict[str, np.ndarray]:
    """Random initial parameters of conv (stride 1, pad 0) -> ReLU -> 2x2 max-pool -> dense.

    in_shape = (C, H, W) -> params: w1 (F, C, K, K), b1 (F,) zeros, w2 (D, n_classes), b2 (n_classes,) zeros,
    D = F * floor((H - K + 1) / 2) * floor((W - K + 1) / 2). Weights are Gaussian: w2 with standard deviation
    sqrt(2 / D) (He initialisation), w1 ten times smaller, 0.1 sqrt(2 / (C K K)), so that the filters' structure
    comes from learning rather than from the initial noise. Seeded: the same arguments give the same params.
    """
    C, H, W = in_shape
    F, K = n_filters, kernel_size
    D = F * ((H - K + 1) // 2) * ((W - K + 1) // 2)
    rng = np.random.default_rng(seed)
    return {
        "w1": rng.standard_normal((F, C, K, K)) * 0.1 * math.sqrt(2.0 / (C * K * K)),
        "b1": np.zeros(F),
        "w2": rng.standard_normal((D, n_classes)) * math.sqrt(2.0 / D),
        "b2": np.zeros(n_classes),
    }


def cnn_scores(params: dict[str, np.ndarray], X: np.ndarray) -> np.ndarray:
    """Class scores of the small CNN (forward pass only): conv -> ReLU -> 2x2 max-pool -> flatten -> dense.

    X (N, C, H, W), params as made by init_cnn -> scores (N, n_classes).
    """
    conv, _ = conv_forward(X, params["w1"], params["b1"])
    pooled, _ = maxpool_forward(np.maximum(conv, 0.0), 2)
    return pooled.reshape(len(pooled), -1) @ params["w2"] + params["b2"]


def accuracy(params: dict[str, np.ndarray], X: np.ndarray, y: np.ndarray) -> float:
    """Fraction of the images of X whose highest-scoring class is their label y."""
    return float(np.mean(cnn_scores(params, X).argmax(axis=1) == np.asarray(y)))


def cnn_loss(
    params: dict[str, np.ndarray], X: np.ndarray, y: np.ndarray, lam: float = 0.0
) -> tuple[float, dict[str, np.ndarray]]:
    """Loss and gradients of the small CNN: conv -> ReLU -> 2x2 max-pool -> flatten -> dense -> softmax CE, + L2.

    X (N, C, H, W), y (N,) labels, params w1 (F, C, K, K), b1 (F,), w2 (D, M), b2 (M,) ->
    loss = softmax_cross_entropy(scores, y) + 0.5 lam (sum w1^2 + sum w2^2)   (no penalty on the biases),
    grads: dict with the same names and shapes as params. The conv layer has stride 1 and no padding; the
    pooled maps (N, F, H'', W'') are flattened in C order to (N, D).
    """
    conv, conv_cache = conv_forward(X, params["w1"], params["b1"])
    hidden, relu_cache = relu_forward(conv)
    pooled, pool_cache = maxpool_forward(hidden, 2)
    scores, dense_cache = dense_forward(pooled.reshape(len(pooled), -1), params["w2"], params["b2"])
    data_loss, dscores = softmax_cross_entropy(scores, y)
    penalty1, dpenalty1 = l2_penalty(params["w1"], lam)
    penalty2, dpenalty2 = l2_penalty(params["w2"], lam)

    dflat, dw2, db2 = dense_backward(dscores, dense_cache)
    dhidden = maxpool_backward(dflat.reshape(pooled.shape), pool_cache)
    dconv = relu_backward(dhidden, relu_cache)
    _, dw1, db1 = conv_backward(dconv, conv_cache)
    grads = {"w1": dw1 + dpenalty1, "b1": db1, "w2": dw2 + dpenalty2, "b2": db2}
    return data_loss + penalty1 + penalty2, grads


def train_cnn(
    X: np.ndarray,
    y: np.ndarray,
    n_filters: int = 6,
    kernel_size: int = 5,
    lr: float = 0.1,
    lam: float = 0.03,
    epochs: int = 8,
    batch_size: int = 20,
    seed: int = 0,
) -> tuple[dict[str, np.ndarray], np.ndarray]:
    """Train the small CNN of cnn_loss with minibatch SGD; returns (params, losses).

    X (N, C, H, W), y (N,) labels in [0, M) with M = y.max() + 1 ->
    params (as init_cnn makes them), losses (epochs * ceil(N / batch_size),): the minibatch loss (with the L2
    term) before each step. The contract (the notebook states it in full): start from init_cnn with `seed`;
    shuffle with one generator np.random.default_rng(seed + 1), made once, a new order of all N images per
    epoch; batches of batch_size consecutive images of that order (the last one may be smaller); one SGD step
    with learning rate lr on each batch's loss with penalty lam.
    """
    X, y = as_float64(X, "X", 4), np.asarray(y)
    if y.shape != (len(X),):
        raise ValueError(f"y must have shape (N,) = ({len(X)},), got {y.shape}")
    params = init_cnn(X.shape[1:], int(y.max()) + 1, n_filters, kernel_size, seed)
    rng = np.random.default_rng(seed + 1)
    losses = []
    for _ in range(epochs):
        order = rng.permutation(len(X))
        for start in range(0, len(X), batch_size):
            batch = order[start : start + batch_size]
            loss, grads = cnn_loss(params, X[batch], y[batch], lam)
            params = sgd_step(params, grads, lr)
            losses.append(loss)
    return params, np.array(losses)
