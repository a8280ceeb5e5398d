"""A3 reference: pooling — max, average, adaptive, global and cross-channel pooling (numpy only).

Vocabulary: layer tensors are NCHW, x (N, C, H, W); a pooling window is (KH, KW), its stride (SH, SW).
Pooling has no padding; the stride defaults to the window size (windows tile the image). Output size along
an axis of length n: floor((n - k) / s) + 1; leftover rows/columns that do not fill a window are dropped.
Outputs are float64 (integer inputs too); inputs are never modified; no state is kept between calls.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from solutions.common import as_float64, check_fits

# --- given helper -------------------------------------------------------------------------------------------------


def as_pair(value, name: str) -> tuple[int, int]:
    """A window size or stride as the pair (rows, columns) of ints >= 1: 3 -> (3, 3), (2, 3) -> (2, 3).

    Raises ValueError naming `name` unless `value` is a positive integer or a pair of positive integers.
    """
    pair = (value, value) if np.ndim(value) == 0 else tuple(value)
    if len(pair) != 2 or not all(
        isinstance(v, (int, np.integer)) and not isinstance(v, bool) and v >= 1 for v in pair
    ):
        raise ValueError(f"{name} must be a positive integer or a pair of them, got {value!r}")
    return int(pair[0]), int(pair[1])


# --- pooling with a sliding window --------------------------------------------------------------------------------


def maxpool_forward(x: np.ndarray, size=2, stride=None) -> tuple[np.ndarray, tuple]:
    """Max pooling: the maximum of each (KH, KW) window, windows `stride` apart, no padding.

    x (N, C, H, W) -> out (N, C, H', W'), H' = floor((H - KH) / SH) + 1, W' = floor((W - KW) / SW) + 1;
        out[n, c, i, j] = max_{p < KH, q < KW} x[n, c, i*SH + p, j*SW + q].
    size: int or (KH, KW); stride: int or (SH, SW), None means stride = size.
    cache = (x, (KH, KW), (SH, SW)), x as a float64 array, for maxpool_backward.
    """
    x = as_float64(x, "x", 4)
    kh, kw = as_pair(size, "size")
    sh, sw = as_pair((kh, kw) if stride is None else stride, "stride")
    check_fits(x.shape[2], kh, 0, f"H (x {x.shape}, window ({kh}, {kw}))")
    check_fits(x.shape[3], kw, 0, f"W (x {x.shape}, window ({kh}, {kw}))")
    windows = np.lib.stride_tricks.sliding_window_view(x, (kh, kw), axis=(2, 3))[:, :, ::sh, ::sw]
    out = windows.max(axis=(4, 5))  # windows: (N, C, H', W', KH, KW)
    return out, (x, (kh, kw), (sh, sw))


def avgpool_forward(x: np.ndarray, size=2, stride=None) -> tuple[np.ndarray, tuple]:
    """Average pooling: the mean of each (KH, KW) window, windows `stride` apart, no padding.

    x (N, C, H, W) -> out (N, C, H', W'), H' = floor((H - KH) / SH) + 1, W' = floor((W - KW) / SW) + 1;
        out[n, c, i, j] = 1/(KH*KW) * sum_{p < KH, q < KW} x[n, c, i*SH + p, j*SW + q].
    size: int or (KH, KW); stride: int or (SH, SW), None means stride = size.
    cache = (x, (KH, KW), (SH, SW)), x as a float64 array, for avgpool_backward.
    """
    x = as_float64(x, "x", 4)
    kh, kw = as_pair(size, "size")
    sh, sw = as_pair((kh, kw) if stride is None else stride, "stride")
    check_fits(x.shape[2], kh, 0, f"H (x {x.shape}, window ({kh}, {kw}))")
    check_fits(x.shape[3], kw, 0, f"W (x {x.shape}, window ({kh}, {kw}))")
    windows = np.lib.stride_tricks.sliding_window_view(x, (kh, kw), axis=(2, 3))[:, :, ::sh, ::sw]
    out = windows.mean(axis=(4, 5))  # windows: (N, C, H', W', KH, KW)
    return out, (x, (kh, kw), (sh, sw))


# --- pooling regions sized to the output --------------------------------------------------------------------------


def adaptive_maxpool(x: np.ndarray, out_hw) -> np.ndarray:
    """Max pooling to a fixed output size, whatever the input size (for inputs of variable size).

    x (N, C, H, W), out_hw = (OH, OW) or an int -> out (N, C, OH, OW), needs H >= OH and W >= OW.
    Region i spans rows [floor(i*H/OH), ceil((i+1)*H/OH)), region j columns [floor(j*W/OW), ceil((j+1)*W/OW))
    (the rule of common deep-learning libraries): regions cover the image, may differ in size by one and
    may overlap by one row/column when OH does not divide H.
    """
    x = as_float64(x, "x", 4)
    OH, OW = as_pair(out_hw, "out_hw")
    _, _, H, W = x.shape
    if OH > H or OW > W:
        raise ValueError(f"out_hw {(OH, OW)} is larger than the input: x {x.shape}")

    def region_indices(n: int, n_out: int) -> np.ndarray:
        """(n_out, K) indices of each region, K = largest region; short regions repeat their last index."""
        i = np.arange(n_out)
        start, end = (i * n) // n_out, -((-(i + 1) * n) // n_out)  # floor and ceil in integers
        offsets = np.arange(np.max(end - start))
        return np.minimum(start[:, None] + offsets[None, :], end[:, None] - 1)

    rows, cols = region_indices(H, OH), region_indices(W, OW)  # (OH, KH), (OW, KW)
    regions = x[:, :, rows[:, None, :, None], cols[None, :, None, :]]  # (N, C, OH, OW, KH, KW)
    return regions.max(axis=(4, 5))


def global_avgpool(x: np.ndarray) -> np.ndarray:
    """Global average pooling: the mean of each channel over the whole image.

    x (N, C, H, W) -> out (N, C); out[n, c] = 1/(H*W) * sum_{i, j} x[n, c, i, j].
    """
    x = as_float64(x, "x", 4)
    return x.mean(axis=(2, 3))


# --- pooling over features ----------------------------------------------------------------------------------------


def channel_maxpool(x: np.ndarray, group: int) -> np.ndarray:
    """Max over each block of `group` consecutive channels (e.g. detectors of one edge at several rotations).

    x (N, C, H, W) -> out (N, C/group, H, W); out[n, g, i, j] = max_{k < group} x[n, g*group + k, i, j].
    C must be a multiple of group.
    """
    x = as_float64(x, "x", 4)
    N, C, H, W = x.shape
    if isinstance(group, bool) or not isinstance(group, (int, np.integer)) or group < 1 or C % group:
        raise ValueError(f"group must be a positive integer dividing C = {C} (x {x.shape}), got {group!r}")
    return x.reshape(N, C // group, group, H, W).max(axis=2)


# --- invariance, measured -----------------------------------------------------------------------------------------


def shift_invariance(pool: Callable, x: np.ndarray, shift: int = 1) -> float:
    """Fraction of the outputs of `pool` left unchanged when x is circularly shifted by `shift` along W.

    pool: a function of arrays, x -> out (e.g. lambda x: maxpool_forward(x, 2)[0]); x (..., W).
    Returns the fraction of entries k with pool(x)[k] == pool(shifted x)[k], in [0, 1]: 1.0 means fully invariant.
    The shapes of the two outputs must agree (ValueError otherwise).
    """
    x = np.asarray(x)
    before = np.asarray(pool(x))
    after = np.asarray(pool(np.roll(x, shift, axis=-1)))
    if before.shape != after.shape:
        raise ValueError(f"pool gives shape {before.shape} for x and {after.shape} for the shifted x")
    return float(np.mean(before == after))
