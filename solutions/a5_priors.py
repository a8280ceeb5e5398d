"""A5 reference: convolution as an infinitely strong prior (numpy only).

Vocabulary: a 1-D input x has length n_in, a kernel w length k; a layer maps x to n_out = floor((n_in + 2*pad - k)
/ stride) + 1 outputs. A linear layer is a matrix M (n_out, n_in): y = M @ x. A data set is X (N, n_in) with one
input per row and Y (N, n_out) with the targets, so that the predictions of M are X @ M.T. Images are (H, W),
kernels (KH, KW), raveled in row-major order. Outputs are float64; inputs are never modified.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from solutions.common import as_float64, check_fits, check_stride_pad

# --- given helpers ----------------------------------------------------------------------------------------------

def fir_system(n: int, seed: int, n_in: int = 32, noise: float = 0.1,
               taps: tuple[float, ...] = (0.5, -0.3, 0.2, 0.1)) -> tuple[np.ndarray, np.ndarray]:
    """A shift-invariant system: n random input signals x (rows of X (n, n_in)) through A1's FIR filter `taps`
    (valid part: Y (n, n_in - len(taps) + 1), Y[:, i] = sum_k taps[k] x[t - k] at time t = i + len(taps) - 1, a
    cross-correlation with taps[::-1]), plus white noise of standard deviation `noise`. Deterministic given `seed`.
    """
    rng = np.random.default_rng(seed)
    h = np.asarray(taps, dtype=np.float64)
    X = rng.standard_normal((n, n_in))
    windows = np.lib.stride_tricks.sliding_window_view(X, len(h), axis=1)  # (n, n_out, len(taps))
    Y = windows @ h[::-1] + noise * rng.standard_normal((n, n_in - len(h) + 1))
    return X, Y


def mse(W: np.ndarray, X: np.ndarray, Y: np.ndarray) -> float:
    """Mean squared error of the linear map W (n_out, n_in) on the data X (N, n_in), Y (N, n_out)."""
    return float(np.mean((np.asarray(Y) - np.asarray(X) @ np.asarray(W).T) ** 2))


def _check_data(X, Y) -> tuple[np.ndarray, np.ndarray]:
    X, Y = as_float64(X, "X", 2), as_float64(Y, "Y", 2)
    if len(X) != len(Y):
        raise ValueError(f"X and Y must have one row per sample: X {X.shape}, Y {Y.shape}")
    return X, Y


# --- 1. a convolution is a constrained dense layer ----------------------------------------------------------------


def conv_structure(n_in: int, k: int, stride: int = 1, pad: int = 0) -> np.ndarray:
    """Which weights of a dense layer a 1-D convolution layer keeps, and how it ties them.

    n_in inputs, kernel size k, stride, zero padding pad -> S, int array (n_out, n_in),
    n_out = floor((n_in + 2*pad - k) / stride) + 1: S[t, j] = a when output t sees input j through kernel tap a
    (valid cross-correlation of the padded input: input j is padded position j + pad), and S[t, j] = -1 when output t
    does not see input j at all (the weight is forced to 0).
    """
    stride, pad = check_stride_pad(stride, pad)
    if k < 1 or n_in < 1:
        raise ValueError(f"n_in and k must be >= 1, got n_in={n_in}, k={k}")
    check_fits(n_in, k, pad, f"the input (n_in={n_in}, k={k})")
    n_out = (n_in + 2 * pad - k) // stride + 1
    t = np.arange(n_out)[:, None]
    j = np.arange(n_in)[None, :]
    a = j + pad - t * stride  # the tap that would connect output t to input j
    return np.where((a >= 0) & (a < k), a, -1)


def conv_matrix(w: np.ndarray, n_in: int, stride: int = 1, pad: int = 0) -> np.ndarray:
    """The dense matrix of a 1-D convolution layer (a valid cross-correlation with zero padding and stride).

    w (k,), n_in -> M (n_out, n_in), n_out = floor((n_in + 2*pad - k) / stride) + 1, such that for every x (n_in,)
        M @ x == corr1d(np.pad(x, pad), w, stride),   i.e.  (M @ x)[t] = sum_a w[a] x_pad[t*stride + a].
    """
    w = as_float64(w, "w", 1)
    stride, pad = check_stride_pad(stride, pad)
    if n_in < 1:
        raise ValueError(f"n_in must be >= 1, got {n_in}")
    check_fits(n_in, len(w), pad, f"the input (n_in={n_in}, w {w.shape})")
    n_out = (n_in + 2 * pad - len(w)) // stride + 1
    M = np.zeros((n_out, n_in + 2 * pad))
    rows = np.arange(n_out)[:, None]
    M[rows, rows * stride + np.arange(len(w))] = w
    return M[:, pad : pad + n_in]


def conv2d_matrix(w: np.ndarray, in_hw: tuple[int, int], stride: int = 1, pad: int = 0) -> np.ndarray:
    """The dense matrix of a single-channel 2-D convolution layer (cross-correlation, zero padding, stride).

    w (KH, KW), in_hw = (H, W) -> M (OH*OW, H*W), OH = floor((H + 2*pad - KH) / stride) + 1, OW likewise,
    such that for every image x (H, W), with row-major ravel on both sides,
        M @ x.ravel() == corr2d(x, w, stride, pad).ravel().
    """
    w = as_float64(w, "w", 2)
    stride, pad = check_stride_pad(stride, pad)
    H, W = (int(v) for v in in_hw)
    (KH, KW) = w.shape
    if H < 1 or W < 1:
        raise ValueError(f"in_hw must be two sizes >= 1, got {tuple(in_hw)}")
    check_fits(H, KH, pad, f"H (in_hw {(H, W)}, w {w.shape})")
    check_fits(W, KW, pad, f"W (in_hw {(H, W)}, w {w.shape})")
    OH, OW = (H + 2 * pad - KH) // stride + 1, (W + 2 * pad - KW) // stride + 1
    Hp, Wp = H + 2 * pad, W + 2 * pad
    i, j = np.meshgrid(np.arange(OH), np.arange(OW), indexing="ij")
    p, q = np.meshgrid(np.arange(KH), np.arange(KW), indexing="ij")
    rows = (i * OW + j).reshape(-1, 1)
    cols = ((i * stride).reshape(-1, 1) + p.reshape(1, -1)) * Wp + (j * stride).reshape(-1, 1) + q.reshape(1, -1)
    M = np.zeros((OH * OW, Hp * Wp))
    M[rows, cols] = w.reshape(1, -1)
    return M.reshape(OH * OW, Hp, Wp)[:, pad : pad + H, pad : pad + W].reshape(OH * OW, H * W)


def project_to_conv(W: np.ndarray, k: int, stride: int = 1, pad: int = 0) -> np.ndarray:
    """The kernel whose convolution matrix is closest to the dense matrix W (Frobenius norm).

    W (n_out, n_in), with n_out the output size of a kernel of size k with this stride and pad -> w (k,):
    the orthogonal projection of W onto the matrices conv_matrix(w, n_in, stride, pad). A tap that no entry of the
    matrix is tied to (possible with a large pad) does not change the matrix; it is 0.
    """
    W = as_float64(W, "W", 2)
    S = conv_structure(W.shape[1], k, stride, pad)
    if S.shape != W.shape:
        raise ValueError(f"W {W.shape} is not the shape {S.shape} of a layer with n_in={W.shape[1]}, k={k}, "
                         f"stride={stride}, pad={pad}")
    tied = S >= 0
    sums = np.bincount(S[tied], weights=W[tied], minlength=k)
    counts = np.bincount(S[tied], minlength=k)
    return np.divide(sums, counts, out=np.zeros(k), where=counts > 0)


# --- 2. Bayes' rule and the strength of a prior ------------------------------------------------------------------


def posterior(prior: np.ndarray, likelihood: np.ndarray) -> np.ndarray:
    """Bayes' rule over K classes: p(c | data) = p(data | c) p(c) / sum_c' p(data | c') p(c').

    prior (K,), likelihood (K,) with likelihood[c] = p(data | c) -> p (K,), non-negative, summing to 1. Neither
    argument needs to be normalised. ValueError for negative or non-finite entries, different shapes, or a product
    prior * likelihood that is zero everywhere (the data are impossible under the prior).
    """
    prior, likelihood = as_float64(prior, "prior", 1), as_float64(likelihood, "likelihood", 1)
    if prior.shape != likelihood.shape:
        raise ValueError(f"prior and likelihood must have the same shape, got {prior.shape} and {likelihood.shape}")
    for name, v in (("prior", prior), ("likelihood", likelihood)):
        if not np.all(np.isfinite(v)) or np.any(v < 0):
            raise ValueError(f"{name} must hold finite non-negative numbers")
    joint = prior * likelihood
    total = joint.sum()
    if total <= 0:
        raise ValueError("prior * likelihood is zero for every class: the data are impossible under this prior")
    return joint / total


def entropy(p: np.ndarray) -> float:
    """Shannon entropy in nats of a discrete distribution: H(p) = -sum_c p[c] log p[c], with 0 log 0 = 0.

    p (K,), non-negative, summing to 1 (to 1e-9) -> float in [0, log K] (+0.0, never -0.0, for a certain
    outcome); ValueError otherwise.
    """
    p = as_float64(p, "p", 1)
    if not np.all(np.isfinite(p)) or np.any(p < 0) or abs(p.sum() - 1.0) > 1e-9:
        raise ValueError(f"p must be a probability distribution (non-negative, sum 1), got sum {p.sum():.6g}")
    nz = p[p > 0]
    return float(-np.sum(nz * np.log(nz))) + 0.0  # + 0.0 turns the -0.0 of a certain outcome into +0.0


def gaussian_entropy(var: float) -> float:
    """Differential entropy in nats of a 1-D Gaussian of variance var (the entropy per dimension of an isotropic
    Gaussian prior), -integral p log p. var >= 0; var = 0 gives -inf (the limit); ValueError for var < 0.
    """
    var = float(var)
    if not var >= 0 or np.isnan(var):
        raise ValueError(f"a variance must be >= 0, got {var}")
    if var == 0:
        return -np.inf
    return float(0.5 * np.log(2 * np.pi * np.e * var))


def test_infinitely_strong_prior(posterior: Callable) -> None:
    """Proof by test of the lecture's claim about prior strength, for an implementation `posterior(prior, likelihood)`
    of Bayes' rule over K classes:
    - as the prior's entropy goes to 0 (all its mass on one class c, entries of the likelihood > 0), the posterior
      goes to the prior's class e_c, whatever the likelihood: it stops depending on the data; with a prior that is
      exactly e_c, the posterior is e_c;
    - with the weakest prior (uniform, the largest entropy), the posterior is the normalised likelihood.

    Passes (returns) when the claim holds for `posterior`; fails (AssertionError) when it finds it broken.
    """
    rng = np.random.default_rng(0)
    for K, c in [(4, 1), (7, 6)]:
        likelihoods = [rng.uniform(0.05, 1.0, K) for _ in range(2)]
        likelihoods.append(np.where(np.arange(K) == c, 1e-3, 1.0))  # data that speak against class c
        e_c = np.eye(K)[c]
        for lik in likelihoods:
            p = np.asarray(posterior(np.ones(K) / K, lik), dtype=float)
            assert p.shape == (K,) and np.allclose(p, lik / lik.sum(), rtol=1e-9, atol=1e-12), \
                "a uniform prior must give the normalised likelihood"
            gaps = []
            for eps in [0.5, 1e-2, 1e-5, 1e-9, 1e-12]:
                prior = (1 - eps) * e_c + eps / K
                p = np.asarray(posterior(prior, lik), dtype=float)
                assert p.shape == (K,) and np.all(p >= 0) and np.isclose(p.sum(), 1.0), "not a distribution"
                gaps.append(np.abs(p - e_c).max())
            assert all(b <= a + 1e-12 for a, b in zip(gaps, gaps[1:], strict=False)), \
                "the posterior does not move towards the prior's class as the prior's entropy decreases"
            assert gaps[-1] < 1e-6, f"a prior of entropy near 0 leaves the posterior {gaps[-1]:.3g} from its class"
            assert np.allclose(posterior(e_c, lik), e_c, atol=1e-12), "a one-hot prior must give a one-hot posterior"


# --- 3. MAP between dense and convolution -------------------------------------------------------------------------


def fit_dense(X: np.ndarray, Y: np.ndarray, ridge: float = 0.0) -> np.ndarray:
    """Least-squares dense layer: W (n_out, n_in) minimising 1/2 ||Y - X W^T||^2 + 1/2 ridge ||W||^2.

    X (N, n_in), Y (N, n_out), ridge >= 0 -> W (n_out, n_in). With ridge = 0 and fewer independent samples than
    inputs the minimiser is not unique: return the one of smallest norm (what np.linalg.lstsq returns).
    """
    X, Y = _check_data(X, Y)
    ridge = float(ridge)
    if not ridge >= 0:
        raise ValueError(f"ridge must be >= 0, got {ridge}")
    if ridge == 0:
        return np.linalg.lstsq(X, Y, rcond=None)[0].T
    return np.linalg.solve(X.T @ X + ridge * np.eye(X.shape[1]), X.T @ Y).T


def fit_conv(X: np.ndarray, Y: np.ndarray, k: int, stride: int = 1, pad: int = 0) -> np.ndarray:
    """Least-squares convolution layer: the kernel w (k,) whose conv matrix minimises ||Y - X conv_matrix(w)^T||^2.

    X (N, n_in), Y (N, n_out) with n_out the layer's output size -> w (k,). When the data do not determine every
    tap (e.g. a tap that sees only padding), the solution of smallest norm (np.linalg.lstsq).
    """
    X, Y = _check_data(X, Y)
    stride, pad = check_stride_pad(stride, pad)
    check_fits(X.shape[1], k, pad, f"the input (X {X.shape}, k={k})")
    n_out = (X.shape[1] + 2 * pad - k) // stride + 1
    if Y.shape[1] != n_out:
        raise ValueError(f"Y {Y.shape} must have n_out = {n_out} columns for X {X.shape}, k={k}, stride={stride}, "
                         f"pad={pad}")
    Xp = np.pad(X, ((0, 0), (pad, pad)))
    Z = np.lib.stride_tricks.sliding_window_view(Xp, k, axis=1)[:, ::stride]  # Z[n, t, a] = x_pad[n, t*stride + a]
    return np.linalg.lstsq(Z.reshape(-1, k), Y.reshape(-1), rcond=None)[0]


def fit_map(X: np.ndarray, Y: np.ndarray, k: int, lam: float, stride: int = 1, pad: int = 0,
            ridge: float = 1e-8) -> np.ndarray:
    """MAP estimate of a dense layer under a Gaussian prior of precision lam = 1/sigma^2 on its departure from the
    convolution structure: W (n_out, n_in) minimising exactly
        1/2 ||Y - X W^T||^2 + 1/2 lam ||W - conv_matrix(project_to_conv(W, k, stride, pad), n_in, stride, pad)||^2
        + 1/2 ridge ||W||^2.
    X (N, n_in), Y (N, n_out); lam >= 0 (lam = np.inf: W is the convolution matrix that minimises the objective
    among convolutions), ridge >= 0. lam = 0 gives fit_dense(X, Y, ridge); lam -> inf gives the convolution of
    fit_conv. With lam = ridge = 0 and fewer independent samples than inputs the minimiser is not unique and the
    result is not specified: use ridge > 0 (the default) there.
    """
    X, Y = _check_data(X, Y)
    lam, ridge = float(lam), float(ridge)
    if not lam >= 0 or not ridge >= 0:
        raise ValueError(f"lam and ridge must be >= 0, got lam={lam}, ridge={ridge}")
    n_in = X.shape[1]
    S = conv_structure(n_in, k, stride, pad)
    n_out = S.shape[0]
    if Y.shape[1] != n_out:
        raise ValueError(f"Y {Y.shape} must have n_out = {n_out} columns for X {X.shape}, k={k}, stride={stride}, "
                         f"pad={pad}")
    if np.isinf(lam):  # minimise over kernels: W = C(w), ||C(w)||^2 = sum_a count_a w_a^2
        taps = (S[:, :, None] == np.arange(k)).astype(np.float64)  # (n_out, n_in, k)
        Z = np.einsum("nj,tja->nta", X, taps).reshape(-1, k)  # predictions of kernel w: Z @ w
        counts = np.bincount(S[S >= 0], minlength=k)
        w = np.linalg.lstsq(Z.T @ Z + ridge * np.diag(counts), Z.T @ Y.reshape(-1), rcond=None)[0]
        return conv_matrix(w, n_in, stride, pad)
    # vec(W) row-major: the data term is block-diagonal, one block X^T X per output row
    D = n_out * n_in
    A = np.kron(np.eye(n_out), X.T @ X) + (lam + ridge) * np.eye(D)
    groups = S.ravel()
    for a in range(k):  # lam * (I - P): P averages each tied group
        idx = np.flatnonzero(groups == a)
        if len(idx):
            A[np.ix_(idx, idx)] -= lam / len(idx)
    b = (Y.T @ X).ravel()
    return np.linalg.solve(A, b).reshape(n_out, n_in)


# --- 4. statistical efficiency -----------------------------------------------------------------------------------


def learning_curve(fit: Callable, make_data: Callable, sizes, n_test: int, seed: int) -> np.ndarray:
    """Held-out error of a learning method as a function of the size of its training set.

    fit(X, Y) -> W (n_out, n_in): the method; make_data(n, seed) -> (X (n, n_in), Y (n, n_out)): the data source;
    sizes: training-set sizes (ints >= 1); n_test >= 1. One data set of max(sizes) + n_test samples is drawn with
    make_data(max(sizes) + n_test, seed); the method is trained on its first n samples for each n in sizes, and
    tested on its last n_test samples -> errors (len(sizes),): errors[i] = mean over all test entries of
    (Y_test - X_test W^T)^2 for the W trained on sizes[i] samples.
    """
    sizes = [int(n) for n in np.atleast_1d(sizes)]
    if not sizes or min(sizes) < 1 or int(n_test) < 1:
        raise ValueError(f"sizes must be ints >= 1 and n_test >= 1, got {sizes}, {n_test}")
    n_test = int(n_test)
    total = max(sizes) + n_test
    X, Y = _check_data(*make_data(total, seed))
    if len(X) != total:
        raise ValueError(f"make_data({total}, {seed}) returned {len(X)} samples")
    X_test, Y_test = X[-n_test:], Y[-n_test:]
    errors = np.empty(len(sizes))
    for i, n in enumerate(sizes):
        W = np.asarray(fit(X[:n], Y[:n]), dtype=np.float64)
        errors[i] = np.mean((Y_test - X_test @ W.T) ** 2)
    return errors


# --- 5. underfitting when the prior is wrong ----------------------------------------------------------------------

WRONG_PRIOR_K = 3  # the kernel size the grader fits to the student's data (stride 1, no padding)
WRONG_PRIOR_FACTOR = 10.0  # conv training MSE must exceed dense training MSE by this factor


def wrong_prior_data(n: int, n_in: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Data on which the convolution prior is wrong: a linear system that is NOT shift-invariant.

    n samples, n_in >= 4 inputs -> X (n, n_in), Y (n, n_in - 2) (the output size of a kernel of size 3), float64,
    deterministic given seed. The system is the same for every seed (it depends on n_in only); the seed draws the
    inputs X and the noise.
    """
    rng = np.random.default_rng(seed)
    # each output t is the input at the mirrored position n_in - 1 - t, scaled by a gain that grows with t, plus a
    # little noise: no kernel can reverse a signal
    n_out = n_in - 2  # a kernel of size 3
    X = rng.standard_normal((n, n_in))
    gains = np.linspace(0.5, 2.0, n_out)
    Y = gains * X[:, ::-1][:, :n_out] + 0.01 * rng.standard_normal((n, n_out))
    return X, Y
