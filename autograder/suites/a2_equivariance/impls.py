"""Wheats and chaffs of A2: the implementations the students' tests are judged against (hidden; never released).

For each claimed property, *wheats* are implementations for which the claim holds (a student's test must pass every
one) and *chaffs* are plausible ones for which it fails (a test should fail as many as it can). Every wheat and
chaff of a property reaches the student's test through the same neutral wrapper (`operation`): same signature, same
argument checks and error messages, float64 C-contiguous outputs, no name and no attribute that tells. Only
behaviour differs.

The claims are about families, as the notebook states them, so a test has to check the property itself:
- a layer (H, W) -> (H, W) claimed shift-equivariant;
- `corr(x, w)`: a 'same'-size correlation layer, x (H, W), w (KH, KW) -> (H, W), with a periodic, zero or mirror
  boundary (either mirror: the edge sample repeated or not), flipping its kernel (a convolution) or not; anchor
  (KH//2, KW//2), or any tap for the two counterexample claims, as the notebook states it;
- `corr_strided(x, w)`: a circular correlation (or convolution) layer with stride 2 in both directions, keeping
  either phase of rows and columns (x of even H, W);
- `pool(x)`: 2x2 max pooling with stride 2, leftover rows/columns dropped.
Each claim is a dict of its clauses (name -> the released notebook's words); each chaff names the clause it breaks.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import NamedTuple

import numpy as np

from autograder.judge import Chaff
from solutions.a2_equivariance import upsample2

MAX_VALUES = 10**6  # largest image (or kernel) an operation accepts
MAX_WORK = 4 * 10**6  # largest x.size * w.size a correlation accepts


# --- the neutral wrapper ------------------------------------------------------------------------------------------


def _image(value, name: str, least: int = 1) -> np.ndarray:
    """`value` as a float64 (H, W) array, H, W >= least; ValueError (the same for every implementation) otherwise."""
    try:
        arr = np.asarray(value)
    except Exception:  # ragged lists and the like
        arr = np.asarray(0.0)
    if arr.dtype.kind not in "biuf" or arr.ndim != 2 or min(arr.shape) < least:
        shape = arr.shape if arr.dtype.kind in "biuf" else "not numeric"
        raise ValueError(f"{name} must be a 2-D array of real numbers of at least {least}x{least}, got {shape}")
    if arr.size > MAX_VALUES:
        raise ValueError(f"{name} has {arr.size} values; at most {MAX_VALUES} are accepted")
    return arr.astype(np.float64)


def operation(signature: str, core: Callable, least: int = 1) -> Callable:
    """The function handed to a student's test: checks arguments exactly as every other implementation does.

    signature: "x" (a layer or a pool: one image) or "x, w" (a correlation: image and kernel);
    least: the smallest H and W accepted (2 for a pool).
    """
    names = [n.strip() for n in signature.split(",")]

    def op(*args, **kwargs):
        if kwargs or len(args) != len(names):
            raise TypeError(f"the operation takes {len(names)} positional argument(s): ({signature})")
        arrays = [_image(a, n, least) for a, n in zip(args, names, strict=True)]
        if len(arrays) == 2 and arrays[0].size * arrays[1].size > MAX_WORK:
            raise ValueError(f"x.size * w.size is {arrays[0].size * arrays[1].size}; at most {MAX_WORK}")
        try:
            with np.errstate(all="ignore"):
                out = core(*arrays)
            return np.ascontiguousarray(out, dtype=np.float64)
        except Exception:  # never expected; a neutral message in any case
            shapes = [a.shape for a in arrays]
            raise ValueError(f"the operation cannot be applied to arguments of shapes {shapes}") from None

    return op


# --- building blocks: correlations with every boundary, and their parts ---------------------------------------------


def _anchor(w: np.ndarray) -> tuple[int, int]:
    return w.shape[0] // 2, w.shape[1] // 2


def corr_indexed(x, w, anchor=None, periods=None, out_rows=None, out_cols=None) -> np.ndarray:
    """y[i, j] = sum_{a,b} w[a, b] x[(i + a - c) mod P, (j + b - d) mod Q] (then mod H, mod W), by fancy indexing.

    Correct (circular) with the defaults: anchor (c, d) = (KH//2, KW//2), periods (P, Q) = (H, W), every output.
    """
    (H, W), (KH, KW) = x.shape, w.shape
    c, d = _anchor(w) if anchor is None else anchor
    P, Q = (H, W) if periods is None else periods
    i = np.arange(H) if out_rows is None else out_rows
    j = np.arange(W) if out_cols is None else out_cols
    rows = (i[:, None] + np.arange(KH) - c) % P % H
    cols = (j[:, None] + np.arange(KW) - d) % Q % W
    return np.einsum("ijab,ab->ij", x[rows[:, None, :, None], cols[None, :, None, :]], w)


def corr_gather(x: np.ndarray, w: np.ndarray) -> np.ndarray:
    """Circular correlation: all windows by fancy indexing, then one einsum."""
    return corr_indexed(x, w)


def corr_roll(x: np.ndarray, w: np.ndarray) -> np.ndarray:
    """A sum of shifted copies of x, one per kernel tap."""
    (KH, KW), (c, d) = w.shape, _anchor(w)
    y = np.zeros_like(x)
    for a in range(KH):
        for b in range(KW):
            y += w[a, b] * np.roll(x, (c - a, d - b), axis=(0, 1))
    return y


def _kernel_image(w: np.ndarray, shape: tuple[int, int]) -> np.ndarray:
    """The kernel folded onto a periodic canvas: K[(a - c) mod H, (b - d) mod W] += w[a, b]."""
    (KH, KW), (c, d) = w.shape, _anchor(w)
    a, b = np.meshgrid(np.arange(KH), np.arange(KW), indexing="ij")
    K = np.zeros(shape)
    np.add.at(K, ((a - c) % shape[0], (b - d) % shape[1]), w)
    return K


def corr_fft(x: np.ndarray, w: np.ndarray) -> np.ndarray:
    """The correlation theorem: Y = X * conj(K) (rounding differs from the direct sums by ~1e-16)."""
    K = _kernel_image(w, x.shape)
    return np.real(np.fft.ifft2(np.fft.fft2(x) * np.conj(np.fft.fft2(K))))


def corr_pad(x: np.ndarray, w: np.ndarray, modes: tuple[str, str] = ("wrap", "wrap")) -> np.ndarray:
    """Pad each axis (rows with modes[0], columns with modes[1]), then a valid correlation over sliding windows."""
    (KH, KW), (c, d) = w.shape, _anchor(w)
    xp = np.pad(x, ((c, KH - 1 - c), (0, 0)), mode=modes[0])
    xp = np.pad(xp, ((0, 0), (d, KW - 1 - d)), mode=modes[1])
    windows = np.lib.stride_tricks.sliding_window_view(xp, (KH, KW))
    return np.einsum("ijab,ab->ij", windows, w)


def corr_zero(x: np.ndarray, w: np.ndarray) -> np.ndarray:
    """'same' correlation with zero padding (not periodic)."""
    return corr_pad(x, w, ("constant", "constant"))


def corr_mirror(x: np.ndarray, w: np.ndarray) -> np.ndarray:
    """'same' correlation with mirror padding (np.pad mode "symmetric")."""
    return corr_pad(x, w, ("symmetric", "symmetric"))


def corr_reflect(x: np.ndarray, w: np.ndarray) -> np.ndarray:
    """'same' correlation with the other mirror padding (np.pad mode "reflect": the edge sample is not repeated)."""
    return corr_pad(x, w, ("reflect", "reflect"))


def conv_circular(x: np.ndarray, w: np.ndarray) -> np.ndarray:
    """Circular true convolution: the kernel flipped on both axes."""
    return corr_gather(x, w[::-1, ::-1])


def conv_zero(x: np.ndarray, w: np.ndarray) -> np.ndarray:
    """Zero-padded true convolution."""
    return corr_zero(x, w[::-1, ::-1])


def conv_mirror(x: np.ndarray, w: np.ndarray) -> np.ndarray:
    """Mirror-padded true convolution."""
    return corr_mirror(x, w[::-1, ::-1])


def relu(z: np.ndarray) -> np.ndarray:
    return np.maximum(z, 0.0)


def _fixed(shape: tuple[int, int], seed: int) -> np.ndarray:
    return np.round(np.random.default_rng(seed).standard_normal(shape), 3)


K3, K24, K5, K13, K76 = _fixed((3, 3), 1), _fixed((2, 4), 2), _fixed((5, 5), 3), _fixed((1, 3), 4), _fixed((7, 6), 5)
K3_BORDER = K3 * np.array([[1.0, 0.5, 1.0], [0.5, 1.0, 0.5], [1.0, 0.5, 1.0]])


def _position_ramp(shape: tuple[int, int]) -> np.ndarray:
    i, j = np.indices(shape)
    return 0.1 * np.sin(1.3 * i + 0.7 * j + 0.4)


def _rounding_noise(y: np.ndarray) -> np.ndarray:
    """A position-dependent perturbation ~1e-12 of the output's scale: 'equal up to rounding', not exactly."""
    i, j = np.indices(y.shape)
    return y + 1e-12 * (1 + np.abs(y).max()) * np.sin(i + 2 * j + 0.5)


# --- shift equivariance: layers (H, W) -> (H, W) ------------------------------------------------------------------


def layer_corr3(x):
    return corr_roll(x, K3)


def layer_fft_bias(x):
    return corr_fft(x, K24) + 0.3


def layer_two_stage(x):
    return corr_gather(relu(corr_pad(x, K5) - 0.1), K13)


def layer_max_filter(x):
    return np.max([np.roll(x, (dy, dx), axis=(0, 1)) for dy in (-1, 0, 1) for dx in (-1, 0, 1)], axis=0)


def layer_pointwise(x):
    return np.tanh(2 * x) + x**2


def layer_big_kernel(x):
    return relu(corr_fft(x, K76))


def layer_position_bias(x):
    return corr_roll(x, K3) + _position_ramp(x.shape)


def layer_zero_padding(x):
    return corr_zero(x, K3)


def layer_border_kernel(x):
    y = corr_roll(x, K3)
    border = corr_roll(x, K3_BORDER)
    y[-1, :], y[:, -1] = border[-1, :], border[:, -1]
    return y


def layer_flat_roll(x):
    W, (c, d) = x.shape[1], _anchor(K3)
    y = np.zeros_like(x)
    for a in range(3):
        for b in range(3):
            y += K3[a, b] * np.roll(x, (c - a) * W + (d - b))  # no axis: wraps into the next row
    return y


def layer_stride_up(x):
    H, W = x.shape
    return upsample2(corr_roll(x, K3)[::2, ::2])[:H, :W]


def layer_wrap_columns_only(x):
    return corr_pad(x, K3, ("constant", "wrap"))


def layer_reflect_padding(x):
    return corr_mirror(x, K3)


def layer_period_h(x):
    """Columns wrapped with period H: right on square images only."""
    return corr_indexed(x, K3, periods=(x.shape[0], x.shape[0]))


def layer_slope_per_pixel(x):
    """A leaky ReLU on the input whose slope for negative values is a parameter per pixel: fine for x >= 0."""
    i, j = np.indices(x.shape)
    return corr_roll(relu(x) + (0.2 + 0.1 * ((i + 2 * j) % 3)) * np.minimum(x, 0.0), K3)


# --- rotation and scaling: correlations corr(x, w) ----------------------------------------------------------------


def _centred_square(w: np.ndarray) -> np.ndarray:
    """w embedded in an odd square S x S with its anchor (KH//2, KW//2) at the centre: same correlation."""
    (KH, KW), (c, d) = w.shape, _anchor(w)
    r = max(c, KH - 1 - c, d, KW - 1 - d)
    S = np.zeros((2 * r + 1, 2 * r + 1))
    S[r - c : r - c + KH, r - d : r - d + KW] = w
    return S


def _rotation_average(w: np.ndarray, mirror: bool = False) -> np.ndarray:
    S = _centred_square(w)
    turns = [np.rot90(S, k) for k in range(4)]
    if mirror:
        turns += [t.T for t in turns]
    return np.mean(turns, axis=0)


ISOTROPIC = np.outer([1.0, 2.0, 1.0], [1.0, 2.0, 1.0]) / 16


def corr_symmetrised(x, w):
    return corr_roll(x, _rotation_average(w))


def corr_centre_tap(x, w):
    c, d = _anchor(w)
    return w[c, d] * x


def corr_isotropic(x, w):
    return corr_gather(x, ISOTROPIC * w.sum())


def corr_symmetrised_rounding(x, w):
    return _rounding_noise(corr_fft(x, _rotation_average(w, mirror=True)))


def corr_global_mean(x, w):
    return np.full(x.shape, x.mean() * w.sum())


def corr_collapsed(x, w):
    return w.sum() * x


def corr_centre_tap_rounding(x, w):
    return _rounding_noise(corr_centre_tap(x, w))


def corr_scale_aware(x, w):
    """Recognises an upsampled image (constant 2x2 blocks) and answers upsample2 of its answer for the small one."""
    H, W = x.shape
    if H % 2 == 0 and W % 2 == 0 and np.array_equal(x, upsample2(x[::2, ::2])):
        return upsample2(corr_scale_aware(x[::2, ::2], w))
    return corr_gather(x, w)


def corr_transposed_kernel(x, w):
    return corr_gather(x, w.T)


def corr_flipped_rows(x, w):
    return corr_gather(x, w[::-1, :])


def corr_top_left(x, w):
    return corr_indexed(x, w, anchor=(0, 0))


def corr_period_h(x, w):
    """Column indices wrapped with period H instead of W (then mod W, so they stay in range)."""
    return corr_indexed(x, w, periods=(x.shape[0], x.shape[0]))


def corr_position_bias(x, w):
    return corr_gather(x, w) + _position_ramp(x.shape)


def corr_wrap_rows_only(x, w):
    return corr_pad(x, w, ("wrap", "constant"))


def corr_swapped_anchor(x, w):
    return corr_indexed(x, w, anchor=(w.shape[1] // 2, w.shape[0] // 2))


def corr_zero_last_tap(x, w):
    """Zero-padded 'same' correlation anchored at the kernel's last tap (KH - 1, KW - 1): a causal filter."""
    (KH, KW) = w.shape
    windows = np.lib.stride_tricks.sliding_window_view(np.pad(x, ((KH - 1, 0), (KW - 1, 0))), (KH, KW))
    return np.einsum("ijab,ab->ij", windows, w)


# --- stride 2: corr_strided(x, w), a circular layer keeping every second row and column ----------------------------


def strided_gather(x, w):
    return corr_gather(x, w)[::2, ::2]


def strided_fft(x, w):
    return corr_fft(x, w)[::2, ::2]


def strided_convolution(x, w):
    return conv_circular(x, w)[::2, ::2]


def strided_odd_phase(x, w):
    """Keeps rows and columns 1, 3, 5, ... (wrapping, so odd sizes give the same shape as phase 0)."""
    return np.roll(corr_roll(x, w), (-1, -1), axis=(0, 1))[::2, ::2]


def strided_direct(x, w):
    """Only the kept outputs are computed: rows 0, 2, 4, ..., columns 1, 3, 5, ... (wrapping)."""
    H, W = x.shape
    return corr_indexed(x, w, out_rows=np.arange(0, H, 2), out_cols=np.arange(1, W + 1, 2))


def _kept_shape(x):
    return (x.shape[0] + 1) // 2, (x.shape[1] + 1) // 2


def strided_cropped(x, w):
    h, w_ = _kept_shape(x)
    return corr_gather(x, w)[:h, :w_]


def strided_rows_only(x, w):
    h, w_ = _kept_shape(x)
    return corr_gather(x, w)[::2, :w_]


def strided_zero_padding(x, w):
    return corr_zero(x, w)[::2, ::2]


def _largest_phase(x, w, rows=(0, 1), cols=(0, 1)):
    """Of the phases (p, q), p in rows, q in cols, of the stride-2 correlation, the one of largest energy."""
    y = corr_gather(x, w)
    phases = [np.roll(y, (-p, -q), axis=(0, 1))[::2, ::2] for p in rows for q in cols]
    return phases[int(np.argmax([np.sum(ph**2) for ph in phases]))]


def strided_adaptive_phase(x, w):
    """Keeps the phase (p, q) of largest energy ("adaptive polyphase sampling"): secretly follows a shift by 1."""
    return _largest_phase(x, w)


def strided_adaptive_columns(x, w):
    """Adaptive phase along W only: follows a shift by 1 along W, not along H."""
    return _largest_phase(x, w, rows=(0,))


def strided_adaptive_rows(x, w):
    """Adaptive phase along H only: follows a shift by 1 along H, not along W."""
    return _largest_phase(x, w, cols=(0,))


def strided_global_average(x, w):
    """The mean of the correlation everywhere: invariant, so every shift 'commutes' trivially."""
    return np.full(_kept_shape(x), corr_gather(x, w).mean())


def strided_position_bias(x, w):
    y = corr_gather(x, w)[::2, ::2]
    return y + _position_ramp(y.shape)


# --- 2x2 max pooling ----------------------------------------------------------------------------------------------


def _cells(x):
    """x cropped to even size, as (H//2, 2, W//2, 2) cells."""
    h, w = x.shape[0] // 2, x.shape[1] // 2
    return x[: 2 * h, : 2 * w].reshape(h, 2, w, 2)


def pool_reshape(x):
    return _cells(x).max(axis=(1, 3))


def pool_slices(x):
    h, w = x.shape[0] // 2, x.shape[1] // 2
    return np.maximum.reduce([x[p : 2 * h : 2, q : 2 * w : 2] for p in (0, 1) for q in (0, 1)])


def pool_windows(x):
    h, w = x.shape[0] // 2, x.shape[1] // 2
    return np.lib.stride_tricks.sliding_window_view(x, (2, 2)).max(axis=(2, 3))[::2, ::2][:h, :w]


def pool_sorted(x):
    c = _cells(x)
    return np.sort(c.transpose(0, 2, 1, 3).reshape(c.shape[0], c.shape[2], 4), axis=-1)[..., -1]


def pool_average(x):
    return _cells(x).mean(axis=(1, 3))


def pool_one_row(x):
    return _cells(x)[:, 0, :, :].max(axis=-1)


def pool_offset_grid(x):
    return pool_reshape(np.roll(x, (-1, -1), axis=(0, 1)))


def pool_abs(x):
    return np.abs(_cells(x)).max(axis=(1, 3))


def pool_overlapping(x):
    h, w = x.shape[0] // 2, x.shape[1] // 2
    padded = np.pad(x, ((0, 1), (0, 1)), mode="edge")
    return np.lib.stride_tricks.sliding_window_view(padded, (3, 3)).max(axis=(2, 3))[::2, ::2][:h, :w]


def pool_global(x):
    return np.full((x.shape[0] // 2, x.shape[1] // 2), x.max())


def pool_ceil(x):
    H, W = x.shape
    padded = np.pad(x, ((0, H % 2), (0, W % 2)), mode="edge")
    return _cells(padded).max(axis=(1, 3))


# --- the catalogue ------------------------------------------------------------------------------------------------


class Property(NamedTuple):
    """A claim a student's test checks: its clauses, the implementations it must accept and those it should reject."""

    signature: str  # "x" or "x, w"
    claim: dict[str, str]  # clause name -> the released notebook's words
    wheats: tuple[tuple[str, Callable], ...]
    chaffs: tuple[Chaff, ...]
    least: int = 1  # smallest H and W an implementation accepts

    def wrapped(self, core: Callable) -> Callable:
        return operation(self.signature, core, self.least)


# section 5's family: periodic, zero or mirror boundary (either mirror), the kernel flipped or not, anchored as stated
SAME_SIZE_CORRS = (
    ("circular correlation, sum of shifted copies", corr_roll),
    ("circular correlation by FFT (rounding differs)", corr_fft),
    ("zero-padded correlation", corr_zero),
    ("mirror-padded correlation", corr_mirror),
    ("mirror-padded correlation, edge not repeated", corr_reflect),
    ("circular convolution (kernel flipped)", conv_circular),
    ("zero-padded convolution", conv_zero),
    ("mirror-padded convolution", conv_mirror),
)
# the counterexample claims (5a, 6) hold wherever the kernel is anchored, and the notebook says so
ANY_ANCHOR_CORRS = SAME_SIZE_CORRS + (
    ("circular correlation anchored at the kernel's top-left tap", corr_top_left),
    ("zero-padded correlation anchored at the kernel's last tap", corr_zero_last_tap),
)
BEYOND_ROUNDING = "a counterexample must differ by far more than rounding, or it proves nothing"

PROPERTIES: dict[str, Property] = {
    "test_shift_equivariance": Property(
        "x",
        claim={"every shift": "layer commutes with every circular shift, for every image"},
        wheats=(
            ("circular correlation, 3x3 kernel", layer_corr3),
            ("circular correlation by FFT, 2x4 kernel, + bias", layer_fft_bias),
            ("5x5 correlation, ReLU, 1x3 correlation", layer_two_stage),
            ("3x3 circular max filter", layer_max_filter),
            ("pointwise tanh(2x) + x^2", layer_pointwise),
            ("ReLU of a 7x6 correlation by FFT", layer_big_kernel),
        ),
        chaffs=(
            Chaff("position-dependent bias", layer_position_bias, "every shift"),
            Chaff("zero-padded 'same' correlation", layer_zero_padding, "every shift"),
            Chaff("kernel changes on the last row and column", layer_border_kernel, "every shift"),
            Chaff("np.roll without axis: wraps into the next row", layer_flat_roll, "every shift"),
            Chaff("stride 2 then nearest upsampling: even shifts only", layer_stride_up, "every shift"),
            Chaff("periodic along W only, zero padding along H", layer_wrap_columns_only, "every shift"),
            Chaff("mirror (symmetric) padding", layer_reflect_padding, "every shift"),
            Chaff("columns wrapped with period H: right on square images", layer_period_h, "every shift"),
            Chaff("per-pixel slope for negative inputs: right for x >= 0", layer_slope_per_pixel, "every shift"),
        ),
    ),
    "test_rotation_counterexample": Property(
        "x, w",
        claim={"a counterexample": "Correlation is not equivariant to rotation: there are an image x and a kernel w",
               "beyond rounding": BEYOND_ROUNDING},
        wheats=ANY_ANCHOR_CORRS,
        chaffs=(
            Chaff("kernel averaged over its 4 rotations", corr_symmetrised, "a counterexample"),
            Chaff("centre tap of the kernel only", corr_centre_tap, "a counterexample"),
            Chaff("fixed isotropic blur times sum(w)", corr_isotropic, "a counterexample"),
            Chaff("kernel averaged over 8 rotations/mirrors, + 1e-12 noise", corr_symmetrised_rounding,
                  "beyond rounding"),
            Chaff("global mean times sum(w)", corr_global_mean, "a counterexample"),
        ),
    ),
    "test_rotated_kernel": Property(
        "x, w",
        claim={"rotated kernel": "For every image x and every kernel w of odd size"},
        wheats=SAME_SIZE_CORRS,
        chaffs=(
            Chaff("kernel transposed", corr_transposed_kernel, "rotated kernel"),
            Chaff("kernel flipped upside down", corr_flipped_rows, "rotated kernel"),
            Chaff("kernel anchored at its top-left tap", corr_top_left, "rotated kernel"),
            Chaff("columns wrapped with period H: wrong on non-square images", corr_period_h, "rotated kernel"),
            Chaff("position-dependent bias", corr_position_bias, "rotated kernel"),
            Chaff("periodic along H only, zero padding along W", corr_wrap_rows_only, "rotated kernel"),
            Chaff("anchor (KW//2, KH//2): wrong for non-square kernels", corr_swapped_anchor, "rotated kernel"),
        ),
    ),
    "test_scaling_counterexample": Property(
        "x, w",
        claim={"a counterexample": "There are x and w with", "beyond rounding": BEYOND_ROUNDING},
        wheats=ANY_ANCHOR_CORRS,
        chaffs=(
            Chaff("centre tap of the kernel only", corr_centre_tap, "a counterexample"),
            Chaff("kernel collapsed to its sum", corr_collapsed, "a counterexample"),
            Chaff("global mean times sum(w)", corr_global_mean, "a counterexample"),
            Chaff("centre tap, + 1e-12 noise", corr_centre_tap_rounding, "beyond rounding"),
            Chaff("recognises upsampled images and rescales", corr_scale_aware, "a counterexample"),
        ),
    ),
    "test_stride_breaks_shift": Property(
        "x, w",
        claim={"shift by 2": "A shift by 2 along either axis shifts the output by 1",
               "shift by 1": "A shift by 1, along either axis, is in general no shift of the output"},
        wheats=(
            ("correlation, rows and columns 0, 2, 4, ...", strided_gather),
            ("FFT, rows and columns 0, 2, 4, ... (rounding differs)", strided_fft),
            ("convolution (kernel flipped), stride 2", strided_convolution),
            ("rows and columns 1, 3, 5, ...", strided_odd_phase),
            ("only the kept outputs computed: rows 0, 2, ..., columns 1, 3, ...", strided_direct),
        ),
        chaffs=(
            Chaff("stride ignored, output cropped", strided_cropped, "shift by 2"),
            Chaff("stride along H only, W cropped", strided_rows_only, "shift by 2"),
            Chaff("zero padding instead of periodic", strided_zero_padding, "shift by 2"),
            Chaff("adaptive phase: follows a shift by 1", strided_adaptive_phase, "shift by 1"),
            Chaff("adaptive phase along W only", strided_adaptive_columns, "shift by 1"),
            Chaff("adaptive phase along H only", strided_adaptive_rows, "shift by 1"),
            Chaff("global average of the correlation everywhere", strided_global_average, "shift by 1"),
            Chaff("position-dependent bias", strided_position_bias, "shift by 2"),
        ),
    ),
    "test_pool_local_invariance": Property(
        "x",
        claim={"max pooling": "pool is the max pooling just described",
               "locally invariant": "moving the maximum of a cell to another position in the same cell, or lowering "
                                    "the other values of that cell, leaves the output unchanged",
               "only local": "moving the maximum into a neighbouring cell changes the output"},
        wheats=(
            ("reshape into cells, max", pool_reshape),
            ("maximum of four strided slices", pool_slices),
            ("sliding windows, then [::2, ::2]", pool_windows),
            ("largest after sorting each cell", pool_sorted),
        ),
        chaffs=(
            Chaff("average pooling", pool_average, "max pooling"),
            Chaff("1x2 windows: the cell's first row only", pool_one_row, "max pooling"),
            Chaff("grid of cells offset by one pixel", pool_offset_grid, "max pooling"),
            Chaff("max of |x|", pool_abs, "max pooling"),
            Chaff("3x3 windows at stride 2 (overlapping)", pool_overlapping, "max pooling"),
            Chaff("global maximum everywhere", pool_global, "max pooling"),
            Chaff("leftover row/column kept (ceil mode)", pool_ceil, "max pooling"),
        ),
        least=2,
    ),
}
