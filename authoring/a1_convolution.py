# ruff: noqa: F821, F401, E402, E501 — a notebook source: names come from other cells, LaTeX lines are long
# %% [markdown]
# # Assignment 1 — From filters to convolution
#
# *Machine learning for signal processing (5LSL0), lecture "Convolutional neural networks".*
#
# A convolutional layer is an old friend in new clothes: a **linear filter** that slides over its input.
# In this assignment you start from the recap of the lecture — a linear FIR filter with a bias, fitted by
# minimising the mean squared error, in closed form (the Wiener solution) and by gradient descent — and
# build up, one function at a time, to the multi-channel convolution layer of a CNN:
#
# 1. the FIR filter with bias: Wiener solution and gradient descent;
# 2. 1-D convolution versus cross-correlation, and stride as downsampling (proved by a test you write);
# 3. 2-D convolution and cross-correlation of one image, with padding and stride;
# 4. the multi-channel convolution layer (NCHW);
# 5. sparse connectivity and parameter sharing: parameter counts of a convolution vs a fully connected layer;
# 6. receptive fields: how deep nets still see most of their input.
#
# **How to work.** Implement each function in its solution cell (replace `raise NotImplementedError()`),
# then run the check cell below it. The visible checks are small and help you find mistakes; passing them
# does **not** guarantee full marks: a hidden suite grades your functions on many more inputs (other sizes,
# strides, paddings, integer inputs, ...). Only the code of the solution cells is graded; the cells around
# them are given. Use numpy only. Plain Python loops are fine as long as your code is correct.
#
# **One rule, enforced: no `np.convolve` and no `np.correlate` in your solutions** — you write them here. The grader
# reads the code of your solution cells: a cell that calls either one (by any name: `np.convolve`,
# `from numpy import convolve`, ...) scores **0 for its part**, and the feedback names the call. While your
# functions run, both raise an error saying so, which also catches indirect uses (through a helper, or a numpy
# function built on them such as `np.polymul`): the tests that hit it fail. Your test `test_stride_is_downsampling`
# and the cells outside the solutions may use them freely (e.g. to check your results).
#
# **Conventions used throughout (and by the grader).**
# - 1-D signals are 1-D arrays; images are (H, W); layer tensors are NCHW: `x` (N, C, H, W),
#   weights `w` (F, C, KH, KW), bias `b` (F,).
# - `conv1d` / `conv2d` are **true convolutions** (kernel flipped); the layer `conv_forward` is a
#   **cross-correlation**, as in deep-learning libraries.
# - Output size along an axis of length $n$ with kernel $k$, zero padding $p$ and stride $s$:
#   $\lfloor (n + 2p - k)/s \rfloor + 1$; leftover samples that do not fill a window are dropped.
# - Outputs are `float64` arrays, also for integer (e.g. `uint8`) inputs. Inputs are never modified.
#   Functions keep no state between calls.

# %% given
import math

import numpy as np

#| source solutions.common:as_float64
#| source solutions.common:check_stride_pad
#| source solutions.common:check_fits


def make_fir_data(n: int, w_true, b_true: float, noise: float = 0.1, mean: float = 2.0, seed: int = 0):
    """A test signal for the recap: x (n,) with non-zero mean, d (n,) = b_true + sum_k w_true[k] x[t-k] + noise."""
    rng = np.random.default_rng(seed)
    x = mean + rng.standard_normal(n)
    d = b_true + np.convolve(x, w_true)[:n] + noise * rng.standard_normal(n)
    return x, d

# %% [markdown]
# The helpers `as_float64(a, name, ndim)`, `check_stride_pad(stride, pad)` and `check_fits(n, k, pad, what)`
# above convert and validate arguments (they raise `ValueError` with a clear message). You may use them in
# your solutions; you do not have to.
#
# ## 1. Recap: a linear FIR filter with bias
#
# A causal FIR filter with $K$ taps and a bias predicts a desired signal $d[t]$ from the input $x$:
#
# $$y[t] = b + \sum_{k=0}^{K-1} w[k]\, x[t-k].$$
#
# We use only the times where every delayed sample exists, $t = K-1, \dots, N-1$ ($T = N-K+1$ terms), and
# minimise the mean squared error
#
# $$J(w, b) = \frac{1}{T} \sum_{t=K-1}^{N-1} \bigl(d[t] - y[t]\bigr)^2 .$$
#
# Stack the delayed inputs as the rows of a matrix $X$ of shape $(T, K)$, $X_{ik} = x[t-k]$ with $t = i+K-1$.
# Then $y = Xw + b$, and with $A = [X, \mathbf{1}]$ and $\theta = (w, b)$ the minimum solves the
# **normal equations** $A^\top A\,\theta = A^\top d$.
# Eliminating $b$ gives the **Wiener solution** $R\,w = p$, with $R$ the (auto)covariance matrix of the
# delayed inputs and $p$ their cross-covariance with $d$: that is why the bias matters. Our $x$ is **not
# zero-mean**; a filter without bias would have to explain the mean of $d$ with its taps and would be wrong.
#
# Implement `fir_design_matrix` (vectorised or with a loop) and `fit_fir_wiener` (use `np.linalg.solve`).

# %% solution fit_fir_wiener
#| solution solutions.a1_convolution:fir_design_matrix


#| solution solutions.a1_convolution:fit_fir_wiener

# %% check fit_fir_wiener points=10
X = fir_design_matrix(np.arange(5.0), 2)
assert X.shape == (4, 2), f"X has shape {X.shape}; expected (N - n_taps + 1, n_taps) = (4, 2)"
assert np.array_equal(X[0], [1.0, 0.0]), "row 0 is time t = n_taps - 1 = 1: [x[1], x[0]]"

# on noiseless data the true filter and bias are recovered exactly
x, d = make_fir_data(200, [0.5, -0.3, 0.2], b_true=1.0, noise=0.0)
w, b = fit_fir_wiener(x, d, 3)
assert np.shape(w) == (3,), f"w should have shape (n_taps,), got {np.shape(w)}"
assert np.allclose(w, [0.5, -0.3, 0.2]) and np.isclose(b, 1.0), "noiseless data: expected the true filter"
x_before, d_before = x.copy(), d.copy()
fit_fir_wiener(x, d, 2)
assert np.array_equal(x, x_before) and np.array_equal(d, d_before), "inputs must not be modified"
w_int, b_int = fit_fir_wiener(x.astype(np.int64), np.round(d).astype(np.int64), 2)  # integer inputs work too
assert np.all(np.isfinite(w_int)) and np.isfinite(b_int), "integer inputs: expected a finite filter and bias"
print("visible checks passed")

# %% demo
import matplotlib.pyplot as plt

x, d = make_fir_data(300, [0.5, -0.3, 0.2, 0.1], b_true=1.0, noise=0.3)
try:
    w, b = fit_fir_wiener(x, d, 6)
    fig, ax = plt.subplots(1, 2, figsize=(11, 3.2))
    ax[0].stem(range(4), [0.5, -0.3, 0.2, 0.1], linefmt="C0-", markerfmt="C0o", basefmt=" ", label="true filter, b = 1.00")
    ax[0].stem(np.arange(6) + 0.15, w, linefmt="C1-", markerfmt="C1s", basefmt=" ", label=f"Wiener fit, b = {b:.2f}")
    ax[0].set(xlabel="tap k", ylabel="w[k]", title="Wiener solution (6 taps) vs true filter (4 taps)")
    ax[0].legend()
    y = b + fir_design_matrix(x, 6) @ w  # y[i] is the output at time t = i + 5
    t = np.arange(5, 80)
    ax[1].plot(t, d[5:80], ".", label="desired d[t]")
    ax[1].plot(t, y[:75], label="filter output y[t]")
    ax[1].set(xlabel="time t", title="the fitted filter follows d (noise 0.3)")
    ax[1].legend()
    plt.show()
except NotImplementedError:
    plt.close("all")  # no empty axes
    print("implement fir_design_matrix and fit_fir_wiener to see the figure")

# %% [markdown]
# With noise the fit is close but not exact, and the bias is the least certain parameter: $b$ and the taps
# together explain the mean of $d$, $b + 2\sum_k w[k]$, so a small error in $\sum_k w[k]$ is offset by twice
# that error in $b$ (above: the taps sum to slightly more than 0.5, and $b$ is below 1).
#
# ### Gradient descent
#
# The same cost can be minimised iteratively. With the error $e = d - Xw - b$ (over the $T$ usable times),
#
# $$\frac{\partial J}{\partial w} = -\frac{2}{T} X^\top e, \qquad \frac{\partial J}{\partial b} = -\frac{2}{T}\sum_t e[t],
# \qquad w \leftarrow w - \eta \frac{\partial J}{\partial w}, \quad b \leftarrow b - \eta \frac{\partial J}{\partial b}.$$
#
# Implement `fit_fir_gd(x, d, n_taps, lr, n_steps)`: start from $w = 0$, $b = 0$, take `n_steps` steps with
# learning rate $\eta$ = `lr`, and return `(w, b, losses)` where `losses` is a float64 array of `n_steps + 1`
# values: $J$ before each step, and $J$ after the last one.

# %% solution fit_fir_gd
#| solution solutions.a1_convolution:fit_fir_gd

# %% check fit_fir_gd points=10
x, d = make_fir_data(100, [0.5, -0.3], b_true=1.0, noise=0.1)
w, b, losses = fit_fir_gd(x, d, 2, lr=0.01, n_steps=5)
assert np.shape(w) == (2,) and np.shape(losses) == (6,), "w (n_taps,), losses (n_steps + 1,)"
assert np.isclose(losses[0], np.mean(d[1:] ** 2)), "losses[0] is J at w = 0, b = 0"
assert np.all(np.diff(losses) < 0), "with a small learning rate the loss decreases at every step"
w0, b0, l0 = fit_fir_gd(x, d, 2, lr=0.01, n_steps=0)
assert np.allclose(w0, 0) and b0 == 0 and len(l0) == 1, "zero steps: the starting point"
# on a zero-mean input, many steps reach the Wiener solution
w, b, losses = fit_fir_gd(x - 2.0, d, 2, lr=0.1, n_steps=500)
w_star, b_star = fit_fir_wiener(x - 2.0, d, 2)
assert np.allclose(w, w_star, atol=1e-4) and np.isclose(b, b_star, atol=1e-4), "GD should converge to Wiener"
print("visible checks passed")

# %% demo
try:
    x, d = make_fir_data(300, [0.5, -0.3, 0.2], b_true=1.0, noise=0.3, mean=2.0)
    fig, ax = plt.subplots(1, 2, figsize=(11, 3.2))
    w_star, b_star = fit_fir_wiener(x, d, 3)
    J_star = np.mean((d[2:] - fir_design_matrix(x, 3) @ w_star - b_star) ** 2)
    for x_in, label in [(x, "x with mean 2"), (x - x.mean(), "x centred (zero mean)")]:
        _, _, losses = fit_fir_gd(x_in, d, 3, lr=0.02, n_steps=300)
        ax[0].semilogy(losses - J_star + 1e-12, label=label)
    ax[0].set(xlabel="step", ylabel="J - J*", title="loss curve: a non-zero mean slows GD down")
    ax[0].legend()
    w_gd, b_gd, _ = fit_fir_gd(x - x.mean(), d, 3, lr=0.02, n_steps=300)
    w_star, b_star = fit_fir_wiener(x - x.mean(), d, 3)
    ax[1].stem(range(3), w_star, linefmt="C0-", markerfmt="C0o", basefmt=" ", label="Wiener")
    ax[1].stem(np.arange(3) + 0.1, w_gd, linefmt="C1-", markerfmt="C1s", basefmt=" ", label="GD, 300 steps")
    ax[1].set(xlabel="tap k", ylabel="w[k]", xticks=range(3), title="centred x: GD lands on the Wiener solution")
    ax[1].legend()
    plt.show()
except NotImplementedError:
    plt.close("all")  # no empty axes
    print("implement fit_fir_gd (and fit_fir_wiener) to see the figure")

# %% [markdown]
# *Why is GD slow on the raw signal?* The Hessian of $J$ is $\frac{2}{T}A^\top A$. A mean of 2 in $x$ adds a
# large eigenvalue (all taps and the bias move together), so a learning rate small enough to be stable in that
# direction is tiny in the others: the problem is badly conditioned. Centring the input fixes it.
#
# ## 2. Convolution and cross-correlation in 1-D
#
# The **convolution** of a signal $x$ with a **kernel** $w$ and the **cross-correlation** are
#
# $$s(t) = (x * w)(t) = \sum_a x(a)\, w(t-a) \qquad\text{vs.}\qquad s(t) = \sum_a x(t+a)\, w(a).$$
#
# Convolution flips the kernel; it is commutative, and the response to an impulse $\delta(t - t_0)$ is the
# kernel itself, shifted to $t_0$. Implement `conv1d(x, w, mode)` with the three modes of `np.convolve`:
# - `"full"`: every overlap, length $N + M - 1$;
# - `"same"`: length $\max(N, M)$, the centre of the full output; for an even kernel length $M$ the extra
#   sample goes to the right, i.e. `full[(M-1)//2 : (M-1)//2 + N]` for $M \le N$;
# - `"valid"`: only complete overlaps, length $\max(N, M) - \min(N, M) + 1$.
#
# Like `np.convolve`, when `w` is longer than `x` the roles swap (convolution commutes).

# %% solution conv1d
#| solution solutions.a1_convolution:conv1d

# %% check conv1d points=12
impulse = np.array([0.0, 0.0, 1.0, 0.0, 0.0, 0.0])
w = np.array([3.0, 2.0, 1.0])
assert np.allclose(conv1d(impulse, w), [0, 0, 3, 2, 1, 0, 0, 0]), "the impulse response is the kernel, in order"
assert np.allclose(conv1d([1, 2, 3], [0, 1, 0.5]), [0, 1, 2.5, 4, 1.5]), "worked by hand: (1, 2, 3) * (0, 1, 0.5)"
x = np.random.default_rng(0).standard_normal(9)
assert [len(conv1d(x, w, m)) for m in ("full", "same", "valid")] == [11, 9, 7], "output lengths of the modes"
assert np.allclose(conv1d(x, w), conv1d(w, x)), "convolution commutes"
out = conv1d(np.arange(5), np.array([1, 1]))
assert out.dtype == np.float64, f"outputs are float64, got {out.dtype}"
print("visible checks passed")

# %% demo
try:
    w = np.array([1.0, 0.6, 0.3, 0.1])
    impulse = np.zeros(12)
    impulse[3] = 1.0
    conv = conv1d(impulse, w)[:12]
    corr = np.correlate(impulse, w, "full")[len(w) - 1 :]  # sum_a impulse[t + a] w[a], t = 0 ... 11
    fig, ax = plt.subplots(1, 3, figsize=(13, 3.2), sharey=True, layout="constrained")
    ax[0].stem(impulse, basefmt=" ")
    ax[0].set(title="input: impulse at t = 3", ylabel="value")
    ax[1].stem(conv, basefmt=" ")
    ax[1].set(title="convolution with w = (1, 0.6, 0.3, 0.1):\nthe kernel as is, from t = 3")
    ax[2].stem(corr, basefmt=" ")
    ax[2].set(title="cross-correlation with the same w:\nthe kernel flipped, ending at t = 3")
    for a in ax:
        a.set(xlabel="t", xticks=range(0, 12, 2))
    plt.show()
except NotImplementedError:
    plt.close("all")  # no empty axes
    print("implement conv1d to see impulse responses")

# %% [markdown]
# ### Cross-correlation with stride
#
# A layer computes a **valid cross-correlation**, and with **stride** $s$ it only evaluates every $s$-th position:
#
# $$s_s[t] = \sum_{a=0}^{M-1} x[t\,s + a]\, w[a], \qquad t = 0, \dots, \lfloor (N - M)/s \rfloor.$$
#
# Implement `corr1d(x, w, stride=1)`.

# %% solution corr1d
#| solution solutions.a1_convolution:corr1d

# %% check corr1d points=8
assert np.allclose(corr1d([1, 2, 3, 4], [1, -1]), [-1, -1, -1]), "worked by hand: differences x[t] - x[t+1]"
assert np.allclose(corr1d(np.eye(1, 8, 3)[0], [1.0, 2.0, 3.0]), [0, 3, 2, 1, 0, 0]), "impulse: kernel flipped"
assert np.allclose(corr1d([1, 2, 3, 4, 5, 6, 7], [1, 0, 2], stride=2), [7, 13, 19]), \
    "worked by hand: windows start at 0, 2, 4: 1 + 2*3, 3 + 2*5, 5 + 2*7"
assert len(corr1d(np.zeros(10), np.ones(3), stride=3)) == 3, "floor((10 - 3) / 3) + 1 = 3 outputs"
print("visible checks passed")

# %% [markdown]
# ### Why can stride > 1 be regarded as downsampling of s(t)? — a proof by test
#
# Compare $s_s[t]$ with the stride-1 output $s[t] = \sum_a x[t + a]\, w[a]$ evaluated at $t\,s$.
# The strided layer computes exactly the samples $s[0], s[s], s[2s], \dots$ of the full-rate output and skips
# the others: a stride-$s$ convolution is a stride-1 convolution followed by **downsampling by $s$**
# (keeping every $s$-th sample, without an anti-aliasing filter), only cheaper.
#
# Turn this into a test. Write `test_stride_is_downsampling(corr1d)`: it receives an implementation `corr1d`
# (with the signature of yours) and must **pass** when `corr1d(x, w, stride=s)` equals `corr1d(x, w)[::s]`
# for every input and **fail** (raise, e.g. with `assert`) when it does not.
#
# How it is graded: your test is run against several correct implementations — it must pass all of them,
# otherwise it scores 0 — and against several subtly wrong ones; you earn the fraction of wrong ones it
# catches. Think about which inputs and strides a wrong implementation could get right by accident
# (lengths, strides that do and do not divide evenly, ...). Compare shapes as well as values, and do not
# depend on a particular implementation of your own: use only the `corr1d` you are given.
#
# **What counts as rejecting** (the same rule in every assignment with tests you write): your test rejects an
# implementation when it raises any exception — a failed `assert` (the clearest), or an error such as an
# `IndexError` that the wrong output causes. A test that runs past the time limit gives no verdict: on a correct
# implementation that is a failure, on a wrong one it is not a rejection.
#
# The check below runs your test on your `corr1d` and on four wrong implementations of different kinds; the
# grader's wrong implementations are others, and more of them.

# %% solution test_stride_is_downsampling
#| solution solutions.a1_convolution:test_stride_is_downsampling

# %% check test_stride_is_downsampling points=10
test_stride_is_downsampling(corr1d)  # your corr1d is correct, so your test must pass on it


def _stride_squared(x, w, stride=1):  # wrong: keeps every (stride**2)-th output
    return corr1d(x, w)[:: stride**2]


def _stride_only_for_even_lengths(x, w, stride=1):  # wrong: ignores the stride when len(x) is odd
    return corr1d(x, w, stride) if len(x) % 2 == 0 else corr1d(x, w)


def _wrong_for_stride_4(x, w, stride=1):  # wrong: every value scaled for stride 4 (right for strides 1, 2, 3)
    return corr1d(x, w, stride) * (1.5 if stride == 4 else 1.0)


def _last_sample_dropped(x, w, stride=1):  # wrong: with a stride, the last sample of x is never read
    return corr1d(x, w, stride) if stride == 1 else corr1d(np.asarray(x)[:-1], w)[::stride]


missed = []
for wrong in (_stride_squared, _stride_only_for_even_lengths, _wrong_for_stride_4, _last_sample_dropped):
    try:
        test_stride_is_downsampling(wrong)
    except AssertionError:
        continue
    except NotImplementedError:
        raise
    except Exception as exc:  # a rejection too (see above); an assert says more
        print(f"note: your test rejected {wrong.__name__} by crashing ({type(exc).__name__}: {exc}): it counts, "
              "but compare shapes before values to fail with a clear message")
        continue
    missed.append(wrong.__name__)
assert not missed, f"your test passes these wrong implementations: {missed} (read their comments above)"
print("visible checks passed: your corr1d passed, 4 wrong implementations rejected")

# %% [markdown]
# **Question.** Your test proves that a stride-$s$ layer computes every $s$-th sample of the stride-1 output $s(t)$.
# Why is that *downsampling* of $s(t)$ in the signal-processing sense, and what does it lose compared with a proper
# decimator, which low-pass filters $s(t)$ before it keeps every $s$-th sample? Give an input for which the strided
# output misrepresents the signal.

# %% answer why_stride points=3
# **Rubric (3 points).**
#
# - 1 pt — keeping every $s$-th sample of $s(t)$ is decimation by $s$: the output's sample rate is $1/s$ of the
#   input's (and the layer computes $s$ times fewer outputs, which is why it is used).
# - 1 pt — without an anti-aliasing (low-pass) filter first, the content of $s(t)$ above the new Nyquist frequency
#   ($\pi/s$ rad/sample, $1/(2s)$ cycles/sample) aliases: it folds back onto low frequencies and cannot be told
#   apart from them. The kernel $w$ is a filter too, but nothing makes it (or a learned one) cut those frequencies.
# - 1 pt — a concrete case: e.g. $s(t) = (-1)^t$ with stride 2 comes out constant (a high frequency becomes DC),
#   or a one-sample shift of the input changes the strided output completely (A2: stride breaks equivariance).
#   Any correct example counts.
#
# Restating the definition only ("it skips samples"): at most 1 point.

# %% [markdown]
# ## 3. Convolution in 2-D
#
# Images are 2-D, and so are their kernels. Before computing anything, know the output size: a window of size
# $k$ slides over $n + 2p$ samples (after zero padding $p$ on both sides) in steps of $s$:
#
# $$n' = \left\lfloor \frac{n + 2p - k}{s} \right\rfloor + 1.$$
#
# Implement `output_size(n, k, stride=1, pad=0)`; it returns a Python `int`.

# %% solution output_size
#| solution solutions.a1_convolution:output_size

# %% check output_size points=6
assert output_size(5, 3) == 3 and output_size(5, 3, pad=1) == 5, "stride 1: n - k + 1 (+ 2 pad)"
assert output_size(7, 3, stride=2) == 3, "windows start at 0, 2, 4"
assert isinstance(output_size(7, 3, stride=2), int), "return a Python int"
print("visible checks passed")

# %% [markdown]
# The single-channel 2-D cross-correlation, with zero padding and stride:
#
# $$\text{corr2d}:\ s[i, j] = \sum_{p,q} x_{\text{pad}}[i s + p,\ j s + q]\, w[p, q].$$
#
# Here $p, q$ run over the kernel, $0 \le p < K_H$, $0 \le q < K_W$ (the padding is the argument `pad`), and
# $x_{\text{pad}}$ is $x$ with `pad` rows and columns of zeros added on every side.
# `x` is (H, W), `w` is (KH, KW), the output is (H', W') with the size formula above on each axis.
#
# `conv2d` is the **true** 2-D convolution of the lecture, $s(i, j) = \sum_{m,n} x(m, n)\, w(i - m, j - n)$, of the
# padded input, kept where the kernel lies entirely inside it (the output has the size of `corr2d`'s), and with
# stride $s$ every $s$-th of those positions on each axis, starting with the first. How it relates to `corr2d` is
# for you to work out (section 2 did it in 1-D). Implement `corr2d` and `conv2d`.

# %% solution corr2d
#| solution solutions.a1_convolution:corr2d

# %% check corr2d points=8
x = np.arange(12.0).reshape(3, 4)
assert np.allclose(corr2d(x, np.ones((2, 2))), [[10, 14, 18], [26, 30, 34]]), "worked by hand: 2x2 window sums"
assert corr2d(np.zeros((7, 9)), np.ones((3, 2)), stride=2, pad=1).shape == (4, 5), "shape with stride and pad"
assert np.allclose(corr2d(x, [[1.0]], pad=1)[1:-1, 1:-1], x), "a 1x1 kernel with pad 1: x inside a zero border"
assert corr2d(np.ones((3, 3), dtype=np.uint8), np.ones((2, 2), dtype=np.uint8)).dtype == np.float64
print("visible checks passed")

# %% solution conv2d
#| solution solutions.a1_convolution:conv2d

# %% check conv2d points=6
impulse = np.zeros((5, 6))
impulse[2, 2] = 1.0
w = np.arange(1.0, 7.0).reshape(2, 3)
assert np.allclose(conv2d(impulse, w)[1:3, 0:3], w), "convolution of an impulse reproduces the kernel, as is"
assert conv2d(np.zeros((7, 9)), np.ones((3, 2)), stride=2, pad=1).shape == (4, 5)
print("visible checks passed")

# %% demo
def shapes_image(size: int = 64) -> np.ndarray:
    """A synthetic grey image: a bright disk and a darker square on a black background."""
    r, c = np.mgrid[:size, :size]
    img = 1.0 * ((r - 0.35 * size) ** 2 + (c - 0.35 * size) ** 2 < (0.2 * size) ** 2)
    img[int(0.55 * size) : int(0.85 * size), int(0.5 * size) : int(0.9 * size)] = 0.6
    return img


sobel_x = np.array([[1.0, 0.0, -1.0], [2.0, 0.0, -2.0], [1.0, 0.0, -1.0]])  # responds to vertical edges
try:
    img = shapes_image()
    panels = [(img, "image"), (conv2d(img, sobel_x, pad=1), "Sobel-x: vertical edges"),
              (conv2d(img, sobel_x.T, pad=1), "Sobel-y: horizontal edges"),
              (conv2d(img, sobel_x, stride=2, pad=1), "Sobel-x, stride 2: downsampled")]
    fig, ax = plt.subplots(1, 4, figsize=(14, 3.6), layout="constrained")
    for a, (im, title) in zip(ax, panels, strict=True):
        if im is img:
            a.imshow(im, cmap="gray")
        else:  # red < 0 < blue, white = 0
            a.imshow(im, cmap="RdBu", vmin=-4, vmax=4)
        a.set(title=f"{title}\n{im.shape[0]} x {im.shape[1]}", xticks=[], yticks=[])
    plt.show()
except NotImplementedError:
    plt.close("all")  # no empty axes
    print("implement corr2d and conv2d to see edge detection")

# %% [markdown]
# ## 4. The convolution layer: many channels, many filters
#
# A layer maps an input with $C$ channels to $F$ output channels ("feature maps"). Filter $f$ is a
# $(C, K_H, K_W)$ block of weights that is cross-correlated with all channels at once, plus one bias:
#
# $$\text{out}[n, f, i, j] = b[f] + \sum_{c=0}^{C-1} \sum_{p,q} x_{\text{pad}}[n, c,\ i s + p,\ j s + q]\; w[f, c, p, q].$$
#
# `x` (N, C, H, W), `w` (F, C, KH, KW), `b` (F,) → `out` (N, F, H', W'). Return `(out, cache)` with
# `cache = (x, w, b, stride, pad)` (x, w, b as float64 arrays, stride and pad as ints): assignment 4 uses it
# for the backward pass. Pad only the two spatial axes.

# %% solution conv_forward
#| solution solutions.a1_convolution:conv_forward

# %% check conv_forward points=16
rng = np.random.default_rng(12)
x, w, b = rng.standard_normal((2, 3, 7, 6)), rng.standard_normal((4, 3, 3, 2)), rng.standard_normal(4)
out, cache = conv_forward(x, w, b, stride=2, pad=1)
assert out.shape == (2, 4, 4, 4), f"out has shape {out.shape}; expected (N, F, H', W') = (2, 4, 4, 4)"
assert np.allclose(out[1, 2], sum(corr2d(x[1, c], w[2, c], 2, 1) for c in range(3)) + b[2]), \
    "one output channel is the sum over input channels of corr2d, plus that filter's bias"
assert len(cache) == 5 and cache[3:] == (2, 1), "cache = (x, w, b, stride, pad)"
x_before = x.copy()
conv_forward(x, w, b, 1, 2)
assert np.array_equal(x, x_before), "inputs must not be modified"
print("visible checks passed")

# %% [markdown]
# ## 5. Sparse connectivity and parameter sharing
#
# A fully connected layer connects every input to every output: mapping an input of shape `in_shape` to an
# output of shape `out_shape` takes $D \cdot M$ weights ($D$, $M$ the numbers of entries) plus $M$ biases.
# A convolution layer is **sparse** (each output sees only a $K_H \times K_W$ window) and **shares** its
# parameters (the same kernel at every position), so it has $F\,C\,K_H K_W$ weights plus $F$ biases —
# independent of the image size. Implement both counts (`in_shape`, `out_shape` are tuples, or ints for 1-D).

# %% solution param_counts
#| solution solutions.a1_convolution:dense_param_count


#| solution solutions.a1_convolution:conv_param_count

# %% check param_counts points=7
assert dense_param_count((4,), (3,)) == 15 and dense_param_count((4,), (3,), bias=False) == 12
assert conv_param_count(1, 1, 3, 3) == 10, "one 3x3 kernel and one bias"
assert isinstance(dense_param_count((2, 2), (2,)), int) and isinstance(conv_param_count(1, 2, 3, 3), int)
print("visible checks passed")

# %% [markdown]
# **Question.** A fully connected layer can represent every map a convolution layer can (and many more). Why is
# the convolution layer nevertheless *statistically* more efficient — why does it need fewer training examples to
# learn a good filter? Use the parameter counts below, and name the assumption about the data that makes it work.

# %% answer sparse_sharing points=3
# **Rubric (3 points).**
#
# - 1 pt — far fewer free parameters ($F C K_H K_W$ instead of $D M$, independent of the image size), and each shared
#   weight is estimated from every position of every image: each example is many examples for the kernel, so the
#   estimate's variance is smaller for the same amount of data.
# - 1 pt — sparse connectivity says that an output depends only on a local neighbourhood; sharing says that the same
#   detector is useful at every position (translation equivariance): the structure is imposed as prior knowledge
#   instead of being learned from data (A5: an infinitely strong prior).
# - 1 pt — the assumption: the statistics of the data are local and the same everywhere (stationary: a pattern may
#   appear anywhere). When it is false (e.g. labels that depend on absolute position) the prior is wrong and the
#   layer underfits.
#
# Memory or computation savings alone are not statistical efficiency: no point for them.

# %% [markdown]
# The table below counts both for a layer from a 3×32×32 image to 16 feature maps of the same size.

# %% demo
try:
    rows = [("fully connected", dense_param_count((3, 32, 32), (16, 32, 32))),
            ("convolution 3x3, pad 1", conv_param_count(3, 16, 3, 3)),
            ("convolution 5x5, pad 2", conv_param_count(3, 16, 5, 5))]
    print(f"{'layer, 3x32x32 -> 16x32x32':<40} {'parameters':>14} {'float32 memory':>16}")
    for name, count in rows:
        print(f"{name:<40} {count:>14,} {count * 4 / 2**20:>13.3f} MiB")
except NotImplementedError:
    print("implement the parameter counts to see the table")

# %% [markdown]
# ## 6. Receptive fields: deep nets still see most of the input
#
# Each output of a $k$-tap layer depends on $k$ neighbouring inputs: connectivity is sparse. But stack layers
# and the output becomes *indirectly* connected to more and more of the input. In 1-D, with kernel sizes
# $k_l$ and strides $s_l$ (layer 1 first), one output unit of the stack sees
#
# $$r = 1 + \sum_{l} (k_l - 1) \prod_{m < l} s_m$$
#
# input samples: layer $l$ widens the field by $k_l - 1$ steps of its input's spacing, and the strides of the
# layers below multiply that spacing. Implement `receptive_field(kernel_sizes, strides)`.

# %% solution receptive_field
#| solution solutions.a1_convolution:receptive_field

# %% check receptive_field points=7
assert receptive_field([5], [1]) == 5, "one layer: the kernel size"
assert receptive_field([3, 3], [1, 1]) == 5, "two 3-tap layers see 5 inputs"
assert receptive_field([], []) == 1, "no layer: an output is its input"
print("visible checks passed")

# %% demo
try:
    depth = np.arange(1, 11)
    stride1 = [receptive_field([3] * L, [1] * L) for L in depth]
    stride2 = [receptive_field([3] * L, [2] * L) for L in depth]
    fig, ax = plt.subplots(1, 2, figsize=(11, 3.4), layout="constrained")
    ax[0].plot(depth, stride1, "o-", color="C0", label="3-tap layers, stride 1: $r = 2L + 1$")
    ax[0].set(xlabel="number of layers L", ylabel="receptive field r (samples)",
              title="stride 1: linear growth (linear axis)")
    ax[1].semilogy(depth, stride1, "o-", color="C0", label="stride 1: $r = 2L + 1$")
    ax[1].semilogy(depth, stride2, "s-", color="C1", label="stride 2: $r = 2^{L+1} - 1$")
    ax[1].set(xlabel="number of layers L", ylabel="receptive field r (samples, log axis)",
              title="stride 2: exponential growth (a line on a log axis)")
    for a in ax:
        a.legend()
    plt.show()
except NotImplementedError:
    plt.close("all")  # no empty axes
    print("implement receptive_field to see the growth with depth")

# %% [markdown]
# ## Done
#
# Restart the kernel and run all cells (or run `nbgrader validate`) before you hand in. Remember that the hidden
# suite tests more inputs than these checks: other sizes for every axis, strides that do not divide evenly,
# padding, integer inputs, and that your functions leave their inputs unchanged.
