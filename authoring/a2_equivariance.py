# ruff: noqa: F821, E402, E501 — a notebook source: names come from other cells, LaTeX lines are long
# %% [markdown]
# # Assignment 2 — Equivariance, proved by tests
#
# *Machine learning for signal processing (5LSL0), lecture "Convolutional neural networks".*
#
# The lecture claims that a convolution layer is **equivariant to translation**: shifting the input and then
# filtering gives the same result as filtering and then shifting the output,
#
# $$f\bigl(g(x)\bigr) = g\bigl(f(x)\bigr) \qquad\text{for } g = \text{a shift},$$
#
# but **not** to other transformations such as a rotation or a change of scale. Pooling, in turn, makes a
# network (locally) **invariant**: $f(g(x)) = f(x)$ for small shifts $g$.
#
# In this assignment you do not only take these claims on trust: you **prove them by tests**. You write test
# functions that each take the implementation under test as their argument, and the grader judges your tests
# the way a teacher judges a classifier: it runs them on several **correct** implementations (a good test
# passes all of them) and on several **subtly wrong** ones (a good test fails as many as possible).
#
# 1. circular cross-correlation: a convolution layer without borders, so that shifts are exact symmetries;
# 2. measuring equivariance: `equivariance_error(f, g, x)`;
# 3. how your tests are graded;
# 4. translation: `test_shift_equivariance`;
# 5. rotation: `test_rotation_counterexample` and `test_rotated_kernel`;
# 6. scaling: `test_scaling_counterexample`;
# 7. stride: `test_stride_breaks_shift`;
# 8. max pooling: `test_pool_local_invariance`.
#
# **Conventions used throughout (and by the grader).** Images are 2-D arrays (H, W), kernels (KH, KW).
# Correlation layers are **cross-correlations** (no kernel flip), as in deep-learning libraries. Outputs are
# `float64` arrays, also for integer inputs; inputs are never modified; functions keep no state between calls.
# Use numpy only.

# %% given
from collections.abc import Callable

import numpy as np

#| source solutions.common:as_float64


#| source solutions.a2_equivariance:shift


#| source solutions.a2_equivariance:rot90


#| source solutions.a2_equivariance:upsample2


def passes(test, implementation) -> bool:
    """True when `test(implementation)` returns normally, False when it raises: any exception is a rejection, as in
    the grader (a failed assert says more than a crash, so a crash is pointed out); the stub's NotImplementedError
    is raised on."""
    try:
        test(implementation)
    except AssertionError:
        return False
    except NotImplementedError:
        raise
    except Exception as exc:
        print(f"note: {getattr(test, '__name__', 'the test')} rejected {getattr(implementation, '__name__', '?')} "
              f"by crashing ({type(exc).__name__}: {exc}): it counts as a rejection, but an assert says more")
        return False
    return True


def zero_padded_corr(x, w):
    """A correct layer for the checks of sections 5 and 6: a 'same' correlation with zero padding, built from your
    circular_corr2d."""
    (H, W), (KH, KW) = np.shape(x), np.shape(w)
    padded = np.pad(np.asarray(x, dtype=float), ((KH, KH), (KW, KW)))
    return circular_corr2d(padded, w)[KH : KH + H, KW : KW + W]

# %% [markdown]
# The given helpers are the transformations $g$ of this assignment, on the last two axes of an array:
# - `shift(x, dy, dx)`: circular shift, `dy` rows down and `dx` columns right (`np.roll`; what leaves one
#   side comes back on the other);
# - `rot90(x)`: rotation by 90° counter-clockwise (`np.rot90`): (H, W) → (W, H);
# - `upsample2(x)`: nearest-neighbour upscaling by 2: every pixel becomes a 2×2 block, (H, W) → (2H, 2W).
#
# `as_float64(a, name, ndim)` converts and checks an argument (it raises `ValueError` with a clear message);
# `passes(test, implementation)` runs one of your tests and tells whether it passed. Below: the example image
# of this notebook — a letter F, which looks different after every rotation and mirror — and its transforms.

# %% demo
import matplotlib.pyplot as plt


def letter_f(h: int = 20, w: int = 24) -> np.ndarray:
    """A test image: a letter F (no rotation or mirror symmetry) and a small blob, on a dark background."""
    img = np.zeros((h, w))
    img[4:16, 6:9] = 1.0  # the stem
    img[4:7, 9:17] = 1.0  # the top bar
    img[9:12, 9:14] = 1.0  # the middle bar
    img[14:17, 18:21] = 0.5  # a blob
    return img


def show(images: dict, title: str = "", cmap: str = "gray") -> None:
    """Images side by side, each with its title and its own colour scale (black = lowest, white = highest)."""
    fig, axes = plt.subplots(1, len(images), figsize=(2.6 * len(images), 2.8))
    for ax, (name, img) in zip(np.atleast_1d(axes), images.items(), strict=True):
        ax.imshow(img, cmap=cmap)
        ax.set_title(name, fontsize=9)
        ax.set_xticks([])
        ax.set_yticks([])
    fig.suptitle(title)
    plt.tight_layout()
    plt.show()


x_f = letter_f()
show({"x": x_f, "shift(x, 3, 5)": shift(x_f, 3, 5), "rot90(x)": rot90(x_f), "upsample2(x)": upsample2(x_f)},
     "the image and its transformations g")

# %% [markdown]
# ## 1. Circular cross-correlation
#
# A convolution layer slides a kernel $w$ (KH, KW) over the image. At the borders something must be
# invented: zero padding, mirroring, ... . A **periodic boundary** invents nothing — the image wraps around like
# a torus — and makes a shift an exact symmetry of the layer (no border effects), which is what we need to
# state the equivariance claims exactly. With the kernel anchored at its centre tap $(c, d) = (KH/\!/2, KW/\!/2)$
# (integer division, also for even sizes):
#
# $$y[i, j] = \sum_{a=0}^{KH-1} \sum_{b=0}^{KW-1} w[a, b]\; x\bigl[(i + a - c) \bmod H,\; (j + b - d) \bmod W\bigr],$$
#
# so $y$ has the shape (H, W) of $x$, for every kernel size (a kernel larger than the image wraps around
# more than once). This is a cross-correlation: a kernel `[[1, 0]]` ($c = 0$, $d = 1$) gives
# $y[i, j] = x[i, j - 1]$, the left neighbour. Implement `circular_corr2d`, vectorised or with loops.

# %% solution circular_corr2d
#| solution solutions.a2_equivariance:circular_corr2d

# %% check circular_corr2d points=15
x = np.arange(12.0).reshape(3, 4)
y = circular_corr2d(x, np.array([[1.0, 0.0]]))
assert y.shape == (3, 4), f"y must have the shape of x, (3, 4); got {np.shape(y)}"
assert np.allclose(y, shift(x, 0, 1)), "w = [[1, 0]] must give the left neighbour x[i, j - 1] (wrapping)"
assert np.allclose(circular_corr2d(x, np.array([[0.0], [0.0], [1.0]])), shift(x, -1, 0)), \
    "w = [[0], [0], [1]] must give the neighbour below, x[i + 1, j] (wrapping)"
assert np.allclose(circular_corr2d(x, np.array([[2.0]])), 2 * x), "a 1x1 kernel scales the image"
ones = circular_corr2d(np.ones((4, 5)), np.arange(6.0).reshape(2, 3))
assert np.allclose(ones, 15.0), "a constant image gives the sum of the kernel everywhere (no zero padding!)"
y_int = circular_corr2d(np.arange(12).reshape(3, 4), np.array([[1, 2, 3]]))
assert y_int.dtype == np.float64, f"the output must be float64, also for integer inputs; got {y_int.dtype}"
x_before = x.copy()
circular_corr2d(x, np.ones((3, 3)))
assert np.array_equal(x, x_before), "x must not be modified"
print("visible checks passed")

# %% [markdown]
# **Equivariance to translation, seen.** Below, $f$ is your correlation with a vertical-edge kernel (it responds
# to left and right edges of the F). Filtering the shifted image gives the shifted feature map — exactly,
# at every pixel, including the ones that wrapped around.

# %% demo
edge = np.array([[1.0, 0.0, -1.0], [2.0, 0.0, -2.0], [1.0, 0.0, -1.0]])  # vertical edges (Sobel)
try:
    fx = circular_corr2d(x_f, edge)
    f_shifted = circular_corr2d(shift(x_f, 3, 5), edge)
    show({"x": x_f, "g(x) = shift(x, 3, 5)": shift(x_f, 3, 5), "f(x)": fx, "f(g(x))": f_shifted,
          "g(f(x))": shift(fx, 3, 5)}, "a correlation commutes with shifts: f(g(x)) = g(f(x))")
    print("max |f(g(x)) - g(f(x))| =", np.abs(f_shifted - shift(fx, 3, 5)).max())
except NotImplementedError:
    print("implement circular_corr2d to see the figure")

# %% [markdown]
# ## 2. Measuring equivariance
#
# To test a claim $f(g(x)) = g(f(x))$ with numbers we need a distance between the two sides. Implement
#
# $$\texttt{equivariance\_error}(f, g, x) = \max_{\text{entries}} \bigl|\,f(g(x)) - g(f(x))\,\bigr|,$$
#
# a Python `float`: 0 when $f$ and $g$ commute at $x$ (up to rounding, about $10^{-15}$ for values near 1),
# and `inf` (`math.inf` or `np.inf`) when $f(g(x))$ and $g(f(x))$ do not even have the same shape — do not let
# numpy's broadcasting compare arrays of different shapes. `f` and `g` are any functions of arrays, and `x`
# may have any shape.

# %% solution equivariance_error
#| solution solutions.a2_equivariance:equivariance_error

# %% check equivariance_error points=10
x = np.arange(12.0).reshape(3, 4)
assert equivariance_error(np.negative, rot90, x) == 0.0, "negation commutes with rotation: expected 0.0"
err = equivariance_error(lambda z: z + np.arange(4.0), lambda z: shift(z, 0, 1), x)
assert isinstance(err, float), f"return a Python float, got {type(err).__name__}"
assert np.isclose(err, 3.0), f"adding [0, 1, 2, 3] to each row does not commute with a shift: expected 3.0, got {err}"
assert equivariance_error(lambda z: z[:1], upsample2, x) == np.inf, \
    "f = first row, g = upsample2: f(g(x)) has shape (1, 8), g(f(x)) has shape (2, 8); different shapes give inf"
print("visible checks passed")

# %% demo
try:
    rows = [("shift(x, 3, 5)", lambda z: shift(z, 3, 5)), ("rot90", rot90), ("upsample2", upsample2)]
    for name, g in rows:
        err = equivariance_error(lambda z: circular_corr2d(z, edge), g, x_f)
        print(f"f = edge detector, g = {name:15s} equivariance_error = {err:.3g}")
except NotImplementedError:
    print("implement circular_corr2d and equivariance_error to see the table")

# %% [markdown]
# ## 3. Your tests are classifiers: how they are graded
#
# Each test you write is a function of the **implementation under test** — `test_shift_equivariance(layer)`
# receives a layer, and so on. It **passes** by returning normally and **fails** by raising an `AssertionError`
# (use `assert`). The grader calls each of your tests on
# - several **correct** implementations, for which the claim holds. Your test must pass **every one**: if it
#   fails (or raises any error) on a single one, it earns **0** points — it would reject a correct program.
# - several **wrong** implementations, made with the bugs and shortcuts people really write, for which the claim
#   is false — sometimes only for some inputs, some pixels or some shifts. Your test earns its points times
#   the **fraction of wrong implementations it fails**.
#
# So a test that asserts nothing, or that only checks shapes, earns 0: it rejects nothing. A test earns full
# marks when it passes everything correct and rejects everything wrong — when it really tests the claim.
#
# **What counts as rejecting** (the same rule in every assignment with tests you write): your test rejects an
# implementation when it raises any exception — a failed `assert` (the clearest), or an error such as an
# `IndexError` that the wrong output causes. A test that runs past the time limit gives no verdict: on a correct
# implementation that is a failure, on a wrong one it is not a rejection.
#
# Rules and tips:
# - The implementations are plain functions: they accept numpy arrays (or lists) of any real numbers and return
#   `float64` arrays; nothing but their behaviour tells them apart. They live in the grader's process: each call
#   costs a little, so keep a test to a few hundred calls and a few seconds (the limit is 20 s per run). They
#   accept images of up to $10^6$ values, and image size × kernel size up to $4 \cdot 10^6$: small images are
#   enough (and faster).
# - Correct implementations may **round differently** (one may use an FFT): compare floats with a tolerance
#   (`np.allclose`, or `equivariance_error(...) < tol`), never with `==`; and a counterexample must differ by far
#   more than rounding, or it proves nothing.
# - Stay within the claim: use only the inputs it speaks about (e.g. odd kernel sizes, even image sizes).
# - Make your tests deterministic (`rng = np.random.default_rng(0)` inside the test) and keep no state between
#   calls.
# - You may use `shift`, `rot90`, `upsample2`, `passes` and your own `circular_corr2d` and `equivariance_error`
#   (if those are wrong, your tests may be too). The implementations under test are not always your
#   `circular_corr2d`: see the family each claim speaks about.
#
# Below every test, a visible check runs it on a few correct implementations and on three or four wrong ones of
# different kinds, with the given `passes(test, implementation)` (which applies the rule above); the grader's
# implementations are different, and more of them.

# %% [markdown]
# ## 4. Translation: `test_shift_equivariance(layer)`
#
# **The implementation under test.** `layer` maps an image (H, W) to a feature map (H, W), for any H, W ≥ 1.
# Correct layers include circular correlations with any kernel, with a bias, followed by a ReLU, stacks of these,
# pointwise functions, circular max filters, ...
#
# **The claim.** `layer` commutes with **every** circular shift, for every image:
#
# $$\text{layer}\bigl(\text{shift}(x, d_y, d_x)\bigr) = \text{shift}\bigl(\text{layer}(x), d_y, d_x\bigr)
# \qquad \text{for all } x,\ d_y,\ d_x .$$
#
# A wrong layer breaks it somewhere — perhaps only near a border, only along one axis, or only for some shifts.
# Write `test_shift_equivariance(layer)` so that it fails on any layer that breaks the claim.

# %% solution test_shift_equivariance
#| solution solutions.a2_equivariance:test_shift_equivariance

# %% check test_shift_equivariance points=15
k = np.array([[1.0, -2.0, 0.5], [0.0, 1.5, -1.0]])


def corr_relu(x):  # correct: a correlation followed by a ReLU
    return np.maximum(circular_corr2d(x, k), 0.0)


def row_bias(x):  # wrong: its bias grows down the image
    return circular_corr2d(x, k) + np.arange(np.shape(x)[0])[:, None]


def odd_column_gain(x):  # wrong: odd columns amplified; commutes with shifts by an even number of columns only
    y = circular_corr2d(x, k)
    return y * (1.0 + 0.5 * (np.arange(y.shape[1]) % 2))


def first_row_term(x):  # wrong: adds the mean of the input's first row, a fixed position (vertical shifts break it)
    return circular_corr2d(x, k) + np.mean(np.asarray(x, dtype=float)[0])


def corner_pixel(x):  # wrong at a single pixel: the output at (0, 0) is doubled
    y = circular_corr2d(x, k)
    y[0, 0] *= 2
    return y


assert passes(test_shift_equivariance, corr_relu), "your test rejects a correct layer (correlation + ReLU)"
assert passes(test_shift_equivariance, np.tanh), "your test rejects np.tanh, which commutes with every shift"
for wrong in (row_bias, odd_column_gain, first_row_term, corner_pixel):
    assert not passes(test_shift_equivariance, wrong), f"your test accepts {wrong.__name__} (see its comment)"
print("visible checks passed: 2 correct layers passed, 4 wrong layers rejected")

# %% [markdown]
# ## 5. Rotation
#
# **The implementation under test.** From here on, `corr(x, w)` is a **correlation layer** of "same" size:
# x (H, W) and w (KH, KW) give (H, W), the kernel anchored at $(KH/\!/2, KW/\!/2)$. Its boundary may be periodic
# (like your `circular_corr2d`), zero padding or mirror padding, and it may flip its kernel (a convolution): the
# claims below hold for every one of these, so your tests must pass on each.
#
# Rotating the image does **not** rotate the feature map: the vertical-edge detector of section 1 sees the
# horizontal edges of the original F in `rot90(x)`. Rotating the kernel along with the image does:
#
# $$\text{corr}\bigl(\text{rot90}(x), \text{rot90}(w)\bigr) = \text{rot90}\bigl(\text{corr}(x, w)\bigr)
# \quad\text{for every } x \text{ and every } w \text{ of odd size } KH, KW.$$
#
# (For an even size the centre tap $(KH/\!/2, KW/\!/2)$ is not the centre of the kernel, and rotation moves it.)
# This is why CNNs learn rotated copies of their filters when rotations matter (A3 pools over them).

# %% demo
try:
    f_rot = circular_corr2d(rot90(x_f), edge)
    rot_f = rot90(circular_corr2d(x_f, edge))
    both = circular_corr2d(rot90(x_f), rot90(edge))
    show({"rot90(x)": rot90(x_f), "f(rot90(x))": f_rot, "rot90(f(x))": rot_f,
          "corr(rot90(x), rot90(w))": both}, "rotation: f(g(x)) differs from g(f(x)) unless the kernel turns too")
    print("max |f(rot90 x) - rot90 f(x)| =", np.abs(f_rot - rot_f).max(),
          "   with the kernel rotated too:", np.abs(both - rot_f).max())
except NotImplementedError:
    print("implement circular_corr2d to see the figure")

# %% [markdown]
# ### 5a. `test_rotation_counterexample(corr)`
#
# **The claim.** Correlation is not equivariant to rotation: there are an image $x$ and a kernel $w$ with
# $\text{corr}(\text{rot90}(x), w) \ne \text{rot90}(\text{corr}(x, w))$. Your test exhibits such a pair for
# the `corr` it is given, and fails when it cannot — a wrong implementation here is one that is secretly
# rotation-symmetric, so that no counterexample exists. This claim does not depend on the anchor: here a correct
# `corr` may anchor its kernel at any tap, not only at $(KH/\!/2, KW/\!/2)$.

# %% solution test_rotation_counterexample
#| solution solutions.a2_equivariance:test_rotation_counterexample

# %% check test_rotation_counterexample points=10
PLUS = np.array([[0.0, 1.0, 0.0], [1.0, 1.0, 1.0], [0.0, 1.0, 0.0]]) / 5


def plus_blur(x, w):  # wrong: ignores the layout of w, blurs with a symmetric '+' times sum(w)
    return circular_corr2d(x, np.sum(w) * PLUS)


def returns_input(x, w):  # wrong: ignores the kernel; the identity commutes with rotation
    return np.array(x, dtype=float)


def pointwise_abs(x, w):  # wrong: |x| times the norm of w, pixel by pixel; commutes with rotation
    return np.abs(np.asarray(x, dtype=float)) * np.linalg.norm(w)


def disc_max(x, w):  # wrong: a 5x5 disc of max(w) whatever the layout of w; rotation-symmetric
    r, c = np.mgrid[-2:3, -2:3]
    return circular_corr2d(x, np.max(w) * (r**2 + c**2 <= 4))


assert passes(test_rotation_counterexample, circular_corr2d), "your test finds no counterexample for circular_corr2d"
assert passes(test_rotation_counterexample, zero_padded_corr), "your test finds no counterexample for zero padding"
for wrong in (plus_blur, returns_input, pointwise_abs, disc_max):
    assert not passes(test_rotation_counterexample, wrong), \
        f"your test 'finds' a counterexample for {wrong.__name__}, which is rotation-symmetric: none exists"
print("visible checks passed: 2 correct layers, 4 rotation-symmetric ones rejected")

# %% [markdown]
# ### 5b. `test_rotated_kernel(corr)`
#
# **The claim.** For every image $x$ and every kernel $w$ of odd size,
# $\text{corr}(\text{rot90}(x), \text{rot90}(w)) = \text{rot90}(\text{corr}(x, w))$.

# %% solution test_rotated_kernel
#| solution solutions.a2_equivariance:test_rotated_kernel

# %% check test_rotated_kernel points=15


def column_bias(x, w):  # wrong: a bias that grows to the right
    return circular_corr2d(x, w) + np.arange(np.shape(x)[1])


def rows_flipped_if_not_square(x, w):  # wrong for non-square kernels only: their rows are flipped
    w = np.asarray(w, dtype=float)
    return circular_corr2d(x, w if w.shape[0] == w.shape[1] else w[::-1])


def scaled_by_height(x, w):  # wrong on non-square images: the output is scaled by the number of rows
    return circular_corr2d(x, w) * np.shape(x)[0]


assert passes(test_rotated_kernel, circular_corr2d), "your test rejects circular_corr2d"
assert passes(test_rotated_kernel, zero_padded_corr), "your test rejects a zero-padded correlation"
for wrong in (column_bias, rows_flipped_if_not_square, scaled_by_height):
    assert not passes(test_rotated_kernel, wrong), f"your test accepts {wrong.__name__} (see its comment)"
print("visible checks passed: 2 correct layers passed, 3 wrong layers rejected")

# %% [markdown]
# ## 6. Scaling: `test_scaling_counterexample(corr)`
#
# Upscaling the image does not upscale the feature map: the kernel keeps its size in pixels, so on `upsample2(x)`
# it sees finer detail (here: thinner edges) than on $x$.
#
# **The claim.** There are $x$ and $w$ with $\text{corr}(\text{upsample2}(x), w) \ne
# \text{upsample2}(\text{corr}(x, w))$, for every correlation layer `corr` of section 5, anchored at any tap (as
# in 5a). Your test exhibits such a pair and fails when it cannot.

# %% demo
try:
    f_up = circular_corr2d(upsample2(x_f), edge)
    up_f = upsample2(circular_corr2d(x_f, edge))
    show({"upsample2(x)": upsample2(x_f), "f(upsample2(x))": f_up, "upsample2(f(x))": up_f,
          "difference": f_up - up_f}, "scaling: the kernel does not grow with the image")
except NotImplementedError:
    print("implement circular_corr2d to see the figure")

# %% solution test_scaling_counterexample
#| solution solutions.a2_equivariance:test_scaling_counterexample

# %% check test_scaling_counterexample points=10


def constant_layer(x, w):  # wrong: a constant output commutes with upsample2
    return np.full(np.shape(x), float(np.sum(w)))


def squared_pixels(x, w):  # wrong: pixel by pixel, x**2 times sum(w); commutes with upsample2
    return np.asarray(x, dtype=float) ** 2 * np.sum(w)


def identity_layer(x, w):  # wrong: ignores the kernel; commutes with upsample2
    return np.array(x, dtype=float)


def row_means(x, w):  # wrong: every pixel is the mean of its row times sum(w); commutes with upsample2
    x = np.asarray(x, dtype=float)
    return np.repeat(x.mean(axis=1, keepdims=True), x.shape[1], axis=1) * np.sum(w)


assert passes(test_scaling_counterexample, circular_corr2d), "your test finds no counterexample for circular_corr2d"
assert passes(test_scaling_counterexample, zero_padded_corr), "your test finds no counterexample for zero padding"
for wrong in (constant_layer, squared_pixels, identity_layer, row_means):
    assert not passes(test_scaling_counterexample, wrong), \
        f"your test 'finds' a counterexample for {wrong.__name__}, which does commute with upsample2"
print("visible checks passed: 2 correct layers, 4 scale-commuting ones rejected")

# %% [markdown]
# ## 7. Stride: shifts by the stride only
#
# A layer with stride 2 keeps every second row and column of its output: it **downsamples** the feature map.
# It is then equivariant only to shifts by a multiple of 2: shifting the input by 2 shifts the output by 1, but
# a shift by 1 moves the image by "half an output pixel" — the output changes in a way that is no shift at all.
#
# **The implementation under test.** `corr_strided(x, w)` is a circular correlation layer with stride 2: for an
# image (H, W) with **even** H and W and any kernel, it returns (H/2, W/2) values — every second row and column
# of a "same"-size circular correlation (or convolution). Whether it keeps the even or the odd rows and columns is
# not part of the claim.
#
# **The claim.**
# 1. A shift by 2 along either axis shifts the output by 1:
#    $\text{corr\_strided}(\text{shift}(x, 2a, 2b), w) = \text{shift}(\text{corr\_strided}(x, w), a, b)$.
# 2. A shift by 1, along either axis, is in general no shift of the output: for some $x$ and $w$, the output for
#    `shift(x, 1, 0)` is no circular shift (by any amount) of the output for $x$; and the same for `shift(x, 0, 1)`.

# %% demo
try:
    def strided(x, w):
        return circular_corr2d(x, w)[::2, ::2]

    fx = strided(x_f, edge)
    f_by2, f_by1 = strided(shift(x_f, 0, 2), edge), strided(shift(x_f, 0, 1), edge)
    show({"f(x)": fx, "shift(f(x), 0, 1)": shift(fx, 0, 1), "f(shift(x, 0, 2))": f_by2, "f(shift(x, 0, 1))": f_by1},
         "stride 2 (x is 20 x 24, f(x) is 10 x 12): a shift by 2 moves the output by 1; a shift by 1 changes it")
    print("max |f(shift(x, 0, 2)) - shift(f(x), 0, 1)| =", np.abs(f_by2 - shift(fx, 0, 1)).max())
    print("max |f(shift(x, 0, 1)) - shift(f(x), a, b)|, smallest over all shifts (a, b) =",
          min(np.abs(f_by1 - shift(fx, a, b)).max() for a in range(fx.shape[0]) for b in range(fx.shape[1])))
except NotImplementedError:
    print("implement circular_corr2d to see the figure")

# %% solution test_stride_breaks_shift
#| solution solutions.a2_equivariance:test_stride_breaks_shift

# %% check test_stride_breaks_shift points=15


def even_phase(x, w):  # correct: rows and columns 0, 2, 4, ...
    return circular_corr2d(x, w)[::2, ::2]


def odd_phase(x, w):  # correct as well: rows and columns 1, 3, 5, ...
    return circular_corr2d(x, w)[1::2, 1::2]


def ramp_bias(x, w):  # wrong: a bias that grows to the right
    return circular_corr2d(x, w)[::2, ::2] + np.arange(np.shape(x)[1] // 2)


def full_size(x, w):  # wrong: no stride at all, the (H, W) output
    return circular_corr2d(x, w)


def stride_along_columns_only(x, w):  # wrong: stride 2 along W, every row kept
    return circular_corr2d(x, w)[:, ::2]


def stride_4(x, w):  # wrong: stride 4 instead of 2
    return circular_corr2d(x, w)[::4, ::4]


assert passes(test_stride_breaks_shift, even_phase), "your test rejects a correct stride-2 layer (even phase)"
assert passes(test_stride_breaks_shift, odd_phase), "your test rejects a correct stride-2 layer (odd phase)"
for wrong in (ramp_bias, full_size, stride_along_columns_only, stride_4):
    assert not passes(test_stride_breaks_shift, wrong), f"your test accepts {wrong.__name__} (see its comment)"
print("visible checks passed: 2 correct layers passed, 4 wrong layers rejected")

# %% [markdown]
# ## 8. Max pooling: local invariance
#
# **The implementation under test.** `pool(x)` is 2×2 max pooling with stride 2: x (H, W) with H, W ≥ 2 gives
# (H//2, W//2), each output the maximum of its cell,
# $\text{out}[i, j] = \max\, x[2i:2i+2,\; 2j:2j+2]$; a leftover last row or column (odd H or W) is dropped.
#
# **The claim.**
# 1. `pool` is the max pooling just described;
# 2. it is **locally invariant**: moving the maximum of a cell to another position in the same cell, or lowering
#    the other values of that cell, leaves the output unchanged;
# 3. the invariance is only local: moving the maximum into a neighbouring cell changes the output.

# %% demo
peak_at = [(2, 2), (3, 3), (2, 4)]
fig, axes = plt.subplots(2, 3, figsize=(8, 5))
for col, (r, c) in enumerate(peak_at):
    img = np.zeros((6, 6))
    img[r, c] = 1.0
    out = img.reshape(3, 2, 3, 2).max(axis=(1, 3))
    axes[0, col].imshow(img, cmap="gray", vmin=0, vmax=1)
    axes[0, col].set_title(f"peak at {(r, c)}, cell {(r // 2, c // 2)}", fontsize=9)
    axes[1, col].imshow(out, cmap="gray", vmin=0, vmax=1)
    axes[1, col].set_title("2x2 max pooling", fontsize=9)
    for ax in axes[:, col]:
        ax.set_xticks([])
        ax.set_yticks([])
fig.suptitle("inside its cell the peak may move freely; into the next cell, the output moves too")
plt.tight_layout()
plt.show()

# %% solution test_pool_local_invariance
#| solution solutions.a2_equivariance:test_pool_local_invariance

# %% check test_pool_local_invariance points=10


def maxpool2x2(x):  # correct
    x = np.asarray(x, dtype=float)
    H, W = x.shape
    return x[: H // 2 * 2, : W // 2 * 2].reshape(H // 2, 2, W // 2, 2).max(axis=(1, 3))


def overlapping(x):  # wrong: 2x2 windows at stride 1
    return np.lib.stride_tricks.sliding_window_view(np.asarray(x, dtype=float), (2, 2)).max(axis=(2, 3))


def min_pool(x):  # wrong: the minimum of each cell
    x = np.asarray(x, dtype=float)
    H, W = x.shape
    return x[: H // 2 * 2, : W // 2 * 2].reshape(H // 2, 2, W // 2, 2).min(axis=(1, 3))


def diagonal_only(x):  # wrong: the maximum of the cell's diagonal (top-left and bottom-right) only
    x = np.asarray(x, dtype=float)
    H, W = x.shape[0] // 2 * 2, x.shape[1] // 2 * 2
    return np.maximum(x[0:H:2, 0:W:2], x[1:H:2, 1:W:2])


def transposed(x):  # wrong: right values, (W//2, H//2) instead of (H//2, W//2)
    return maxpool2x2(x).T


assert passes(test_pool_local_invariance, maxpool2x2), "your test rejects a correct 2x2 max pooling"
for wrong in (overlapping, min_pool, diagonal_only, transposed):
    assert not passes(test_pool_local_invariance, wrong), f"your test accepts {wrong.__name__} (see its comment)"
print("visible checks passed: 1 correct pooling passed, 4 wrong ones rejected")

# %% [markdown]
# ## What you have shown
#
# | claim | proved by |
# |---|---|
# | a correlation layer (with bias, ReLU, ...) commutes with shifts | `test_shift_equivariance` |
# | it does not commute with rotations ... | `test_rotation_counterexample` |
# | ... unless the kernel is rotated too | `test_rotated_kernel` |
# | it does not commute with upscaling | `test_scaling_counterexample` |
# | stride 2 keeps equivariance only for shifts by 2 | `test_stride_breaks_shift` |
# | max pooling is invariant to moves within a cell, not across cells | `test_pool_local_invariance` |

# %% [markdown]
# **Question.** Your tests proved that a correlation layer commutes with shifts, and not with rotations or
# upscaling. Why is equivariance to translation what we want from the early layers of a network for images (what
# would a layer without it have to learn)? And name two ways a CNN can still cope with objects that appear rotated
# or at another size, using what this assignment and the lecture showed.

# %% answer why_equivariance points=3
# **Rubric (3 points).**
#
# - 1 pt — an object or an edge means the same wherever it is in the image: an equivariant layer detects it
#   everywhere with one kernel and reports *where* (the feature map moves with the input), so later layers and
#   pooling can decide how much position matters. A layer without it would have to learn the same detector
#   separately at every position, from examples at every position (more parameters, more data).
# - 2 pts, 1 for each of two correct ways: learn rotated (or rescaled) copies of a filter and pool over them
#   (A3's `channel_maxpool`: invariance learned by pooling over features); data augmentation with rotated and
#   rescaled images; pooling and stride over several layers for small changes of size; an image pyramid (several
#   scales) or kernels rotated with the input (`test_rotated_kernel`: rotating the kernel restores the
#   equivariance).
#
# "CNNs are rotation invariant" or "pooling makes them invariant to everything": no point for that part.
