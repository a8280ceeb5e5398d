# ruff: noqa: F821, E402, E501 — a notebook source: names come from other cells, LaTeX lines are long
# %% [markdown]
# # Assignment 3 — Pooling
#
# *Machine learning for signal processing (5LSL0), lecture "Convolutional neural networks".*
#
# A typical layer of a convolutional network has three stages:
#
# $$\text{input} \;\to\; \underbrace{\text{convolution}}_{\text{affine, many filters}} \;\to\;
# \underbrace{\text{ReLU}}_{\text{detector stage}} \;\to\; \underbrace{\text{pooling}}_{\text{summary of a neighbourhood}} \;\to\; \text{output}.$$
#
# A **pooling** function replaces the output of the net at a location by a summary statistic of the outputs
# nearby: **max pooling** reports the maximum within a rectangular neighbourhood, average pooling its mean.
# Pooling makes the representation approximately **invariant to small translations**: if the input moves a
# little, most pooled outputs do not change. Pooling over the outputs of *different* detectors (for example
# one edge detector at several rotations) lets a network *learn* other invariances. Pooling with a stride
# **downsamples**, which saves computation in the next layer, and pooling regions sized to the output handle
# inputs of **different sizes**. In this assignment you implement each of these and measure what they do:
#
# 1. max pooling: `maxpool_forward`;
# 2. average pooling: `avgpool_forward`;
# 3. invariance to small shifts, measured: `shift_invariance`;
# 4. pooling with stride: downsampling and the computation it saves;
# 5. invariance learned by pooling over rotated detectors: `channel_maxpool`;
# 6. inputs of different sizes: `adaptive_maxpool` and `global_avgpool`.
#
# **How to work.** Implement each function in its solution cell (replace `raise NotImplementedError()`), then run
# the check cell below it. The visible checks are small and help you find mistakes; passing them does **not**
# guarantee full marks: a hidden suite grades your functions on many more inputs (other sizes for every axis,
# rectangular windows, strides that do not divide the input, ties, negative and integer inputs, ...). Only the
# code of the solution cells is graded. Use numpy only in your solutions. Plain Python loops are fine as long as
# your code is correct (the reference solutions use none over pixels: try `np.lib.stride_tricks.sliding_window_view`).
#
# **Conventions used throughout (and by the grader).**
# - Layer tensors are NCHW: `x` has shape (N, C, H, W) — batch, channels, height, width.
# - A pooling window is $K_H \times K_W$ and moves with stride $(S_H, S_W)$; `size` and `stride` are an int
#   (the same for both axes) or a pair `(kh, kw)`, `(sh, sw)`. **`stride=None` means stride = size**: the windows
#   tile the image side by side. Pooling uses **no padding**.
# - Output size along an axis of length $n$: $\lfloor (n - k)/s \rfloor + 1$; rows and columns left over that do
#   not fill a window are dropped.
# - Forward functions return `(out, cache)`; the cache of both pooling layers is `(x, (kh, kw), (sh, sw))`
#   (x as a float64 array, the pairs as ints): assignment 4 uses it for the backward pass.
# - Outputs are `float64` arrays, also for integer (e.g. `uint8`) inputs. Inputs are never modified. Functions keep
#   no state between calls.

# %% given
from collections.abc import Callable

import numpy as np

#| source solutions.common:as_float64


#| source solutions.common:check_fits


#| source solutions.a3_pooling:as_pair

# %% [markdown]
# The helpers above check arguments and raise `ValueError` with a clear message: `as_float64(a, name, ndim)`
# converts an array to float64 and checks its rank, `check_fits(n, k, 0, what)` checks that a window of size `k`
# fits in `n` samples, and `as_pair(value, name)` turns a size or stride into a pair of ints: `as_pair(3, "size")`
# is `(3, 3)`, `as_pair((2, 3), "size")` is `(2, 3)`. You may use them; you do not have to.
#
# ## 1. Max pooling
#
# Max pooling with a $K_H \times K_W$ window and stride $(S_H, S_W)$ reports the maximum of each window, channel
# by channel and image by image:
#
# $$\text{out}[n, c, i, j] = \max_{0 \le p < K_H,\; 0 \le q < K_W} x[n,\ c,\ i S_H + p,\ j S_W + q],
# \qquad H' = \left\lfloor \frac{H - K_H}{S_H} \right\rfloor + 1,\quad W' = \left\lfloor \frac{W - K_W}{S_W} \right\rfloor + 1 .$$
#
# Implement `maxpool_forward(x, size=2, stride=None)`. It returns `(out, cache)` with `out` of shape
# (N, C, H', W') and `cache = (x, (kh, kw), (sh, sw))`. With `stride=None` the stride is the window size.
# Pooling never mixes images or channels.

# %% solution maxpool_forward
#| solution solutions.a3_pooling:maxpool_forward

# %% check maxpool_forward points=22
x = np.arange(16.0).reshape(1, 1, 4, 4)
out, cache = maxpool_forward(x)
assert out.shape == (1, 1, 2, 2), f"out has shape {out.shape}; expected (N, C, H', W') = (1, 1, 2, 2)"
assert np.array_equal(out[0, 0], [[5.0, 7.0], [13.0, 15.0]]), "2x2 windows side by side: the largest of each"
assert np.array_equal(maxpool_forward(-x)[0][0, 0], [[-0.0, -2.0], [-8.0, -10.0]]), "negative inputs"
assert len(cache) == 3 and cache[1:] == ((2, 2), (2, 2)), "cache = (x, (kh, kw), (sh, sw))"

# every axis a different size: (N, C, H, W) = (2, 3, 7, 9); the leftover row and column are dropped
x = np.random.default_rng(0).standard_normal((2, 3, 7, 9))
assert maxpool_forward(x)[0].shape == (2, 3, 3, 4)
assert maxpool_forward(x, 3, 1)[0].shape == (2, 3, 5, 7), "window 3x3, stride 1: overlapping windows"
assert maxpool_forward(x, (2, 3))[0].shape == (2, 3, 3, 3), "a (kh, kw) window also sets the stride (kh, kw)"
assert maxpool_forward(x, (2, 3), (3, 2))[0].shape == (2, 3, 2, 4)
assert np.isclose(maxpool_forward(x, (7, 9))[0][1, 2, 0, 0], x[1, 2].max()), "one window over the whole image"
assert maxpool_forward(np.ones((1, 1, 4, 4), dtype=np.uint8))[0].dtype == np.float64, "outputs are float64"
x_before = x.copy()
maxpool_forward(x, 3, 2)
assert np.array_equal(x, x_before), "inputs must not be modified"
print("visible checks passed")

# %% demo
import matplotlib.pyplot as plt
import scipy.signal


def shapes_image(h: int = 48, w: int = 64) -> np.ndarray:
    """A test image: a bright disc, a grey rectangle and a thin diagonal bar on a dark background."""
    r, c = np.mgrid[:h, :w]
    img = 1.0 * ((r - 0.35 * h) ** 2 + (c - 0.3 * w) ** 2 < (0.22 * h) ** 2)
    img[int(0.55 * h) : int(0.9 * h), int(0.55 * w) : int(0.9 * w)] = 0.6
    img[np.abs((r - 0.1 * h) - 0.6 * (c - 0.55 * w)) < 1.2] = 0.8
    return img


def typical_layer_maps(img: np.ndarray, kernel: np.ndarray) -> np.ndarray:
    """Convolution stage (a valid cross-correlation, scipy) and detector stage (ReLU), as a (1, 1, H', W') tensor."""
    return np.maximum(scipy.signal.correlate2d(img, kernel, mode="valid"), 0.0)[None, None]


sobel_x = np.array([[1.0, 0.0, -1.0], [2.0, 0.0, -2.0], [1.0, 0.0, -1.0]])  # bright-to-dark vertical edges
try:
    img = shapes_image()
    detected = typical_layer_maps(img, sobel_x)
    panels = [(img, "input"), (detected[0, 0], "convolution + ReLU"),
              (maxpool_forward(detected, 2)[0][0, 0], "max pool 2x2"),
              (maxpool_forward(detected, 4)[0][0, 0], "max pool 4x4")]
    fig, ax = plt.subplots(1, len(panels), figsize=(14, 3.4), layout="constrained")
    for a, (im, title) in zip(ax, panels, strict=True):
        a.imshow(im, cmap="gray")
        a.set(title=f"{title}\n{im.shape[0]} x {im.shape[1]}", xticks=[], yticks=[])
    fig.suptitle("the typical layer: convolution -> ReLU -> pooling")
    plt.show()
except NotImplementedError:
    plt.close("all")  # no empty axes
    print("implement maxpool_forward to see the typical layer")

# %% [markdown]
# The pooled maps are smaller and blurrier, but each still says *where, roughly,* a vertical edge is. Max
# pooling keeps the strongest detection of each neighbourhood; the exact position within the window is lost.
#
# ## 2. Average pooling
#
# Average pooling reports the mean of each window instead of its maximum:
#
# $$\text{out}[n, c, i, j] = \frac{1}{K_H K_W} \sum_{p=0}^{K_H-1} \sum_{q=0}^{K_W-1} x[n,\ c,\ i S_H + p,\ j S_W + q],$$
#
# with the same output size as max pooling. Implement `avgpool_forward(x, size=2, stride=None)` with the same
# arguments, output and cache as `maxpool_forward`.

# %% solution avgpool_forward
#| solution solutions.a3_pooling:avgpool_forward

# %% check avgpool_forward points=12
x = np.arange(16.0).reshape(1, 1, 4, 4)
out, cache = avgpool_forward(x)
assert out.shape == (1, 1, 2, 2) and cache[1:] == ((2, 2), (2, 2))
assert np.allclose(out[0, 0], [[2.5, 4.5], [10.5, 12.5]]), "the mean of each 2x2 window"
assert np.allclose(avgpool_forward(x, (1, 4))[0][0, :, :, 0], [[1.5, 5.5, 9.5, 13.5]]), "1x4 windows: row means"
x = np.random.default_rng(1).standard_normal((2, 3, 7, 9))
assert avgpool_forward(x, (2, 3), (3, 2))[0].shape == (2, 3, 2, 4)
assert np.isclose(avgpool_forward(x, (7, 9))[0][1, 0, 0, 0], x[1, 0].mean()), "one window over the whole image"
assert np.isclose(avgpool_forward(np.full((1, 1, 2, 2), 255, dtype=np.uint8))[0].item(), 255.0), "uint8 input"
print("visible checks passed")

# %% demo
try:
    detected = typical_layer_maps(shapes_image(), sobel_x)
    pooled = {"max": maxpool_forward(detected, 4)[0], "average": avgpool_forward(detected, 4)[0]}
    top = pooled["max"].max()  # one colour scale for both: the same grey means the same value
    fig, ax = plt.subplots(1, 2, figsize=(9, 3.6), layout="constrained")
    for a, (name, out) in zip(ax, pooled.items(), strict=True):
        im = a.imshow(out[0, 0], cmap="gray", vmin=0, vmax=top)
        a.set(title=f"{name} pool 4x4 (largest value {out.max():.2f})", xticks=[], yticks=[])
    fig.colorbar(im, ax=ax, shrink=0.8, label="pooled response")
    fig.suptitle("max pooling keeps the strongest detection; averaging dilutes a thin edge")
    plt.show()
except NotImplementedError:
    plt.close("all")  # no empty axes
    print("implement maxpool_forward and avgpool_forward to compare them")

# %% [markdown]
# ## 3. Invariance to small translations, measured
#
# A function $f$ is **invariant** to a transformation $g$ when $f(g(x)) = f(x)$. Max pooling is *locally*
# invariant to translation: when the input moves by one pixel, a maximum that stays inside its window leaves the
# output unchanged. We measure how invariant a pooling function `pool` is by the **fraction of its outputs that do
# not change** when the input is shifted circularly by `shift` pixels along W (the last axis, `np.roll`):
#
# $$\text{invariance} = \frac{1}{|\text{out}|} \sum_{k} \mathbb{1}\bigl[\,\text{pool}(x)_k = \text{pool}(\text{shift}(x))_k\,\bigr] \;\in [0, 1].$$
#
# Implement `shift_invariance(pool, x, shift=1)`. `pool` is any function from an array to an array, e.g.
# `lambda z: maxpool_forward(z, 2)[0]`; `x` may have any number of axes, W is always the last one. Compare the
# outputs with `==` (pooled values are copies or exact means of inputs). Do not modify `x`.

# %% solution shift_invariance
#| solution solutions.a3_pooling:shift_invariance

# %% check shift_invariance points=16
def max_pairs(z):
    """A 1x2 max pooling written out: the larger of columns (0, 1), (2, 3), ..."""
    return np.maximum(z[..., 0::2], z[..., 1::2])


assert shift_invariance(max_pairs, np.array([[5.0, 0.0, 0.0, 0.0]])) == 1.0, "5 moves within its window"
assert shift_invariance(max_pairs, np.array([[0.0, 5.0, 0.0, 0.0]])) == 0.0, "5 moves to the next window"
assert shift_invariance(lambda z: z, np.ones((2, 3, 4, 6))) == 1.0, "a constant image is invariant to any shift"
x = np.random.default_rng(2).standard_normal((1, 1, 4, 6))
assert shift_invariance(lambda z: z, x, shift=6) == 1.0, "a circular shift by W is no shift at all"
assert isinstance(shift_invariance(max_pairs, x), float), "return a float"
print("visible checks passed")

# %% demo
def feature_maps(n: int = 4, c: int = 4, h: int = 24, w: int = 40, seed: int = 0) -> np.ndarray:
    """Positive feature maps (n, c, h, w) in which every value differs: detectors that respond a little everywhere."""
    return np.random.default_rng(seed).random((n, c, h, w))


try:
    maps = feature_maps()
    shifts, widths = np.arange(0, 9), np.arange(1, 9)
    invariance = {(k, s): shift_invariance(lambda z, k=k: maxpool_forward(z, (1, k), 1)[0], maps, s)
                  for k in widths for s in shifts}  # (window width, shift) -> fraction unchanged
    fig, ax = plt.subplots(1, 2, figsize=(12, 3.8), layout="constrained")
    for k in (1, 2, 3, 4, 6):
        ax[0].plot(shifts, [invariance[k, s] for s in shifts], "o-",
                   label=f"max pool 1x{k}, stride 1" if k > 1 else "no pooling")
    ax[0].set(xlabel="shift along W (pixels)", ylabel="fraction of outputs unchanged",
              title="invariance against shift size")
    for s, color in [(1, "C0"), (2, "C1"), (3, "C2")]:
        ax[1].plot(widths, [invariance[k, s] for k in widths], "o", color=color, label=f"shift {s}: measured")
        ax[1].plot(widths, np.maximum(widths - s, 0) / (widths + s), "--", color=color, label=f"shift {s}: (k - s)/(k + s)")
    ax[1].set(xlabel="pooling window width k (stride 1)", title="invariance against pool size")
    for a in ax:
        a.legend(fontsize=8)
        a.set_ylim(-0.03, 1.03)
    plt.show()
except NotImplementedError:
    plt.close("all")  # no empty axes
    print("implement maxpool_forward and shift_invariance to see the invariance against shift and pool size")

# %% [markdown]
# Without pooling, a shift by one pixel changes every output (all values differ). With max pooling over a window
# of width $k$, an output survives a shift by $s < k$ whenever the maximum of the $k + s$ values that the window
# sees before *or* after the shift lies in the $k - s$ values it sees both times: for independent random values
# that happens with probability $(k - s)/(k + s)$ (dashed). The larger the window, the more outputs survive a small
# shift; the invariance fades as the shift approaches the window size and is gone beyond it. Pooling buys
# robustness to *small* translations only, and it is useful when we care more about *whether* a feature is present
# than *exactly where*.

# %% [markdown]
# **Question.** The lecture's slides call pooling *equivariant* to translation; this notebook calls max pooling
# *invariant* to small translations. Both can be right. For max pooling with window $k$ and stride $s$, explain when
# it is equivariant to a translation of its input, when it is (approximately) invariant, and when it is neither.
# Use your measurements above.

# %% answer invariant_or_equivariant points=3
# **Rubric (3 points).**
#
# - 1 pt — equivariant: a shift of the input by a multiple $m s$ of the stride (circular, or away from the borders)
#   shifts the output by $m$: $\text{pool}(\text{shift}_{ms}\,x) = \text{shift}_m\,\text{pool}(x)$; with stride 1 every
#   shift commutes (a sliding-window operation, equivariant like a convolution).
# - 1 pt — invariant, locally and approximately: for a shift smaller than the window, an output does not change
#   when its maximum stays inside its window; only a fraction of the outputs survives (about $(k-s)/(k+s)$ for
#   random values, as measured with `shift_invariance`), more for larger windows, none beyond the window size.
# - 1 pt — neither: with stride $> 1$, a shift that is not a multiple of the stride and moves maxima across window
#   boundaries gives an output that is neither the old one nor a shift of it (A2: stride breaks equivariance);
#   large shifts of a whole object make invariance a property of the stack (repeated or global pooling), not of
#   one layer.
#
# "Pooling is invariant" (or "equivariant") without the conditions: at most 1 point.

# %% [markdown]
#
# ## 4. Pooling with stride: downsampling saves computation
#
# With stride $s > 1$ a pooling layer reports one summary every $s$ pixels: the next layer receives $s^2$ times
# fewer positions. The cost of the next convolution layer ($C$ input channels, $F$ filters of $K \times K$)
# is proportional to the number of output positions,
#
# $$\text{multiply-adds} = N \cdot F \cdot H' W' \cdot C K^2,$$
#
# so 2×2 pooling with stride 2 makes the next layer about 4 times cheaper. Your `maxpool_forward` with `stride`
# already does this; the table below uses it on a batch of detector maps and counts the work of a following
# 3×3 convolution layer with padding 1.

# %% demo
try:
    N, C, F, K = 8, 16, 32, 3
    maps = feature_maps(N, C, 64, 64)
    shapes = {(size, stride): maxpool_forward(maps, size, stride)[0].shape for size, stride in [(1, 1), (2, 2), (3, 2), (4, 4)]}
    print(f"{'pooling before the next layer':<32}{'input to next layer':>22}{'multiply-adds':>16}{'saving':>8}")
    base = None
    for (size, stride), shape in shapes.items():
        macs = N * F * shape[2] * shape[3] * C * K * K  # a 3x3 convolution with padding 1 keeps the size
        base = base or macs
        name = "none" if size == 1 else f"max {size}x{size}, stride {stride}"
        print(f"{name:<32}{str(shape):>22}{macs:>16,}{base / macs:>7.1f}x")
except NotImplementedError:
    print("implement maxpool_forward to see the table")

# %% [markdown]
# ## 5. Learned invariance: pooling over rotated detectors
#
# Pooling over *space* gives invariance to translation. Pooling over *features* can give invariance to other
# transformations: if a layer has several detectors for the same pattern at different **rotations**, the maximum
# over those detectors responds to the pattern whatever its rotation. The network learns the detectors; the
# pooling unit only takes the maximum.
#
# Implement `channel_maxpool(x, group)`: the maximum over each block of `group` **consecutive** channels,
#
# $$\text{out}[n, g, i, j] = \max_{0 \le k < \text{group}} x[n,\ g \cdot \text{group} + k,\ i,\ j], \qquad
# (N, C, H, W) \to (N, C/\text{group}, H, W).$$
#
# Channels $0 \ldots \text{group}-1$ form the first block, the next `group` channels the second, and so on.
# $C$ must be a multiple of `group`.

# %% solution channel_maxpool
#| solution solutions.a3_pooling:channel_maxpool

# %% check channel_maxpool points=16
x = np.array([1.0, 9.0, 2.0, 3.0, 0.0, 4.0]).reshape(1, 6, 1, 1)
assert channel_maxpool(x, 2).shape == (1, 3, 1, 1), "(N, C/group, H, W)"
assert np.array_equal(channel_maxpool(x, 2).ravel(), [9.0, 3.0, 4.0]), "channels (0, 1), (2, 3), (4, 5)"
assert np.array_equal(channel_maxpool(x, 3).ravel(), [9.0, 4.0]), "channels (0, 1, 2), (3, 4, 5)"
x = np.random.default_rng(3).standard_normal((2, 6, 5, 4))
assert channel_maxpool(x, 6).shape == (2, 1, 5, 4) and np.allclose(channel_maxpool(x, 6)[:, 0], x.max(axis=1))
assert np.array_equal(channel_maxpool(x, 1), x), "groups of one channel: nothing changes"
print("visible checks passed")

# %% demo
def oriented_edge_filters(n_angles: int, size: int = 7, sigma: float = 1.5) -> np.ndarray:
    """(n_angles, size, size) edge detectors (derivatives of a Gaussian) at angles 2*pi*k/n_angles."""
    r = np.arange(size) - size // 2
    yy, xx = np.meshgrid(r, r, indexing="ij")
    bump = np.exp(-(xx**2 + yy**2) / (2 * sigma**2))
    angles = 2 * np.pi * np.arange(n_angles) / n_angles
    filters = np.array([(np.cos(a) * xx + np.sin(a) * yy) * bump for a in angles])
    return filters / np.abs(filters).sum(axis=(1, 2), keepdims=True)


def edge_image(angle: float, size: int = 25) -> np.ndarray:
    """A straight step edge through the centre: bright on the side the angle points to."""
    r = np.arange(size) - size // 2
    yy, xx = np.meshgrid(r, r, indexing="ij")
    return 1.0 * (np.cos(angle) * xx + np.sin(angle) * yy > 0)


try:
    n_rot = 8
    filters = oriented_edge_filters(n_rot)
    test_angles = np.linspace(0, 2 * np.pi, 73)
    # the typical layer on each test image: convolution with all 8 detectors, ReLU, then max over the image
    responses = np.array([[typical_layer_maps(edge_image(a), f)[0, 0].max() for f in filters]
                          for a in test_angles])  # (angles, detectors)
    pooled = channel_maxpool(responses[:, :, None, None], n_rot)[:, 0, 0, 0]  # pooled over the 8 detectors
    fig, ax = plt.subplots(1, 2, figsize=(13, 3.6), gridspec_kw={"width_ratios": [1.2, 2]}, layout="constrained")
    tiles = [np.pad(f, 1, constant_values=np.nan) for f in filters]  # two rows of n_rot / 2 detectors
    lim = np.abs(filters).max()
    ax[0].imshow(np.vstack([np.hstack(tiles[: n_rot // 2]), np.hstack(tiles[n_rot // 2 :])]), cmap="RdBu",
                 vmin=-lim, vmax=lim)
    ax[0].set(title=f"{n_rot} detectors: one edge at {n_rot} rotations", xticks=[], yticks=[])
    for k in range(n_rot):
        ax[1].plot(np.degrees(test_angles), responses[:, k], lw=1, alpha=0.6)
    ax[1].plot(np.degrees(test_angles), pooled, "k", lw=3, label="channel_maxpool over the 8 detectors")
    ax[1].set(xlabel="rotation of the edge in the image (degrees)", ylabel="response",
              title="each detector is tuned to one rotation; their maximum is (nearly) invariant")
    ax[1].legend(loc="lower right")
    plt.show()
except NotImplementedError:
    plt.close("all")  # no empty axes
    print("implement channel_maxpool to see invariance to rotation learned by pooling over detectors")

# %% [markdown]
# ## 6. Inputs of different sizes: pooling regions sized to the output
#
# A classifier after the convolution layers needs a fixed number of features, but images come in many sizes.
# The solution in the lecture: vary the size of the pooling *regions* so that the *output* always has the same
# size. **Adaptive max pooling** to an output of $O_H \times O_W$ splits the rows of an image of height $H$ into
# $O_H$ regions, region $i$ spanning
#
# $$\text{rows } \left\lfloor \frac{i\,H}{O_H} \right\rfloor \;\ldots\; \left\lceil \frac{(i+1)\,H}{O_H} \right\rceil - 1 ,$$
#
# and the columns likewise with $W$ and $O_W$ (the rule of common deep-learning libraries). The regions cover the
# whole image; when $O_H$ does not divide $H$ their sizes differ by one and neighbours may share a row. For
# example $H = 7$, $O_H = 3$ gives the row ranges $[0, 3), [2, 5), [4, 7)$. Use integer arithmetic for the floor
# and the ceiling (floating-point division can round the wrong way).
#
# Implement `adaptive_maxpool(x, out_hw)`: x (N, C, H, W) with $H \ge O_H$, $W \ge O_W$ → (N, C, $O_H$, $O_W$);
# `out_hw` is a pair `(OH, OW)` or an int for both.

# %% solution adaptive_maxpool
#| solution solutions.a3_pooling:adaptive_maxpool

# %% check adaptive_maxpool points=24
x = np.arange(7.0).reshape(1, 1, 7, 1)
assert adaptive_maxpool(x, (3, 1)).shape == (1, 1, 3, 1)
assert np.array_equal(adaptive_maxpool(x, (3, 1)).ravel(), [2.0, 4.0, 6.0]), "rows [0, 3), [2, 5), [4, 7)"
rng = np.random.default_rng(14)
for H, W in [(8, 9), (13, 6), (5, 20)]:
    assert adaptive_maxpool(rng.standard_normal((2, 3, H, W)), (4, 3)).shape == (2, 3, 4, 3), "any input size"
x = rng.standard_normal((2, 3, 8, 6))
assert np.allclose(adaptive_maxpool(x, (4, 3)), maxpool_forward(x, 2)[0]), "when the sizes divide: max pooling"
assert np.allclose(adaptive_maxpool(x, 1)[:, :, 0, 0], x.max(axis=(2, 3))), "out_hw = 1: the max of each channel"
print("visible checks passed")

# %% demo
try:
    all_maps = [typical_layer_maps(shapes_image(h, w), sobel_x) for h, w in [(30, 40), (48, 64), (75, 60)]]
    all_outs = [adaptive_maxpool(maps, (6, 6)) for maps in all_maps]
    fig, ax = plt.subplots(2, 3, figsize=(12, 6), layout="constrained")
    for col, (maps, out) in enumerate(zip(all_maps, all_outs, strict=True)):
        ax[0, col].imshow(maps[0, 0], cmap="gray")
        ax[0, col].set(title=f"convolution + ReLU: {maps.shape[2]} x {maps.shape[3]}", xticks=[], yticks=[])
        ax[1, col].imshow(out[0, 0], cmap="gray")
        ax[1, col].set(title=f"adaptive_maxpool: {out.shape[2]} x {out.shape[3]}", xticks=[], yticks=[])
    fig.suptitle("three input sizes, one output size: the next layer always gets 6 x 6 features per channel")
    plt.show()
except NotImplementedError:
    plt.close("all")  # no empty axes
    print("implement adaptive_maxpool to see inputs of three sizes pooled to one size")

# %% [markdown]
# The extreme case is one region per channel: **global average pooling** reduces every feature map to its mean,
# $(N, C, H, W) \to (N, C)$, whatever $H$ and $W$:
#
# $$\text{out}[n, c] = \frac{1}{H W} \sum_{i=0}^{H-1} \sum_{j=0}^{W-1} x[n, c, i, j].$$
#
# Implement `global_avgpool(x)`; the output has shape (N, C) (not (N, C, 1, 1)).

# %% solution global_avgpool
#| solution solutions.a3_pooling:global_avgpool

# %% check global_avgpool points=10
x = np.arange(24.0).reshape(2, 3, 2, 2)
assert global_avgpool(x).shape == (2, 3), "(N, C)"
assert np.allclose(global_avgpool(x)[0], [1.5, 5.5, 9.5]), "the mean of each channel"
assert global_avgpool(np.ones((1, 2, 3, 5), dtype=np.uint8)).dtype == np.float64, "outputs are float64"
print("visible checks passed")

# %% demo
try:
    for h, w in [(30, 40), (48, 64), (75, 60)]:
        maps = np.concatenate([typical_layer_maps(shapes_image(h, w), k) for k in (sobel_x, sobel_x.T)], axis=1)
        print(f"input {h:>2} x {w:>2} -> feature maps {maps.shape} -> global_avgpool {global_avgpool(maps).shape}")
except NotImplementedError:
    print("implement global_avgpool to see feature maps of every size reduced to one number per channel")

# %% [markdown]
# ## Done
#
# Restart the kernel and run all cells (or run `nbgrader validate`) before you hand in. Remember that the hidden
# suite tests more inputs than these checks: other sizes for every axis, rectangular windows, strides that do not
# divide the input, overlapping windows, ties, negative and integer inputs, and that your functions leave their
# inputs unchanged.
