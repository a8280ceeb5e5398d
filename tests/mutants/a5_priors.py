"""A5 mutants: typical bugs in every function of every part, weak versions of the student-written proof by test,
and degenerate or shift-invariant data sets for the student-designed underfitting part.

A weak test or a bad data set replaces the whole cell; EXPECTED pins the score the submission deserves (the
reference earns 100, so a weak cell of part P earns 100 - points(P) + what it earns). Points per part: conv_matrix 7,
conv2d_matrix 8, conv_structure 11, project_to_conv 10, posterior 4, entropy 4, gaussian_entropy 4,
test_infinitely_strong_prior 12, fit_dense 5, fit_conv 8, fit_map 14, learning_curve 4, wrong_prior_data 9.
"""

from course.mutation import Mutant


def _weak(name: str, body: str) -> Mutant:
    """A proof by test whose whole code is `def test_infinitely_strong_prior(posterior):` + body."""
    return Mutant(name, "test_infinitely_strong_prior", code="def test_infinitely_strong_prior(posterior):\n" + body)


def _data(name: str, body: str) -> Mutant:
    """A data set whose whole code is `def wrong_prior_data(n, n_in, seed):` + body."""
    return Mutant(name, "wrong_prior_data", code="def wrong_prior_data(n, n_in, seed):\n" + body)


# --- weak proofs of the prior claim (12 points) ---------------------------------------------------------------------
_VACUOUS = """    posterior(np.ones(3) / 3, np.array([0.2, 0.5, 0.3]))
"""
_SHAPES = """    p = posterior(np.array([0.9, 0.05, 0.05]), np.array([0.2, 0.5, 0.3]))
    assert np.shape(p) == (3,)
"""
_EXACT = """    lik = np.random.default_rng(0).uniform(0.1, 1.0, 5)
    assert np.array_equal(posterior(np.ones(5) / 5, lik), lik / lik.sum())
    assert np.array_equal(posterior(np.eye(5)[2], lik), np.eye(5)[2])
"""
_UNIFORM_ONLY = """    rng = np.random.default_rng(0)
    for K in (3, 6):
        lik = rng.uniform(0.1, 1.0, K)
        assert np.allclose(posterior(np.ones(K) / K, lik), lik / lik.sum())
"""
_AGREEING_LIKELIHOOD = """    K, c = 5, 2
    lik = np.array([0.1, 0.2, 0.9, 0.3, 0.1])  # the data agree with the prior's class
    for eps in (1e-1, 1e-3, 1e-6):
        prior = (1 - eps) * np.eye(K)[c] + eps / K
        assert np.allclose(posterior(prior, lik), np.eye(K)[c], atol=10 * eps)
    assert np.allclose(posterior(np.ones(K) / K, lik), lik / lik.sum())
"""
_ONE_EPS = """    K, c = 4, 0
    lik = np.array([0.1, 0.9, 0.5, 0.3])
    prior = 0.9 * np.eye(K)[c] + 0.1 / K
    p = posterior(prior, lik)
    assert p[c] > lik[c] / lik.sum()  # the prior pulled the posterior towards its class
"""
_ZERO_LIKELIHOOD = """    K, c = 4, 1
    lik = np.array([0.5, 0.0, 0.3, 0.2])  # outside the claim: the data rule class c out
    prior = (1 - 1e-9) * np.eye(K)[c] + 1e-9 / K
    assert np.allclose(posterior(prior, lik), np.eye(K)[c], atol=1e-6)
"""
_NO_ONE_HOT = """    rng = np.random.default_rng(0)
    for K, c in [(4, 1), (6, 5)]:
        e_c = np.eye(K)[c]
        for lik in [rng.uniform(0.05, 1.0, K), np.where(np.arange(K) == c, 1e-3, 1.0)]:
            assert np.allclose(posterior(np.ones(K) / K, lik), lik / lik.sum(), rtol=1e-9, atol=1e-12)
            p = posterior((1 - 1e-12) * e_c + 1e-12 / K, lik)
            assert np.abs(p - e_c).max() < 1e-6
"""

# --- data sets that must earn nothing (8 points) --------------------------------------------------------------------
_ZERO_TARGETS = """    X = np.random.default_rng(seed).standard_normal((n, n_in))
    return X, np.zeros((n, n_in - 2))
"""
_ZERO_INPUTS = """    Y = np.random.default_rng(seed).standard_normal((n, n_in - 2))
    return np.zeros((n, n_in)), Y
"""
_SHIFT_INVARIANT = """    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, n_in))
    w = np.array([0.5, -1.0, 2.0])
    Y = np.stack([np.correlate(x, w, mode="valid") for x in X]) + 0.1 * rng.standard_normal((n, n_in - 2))
    return X, Y
"""
_PURE_NOISE = """    rng = np.random.default_rng(seed)
    return rng.standard_normal((n, n_in)), rng.standard_normal((n, n_in - 2))
"""
_NOT_SEEDED = """    X = np.random.standard_normal((n, n_in))
    return X, X[:, ::-1][:, : n_in - 2]
"""
_WRONG_SHAPE = """    X = np.random.default_rng(seed).standard_normal((n, n_in))
    return X, X[:, ::-1]
"""
_NEARLY_SHIFT_INVARIANT = """    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, n_in))
    Y = np.stack([np.correlate(x, [1.0, 0.5, -0.5], mode="valid") for x in X])
    return X, Y * (1 + 0.05 * np.linspace(-1, 1, n_in - 2))  # a gain that barely changes along the output
"""
_SEEDED_SYSTEM = """    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, n_in))
    W = rng.standard_normal((n_in - 2, n_in))  # a dense system, drawn anew for every seed
    return X, X @ W.T
"""

MUTANTS = [
    # --- conv_matrix
    Mutant("conv_matrix: kernel flipped (a true convolution)", "conv_matrix",
           replace=(("np.arange(len(w))] = w", "np.arange(len(w))] = w[::-1]"),)),
    Mutant("conv_matrix: stride ignored", "conv_matrix",
           replace=(("M[rows, rows * stride + np.arange(len(w))]", "M[rows, rows + np.arange(len(w))]"),)),
    Mutant("conv_matrix: padding columns cut from the wrong side", "conv_matrix",
           replace=(("return M[:, pad : pad + n_in]", "return M[:, :n_in]"),)),
    # --- conv2d_matrix
    Mutant("conv2d_matrix: outputs raveled column-major", "conv2d_matrix",
           replace=(("rows = (i * OW + j).reshape(-1, 1)", "rows = (j * OH + i).reshape(-1, 1)"),)),
    Mutant("conv2d_matrix: kernel transposed", "conv2d_matrix",
           replace=(("M[rows, cols] = w.reshape(1, -1)", "M[rows, cols] = w.T.reshape(1, -1)"),)),
    Mutant("conv2d_matrix: stride along the rows only", "conv2d_matrix",
           replace=(("+ (j * stride).reshape(-1, 1)", "+ j.reshape(-1, 1)"),)),
    # --- conv_structure
    Mutant("conv_structure: taps numbered from the other end", "conv_structure",
           replace=(("(a < k), a, -1)", "(a < k), k - 1 - a, -1)"),)),
    Mutant("conv_structure: padding ignored", "conv_structure",
           replace=(("a = j + pad - t * stride", "a = j - t * stride"),)),
    # --- project_to_conv
    Mutant("project_to_conv: sum of each tied group, not its mean", "project_to_conv",
           replace=(("    return np.divide(sums, counts, out=np.zeros(k), where=counts > 0)", "    return sums"),)),
    Mutant("project_to_conv: divided by n_out, not by the size of the group", "project_to_conv",
           replace=(("counts = np.bincount(S[tied], minlength=k)", "counts = np.full(k, W.shape[0])"),)),
    # --- posterior
    Mutant("posterior: product not normalised", "posterior", replace=(("return joint / total", "return joint"),)),
    Mutant("posterior: normalised by the likelihood's sum", "posterior",
           replace=(("return joint / total", "return joint / likelihood.sum()"),)),
    # --- entropy, gaussian_entropy
    Mutant("entropy: log base 2 (bits, not nats)", "entropy", replace=(("np.log(nz)", "np.log2(nz)"),)),
    Mutant("entropy: 0 log 0 left as nan", "entropy", replace=(("nz = p[p > 0]", "nz = p"),)),
    Mutant("entropy: zeros of p set to 1 in place (0 log 0 avoided by changing the caller's array)", "entropy",
           replace=(("nz = p[p > 0]", "p[p == 0] = 1.0\n    nz = p"),)),
    Mutant("gaussian_entropy: log of the standard deviation", "gaussian_entropy",
           replace=(("np.log(2 * np.pi * np.e * var)", "np.log(2 * np.pi * np.e * np.sqrt(var))"),)),
    Mutant("gaussian_entropy: negative variance accepted", "gaussian_entropy",
           replace=(("if not var >= 0 or np.isnan(var):", "if np.isnan(var):"),)),
    # --- fit_dense
    Mutant("fit_dense: W returned as (n_in, n_out)", "fit_dense",
           replace=(("return np.linalg.lstsq(X, Y, rcond=None)[0].T", "return np.linalg.lstsq(X, Y, rcond=None)[0]"),)),
    Mutant("fit_dense: ridge counted twice", "fit_dense",
           replace=(("X.T @ X + ridge * np.eye", "X.T @ X + 2 * ridge * np.eye"),)),
    Mutant("fit_dense: normal equations without lstsq (singular with few samples)", "fit_dense",
           replace=(("    if ridge == 0:\n        return np.linalg.lstsq(X, Y, rcond=None)[0].T\n", ""),)),
    # --- fit_conv
    Mutant("fit_conv: kernel flipped", "fit_conv",
           replace=(("Y.reshape(-1), rcond=None)[0]", "Y.reshape(-1), rcond=None)[0][::-1]"),)),
    Mutant("fit_conv: stride ignored (the first n_out windows)", "fit_conv",
           replace=(("axis=1)[:, ::stride]", "axis=1)[:, : Y.shape[1]]"),)),
    # --- fit_map
    Mutant("fit_map: the prior pulls W towards 0 (plain ridge, no tying)", "fit_map",
           replace=(("A[np.ix_(idx, idx)] -= lam / len(idx)", "A[np.ix_(idx, idx)] -= 0.0"),)),
    Mutant("fit_map: entries outside the receptive field not penalised", "fit_map",
           replace=(("(lam + ridge) * np.eye(D)", "np.diag(lam * (S.ravel() >= 0) + ridge)"),)),
    Mutant("fit_map: lam = inf returns the kernel, not the matrix", "fit_map",
           replace=(("        return conv_matrix(w, n_in, stride, pad)", "        return w"),)),
    Mutant("fit_map: Y^T X raveled column-major", "fit_map",
           replace=(("b = (Y.T @ X).ravel()", 'b = (Y.T @ X).ravel(order="F")'),)),
    Mutant("fit_map: prior term halved (lam / 2)", "fit_map",
           replace=(("(lam + ridge) * np.eye(D)", "(lam / 2 + ridge) * np.eye(D)"),
                    ("A[np.ix_(idx, idx)] -= lam / len(idx)", "A[np.ix_(idx, idx)] -= lam / 2 / len(idx)"))),
    # --- learning_curve
    Mutant("learning_curve: tested on the first n_test samples", "learning_curve",
           replace=(("X_test, Y_test = X[-n_test:], Y[-n_test:]", "X_test, Y_test = X[:n_test], Y[:n_test]"),)),
    Mutant("learning_curve: sum of squares, not the mean", "learning_curve",
           replace=(("errors[i] = np.mean(", "errors[i] = np.sum("),)),
    Mutant("learning_curve: training error instead of held-out", "learning_curve",
           replace=(("np.mean((Y_test - X_test @ W.T) ** 2)", "np.mean((Y[:n] - X[:n] @ W.T) ** 2)"),)),
    # --- weak proofs by test
    _weak("prior proof: vacuous (asserts nothing)", _VACUOUS),
    _weak("prior proof: shapes only", _SHAPES),
    _weak("prior proof: exact == on floats", _EXACT),
    _weak("prior proof: uniform prior only", _UNIFORM_ONLY),
    _weak("prior proof: a likelihood that agrees with the prior", _AGREEING_LIKELIHOOD),
    _weak("prior proof: one weak prior, one inequality", _ONE_EPS),
    _weak("prior proof: a likelihood of 0 at the prior's class (outside the claim)", _ZERO_LIKELIHOOD),
    _weak("prior proof: no exactly one-hot prior", _NO_ONE_HOT),
    # --- data sets that earn nothing
    _data("underfitting data: zero targets", _ZERO_TARGETS),
    _data("underfitting data: zero inputs", _ZERO_INPUTS),
    _data("underfitting data: a shift-invariant system", _SHIFT_INVARIANT),
    _data("underfitting data: targets independent of the inputs", _PURE_NOISE),
    _data("underfitting data: not seeded", _NOT_SEEDED),
    _data("underfitting data: Y of the wrong shape", _WRONG_SHAPE),
    _data("underfitting data: nearly shift-invariant", _NEARLY_SHIFT_INVARIANT),
    _data("underfitting data: the system drawn from the seed", _SEEDED_SYSTEM),
]

EXPECTED: dict[str, tuple[float, float]] = {
    "prior proof: vacuous (asserts nothing)": (88, 88),
    "prior proof: shapes only": (88, 88),
    "prior proof: exact == on floats": (88, 88),
    "prior proof: a likelihood of 0 at the prior's class (outside the claim)": (88, 88),
    "prior proof: uniform prior only": (94, 97),  # blind to every chaff that is right for a flat prior
    "prior proof: one weak prior, one inequality": (88.5, 92),  # sees only the grossest mistakes
    "prior proof: a likelihood that agrees with the prior": (97, 99.5),  # no one-hot prior
    "prior proof: no exactly one-hot prior": (97, 99.5),  # misses the one-hot prior taken for "no prior"
    "underfitting data: zero targets": (91, 91),
    "underfitting data: zero inputs": (91, 91),
    "underfitting data: a shift-invariant system": (91, 91),
    "underfitting data: targets independent of the inputs": (91, 91),
    "underfitting data: not seeded": (91, 91),
    "underfitting data: Y of the wrong shape": (91, 91),
    "underfitting data: nearly shift-invariant": (91, 91),
    "underfitting data: the system drawn from the seed": (98, 98),  # underfits, but each seed is another system
}
