# ruff: noqa: F821, E402, E501 — a notebook source: names come from other cells, LaTeX lines are long
# %% [markdown]
# # Assignment 5 — Convolution as an infinitely strong prior
#
# *Machine learning for signal processing (5LSL0), lecture "Convolutional neural networks".*
#
# The lecture ends with an argument: a convolution layer **is** a fully connected layer, only one whose weight
# matrix is forced to be **sparse** (zero outside the receptive field) and **tied** (every diagonal shares one
# kernel tap). Forcing is what a prior does, in the Bayesian view of learning — and forcing *exactly* is an
# **infinitely strong prior**: a prior with zero entropy, which the data can no longer overrule. It pays off when
# it is right (a convolution needs far fewer samples than a dense layer) and it costs when it is wrong (the model
# underfits).
#
# You make each step of this argument computable, in 1-D where the linear algebra stays small and exact:
#
# 1. a convolution is a constrained dense layer: `conv_matrix`, `conv2d_matrix`, `conv_structure`, `project_to_conv`;
# 2. Bayes' rule and the strength of a prior: `posterior`, `entropy`, `gaussian_entropy`, and a proof by test,
#    `test_infinitely_strong_prior`;
# 3. MAP learning between dense and convolution: `fit_dense`, `fit_conv`, `fit_map`;
# 4. statistical efficiency: `learning_curve`;
# 5. underfitting when the prior is wrong: your own data set, `wrong_prior_data`;
# 6. three short written questions.
#
# **Conventions used throughout (and by the grader).** A 1-D input $x$ has length `n_in`, a kernel $w$ length
# $k$. A layer with stride $s$ and zero padding $p$ (on both sides) has
# $n_{out} = \lfloor (n_{in} + 2p - k) / s \rfloor + 1$ outputs (leftover inputs are dropped), and computes the
# **cross-correlation** of the padded input, $y[t] = \sum_a w[a]\, x_{pad}[t s + a]$, as in deep-learning
# libraries. A linear layer is a matrix $M$ (n_out, n_in) with $y = M x$. A data set is `X` (N, n_in), one input
# per row, with targets `Y` (N, n_out): the predictions of $M$ are `X @ M.T`. Images are (H, W), raveled in
# row-major order (`x.ravel()`). Outputs are `float64` arrays, also for integer inputs; inputs are never modified;
# functions keep no state between calls. Use numpy only (`np.linalg` included).

# %% given
from collections.abc import Callable  # noqa: F401 — used in the signatures below

import numpy as np

#| source solutions.common:as_float64


#| source solutions.common:check_stride_pad


#| source solutions.common:check_fits


#| source solutions.a5_priors:_check_data


#| source solutions.a1_convolution:corr1d


#| source solutions.a1_convolution:corr2d


#| source solutions.a5_priors:mse


#| source solutions.a5_priors:fir_system


def passes(test, implementation) -> bool:
    """True when `test(implementation)` returns normally, False when it raises AssertionError."""
    try:
        test(implementation)
    except AssertionError:
        return False
    return True

# %% [markdown]
# The given helpers: `as_float64`, `check_stride_pad`, `check_fits` and `_check_data` convert and check arguments
# (they raise `ValueError` with a clear message); `corr1d(x, w, stride)` and `corr2d(x, w, stride, pad)` are A1's
# cross-correlations; `mse(W, X, Y)` is the mean squared error of the linear map W on a data set;
# `fir_system(n, seed)` draws n samples of a shift-invariant system (section 4); `passes(test, implementation)`
# tells whether one of your tests passes on an implementation (section 2).

# %% demo
import matplotlib.pyplot as plt

# %% [markdown]
# ## 1. A convolution is a constrained dense layer
#
# A dense (fully connected) layer from `n_in` inputs to `n_out` outputs has a weight matrix $M$ with
# $n_{out} \cdot n_{in}$ free entries. A convolution layer computes a linear map too, so it also *has* such a
# matrix — but almost all of its entries are forced:
# - **sparse connectivity**: output $t$ sees only the $k$ inputs of its window; every other entry of row $t$ is 0;
# - **parameter sharing**: every output uses the same kernel, so the entry that connects output $t$ to the input
#   at offset $a$ of its window is $w[a]$ for every $t$ — all entries tied to tap $a$ are one parameter.
#
# Implement
# - `conv_matrix(w, n_in, stride=1, pad=0)`: the matrix $M$ (n_out, n_in) with
#   `M @ x == corr1d(np.pad(x, pad), w, stride)` for every `x` of length `n_in`. The padded zeros have no column of
#   their own: they multiply nothing.
# - `conv2d_matrix(w, in_hw, stride=1, pad=0)`: the same for a single-channel 2-D layer, x (H, W), w (KH, KW):
#   `M @ x.ravel() == corr2d(x, w, stride, pad).ravel()`, M of shape (OH·OW, H·W).
# - `conv_structure(n_in, k, stride=1, pad=0)`: an `int` array S of M's shape that says which entries are forced
#   to 0 (S = −1) and, for the others, the index $a$ of the tap they are tied to. It describes every convolution
#   matrix of that shape at once: a matrix is a convolution matrix exactly when it is 0 where S = −1 and constant
#   on each group {S = a}.
# - `project_to_conv(W, k, stride=1, pad=0)`: for any dense W (n_out, n_in), the kernel $w$ (k,) whose convolution
#   matrix is **closest** to W, in the Frobenius norm $\lVert W - M(w) \rVert^2 = \sum_{t, j} (W_{tj} - M(w)_{tj})^2$.
#   Derive the minimiser. A tap that no entry is tied to (a very large pad) does not change $M(w)$; return 0 for it.
#
# A loop over outputs and taps is fine; the checks below use `corr1d`/`corr2d` as the truth. The points of this
# section are mostly on the structure (`conv_structure`) and on the projection: a matrix can be had without
# understanding it, its structure cannot.

# %% solution conv_matrix
#| solution solutions.a5_priors:conv_matrix

# %% check conv_matrix points=7
M = conv_matrix(np.array([1.0, 2.0, 3.0]), 5)
assert np.shape(M) == (3, 5), f"w of size 3 on 5 inputs gives 3 outputs: M should be (3, 5), got {np.shape(M)}"
assert np.array_equal(M[0], [1.0, 2.0, 3.0, 0.0, 0.0]), "row 0 holds the kernel (no flip: a cross-correlation)"
rng = np.random.default_rng(0)
for n_in, k, stride, pad in [(9, 3, 1, 0), (10, 4, 3, 1)]:
    w, x = rng.standard_normal(k), rng.standard_normal(n_in)
    M = conv_matrix(w, n_in, stride, pad)
    want = corr1d(np.pad(x, pad), w, stride)
    assert np.shape(M) == (len(want), n_in), f"n_in={n_in}, k={k}, stride={stride}, pad={pad}: shape {np.shape(M)}"
    assert np.allclose(M @ x, want), f"n_in={n_in}, k={k}, stride={stride}, pad={pad}: M @ x != corr1d(...)"
print("visible checks passed")

# %% solution conv2d_matrix
#| solution solutions.a5_priors:conv2d_matrix

# %% check conv2d_matrix points=8
rng = np.random.default_rng(1)  # its own generator: the cell runs even when an earlier check failed
x, w = rng.standard_normal((4, 5)), rng.standard_normal((2, 3))
M = conv2d_matrix(w, (4, 5))
assert np.shape(M) == (3 * 3, 4 * 5), f"x (4, 5), w (2, 3) give a 3 x 3 output: M should be (9, 20), got {np.shape(M)}"
assert np.allclose(M @ x.ravel(), corr2d(x, w).ravel()), "M @ x.ravel() != corr2d(x, w).ravel()"
M = conv2d_matrix(w, (4, 5), stride=2, pad=1)
assert np.allclose(M @ x.ravel(), corr2d(x, w, 2, 1).ravel()), "with stride 2 and pad 1: M @ x.ravel() is wrong"
print("visible checks passed")

# %% solution conv_structure
#| solution solutions.a5_priors:conv_structure

# %% check conv_structure points=11
S = conv_structure(5, 3)
assert np.shape(S) == (3, 5) and np.asarray(S).dtype.kind == "i", "S is an int array of shape (n_out, n_in)"
assert np.array_equal(S[1], [-1, 0, 1, 2, -1]), "output 1 sees inputs 1, 2, 3 through taps 0, 1, 2"
S = conv_structure(6, 3, 2, 1)  # 6 inputs, 3 taps, stride 2, one zero on each side
assert np.shape(S) == (3, 6), f"n_out = floor((6 + 2 - 3) / 2) + 1 = 3: S should be (3, 6), got {np.shape(S)}"
assert np.array_equal(S[0], [1, 2, -1, -1, -1, -1]), "output 0's tap 0 sees a padded zero: input 0 is its tap 1"
assert np.array_equal(S[2], [-1, -1, -1, 0, 1, 2]), "output 2 starts 2 * 2 = 4 padded positions in"
print("visible checks passed")

# %% solution project_to_conv
#| solution solutions.a5_priors:project_to_conv

# %% check project_to_conv points=10
rng = np.random.default_rng(3)  # its own generator: the cell runs even when an earlier check failed
w = np.array([1.0, -2.0, 0.5])
assert np.allclose(project_to_conv(conv_matrix(w, 7), 3), w), "a convolution matrix is its own projection"
assert np.allclose(project_to_conv(np.ones((5, 7)), 3), [1.0, 1.0, 1.0]), "the all-ones matrix projects onto ones"
W = rng.standard_normal((5, 7))
w_star = project_to_conv(W, 3)
worse = [np.sum((W - conv_matrix(w_star + d, 7)) ** 2) for d in 0.01 * rng.standard_normal((20, 3))]
assert np.sum((W - conv_matrix(w_star, 7)) ** 2) <= min(worse), "another kernel is closer to W than yours"
print("visible checks passed")

# %% [markdown]
# ### The picture
#
# Below, the matrices as images: white is 0, colour a weight. The 1-D layer is **banded** (each row is the
# kernel, moved by the stride); the 2-D layer is **block-Toeplitz** (bands of bands: one block per pair of image
# rows); next to them a dense layer of the same shape, where every entry is its own parameter.

# %% demo
def show_matrix(ax, M, title):
    lim = np.abs(M).max()
    ax.imshow(np.where(M == 0, np.nan, M), cmap="coolwarm", vmin=-lim, vmax=lim, interpolation="nearest")
    ax.set_title(title, fontsize=9)
    ax.set_xticks([])
    ax.set_yticks([])


try:
    w1, w2 = np.array([1.0, -2.0, 0.5]), np.array([[1.0, 0.5, -1.0], [-0.5, 2.0, 0.3], [0.8, -1.5, 1.2]])
    M1, M2 = conv_matrix(w1, 16), conv2d_matrix(w2, (6, 7))
    dense1, dense2 = rng.standard_normal(M1.shape), rng.standard_normal(M2.shape)
    fig, axes = plt.subplots(1, 4, figsize=(13, 3.6), gridspec_kw={"width_ratios": [1, 1, 2.4, 2.4]})
    show_matrix(axes[0], M1, f"1-D conv {M1.shape}\n{w1.size} parameters")
    show_matrix(axes[1], dense1, f"dense {M1.shape}\n{dense1.size} parameters")
    show_matrix(axes[2], M2, f"2-D conv {M2.shape}\n{w2.size} parameters")
    show_matrix(axes[3], dense2, f"dense {M2.shape}\n{dense2.size} parameters")
    plt.tight_layout()
    plt.show()
    S = conv_structure(16, 3)
    print(f"1-D: {np.sum(S >= 0)} of {S.size} entries are connected, tied into {len(np.unique(S[S >= 0]))} groups")
except NotImplementedError:
    plt.close("all")  # no empty axes under the message
    print("implement conv_matrix, conv2d_matrix and conv_structure to see the figure")

# %% [markdown]
# The 1-D layer (16 inputs, kernel 3) has 3 parameters where a dense layer of the same shape has 14 · 16 = 224;
# the 2-D layer (a 6 × 7 image, kernel 3 × 3) has 9 where the dense one has 20 · 42 = 840. Of the 224 entries of
# the 1-D matrix, 42 are connected, tied into 3 groups.

# %% [markdown]
# ## 2. Bayes' rule and the strength of a prior
#
# Learning with a prior is Bayes' rule: the posterior probability of a hypothesis $c$ (a class, or a weight
# matrix) after seeing data is proportional to its prior probability times the likelihood of the data under it,
#
# $$p(c \mid \text{data}) = \frac{p(\text{data} \mid c)\, p(c)}{\sum_{c'} p(\text{data} \mid c')\, p(c')}.$$
#
# A prior's **strength** is measured by its **entropy**: a flat prior (high entropy) leaves the decision to the
# data, a peaked one (low entropy) has already decided. For a discrete distribution
# $H(p) = -\sum_c p_c \log p_c$ (in nats; $0 \log 0 = 0$, its limit); for a density the (differential) entropy is
# $H(p) = -\int p(x) \log p(x)\, dx$. Derive it for a Gaussian of variance $\sigma^2$ (it does not depend on the
# mean) and see what happens as $\sigma^2 \to 0$: the Gaussian prior on a weight with variance 0 is the
# "infinitely strong" prior that fixes it.
#
# Implement
# - `posterior(prior, likelihood)`: Bayes' rule over K classes; neither argument needs to sum to 1; the result
#   does. Raise `ValueError` (with a clear message) for negative or non-finite entries, arrays of different
#   shapes, or a product that is 0 for every class (the data are impossible under the prior).
# - `entropy(p)`: in nats, with $0 \log 0 = 0$, a Python float (`+0.0`, not `-0.0`, for a certain outcome);
#   `ValueError` unless p is a distribution (entries ≥ 0, sum 1 to within $10^{-9}$).
# - `gaussian_entropy(var)`: the differential entropy of a 1-D Gaussian of variance `var`, in nats, from your
#   derivation; its limit for var = 0; `ValueError` for var < 0.

# %% solution posterior
#| solution solutions.a5_priors:posterior

# %% check posterior points=4
p = posterior(np.array([0.5, 0.25, 0.25]), np.array([0.1, 0.4, 0.2]))
assert np.allclose(p, [0.05, 0.1, 0.05] / np.float64(0.2)), f"posterior([.5, .25, .25], [.1, .4, .2]) = {p}"
assert np.allclose(posterior([2, 1], [1, 1]), [2 / 3, 1 / 3]), "an unnormalised prior is fine: normalise the product"
try:
    posterior(np.array([1.0, 0.0]), np.array([0.0, 1.0]))
    raise AssertionError("a product that is zero everywhere must raise ValueError")
except ValueError:
    pass
print("visible checks passed")

# %% solution entropy
#| solution solutions.a5_priors:entropy

# %% check entropy points=4
assert np.isclose(entropy(np.ones(4) / 4), np.log(4)), "the uniform distribution on 4 classes has entropy log 4"
certain = entropy(np.array([0.0, 1.0, 0.0]))
assert certain == 0.0, "a certain outcome has entropy 0 (and 0 log 0 = 0, no nan)"
assert np.copysign(1.0, certain) == 1.0, "entropy 0 is +0.0, not -0.0 (-0.0 prints as -0.0 and flips signs: 1 / -0.0 = -inf)"
assert isinstance(entropy(np.array([0.5, 0.5])), float), "return a Python float"
print("visible checks passed")

# %% solution gaussian_entropy
#| solution solutions.a5_priors:gaussian_entropy

# %% check gaussian_entropy points=4
for var in (0.3, 1.0, 2.5):  # -integral p log p, by the trapezoidal rule over +-12 standard deviations
    t = np.linspace(-12, 12, 200_001) * np.sqrt(var)
    density = np.exp(-(t**2) / (2 * var)) / np.sqrt(2 * np.pi * var)
    numeric = -np.trapezoid(density * np.log(density), t)
    assert np.isclose(gaussian_entropy(var), numeric, rtol=1e-6), f"var = {var}: {gaussian_entropy(var)} vs {numeric:.6f}"
assert gaussian_entropy(0.0) == -np.inf, "variance 0: the limit"
print("visible checks passed")

# %% [markdown]
# ### Prove it by test: `test_infinitely_strong_prior(posterior)`
#
# The lecture's claim, for any implementation `posterior(prior, likelihood)` of Bayes' rule over $K$ classes:
#
# 1. as the prior's entropy goes to 0 — the prior puts all its mass on one class $c$, e.g.
#    $p_\varepsilon = (1 - \varepsilon)\, e_c + \varepsilon / K$ with $\varepsilon \to 0$ — the posterior goes to
#    $e_c$ (the one-hot vector of class $c$) **whatever the likelihood** (as long as its entries are > 0): the
#    posterior stops depending on the data. The closer the prior is to $e_c$, the closer the posterior; a prior
#    that *is* $e_c$ gives the posterior $e_c$;
# 2. with the weakest prior, the uniform one (the largest entropy), the posterior is the likelihood, normalised:
#    only the data speak.
#
# Write `test_infinitely_strong_prior(posterior)`: it **passes** (returns) when the claim holds for the
# `posterior` it is given, and **fails** (raises `AssertionError`) when it finds it broken. It is graded like
# A2's tests: the grader runs it on several **correct** implementations of Bayes' rule (which may normalise in
# another order, work with logarithms, loop, ... and so round differently: compare with a tolerance) — your test
# must pass **every one**, or it earns 0 — and on several **wrong** ones, made of the mistakes people make with
# Bayes' rule; it earns its points times the fraction of wrong ones it rejects.
#
# The rules of the judge:
# - a test that **raises any exception** on an implementation rejects it (so a test that crashes on a correct
#   implementation fails it); a test that runs past its **time limit** (20 s per run) gives no verdict: that is a
#   failure on a correct implementation and *no* rejection of a wrong one;
# - the implementations take two 1-D arrays (or lists) of the same length $K \ge 2$ with finite entries ≥ 0 and a
#   product that is not 0 everywhere, and raise `ValueError` otherwise; they return `float64` arrays, and nothing
#   but their behaviour tells them apart;
# - keep it deterministic (`np.random.default_rng(0)` inside the test) and to a few hundred calls; a test that
#   asserts nothing rejects nothing and earns 0. You may use your own `entropy`, but not rely on your own
#   `posterior` being right.
#
# The visible check below runs your test on two correct and four wrong implementations of its own; the hidden
# ones are different, and more of them.

# %% solution test_infinitely_strong_prior
#| solution solutions.a5_priors:test_infinitely_strong_prior

# %% check test_infinitely_strong_prior points=12
def bayes_loop(prior, likelihood):  # correct: one class at a time
    joint = [float(p) * float(q) for p, q in zip(prior, likelihood, strict=True)]
    return np.array([j / sum(joint) for j in joint])


def bayes_logs(prior, likelihood):  # correct: in log space (rounds differently)
    with np.errstate(divide="ignore"):
        s = np.log(np.asarray(prior, dtype=float)) + np.log(np.asarray(likelihood, dtype=float))
    return np.exp(s - s.max()) / np.exp(s - s.max()).sum()


def reversed_prior(prior, likelihood):  # wrong: the prior's classes in the wrong order
    return bayes_loop(np.asarray(prior)[::-1], likelihood)


def linear_pool(prior, likelihood):  # wrong: averages prior and likelihood instead of multiplying them
    q = np.asarray(likelihood, dtype=float) / np.sum(likelihood)
    return (np.asarray(prior, dtype=float) / np.sum(prior) + q) / 2


def floored(prior, likelihood):  # wrong: no class may drop below 1% ("numerical safety")
    p = np.maximum(bayes_loop(prior, likelihood), 0.01)
    return p / p.sum()


def squared_likelihood(prior, likelihood):  # wrong: the data counted twice
    return bayes_loop(prior, np.asarray(likelihood, dtype=float) ** 2)


for correct in (bayes_loop, bayes_logs):
    assert passes(test_infinitely_strong_prior, correct), f"your test rejects a correct posterior ({correct.__name__})"
for wrong in (reversed_prior, linear_pool, floored, squared_likelihood):
    assert not passes(test_infinitely_strong_prior, wrong), f"your test accepts a wrong posterior ({wrong.__name__})"
print("visible checks passed: 2 correct implementations passed, 4 wrong ones rejected")

# %% [markdown]
# ### The picture: the prior takes over
#
# Left: five classes, data that favour class 3 (likelihood 0.1, 0.2, 0.3, 0.9, 0.2), and a prior that favours
# class 0 more and more, $p_\varepsilon = (1 - \varepsilon) e_0 + \varepsilon / 5$: the posterior of each class
# against the prior's entropy. At high entropy the data decide (class 3); as the entropy goes to 0 the posterior
# becomes the prior's choice, class 0, and the data no longer matter. Right: the same for a Gaussian prior
# $\mathcal N(0, \sigma^2)$ on a mean, with a Gaussian likelihood of the data centred at 2 (variance 0.5): the
# posterior mean against the prior's entropy — it goes to the prior's mean 0 as $\sigma^2 \to 0$.

# %% demo
try:
    likelihood = np.array([0.1, 0.2, 0.3, 0.9, 0.2])
    eps = np.logspace(0, -4, 60)
    priors = [(1 - e) * np.eye(5)[0] + e / 5 for e in eps]
    H = [entropy(p) for p in priors]
    post = np.array([posterior(p, likelihood) for p in priors])
    var = np.logspace(2, -4, 60)
    fig, axes = plt.subplots(1, 2, figsize=(11, 3.6))
    for c in range(5):
        axes[0].plot(H, post[:, c], label=f"class {c}")
    axes[0].set(xlabel="entropy of the prior (nats)", ylabel="posterior", title="discrete prior, 5 classes")
    axes[0].invert_xaxis()
    axes[0].legend(fontsize=8)
    axes[1].plot([gaussian_entropy(v) for v in var], (2 / 0.5) / (1 / 0.5 + 1 / var))
    axes[1].axhline(2.0, ls=":", c="gray", label="the data's mean (likelihood only)")
    axes[1].axhline(0.0, ls="--", c="gray", label="the prior's mean")
    axes[1].set(xlabel="entropy of the prior (nats)", ylabel="posterior mean", title="Gaussian prior N(0, var)")
    axes[1].invert_xaxis()
    axes[1].legend(fontsize=8)
    plt.tight_layout()
    plt.show()
    print(f"posterior at the flattest prior: {np.round(post[0], 3)};  at the strongest: {np.round(post[-1], 3)}")
except NotImplementedError:
    plt.close("all")  # no empty axes under the message
    print("implement posterior, entropy and gaussian_entropy to see the figure")

# %% [markdown]
# ## 3. MAP learning: from dense to convolution
#
# Now the hypotheses are weight matrices $W$ (n_out, n_in) of a linear layer, learned from a data set X (N, n_in),
# Y (N, n_out) with Gaussian noise. Maximising the posterior (MAP) = minimising the negative log-posterior:
#
# - `fit_dense(X, Y, ridge=0)`: no prior at all (or a weak Gaussian one on every weight): W minimising
#   $\tfrac12 \lVert Y - X W^\top \rVert^2 + \tfrac12\,\text{ridge}\,\lVert W \rVert^2$. With ridge = 0 and fewer
#   independent samples than inputs, many W fit equally well: return the one of smallest norm (as
#   `np.linalg.lstsq` does).
# - `fit_conv(X, Y, k, stride=1, pad=0)`: the infinitely strong prior: W must be a convolution matrix; find the
#   kernel w (k,) minimising $\lVert Y - X\, M(w)^\top \rVert^2$ (Y has the layer's n_out columns); the
#   smallest-norm minimiser when the data do not determine every tap.
# - `fit_map(X, Y, k, lam, stride=1, pad=0, ridge=1e-8)`: the prior in between. A Gaussian prior of precision
#   $\lambda = 1/\sigma^2$ on the **departure from convolution structure**: W minimising
#
#   $$\tfrac12 \lVert Y - X W^\top \rVert^2 + \tfrac{\lambda}{2} \lVert W - M(\text{project\_to\_conv}(W)) \rVert^2
#   + \tfrac{\text{ridge}}{2} \lVert W \rVert^2 .$$
#
#   Compute its minimiser **exactly** (no gradient descent). `lam = 0` must give `fit_dense(X, Y, ridge)`; as
#   `lam` grows the departure is squeezed out; `lam = np.inf` means an exact convolution: return the convolution
#   matrix that minimises the objective among convolutions (with ridge = 0 that is the one of `fit_conv`).
#   With lam = ridge = 0 and fewer independent samples than inputs the minimiser is not unique, and the result is
#   not specified (the default ridge > 0 avoids that case). Sizes here stay below ~1000 unknowns.

# %% solution fit_dense
#| solution solutions.a5_priors:fit_dense

# %% check fit_dense points=5
rng = np.random.default_rng(4)  # its own generator: the cell runs even when an earlier check failed
X = rng.standard_normal((30, 6))
W_true = rng.standard_normal((4, 6))
assert np.allclose(fit_dense(X, X @ W_true.T), W_true), "noise-free data of a dense layer: fit_dense must recover it"
W = fit_dense(X[:3], (X @ W_true.T)[:3])
assert np.shape(W) == (4, 6) and np.allclose(X[:3] @ W.T, (X @ W_true.T)[:3]), "3 samples, 6 inputs: fit exactly"
print("visible checks passed")

# %% solution fit_conv
#| solution solutions.a5_priors:fit_conv

# %% check fit_conv points=8
rng = np.random.default_rng(5)  # its own generator: the cell runs even when an earlier check failed
w_true = np.array([0.5, -1.0, 2.0])
X = rng.standard_normal((4, 9))
assert np.allclose(fit_conv(X, X @ conv_matrix(w_true, 9).T, 3), w_true), "noise-free conv data: recover the kernel"
Y = X @ conv_matrix(w_true, 9, 2, 1).T
assert np.allclose(fit_conv(X, Y, 3, stride=2, pad=1), w_true), "with stride 2 and pad 1"
print("visible checks passed")

# %% solution fit_map
#| solution solutions.a5_priors:fit_map

# %% check fit_map points=14
X, Y = fir_system(12, seed=3, n_in=10)
W0 = fit_map(X, Y, 4, lam=0.0)
assert np.shape(W0) == (7, 10), f"W has the shape (n_out, n_in) = (7, 10), got {np.shape(W0)}"
assert np.allclose(W0, fit_dense(X, Y, ridge=1e-8), atol=1e-6), "lam = 0 must give fit_dense(X, Y, ridge)"
W_inf = fit_map(X, Y, 4, lam=np.inf)
assert np.allclose(W_inf, conv_matrix(fit_conv(X, Y, 4), 10), atol=1e-6), "lam = inf must give the fit_conv matrix"
W_big = fit_map(X, Y, 4, lam=1e6)
assert np.allclose(W_big, W_inf, atol=1e-4), "a very large lam must come close to the convolution"
print("visible checks passed")

# %% [markdown]
# ### The picture: the learned matrix from dense to convolution
#
# Twelve samples of A1's FIR filter plus noise (the system of section 4, with 16 inputs), learned with a 4-tap
# prior at increasing strength. With lam = 0 the dense layer spreads its weights everywhere (16 inputs per output
# and only 12 samples: it cannot tell the filter from the noise); as lam grows the band appears and the diagonals
# become constant; at lam = ∞ only the 4 taps remain.

# %% demo
try:
    X, Y = fir_system(12, seed=0, n_in=16)
    lams = [0.0, 0.1, 1.0, 10.0, 100.0, np.inf]
    fig, axes = plt.subplots(1, len(lams), figsize=(14, 2.8))
    for ax, lam in zip(axes, lams, strict=True):
        W = fit_map(X, Y, 4, lam)
        lim = np.abs(W).max()
        ax.imshow(W, cmap="coolwarm", vmin=-lim, vmax=lim)
        ax.set_title(f"lam = {lam:g}", fontsize=9)
        ax.set_xticks([])
        ax.set_yticks([])
    plt.tight_layout()
    plt.show()
    X_test, Y_test = fir_system(500, seed=1, n_in=16)
    print("held-out MSE:", ", ".join(f"lam={lam:g}: {mse(fit_map(X, Y, 4, lam), X_test, Y_test):.3f}" for lam in lams))
except NotImplementedError:
    plt.close("all")  # no empty axes under the message
    print("implement fit_map (and the functions it uses) to see the figure")

# %% [markdown]
# ## 4. Statistical efficiency
#
# The price of a weak prior is data. Implement `learning_curve(fit, make_data, sizes, n_test, seed)`:
# - `fit(X, Y)` returns a weight matrix W (n_out, n_in): the learning method;
# - `make_data(n, seed)` returns n samples `(X, Y)` of the system to learn;
# - draw **one** data set of `max(sizes) + n_test` samples with `make_data(max(sizes) + n_test, seed)`; for each
#   n in `sizes`, train on its **first** n samples and measure the mean squared error over all entries of its
#   **last** `n_test` samples (held out: never used for training) → `errors`, a float64 array of `len(sizes)`.
#
# The figure compares, on A1's FIR filter plus noise (`fir_system`: 32 inputs, 29 outputs, noise variance 0.01),
# the dense layer, the 4-tap convolution and the MAP estimate at two strengths.

# %% solution learning_curve
#| solution solutions.a5_priors:learning_curve

# %% check learning_curve points=4
def mean_predictor(X, Y):  # predicts 0 everywhere: its error is the mean of Y_test ** 2
    return np.zeros((Y.shape[1], X.shape[1]))


def ramp_data(n, seed):
    X = np.arange(n * 3, dtype=float).reshape(n, 3) + seed
    return X, X[:, :2]


errors = learning_curve(mean_predictor, ramp_data, [1, 4, 2], 2, seed=0)
assert np.shape(errors) == (3,), f"one error per size: expected shape (3,), got {np.shape(errors)}"
X, Y = ramp_data(6, 0)
assert np.allclose(errors, np.mean(Y[-2:] ** 2)), "errors are the mean squared error on the LAST n_test samples"
print("visible checks passed")

# %% demo
sizes = [1, 2, 4, 8, 16, 24, 32, 40, 48, 64, 96, 128]
methods = {
    "dense": lambda X, Y: fit_dense(X, Y),
    "conv (k = 4)": lambda X, Y: conv_matrix(fit_conv(X, Y, 4), X.shape[1]),
    "MAP, lam = 1": lambda X, Y: fit_map(X, Y, 4, 1.0),
    "MAP, lam = 100": lambda X, Y: fit_map(X, Y, 4, 100.0),
}
try:
    curves = {name: learning_curve(fit, fir_system, sizes, 200, seed=1) for name, fit in methods.items()}
    plt.figure(figsize=(7, 4))
    for name, errors in curves.items():
        plt.loglog(sizes, errors, "o-", label=name)
    plt.axhline(0.01, ls=":", c="gray", label="noise variance (the best possible)")
    plt.axvline(32, ls="--", c="gray", lw=0.8)
    plt.xlabel("training samples N")
    plt.ylabel("held-out MSE")
    plt.title("A1's FIR filter + noise: 32 weights per output (dense) vs 4 (conv)")
    plt.legend(fontsize=8)
    plt.show()
    for name, errors in curves.items():
        print(f"{name:15s}", "  ".join(f"N={n}: {e:.3f}" for n, e in zip(sizes, errors, strict=True) if n in (2, 16, 64)))
except NotImplementedError:
    plt.close("all")  # no empty axes under the message
    print("implement learning_curve and the fits to see the figure")

# %% [markdown]
# What the figure shows (seed 1): the convolution is at the noise floor from the start — held-out MSE 0.010 with
# **2** samples, because each sample gives 29 equations for its 4 taps. The dense layer has 32 weights per output
# and learns each output from the N samples alone: with 16 samples its error is still 0.207, at N = 32 = the
# number of its weights per output it interpolates the noise exactly (the peak), and only with 64 samples does it
# come down to 0.021, twice the floor. The MAP estimates sit in between: lam = 100 behaves like the convolution,
# lam = 1 lets the data pull it away from the structure once there are enough of them to do so.

# %% [markdown]
# ## 5. Underfitting when the prior is wrong
#
# An infinitely strong prior cannot be overruled by any amount of data. If the system is **not**
# shift-invariant, the convolution cannot fit it even on its own training set: it **underfits** — a large
# *training* error, the signature of a model that is too constrained (not of too little data).
#
# Design such a data set. `wrong_prior_data(n, n_in, seed)` returns X (n, n_in) and Y (n, n_in − 2), float64,
# finite, deterministic given `seed` (use `np.random.default_rng(seed)`), from a linear system (plus a little noise
# if you like) on which a convolution with **k = 3** taps (stride 1, no padding) fails. The **system is the same for
# every seed** (it may depend on `n_in`): the seed draws only the inputs and the noise — the figure below trains on
# one seed and tests on another. The grader calls it for a few (n, n_in, seed) with n ≥ 2 · n_in and n_in between
# 8 and 24, fits the reference `fit_conv(X, Y, 3)` and `fit_dense(X, Y)` on your data, and requires
# - the conv **training** MSE to be more than **10 times** the dense training MSE, and
# - the conv training MSE to be at least 5% of the mean of $Y^2$ (the convolution really misses, it is not a
#   matter of rounding);
#
# - the same system for two seeds: the dense layer fitted on one seed's data predicts another seed's targets
#   nearly as well as its own (held-out MSE at most 3 times its training MSE plus 1% of the mean of $Y^2$);
#
# and it rejects degenerate data: inputs that are not of full rank (e.g. all zero or constant), targets that are
# (nearly) zero, values above $10^6$. A shift-invariant system earns nothing, of course.

# %% solution wrong_prior_data
#| solution solutions.a5_priors:wrong_prior_data

# %% check wrong_prior_data points=9
X, Y = wrong_prior_data(40, 12, seed=0)
assert np.shape(X) == (40, 12) and np.shape(Y) == (40, 10), f"shapes {np.shape(X)}, {np.shape(Y)}: want (40, 12), (40, 10)"
X2, Y2 = wrong_prior_data(40, 12, seed=0)
assert np.array_equal(X, X2) and np.array_equal(Y, Y2), "the same seed must give the same data"
assert np.linalg.matrix_rank(X) == 12 and np.mean(Y**2) > 1e-6, "degenerate data: X of full rank, Y not ~0"
train_conv = mse(conv_matrix(fit_conv(X, Y, 3), 12), X, Y)
train_dense = mse(fit_dense(X, Y), X, Y)
print(f"training MSE: conv {train_conv:.4f}, dense {train_dense:.4f}, mean Y^2 {np.mean(Y**2):.4f}")
assert train_conv > 10 * train_dense and train_conv >= 0.05 * np.mean(Y**2), "the convolution does not underfit"
X_other, Y_other = wrong_prior_data(120, 12, seed=1)
held_out = mse(fit_dense(X, Y), X_other, Y_other)
print(f"dense fitted on seed 0, MSE on seed 1: {held_out:.4f}")
assert held_out <= 3 * train_dense + 0.01 * np.mean(Y_other**2), "seed 1 looks like another system: the seed must draw only X and the noise"
print("visible checks passed (with your own fit_conv and fit_dense; the grader uses the reference ones)")

# %% [markdown]
# ### The picture: the strong prior's training loss stays high
#
# Training and held-out error of `fit_map` on your data, against lam (the left end is lam = 0, the dense
# layer; the right end lam = ∞, the convolution). On a system that is not shift-invariant, the stronger the prior,
# the higher the **training** error — and the held-out error follows it up: more data cannot help.

# %% demo
try:
    X, Y = wrong_prior_data(60, 12, seed=0)
    X_test, Y_test = wrong_prior_data(300, 12, seed=1)
    lams = [0.0, 0.01, 0.1, 1.0, 10.0, 100.0, 1000.0, 1e4, np.inf]
    fits = [fit_map(X, Y, 3, lam) for lam in lams]
    train = [mse(W, X, Y) for W in fits]
    test = [mse(W, X_test, Y_test) for W in fits]
    where = np.arange(len(lams))
    plt.figure(figsize=(7, 3.8))
    plt.semilogy(where, train, "o-", label="training MSE")
    plt.semilogy(where, test, "s-", label="held-out MSE")
    plt.xticks(where, [f"{lam:g}" for lam in lams])
    plt.xlabel("lam (prior strength)")
    plt.ylabel("MSE")
    plt.title("a wrong prior underfits: the training loss stays high")
    plt.legend()
    plt.show()
    print(f"training MSE at lam = 0: {train[0]:.4f}, at lam = inf: {train[-1]:.4f}")
except NotImplementedError:
    plt.close("all")  # no empty axes under the message
    print("implement wrong_prior_data and fit_map to see the figure")

# %% [markdown]
# ## 6. Questions
#
# Answer in a few sentences each, in the cells below (graded by hand).
#
# **6a.** In what sense is a convolution layer a fully connected layer with an **infinitely strong prior**? Say
# which prior, on which weights, what "infinitely strong" means for its variance and its entropy, and what it
# does to the posterior — use your `fit_map` as the example.

# %% answer infinitely_strong points=2
# Rubric (2 points). 1 point: the prior is a Gaussian on the dense weights that puts (in the limit) all its mass on
# the convolution matrices: weights outside the receptive field are 0 (sparse connectivity) and the weights of each
# tied group (diagonal) are equal (parameter sharing); in fit_map it is the Gaussian of precision lam on the
# departure W - M(project_to_conv(W)). 1 point: "infinitely strong" = variance sigma^2 = 1/lam -> 0, entropy -> -inf
# (gaussian_entropy -> -inf): the prior assigns probability 0 to every non-convolution matrix, so no amount of data
# can move the posterior off the convolution subspace (lam = inf gives fit_conv, whatever the data). Half a point off
# for a vague answer ("the prior is strong") that names neither the structure nor the variance/entropy limit.

# %% [markdown]
# **6b.** When would you choose a **weaker** prior (a finite lam, or a dense layer) rather than a convolution?
# Use your figures of sections 4 and 5.

# %% answer weaker_prior points=2
# Rubric (2 points). 1 point: when the assumption may be wrong — the system is not (exactly) shift-invariant
# (position-dependent gains, absolute position matters, borders, the wrong_prior_data of section 5): then the
# infinitely strong prior underfits (high training error that more data cannot cure), while a finite lam lets the data
# pull W away from the structure where they disagree with it. 1 point: the trade-off with data: when there is plenty
# of data (N well above the number of weights, section 4) the weak prior costs little in variance, whereas with few
# samples the strong prior wins; a finite lam interpolates (it can be chosen by validation). Half a point for naming
# only one side.

# %% [markdown]
# **6c.** Which prior does **max pooling** add on top of the convolution, and when does that prior cause
# underfitting?

# %% answer pooling_prior points=2
# Rubric (2 points). 1 point: an infinitely strong prior that the function the layer learns is invariant to small
# translations (local translation invariance: the output does not depend on where in the pooling region a feature
# is); with pooling over features/channels, invariance to the transformations those features represent. 1 point: it
# underfits when the task needs the precise position of features (e.g. detecting relative positions, fine
# localisation, labels that depend on absolute position): the pooled model cannot represent that, so its training
# error stays high. Half a point for "invariance" without saying to what, or without a case where it hurts.
