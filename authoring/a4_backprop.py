# ruff: noqa: F821, F401, E402, E501, B023 — a notebook source: names come from other cells, LaTeX lines are long,
# and the checks' lambdas are called at once
# %% [markdown]
# # Assignment 4 — Backpropagation: from gradients to edge detectors
#
# *Machine learning for signal processing (5LSL0), lecture "Convolutional neural networks".*
#
# A typical convolutional network stacks layers of **convolution → nonlinearity (ReLU) → pooling** and ends in a
# fully connected (dense) layer. It is trained like the FIR filter of assignment 1: choose a cost (MSE or
# cross-entropy, plus an L2 penalty on the weights) and follow its gradient, with **stochastic gradient descent**
# on small batches of examples. The gradient of the cost with respect to millions of weights is computed by
# **backpropagation**: the chain rule, applied layer by layer from the cost back to the input.
#
# In this assignment you write the backward pass of every layer the network needs, check each one numerically,
# and train a small CNN on images of oriented bars. At the end you will see what the lecture promised: the
# first-layer filters the network learns become **oriented detectors**, like the receptive fields that Hubel and
# Wiesel found in the simple cells of the primary visual cortex (V1) — and you will measure how close to the
# textbook model of those cells, the **Gabor filter**, they come.
#
# 1. gradient checking: `numerical_gradient` (you use it for everything after);
# 2. ReLU and dense layers: `relu_forward`, `relu_backward`, `dense_forward`, `dense_backward`;
# 3. losses: `mse_loss`, `softmax_cross_entropy`, `l2_penalty`;
# 4. the convolution layer: `conv_backward`, with any stride and padding;
# 5. pooling: `maxpool_backward`, `avgpool_backward`;
# 6. the update: `sgd_step`;
# 7. a whole CNN: `cnn_loss`, then `train_cnn`;
# 8. the learned filters, measured against Gabor filters, ramps and blobs.
#
# **How to work.** Implement each function in its solution cell (replace `raise NotImplementedError()`), then run
# the check cell below it. The visible checks are small and help you find mistakes; passing them does **not**
# guarantee full marks: a hidden suite grades your functions on many more inputs (other sizes for every axis,
# strides 1–3, padding 0–2, overlapping pooling windows, ties, integer inputs, random upstream gradients, ...).
# Only the code of the solution cells is graded; the forward layers are given (they are the reference solutions
# of assignments 1 and 3), so this assignment does not depend on your earlier work. Use numpy only in your
# solutions. Loops over the kernel offsets ($K_H \times K_W$ iterations) are fine; a Python loop over every
# pixel and every image works too, but makes `train_cnn` slow (see section 7).
#
# **Conventions used throughout (and by the grader).**
# - Layer tensors are NCHW: `x` (N, C, H, W); conv weights `w` (F, C, KH, KW), bias `b` (F,). Dense layers map
#   `x` (N, D) with `w` (D, M), `b` (M,) to (N, M).
# - The convolution layer is a **cross-correlation** (as in deep-learning libraries); output size along an axis of
#   length $n$ with kernel $k$, zero padding $p$, stride $s$: $\lfloor (n + 2p - k)/s \rfloor + 1$.
# - Pooling has no padding; the stride defaults to the window size; with ties, max pooling routes the gradient to
#   the **first** maximum of its window in row-major order (what `argmax` of the flattened window returns).
# - $\mathrm{ReLU}'(0) = 0$.
# - **Forward** functions return `(out, cache)`; **backward** functions take `(dout, cache)` — `dout` is the
#   gradient of the loss with respect to `out` — and return the gradients in the order of the forward's arguments.
#   Caches: `conv_forward` → `(x, w, b, stride, pad)`; `maxpool_forward`/`avgpool_forward` → `(x, (kh, kw), (sh, sw))`;
#   `relu_forward` → `x`; `dense_forward` → `(x, w, b)` (arrays as float64).
# - Gradients of weights and biases are **summed over the batch** (the batch mean lives in the loss);
#   losses are **means** as stated for each.
# - Outputs are `float64` arrays (also for integer inputs). Inputs are never modified. No state between calls.

# %% given
import math
from collections.abc import Callable

import numpy as np

#| source solutions.common:as_float64


#| source solutions.common:check_stride_pad


#| source solutions.common:check_fits


#| source solutions.a3_pooling:as_pair


#| source solutions.a1_convolution:conv_forward


#| source solutions.a3_pooling:maxpool_forward


#| source solutions.a3_pooling:avgpool_forward

# %% [markdown]
# The cell above gives you the forward layers: `conv_forward(x, w, b, stride=1, pad=0)` (assignment 1) and
# `maxpool_forward(x, size=2, stride=None)`, `avgpool_forward(x, size=2, stride=None)` (assignment 3), with the
# argument helpers they use. Read them: your backward passes consume their caches.
#
# ## 1. Backpropagation and gradient checking
#
# A network is a chain of functions, $L = \ell(f_K(\cdots f_2(f_1(x; \theta_1); \theta_2) \cdots))$. Each layer
# $y = f(x; \theta)$ receives from the layer above the **upstream gradient** $\partial L/\partial y$ (`dout`, the
# shape of $y$) and, by the chain rule, passes down
#
# $$\frac{\partial L}{\partial x_i} = \sum_j \frac{\partial L}{\partial y_j}\,\frac{\partial y_j}{\partial x_i},
# \qquad \frac{\partial L}{\partial \theta_k} = \sum_j \frac{\partial L}{\partial y_j}\,\frac{\partial y_j}{\partial \theta_k}.$$
#
# Every backward function in this assignment is one such sum, written with array operations. The sums run over
# every output $j$ that the input touched — this is why a weight that is *shared* (a convolution kernel, used at
# every position and for every image of the batch) collects a **sum** of contributions.
#
# Analytic gradients are easy to get subtly wrong, so we check them against a **numerical gradient**: each partial
# derivative $\partial f/\partial x_i$ of a scalar function $f$ of an array $x$ estimated by a **central**
# (symmetric) difference quotient, with $x_i$ moved by $h$ to either side and every other element kept. Work out
# why its error is of order $h^2$ while a one-sided quotient's is of order $h$ (a Taylor expansion) — the check
# below can tell the two apart.
#
# Implement `numerical_gradient(f, x, h=1e-5)`. Its contract: `x` may have any shape and any numeric dtype; `f` is
# called only with float64 arrays of x's shape; the result is a float64 array of x's shape; the caller's `x` is
# unchanged afterwards.

# %% solution numerical_gradient
#| solution solutions.a4_backprop:numerical_gradient

# %% check numerical_gradient points=7
x = np.array([[1.0, -2.0, 0.5], [3.0, 0.0, -1.0]])
x_before = x.copy()
g = numerical_gradient(lambda z: np.sum(z**2), x)
assert np.shape(g) == x.shape, f"the gradient has x's shape {x.shape}, got {np.shape(g)}"
assert np.allclose(g, 2 * x), "d/dx sum(x^2) = 2x"
assert np.array_equal(x, x_before), "x must be unchanged afterwards"
g = numerical_gradient(lambda z: np.sum(z**3), np.array([1.0, 2.0]), h=0.1)
assert np.allclose(g, [3.01, 12.01]), "central differences of x^3 give 3x^2 + h^2 (one-sided ones are worse)"
assert numerical_gradient(lambda z: float(z.sum()), np.arange(3)).dtype == np.float64, "integer x works too"
print("visible checks passed")

# %% [markdown]
# The kit uses your `numerical_gradient` in a gradient check for every layer below:

# %% given
#| source solutions.a4_backprop:rel_error


#| source solutions.a4_backprop:gradient_check

# %% [markdown]
# A relative error around $10^{-7}$ or below means the gradients agree up to rounding; above $10^{-4}$ there is
# almost surely a bug. A useful trick for a layer $y = f(x)$: with a **random** upstream gradient `dout`, the
# scalar $L(x) = \sum_j \texttt{dout}_j\, f(x)_j$ has $\partial L/\partial x$ equal to exactly what the backward
# pass must return. (A constant `dout` of ones would hide bugs that permute or mix up the upstream gradient.)
#
# ## 2. ReLU and the dense layer
#
# **ReLU**, elementwise: $y = \max(x, 0)$. Its derivative is not defined at 0; the convention here is
# $\mathrm{ReLU}'(0) = 0$. The cache of `relu_forward` is `x` itself (as float64).

# %% solution relu
#| solution solutions.a4_backprop:relu_forward


#| solution solutions.a4_backprop:relu_backward

# %% check relu points=3
out, cache = relu_forward(np.array([[-2, 0, 3]]))
assert out.dtype == np.float64 and np.array_equal(out, [[0, 0, 3]]), "max(x, 0), as float64"
assert np.array_equal(relu_backward(np.array([[5.0, 6.0, 7.0]]), cache), [[0, 0, 7]]), "ReLU'(0) = 0"
rng = np.random.default_rng(0)
x = rng.standard_normal((3, 4))
x = x + 0.1 * np.sign(x)  # stay away from the kink at 0 for the numerical gradient
dout = rng.standard_normal((3, 4))
out, cache = relu_forward(x)
gradient_check(lambda z: np.sum(dout * relu_forward(z)[0]), x, relu_backward(dout, cache), "relu dx")
print("visible checks passed")

# %% [markdown]
# **Dense layer**: $y = xW + b$ with $x$ (N, D), $W$ (D, M), $b$ (M,). Work out the three gradients
# $\partial L/\partial x$ (N, D), $\partial L/\partial W$ (D, M) and $\partial L/\partial b$ (M,) from the sum
# $y_{nm} = \sum_d x_{nd} W_{dm} + b_m$ and the chain rule above, then write each as array operations.
#
# Check the shapes: each gradient has the shape of what it is the gradient of. $W$ and $b$ are used for every
# example of the batch, so their gradients are sums over the batch.

# %% solution dense
#| solution solutions.a4_backprop:dense_forward


#| solution solutions.a4_backprop:dense_backward

# %% check dense points=7
rng = np.random.default_rng(1)
x, w, b = rng.standard_normal((3, 5)), rng.standard_normal((5, 4)), rng.standard_normal(4)
out, cache = dense_forward(x, w, b)
assert out.shape == (3, 4), f"out has shape (N, M) = (3, 4), got {out.shape}"
dout = rng.standard_normal(out.shape)
dx, dw, db = dense_backward(dout, cache)
assert dx.shape == x.shape and dw.shape == w.shape and db.shape == b.shape, "each gradient has its variable's shape"
gradient_check(lambda z: np.sum(dout * dense_forward(z, w, b)[0]), x, dx, "dense dx")
gradient_check(lambda z: np.sum(dout * dense_forward(x, z, b)[0]), w, dw, "dense dw")
gradient_check(lambda z: np.sum(dout * dense_forward(x, w, z)[0]), b, db, "dense db")
print("visible checks passed")

# %% [markdown]
# ## 3. Losses
#
# The loss turns the network's output into one number; its backward pass starts the chain with
# $\partial L/\partial\,\text{output}$. Each loss function returns `(loss, dpred)`: the loss as a Python float and
# its gradient with respect to its first argument.
#
# **Mean squared error** over all $S$ elements: $L = \frac{1}{S}\sum_i (\hat y_i - y_i)^2$ — the regression cost
# of assignment 1. `dpred` is $\partial L/\partial \hat y$, of the shape of `pred`.

# %% solution mse_loss
#| solution solutions.a4_backprop:mse_loss

# %% check mse_loss points=3
loss, dpred = mse_loss(np.array([1.0, 2.0, 3.0]), np.array([1.0, 4.0, 3.0]))
assert np.isclose(loss, 4 / 3), "(0 + 4 + 0) / 3"
rng = np.random.default_rng(2)
pred, target = rng.standard_normal((2, 3)), rng.standard_normal((2, 3))
gradient_check(lambda z: mse_loss(z, target)[0], pred, mse_loss(pred, target)[1], "mse dpred")
print("visible checks passed")

# %% [markdown]
# **Softmax cross-entropy** for classification: scores $s$ (N, M), labels $y_n \in \{0, \dots, M-1\}$,
#
# $$p_{nm} = \frac{e^{s_{nm}}}{\sum_k e^{s_{nk}}}, \qquad L = -\frac{1}{N}\sum_n \log p_{n, y_n}.$$
#
# Derive $\partial L/\partial s_{nm}$ yourself (write $\log p_{n, y_n}$ in terms of the scores first; the result is
# short). Compute the loss **stably**: $e^{1000}$ overflows, and for a row like $(1000, 0)$ the probability of the
# second class is $e^{-1000}$, which underflows to 0, so `np.log(p)` gives $-\infty$. Show first that the softmax
# of a row does not change when one constant is subtracted from every score of the row, then write $\log p$ in a
# form that never exponentiates a large number and never takes the logarithm of an underflowed $p$.

# %% solution softmax_cross_entropy
#| solution solutions.a4_backprop:softmax_cross_entropy

# %% check softmax_cross_entropy points=10
loss, dscores = softmax_cross_entropy(np.zeros((2, 4)), np.array([0, 3]))
assert np.isclose(loss, np.log(4)), "equal scores: p = 1/M for every class, so L = log M"
assert dscores.shape == (2, 4) and np.allclose(dscores.sum(axis=1), 0), "each row of dscores sums to 0"
loss, _ = softmax_cross_entropy(np.array([[1000.0, 0.0]]), np.array([1]))
assert np.isfinite(loss) and np.isclose(loss, 1000.0), \
    "huge scores: p of class 1 underflows to 0 -- never take np.log of an underflowed p"
rng = np.random.default_rng(3)
scores, y = rng.standard_normal((4, 3)), np.array([2, 0, 1, 1])
gradient_check(lambda z: softmax_cross_entropy(z, y)[0], scores, softmax_cross_entropy(scores, y)[1], "dscores")
print("visible checks passed")

# %% [markdown]
# **L2 penalty** ("weight decay"): $R(W) = \frac{\lambda}{2}\sum W^2$, returned with its gradient
# $\partial R/\partial W$ (the shape of $W$).

# %% solution l2_penalty
#| solution solutions.a4_backprop:l2_penalty

# %% check l2_penalty points=2
loss, dw = l2_penalty(np.array([[1.0, -2.0]]), 0.5)
assert np.isclose(loss, 1.25), "R = lam / 2 * sum(w^2) = 0.25 * (1 + 4)"
gradient_check(lambda z: l2_penalty(z, 0.5)[0], np.array([[1.0, -2.0]]), dw, "l2_penalty dw")
print("visible checks passed")

# %% [markdown]
# ## 4. The convolution layer
#
# The forward pass (given) computes, for $x_{\text{pad}}$ the input with $p$ zeros around each image,
#
# $$\text{out}[n, f, i, j] = b[f] + \sum_{c, p', q'} x_{\text{pad}}[n, c,\ i s + p',\ j s + q']\; w[f, c, p', q'].$$
#
# Every output position $(i, j)$ used the same kernel; every kernel entry touched many inputs. Differentiate this
# sum with the chain rule of section 1 — with respect to $w[f, c, p', q']$, $b[f]$ and each input pixel — and
# write the three gradients as array operations. Things to get right:
#
# - a shared weight collects a **sum** of contributions: over the batch and over every output position;
# - an input pixel receives a contribution from every output whose window contained it, and the windows of
#   stride $s$ start $s$ input pixels apart;
# - the padding is not part of $x$: its gradient is not returned;
# - rows and columns the forward pass dropped (when the stride does not divide evenly) get zero gradient.
#
# Implement `conv_backward(dout, cache)` → `(dx, dw, db)` for the cache `(x, w, b, stride, pad)` of `conv_forward`.
# Loop over the kernel offsets $(p', q')$ if you like, and use array operations for the rest.

# %% solution conv_backward
#| solution solutions.a4_backprop:conv_backward

# %% check conv_backward points=24
rng = np.random.default_rng(4)
x, w, b = rng.standard_normal((2, 3, 7, 6)), rng.standard_normal((4, 3, 3, 2)), rng.standard_normal(4)
for stride, pad in [(1, 0), (2, 1), (3, 2)]:
    out, cache = conv_forward(x, w, b, stride, pad)
    dout = rng.standard_normal(out.shape)
    dx, dw, db = conv_backward(dout, cache)
    assert dx.shape == x.shape and dw.shape == w.shape and db.shape == b.shape, "each gradient has its variable's shape"
    what = f"conv_backward with stride {stride}, pad {pad}:"
    gradient_check(lambda z: np.sum(dout * conv_forward(z, w, b, stride, pad)[0]), x, dx, f"{what} dx")
    gradient_check(lambda z: np.sum(dout * conv_forward(x, z, b, stride, pad)[0]), w, dw, f"{what} dw")
    gradient_check(lambda z: np.sum(dout * conv_forward(x, w, z, stride, pad)[0]), b, db, f"{what} db")
print("visible checks passed")

# %% demo
import matplotlib.pyplot as plt

try:
    x = np.zeros((1, 1, 9, 9))
    w = np.arange(1.0, 7.0).reshape(1, 1, 2, 3)
    fig, ax = plt.subplots(1, 3, figsize=(11, 3.6), layout="constrained")
    for a, stride in zip(ax[:2], (1, 2), strict=True):
        out, cache = conv_forward(x, w, np.zeros(1), stride=stride)
        dout = np.zeros(out.shape)
        dout[0, 0, 1, 2] = 1.0  # the gradient of one output
        a.imshow(conv_backward(dout, cache)[0][0, 0], cmap="viridis")
        a.set(title=f"dx, stride {stride}", xticks=range(9), yticks=range(9))
    ax[2].imshow(w[0, 0], cmap="viridis")
    ax[2].set(title="the kernel w", xticks=range(3), yticks=range(2))
    fig.suptitle("the gradient of the single output (i, j) = (1, 2): dout is 1 there, 0 elsewhere")
    plt.show()
    print("one output's gradient lands on the window it read: the kernel, at (i*stride, j*stride)")
except NotImplementedError:
    plt.close("all")  # no empty axes
    print("implement conv_backward to see where the gradient of one output goes")

# %% [markdown]
# ## 5. Pooling
#
# **Max pooling** passes each window's maximum. Work out its gradient from the chain rule of section 1: how does
# a window's output change when one of its inputs changes a little? Two cases need care: windows that overlap
# (stride < size), where one input can belong to several windows; and ties. The maximum of a window with several
# equal maxima has no derivative; the convention here (and the grader's): the gradient goes to the **first**
# maximum in row-major order of the window (what `np.argmax` of the flattened window picks), only to it.

# %% solution maxpool_backward
#| solution solutions.a4_backprop:maxpool_backward

# %% check maxpool_backward points=11
x = np.array([[[[1.0, 5.0, 2.0], [5.0, 0.0, 3.0]]]])
out, cache = maxpool_forward(x, size=(2, 3))
dx = maxpool_backward(np.array([[[[7.0]]]]), cache)
assert np.array_equal(dx, [[[[0, 7, 0], [0, 0, 0]]]]), "a tie: all of dout to the first maximum (row-major)"
out, cache = maxpool_forward(np.array([[[[1.0, 9.0, 2.0, 0.0]]]]), size=(1, 2), stride=1)  # overlapping windows
assert np.allclose(maxpool_backward(np.array([[[[1.0, 2.0, 3.0]]]]), cache), [[[[0, 3, 3, 0]]]]), \
    "9 is the maximum of two windows: it collects both gradients"
rng = np.random.default_rng(5)
x = rng.standard_normal((2, 3, 7, 8))  # random values: no ties, so the numerical gradient is exact
for size, stride in [(2, None), ((3, 2), (2, 1))]:
    out, cache = maxpool_forward(x, size, stride)
    dout = rng.standard_normal(out.shape)
    gradient_check(lambda z: np.sum(dout * maxpool_forward(z, size, stride)[0]), x,
                   maxpool_backward(dout, cache), f"maxpool dx, size {size}, stride {stride}")
print("visible checks passed")

# %% [markdown]
# **Average pooling** outputs the mean of each window. It is linear; derive its gradient the same way (windows may
# overlap here too, and some inputs may lie in no window at all).

# %% solution avgpool_backward
#| solution solutions.a4_backprop:avgpool_backward

# %% check avgpool_backward points=6
out, cache = avgpool_forward(np.zeros((1, 1, 2, 2)), size=2)
assert np.allclose(avgpool_backward(np.array([[[[8.0]]]]), cache), 2.0), "8 shared by 4 inputs"
rng = np.random.default_rng(6)
x = rng.standard_normal((2, 3, 7, 8))
for size, stride in [(2, None), ((3, 2), (2, 1))]:
    out, cache = avgpool_forward(x, size, stride)
    dout = rng.standard_normal(out.shape)
    gradient_check(lambda z: np.sum(dout * avgpool_forward(z, size, stride)[0]), x,
                   avgpool_backward(dout, cache), f"avgpool dx, size {size}, stride {stride}")
print("visible checks passed")

# %% [markdown]
# ## 6. Stochastic gradient descent
#
# With the gradients in hand, training takes steps of gradient descent (assignment 1) with learning rate $\eta$
# (`lr`). *Stochastic* gradient descent uses the gradient
# of the loss on a small random **minibatch** of examples instead of the whole training set: a noisy but cheap
# estimate, so many more steps fit in the same time.
#
# Parameters and gradients are dicts of arrays (`{"w1": ..., "b1": ..., ...}`, the same names). Implement
# `sgd_step(params, grads, lr)`: one gradient descent step for every parameter; it returns a **new** dict of
# **new** float64 arrays and leaves `params`, `grads` and their arrays unchanged.

# %% solution sgd_step
#| solution solutions.a4_backprop:sgd_step

# %% check sgd_step points=2
params = {"w": np.array([1.0, 2.0]), "b": np.array([0.5])}
grads = {"w": np.array([10.0, -10.0]), "b": np.array([1.0])}
new = sgd_step(params, grads, lr=0.1)
assert np.allclose(new["w"], [0.0, 3.0]) and np.allclose(new["b"], [0.4]), "one step of gradient descent, lr = 0.1"
assert np.array_equal(params["w"], [1.0, 2.0]), "params must not be modified"
print("visible checks passed")

# %% [markdown]
# ## 7. A small CNN that learns edge detectors
#
# The kit generates images of **oriented bars in noise**: $12 \times 12$ pixels, 4 classes — a bar at 0°, 45°,
# 90° or 135° (± 10°), a random offset of up to 2 pixels, a random brightness, and white Gaussian noise of
# standard deviation 0.3. The network classifies the orientation:
#
# $$x\ (N, 1, 12, 12) \xrightarrow{\text{conv } 5\times5,\ F=6,\ \text{stride 1, pad 0}} (N, 6, 8, 8)
# \xrightarrow{\text{ReLU}} \xrightarrow{\text{max-pool } 2\times2} (N, 6, 4, 4)
# \xrightarrow{\text{flatten}} (N, 96) \xrightarrow{\text{dense}} (N, 4) \xrightarrow{\text{softmax CE}} L$$
#
# with the loss $L = \text{CE} + \frac{\lambda}{2}\bigl(\sum w_1^2 + \sum w_2^2\bigr)$ (no penalty on the biases).
# The parameters are a dict: `w1` (F, C, K, K), `b1` (F,), `w2` (D, M), `b2` (M,); `init_cnn` below makes them.
# The cell below also gives the data generator, `cnn_scores` (the forward pass alone), `accuracy`, and the filter
# measures of section 8.

# %% given
#| source solutions.a4_backprop:make_edge_images


#| source solutions.a4_backprop:init_cnn


#| source solutions.a4_backprop:cnn_scores


#| source solutions.a4_backprop:accuracy


#| source solutions.a4_backprop:gabor_bank


#| source solutions.a4_backprop:_centred_unit


#| source solutions.a4_backprop:_explained


#| source solutions.a4_backprop:_zero_mean_orthonormal


#| source solutions.a4_backprop:_gabor_pairs


#| source solutions.a4_backprop:plane_fit


#| source solutions.a4_backprop:orientation_selectivity


#| source solutions.a4_backprop:gabor_likeness

# %% demo
images, labels = make_edge_images(40, seed=1)
clean, _ = make_edge_images(40, noise=0.0, seed=1)  # the same bars, without the noise
shown = [np.flatnonzero(labels == k % 4)[k // 4] for k in range(8)]  # two of each class
fig, ax = plt.subplots(2, 8, figsize=(12, 3.6), layout="constrained")
for col, i in enumerate(shown):
    ax[0, col].imshow(clean[i, 0], cmap="gray", vmin=-1, vmax=1.5)
    ax[0, col].set_title(f"class {labels[i]}: {45 * labels[i]}°", fontsize=9)
    ax[1, col].imshow(images[i, 0], cmap="gray", vmin=-1, vmax=1.5)
ax[0, 0].set_ylabel("noise-free")
ax[1, 0].set_ylabel("as trained\n(noise 0.3)")
for a in ax.flat:
    a.set(xticks=[], yticks=[])
plt.show()

# %% [markdown]
# Implement `cnn_loss(params, X, y, lam=0.0)` → `(loss, grads)`: the loss $L$ above of the network above, and
# its gradient with respect to every parameter, built from the layers of this assignment (the given forward
# layers and your own functions). Conventions: the convolution has stride 1 and no padding, the pooling is
# 2 × 2 max pooling, and the flatten is numpy's C-order `reshape(N, -1)` of the pooled maps (N, F, H'', W'').
# `grads` has the same names and shapes as `params`.

# %% solution cnn_loss
#| solution solutions.a4_backprop:cnn_loss

# %% check cnn_loss points=12
rng = np.random.default_rng(7)
X, y = rng.standard_normal((3, 1, 9, 8)), np.array([2, 0, 1])
params = init_cnn((1, 9, 8), n_classes=3, n_filters=2, kernel_size=3, seed=1)
params = {k: v + 0.1 * rng.standard_normal(v.shape) for k, v in params.items()}
loss, grads = cnn_loss(params, X, y, lam=0.3)
assert sorted(grads) == sorted(params), f"grads needs the names of params, got {sorted(grads)}"
scores = cnn_scores(params, X)
want = softmax_cross_entropy(scores, y)[0] + 0.15 * (np.sum(params["w1"] ** 2) + np.sum(params["w2"] ** 2))
assert np.isclose(loss, want), "loss = softmax cross-entropy of the scores + 0.5 lam (sum w1^2 + sum w2^2)"
for name in params:
    gradient_check(lambda z: cnn_loss({**params, name: z}, X, y, lam=0.3)[0], params[name], grads[name],
                   f"cnn_loss gradient of {name}", tol=1e-5)
print("visible checks passed")

# %% [markdown]
# ### Training
#
# Implement `train_cnn(X, y, ...)` → `(params, losses)`: minibatch SGD on `cnn_loss` with your `sgd_step`. The
# grader re-runs the same training on a small set and compares step by step, so follow this contract exactly:
#
# - there are $M$ = `y.max() + 1` classes; the parameters start as `init_cnn` makes them for X's image shape, $M$,
#   `n_filters`, `kernel_size` and `seed`;
# - all randomness of the shuffling comes from **one** generator, `np.random.default_rng(seed + 1)`, made once
#   before the first epoch; each epoch visits the images in a new order, one `permutation` of all $N$ indices
#   drawn from it;
# - an epoch cuts its order into batches of `batch_size` consecutive indices (the last batch may be smaller) and
#   takes one SGD step with learning rate `lr` on each, on the batch's loss with L2 penalty `lam`.
#
# `losses` is a float64 array with one entry per step, `epochs * ceil(N / batch_size)` in all: the minibatch loss
# (with the L2 term) *before* that step. With the defaults, on 400 training images, training takes about a second
# with vectorised layers. **The bars** (graded on held-out images the network never saw, with the kit's forward
# pass `cnn_scores`): `accuracy(params, X_test, y_test)` **≥ 0.9** (chance is 0.25), and in section 8 the median
# orientation selectivity of the learned filters **≥ 0.4**. The grader trains your `train_cnn` once, with the defaults,
# on 400 images, with a time limit of **60 s**: a loop over kernel offsets is fast enough, a Python loop over every
# pixel of every image of every batch may not be.

# %% solution train_cnn
#| solution solutions.a4_backprop:train_cnn

# %% check train_cnn points=8
import time

X_train, y_train = make_edge_images(400, seed=100)  # the training set
X_test, y_test = make_edge_images(500, seed=10_000)  # held-out images, never used in training
start = time.perf_counter()
cnn_params, cnn_losses = train_cnn(X_train, y_train)
seconds = time.perf_counter() - start
assert set(cnn_params) == {"w1", "b1", "w2", "b2"} and cnn_params["w1"].shape == (6, 1, 5, 5), "params as init_cnn makes them"
assert np.shape(cnn_losses) == (8 * 20,), "one loss per step: epochs * ceil(400 / 20)"
assert np.mean(cnn_losses[-20:]) < 0.5 * np.mean(cnn_losses[:20]), "the loss should go down"
test_accuracy = accuracy(cnn_params, X_test, y_test)
print(f"trained in {seconds:.1f} s; held-out accuracy {test_accuracy:.3f} (bar: 0.9)")
assert test_accuracy >= 0.9, "below the accuracy bar"
print("visible checks passed")

# %% demo
try:
    fig, ax = plt.subplots(figsize=(7, 3.4), layout="constrained")
    steps_per_epoch = len(cnn_losses) // 8
    ax.plot(cnn_losses, lw=0.6, alpha=0.5, label="minibatch loss")
    # the mean of steps k .. k + steps_per_epoch - 1 belongs at the middle of that window, not at step k
    running = np.convolve(cnn_losses, np.ones(steps_per_epoch) / steps_per_epoch, "valid")
    ax.plot(np.arange(len(running)) + (steps_per_epoch - 1) / 2, running, label="mean over an epoch (centred)")
    ax.axhline(np.log(4), color="gray", ls=":", label="log 4: guessing")
    ax.set(xlabel="SGD step", ylabel="loss (cross-entropy + L2)", title="training the small CNN")
    ax.legend()
    plt.show()
except NameError:
    plt.close("all")  # no empty axes
    print("implement train_cnn and run its check cell first to see the figure")

# %% [markdown]
# ## 8. What did the first layer learn?
#
# A **Gabor filter** is a sinusoidal grating under a Gaussian envelope,
#
# $$g(u, v) = e^{-(u^2 + v^2)/(2\sigma^2)} \cos\!\left(\frac{2\pi u}{\lambda} + \phi\right), \qquad
# u = c\cos\theta + r\sin\theta,\quad v = -c\sin\theta + r\cos\theta,$$
#
# with orientation $\theta$, wavelength $\lambda$ and phase $\phi$ ($\phi = 0$: a bar detector, $\phi = \pi/2$: an
# edge detector). Gabor filters model the receptive fields of simple cells in V1 well, and the first layer of
# CNNs trained on natural images famously learns filters like them. Our network was never told about orientation;
# what did it find? Looking is not measuring: on a $5 \times 5$ window many smooth filters look alike. The given
# cell of section 7 holds three measures of a filter $f$ (its mean removed; each ignores scale and offset):
#
# - `plane_fit(filters)`: the fraction of the variance of $f$ that the best plane $a\,r + b\,c$ explains (least
#   squares): 1 for a **ramp**;
# - `orientation_selectivity(filters)`: for every Gabor shape of a grid (16 orientations, wavelengths 3–8, envelope
#   widths 1–2, the best phase fitted), the fraction of the variance of $f$ it explains minus the fraction that the
#   same shape turned by 90° explains; the largest such difference. High for anything oriented (bars, edges,
#   ramps), near 0 for a round **blob**, low for noise;
# - `gabor_likeness(filters)`: orientation selectivity minus plane fit (at least 0): oriented **and** not a plane.
#
# The cell below shows the three numbers on filters built for the purpose: random ones, ramps, blobs and Gabor
# filters (random orientations, wavelengths 3.5–5.5, any phase).

# %% demo
r, c = np.mgrid[:5, :5] - 2.0
rng = np.random.default_rng(0)
angles = rng.uniform(0, np.pi, (50, 1, 1))
u, v = c * np.cos(angles) + r * np.sin(angles), -c * np.sin(angles) + r * np.cos(angles)
examples = {
    "random": rng.standard_normal((50, 5, 5)),
    "ramp": u + rng.uniform(-2, 2, (50, 1, 1)),
    "blob": np.exp(-(r**2 + c**2) / (2 * rng.uniform(0.8, 2.5, (50, 1, 1)) ** 2)),
    "Gabor": np.exp(-(u**2 + v**2) / 4.5) * np.cos(2 * np.pi * u / rng.uniform(3.5, 5.5, (50, 1, 1))
                                                   + rng.uniform(0, 2 * np.pi, (50, 1, 1))),
}
print("median over 50 filters of each kind:   plane fit   orientation selectivity   Gabor-likeness")
for kind, filters in examples.items():
    print(f"  {kind:8s}                              {np.median(plane_fit(filters)):.2f}"
          f"                  {np.median(orientation_selectivity(filters)):.2f}"
          f"                   {np.median(gabor_likeness(filters)):.2f}")

# %% [markdown]
# Now your network's filters, before and after training, each with its three numbers, and the filter of
# `gabor_bank(5)` (32 Gabor filters: 8 orientations, $\lambda \in \{5, 8\}$, both phases, $\sigma = 2$) that
# correlates best with it.

# %% demo
try:
    bank = gabor_bank(5)
    init = init_cnn((1, 12, 12), 4, seed=0)  # train_cnn's starting point with its default seed
    fig, ax = plt.subplots(3, 6, figsize=(11, 6.2), layout="constrained")
    for f in range(6):
        learned = cnn_params["w1"][f, 0]
        corr = np.einsum("pq,gpq->g", learned - learned.mean(), bank)
        best = np.argmax(np.abs(corr))
        rows = [(init["w1"][f, 0], "initial"), (learned, "learned"), (np.sign(corr[best]) * bank[best], "closest Gabor")]
        for row, (filt, title) in enumerate(rows):
            scores = [m(filt[None])[0] for m in (orientation_selectivity, plane_fit, gabor_likeness)]
            # every filter divided by its norm (the measures ignore scale): one colour scale, white is 0
            im = ax[row, f].imshow(filt / np.linalg.norm(filt), cmap="RdBu_r", vmin=-0.45, vmax=0.45)
            ax[row, f].set_title(f"{title}\nor {scores[0]:.2f} pl {scores[1]:.2f} ga {scores[2]:.2f}", fontsize=8)
    for a in ax.flat:
        a.set(xticks=[], yticks=[])
    fig.colorbar(im, ax=ax, shrink=0.6, label="filter weight / filter norm")
    fig.suptitle("first-layer filters: or = orientation selectivity, pl = plane fit, ga = Gabor-likeness")
    plt.show()
except NameError:
    plt.close("all")  # no empty axes
    print("implement train_cnn and run its check cell first to see the figure")

# %% [markdown]
# The graded check: the **median orientation selectivity of your six learned filters is at least 0.4**, for a
# network that also reaches the accuracy bar (the filters must be learned from the task). Before training the
# median is about 0.2.

# %% check gabor points=5
assert "cnn_params" in globals(), "implement train_cnn and run its check cell first: this check grades its filters"
oriented = orientation_selectivity(cnn_params["w1"])
print("orientation selectivity of the learned filters:", np.round(oriented, 2))
print("of the initial filters:                       ", np.round(orientation_selectivity(init_cnn((1, 12, 12), 4)["w1"]), 2))
print("plane fit, Gabor-likeness of the learned ones: ", np.round(plane_fit(cnn_params["w1"]), 2),
      np.round(gabor_likeness(cnn_params["w1"]), 2))
assert np.median(oriented) >= 0.4, "the learned filters are not oriented enough (median selectivity < 0.4)"
print("visible checks passed")

# %% [markdown]
# Measured over 20 seeds (`benchmarks/gabor_seeds.py`: the reference `train_cnn` with its defaults, 120 learned
# filters; median, with the 10th–90th percentile):
#
# | filters | orientation selectivity | plane fit | Gabor-likeness | Gabor-likeness ≥ 0.5 |
# |---|---:|---:|---:|---:|
# | learned | 0.70 (0.33–0.88) | 0.69 (0.21–0.90) | 0.01 (0.00–0.25) | 2 % |
# | initial (random) | 0.20 (0.11–0.33) | 0.07 (0.01–0.16) | 0.13 (0.01–0.25) | 0 % |
# | ramps | 0.81 | 1.00 | 0.00 | 0 % |
# | blobs | 0.00 | 0.00 | 0.00 | 0 % |
# | Gabor filters | 0.97 | 0.14 | 0.84 (0.64–0.96) | 100 % |
#
# Training makes the filters **oriented** (every seed: median 0.49 or more, against at most 0.29 before training),
# but on this task most of them are **oriented ramps**, not Gabor filters: a plane explains most of their variance,
# and only 2 of 120 are Gabor-like by the measure above.

# %% [markdown]
# **Question.** Your learned filters are oriented. What in the data and in the training makes an oriented filter a
# good first layer for this task — and why can a ramp across a $5 \times 5$ window do that job as well as a bar
# detector would? What does a median orientation selectivity of 0.4 or more *not* prove?

# %% answer gabor_why points=3
# **Rubric (3 points).**
#
# - 1 pt — the data and the architecture: the classes differ only in the orientation of a bar in noise; a filter
#   whose response depends on orientation, followed by ReLU and max pooling over positions, reports whether that
#   orientation is present anywhere, and the dense layer only has to compare these responses.
# - 1 pt — why a ramp suffices: on a 5×5 window a bar (Gaussian profile, ~1 px wide, offset up to 2 px) seen by a
#   ramp perpendicular to it gives a large response when the bar lies on the ramp's bright side, at some position,
#   and max pooling picks that position; a ramp along the bar responds the same wherever the bar is across it. So
#   a ramp discriminates orientation; the training (shared weights averaging over positions and images, the L2
#   penalty removing what the data do not reinforce) has no reason to prefer a bar-shaped (Gabor) filter.
# - 1 pt — what the number does not prove (any two): orientation is not Gabor-ness (ramps score high); one data set
#   and 5×5 filters with few degrees of freedom; the measure is a maximum over a grid, so random filters score
#   ~0.2 and some random ones more; it shows no causal role of a filter in the accuracy; resembling V1's receptive
#   fields is not evidence that the network works like V1.

# %% [markdown]
#
# ## Done
#
# Restart the kernel and run all cells (or run `nbgrader validate`) before you hand in. Remember that the hidden
# suite tests more inputs than these checks: other sizes for every axis, strides 1–3, padding 0–2, overlapping
# pooling windows and ties, integer inputs, random upstream gradients, and that your functions leave their
# inputs unchanged.
