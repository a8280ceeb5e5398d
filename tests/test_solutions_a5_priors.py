"""A5 reference against independent implementations, the wheat/chaff catalogue, and the notebook's own numbers.

- conv_matrix / conv2d_matrix against np.correlate and scipy.signal.correlate2d applied to basis vectors, and
  scipy.linalg.toeplitz; conv_structure against a loop over outputs and taps;
- project_to_conv against a least-squares fit (np.linalg.lstsq) onto the span of the tap matrices;
- posterior against the formula, entropy and gaussian_entropy against scipy.stats;
- fit_dense / fit_conv against np.linalg.lstsq on systems built here; fit_map against a brute-force minimisation of
  its objective (scipy.optimize) on tiny sizes, and its two limits;
- learning_curve against a direct loop; wrong_prior_data against the grader's criteria;
- the wheats are Bayes' rule and every chaff breaks the claim (shown here by direct computation); the reference proof
  passes every wheat and rejects every chaff; the visible check's wrong implementations are not hidden ones;
- every code cell of the source notebook runs with the reference, and the numbers its text states are recomputed.
"""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path

import nbformat
import numpy as np
import pytest
import scipy.linalg
import scipy.optimize
import scipy.signal
import scipy.stats

import solutions.a5_priors as ref
from autograder import assignment as layout

ROOT = Path(__file__).resolve().parent.parent
_spec = importlib.util.spec_from_file_location("a5_impls_for_tests", ROOT / "autograder" / "suites" / "a5_priors" /
                                               "impls.py")
impls = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(impls)
_spec = importlib.util.spec_from_file_location("a5_wrong_prior_suite", ROOT / "autograder" / "suites" / "a5_priors" /
                                               "test_wrong_prior.py")
wrong_prior_suite = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(wrong_prior_suite)

RNG = np.random.default_rng(20240505)
# n_in, k, stride, pad: strides that do not divide evenly, pads larger than the kernel, kernel = padded input
CONFIGS_1D = [(11, 3, 1, 0), (13, 3, 2, 1), (10, 4, 3, 2), (12, 5, 2, 0), (8, 3, 3, 3), (5, 2, 1, 3), (6, 6, 1, 0),
              (1, 3, 1, 1), (7, 1, 2, 0)]
CONFIGS_2D = [((5, 7), (2, 3), 1, 0), ((7, 5), (3, 2), 2, 1), ((6, 9), (3, 4), 3, 2), ((4, 6), (3, 5), 1, 1),
              ((3, 8), (1, 4), 2, 0)]


def n_out(n_in, k, stride=1, pad=0):
    return (n_in + 2 * pad - k) // stride + 1


def correlate_1d(x, w, stride, pad):
    """The layer by numpy's own correlation: valid part of the padded input, every stride-th output."""
    return np.correlate(np.pad(x, pad), w, mode="valid")[::stride]


def matrix_from_basis(layer, n_in):
    """The matrix of a linear map, column j = the image of the j-th unit vector."""
    return np.column_stack([layer(np.eye(n_in)[j]) for j in range(n_in)])


# --- part 1 ---------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("n_in", "k", "stride", "pad"), CONFIGS_1D)
def test_conv_matrix_is_the_matrix_of_np_correlate(n_in, k, stride, pad):
    w = RNG.standard_normal(k)
    want = matrix_from_basis(lambda x: correlate_1d(x, w, stride, pad), n_in)
    M = ref.conv_matrix(w, n_in, stride, pad)
    assert M.dtype == np.float64 and M.shape == want.shape
    np.testing.assert_allclose(M, want, atol=1e-14)


def test_conv_matrix_is_toeplitz_for_stride_1():
    w = RNG.standard_normal(4)
    T = scipy.linalg.toeplitz(np.r_[w[0], np.zeros(8)], np.r_[w, np.zeros(8)])  # (9, 12): row t = w from column t
    np.testing.assert_array_equal(ref.conv_matrix(w, 12), T)


@pytest.mark.parametrize(("hw", "kk", "stride", "pad"), CONFIGS_2D)
def test_conv2d_matrix_is_the_matrix_of_scipy_correlate2d(hw, kk, stride, pad):
    w = RNG.standard_normal(kk)
    H, W = hw

    def layer(v):
        return scipy.signal.correlate2d(np.pad(v.reshape(H, W), pad), w, mode="valid")[::stride, ::stride].ravel()

    want = matrix_from_basis(layer, H * W)
    np.testing.assert_allclose(ref.conv2d_matrix(w, hw, stride, pad), want, atol=1e-14)


@pytest.mark.parametrize(("n_in", "k", "stride", "pad"), CONFIGS_1D)
def test_conv_structure_by_a_loop(n_in, k, stride, pad):
    want = -np.ones((n_out(n_in, k, stride, pad), n_in), dtype=int)
    for t in range(want.shape[0]):
        for a in range(k):
            j = t * stride + a - pad
            if 0 <= j < n_in:
                want[t, j] = a
    S = ref.conv_structure(n_in, k, stride, pad)
    assert S.dtype.kind == "i"
    np.testing.assert_array_equal(S, want)


@pytest.mark.parametrize(("n_in", "k", "stride", "pad"), CONFIGS_1D)
def test_project_to_conv_is_least_squares_onto_the_tap_matrices(n_in, k, stride, pad):
    B = np.column_stack([matrix_from_basis(lambda x, a=a: correlate_1d(x, np.eye(k)[a], stride, pad), n_in).ravel()
                         for a in range(k)])
    W = RNG.standard_normal((n_out(n_in, k, stride, pad), n_in))
    want = np.linalg.lstsq(B, W.ravel(), rcond=None)[0]  # smallest norm: untied taps are 0
    W0 = W.copy()
    np.testing.assert_allclose(ref.project_to_conv(W, k, stride, pad), want, atol=1e-12)
    assert np.array_equal(W, W0)


def test_part_1_rejects_bad_arguments():
    for bad in [lambda: ref.conv_matrix(np.ones(5), 3), lambda: ref.conv_matrix(np.ones(3), 5, stride=0),
                lambda: ref.conv2d_matrix(np.ones((3, 3)), (2, 5)), lambda: ref.conv_structure(4, 3, pad=-1),
                lambda: ref.project_to_conv(np.ones((5, 6)), 3)]:
        with pytest.raises(ValueError):
            bad()


# --- part 2 ---------------------------------------------------------------------------------------------------------


def test_posterior_is_bayes_rule():
    for K in (2, 5, 9):
        prior, lik = RNG.uniform(0, 2, K), RNG.uniform(0, 0.3, K)
        joint = [prior[c] * lik[c] for c in range(K)]
        np.testing.assert_allclose(ref.posterior(prior, lik), np.array(joint) / sum(joint), rtol=1e-13)
    np.testing.assert_allclose(ref.posterior([1, 1, 2], [1, 0, 1]), [1 / 3, 0, 2 / 3])
    for bad in [([1, -1], [1, 1]), ([1, 0], [0, 1]), ([1, 1], [1, 1, 1]), ([np.nan, 1], [1, 1])]:
        with pytest.raises(ValueError):
            ref.posterior(*bad)


def test_entropies_match_scipy_stats():
    for K in (2, 7, 30):
        p = RNG.dirichlet(np.ones(K))
        assert ref.entropy(p) == pytest.approx(scipy.stats.entropy(p), rel=1e-12)
    assert ref.entropy(np.array([0.0, 0.3, 0.7])) == pytest.approx(scipy.stats.entropy([0.0, 0.3, 0.7]))
    assert ref.entropy(np.array([1.0])) == 0.0
    for var in (1e-8, 0.3, 1.0, 17.0):
        assert ref.gaussian_entropy(var) == pytest.approx(scipy.stats.norm(scale=np.sqrt(var)).entropy(), rel=1e-12)
    assert ref.gaussian_entropy(0.0) == -np.inf
    for bad in [lambda: ref.entropy(np.array([0.5, 0.6])), lambda: ref.entropy(np.array([1.5, -0.5])),
                lambda: ref.gaussian_entropy(-1e-3)]:
        with pytest.raises(ValueError):
            bad()


def bayes(prior, lik):
    joint = np.asarray(prior, float) * np.asarray(lik, float)
    return joint / joint.sum()


def claim_inputs():
    """Inputs on which the claim speaks: uniform priors, priors of entropy -> 0, one-hot priors; K from 2 to 6."""
    rng = np.random.default_rng(1)
    for K, c in [(2, 0), (4, 1), (6, 5)]:
        e_c = np.eye(K)[c]
        for lik in [rng.uniform(0.05, 1.0, K), np.where(np.arange(K) == c, 1e-3, 1.0)]:
            yield "uniform", np.ones(K) / K, lik, lik / lik.sum()
            for eps in (1e-3, 1e-9, 1e-14):
                yield "strong", (1 - eps) * e_c + eps / K, lik, e_c
            yield "one-hot", e_c, lik, e_c


def test_wheats_are_bayes_rule():
    for label, core in impls.WHEATS:
        op = impls.operation(core)
        for K in (2, 5, 12):
            prior, lik = RNG.uniform(0, 3, K), RNG.uniform(1e-3, 2, K)
            np.testing.assert_allclose(op(prior, lik), bayes(prior, lik), rtol=1e-12, err_msg=label)
        np.testing.assert_allclose(op([0, 1, 3], [2, 5, 0]), [0, 1, 0], atol=1e-15, err_msg=label)


CLAUSE_OF_KIND = {"uniform": "uniform", "strong": "limit", "one-hot": "one-hot"}


def test_every_chaff_breaks_the_clause_it_names():
    for chaff in impls.CHAFFS:
        op = impls.operation(chaff.core)
        worst = 0.0
        for kind, prior, lik, want in claim_inputs():
            if CLAUSE_OF_KIND[kind] == chaff.breaks:
                tol = 1e-9 if kind == "uniform" else (1e-6 if kind == "strong" else 1e-12)
                worst = max(worst, np.abs(op(prior, lik) - want).max() / tol)
        assert worst > 10, f"{chaff.label} satisfies the clause {chaff.breaks!r} on every input tried"


def test_implementations_look_alike_from_outside():
    messages = set()
    for _, core, *_ in impls.WHEATS + impls.CHAFFS:
        op = impls.operation(core)
        for bad in [([1, -1], [1, 1]), ([1, 0], [0, 1]), ([1, 1], [1, 1, 1]), ([[1, 1]], [[1, 1]]),
                    (["a", "b"], [1, 1])]:
            with pytest.raises(ValueError) as info:
                op(*bad)
            messages.add((repr(bad), str(info.value)))
        assert op(np.array([1, 1]), likelihood=np.array([1.0, 3.0])).dtype == np.float64
    assert len(messages) == 5, "the error messages differ between implementations"


def test_reference_proof_passes_wheats_and_rejects_chaffs():
    for _, core in impls.WHEATS:
        ref.test_infinitely_strong_prior(impls.operation(core))  # raises on failure
    for chaff in impls.CHAFFS:
        with pytest.raises(AssertionError):
            ref.test_infinitely_strong_prior(impls.operation(chaff.core))


# --- part 3 ---------------------------------------------------------------------------------------------------------


def conv_design(X, k, stride, pad):
    """Column a: the outputs of every sample for the kernel e_a, by np.correlate."""
    return np.column_stack([np.concatenate([correlate_1d(x, np.eye(k)[a], stride, pad) for x in X])
                            for a in range(k)])


def test_fit_dense_is_lstsq_and_ridge_is_augmented_lstsq():
    X, Y = RNG.standard_normal((20, 7)), RNG.standard_normal((20, 4))
    np.testing.assert_allclose(ref.fit_dense(X, Y), np.linalg.lstsq(X, Y, rcond=None)[0].T, atol=1e-12)
    X3 = X[:3]
    np.testing.assert_allclose(ref.fit_dense(X3, Y[:3]), (np.linalg.pinv(X3) @ Y[:3]).T, atol=1e-12)
    r = 0.7
    aug_X, aug_Y = np.vstack([X, np.sqrt(r) * np.eye(7)]), np.vstack([Y, np.zeros((7, 4))])
    np.testing.assert_allclose(ref.fit_dense(X, Y, r), np.linalg.lstsq(aug_X, aug_Y, rcond=None)[0].T, atol=1e-12)


@pytest.mark.parametrize(("n_in", "k", "stride", "pad"), [(11, 3, 1, 0), (12, 4, 3, 2), (9, 5, 2, 2), (2, 5, 1, 2)])
def test_fit_conv_is_lstsq_on_the_correlation_design(n_in, k, stride, pad):
    X = RNG.standard_normal((5, n_in))
    Y = RNG.standard_normal((5, n_out(n_in, k, stride, pad)))
    want = np.linalg.lstsq(conv_design(X, k, stride, pad), Y.ravel(), rcond=None)[0]
    np.testing.assert_allclose(ref.fit_conv(X, Y, k, stride, pad), want, atol=1e-12)


def map_objective(W, X, Y, k, lam, stride, pad, ridge):
    """The MAP objective, with the projection computed here by averaging each diagonal group in a loop."""
    m, n_in = W.shape
    C = np.zeros_like(W)
    for a in range(k):
        cells = [(t, t * stride + a - pad) for t in range(m) if 0 <= t * stride + a - pad < n_in]
        if cells:
            mean = np.mean([W[t, j] for t, j in cells])
            for t, j in cells:
                C[t, j] = mean
    return 0.5 * np.sum((Y - X @ W.T) ** 2) + 0.5 * lam * np.sum((W - C) ** 2) + 0.5 * ridge * np.sum(W**2)


@pytest.mark.parametrize(("N", "n_in", "k", "lam", "stride", "pad", "ridge"),
                         [(4, 5, 2, 0.7, 1, 0, 1e-8), (3, 6, 3, 5.0, 2, 1, 0.1), (6, 4, 3, 2.0, 1, 2, 1e-8)])
def test_fit_map_minimises_its_objective_brute_force(N, n_in, k, lam, stride, pad, ridge):
    X, Y = RNG.standard_normal((N, n_in)), RNG.standard_normal((N, n_out(n_in, k, stride, pad)))
    shape = (Y.shape[1], n_in)

    def f(v):
        return map_objective(v.reshape(shape), X, Y, k, lam, stride, pad, ridge)

    best = scipy.optimize.minimize(f, np.zeros(np.prod(shape)), method="BFGS", options={"gtol": 1e-10}).x
    W = ref.fit_map(X, Y, k, lam, stride, pad, ridge)
    assert f(W.ravel()) <= f(best) + 1e-9
    np.testing.assert_allclose(W.ravel(), best, atol=1e-5)


def test_fit_map_limits():
    X, Y = ref.fir_system(20, seed=2, n_in=9)
    np.testing.assert_allclose(ref.fit_map(X, Y, 4, 0.0, ridge=0.3), ref.fit_dense(X, Y, 0.3), atol=1e-12)
    conv = np.linalg.lstsq(conv_design(X, 4, 1, 0), Y.ravel(), rcond=None)[0]
    C = matrix_from_basis(lambda x: correlate_1d(x, conv, 1, 0), 9)
    np.testing.assert_allclose(ref.fit_map(X, Y, 4, np.inf, ridge=0.0), C, atol=1e-12)
    np.testing.assert_allclose(ref.fit_map(X, Y, 4, 1e9), C, atol=1e-6)
    gaps = [np.abs(ref.fit_map(X, Y, 4, lam) - C).max() for lam in (1.0, 1e2, 1e4, 1e6)]
    assert all(b < a for a, b in zip(gaps, gaps[1:], strict=False))


# --- part 4 and 5 ---------------------------------------------------------------------------------------------------


def test_learning_curve_by_a_direct_loop():
    def fit(X, Y):
        return np.linalg.lstsq(X, Y, rcond=None)[0].T

    sizes, n_test, seed = [5, 2, 14], 9, 3
    X, Y = ref.fir_system(23, seed, n_in=8)
    want = [np.mean((Y[14:] - X[14:] @ fit(X[:n], Y[:n]).T) ** 2) for n in sizes]
    got = ref.learning_curve(fit, lambda n, s: ref.fir_system(n, s, n_in=8), sizes, n_test, seed)
    np.testing.assert_allclose(got, want, rtol=1e-12)


def test_fir_system_is_a1s_filter_plus_noise():
    X, Y = ref.fir_system(6, seed=0, n_in=12, noise=0.0)
    want = np.stack([np.convolve(x, [0.5, -0.3, 0.2, 0.1], mode="valid") for x in X])
    np.testing.assert_allclose(Y, want, atol=1e-14)


@pytest.mark.parametrize("config", wrong_prior_suite.CONFIGS + [(16, 8, 1), (48, 24, 9), (200, 10, 2)])
def test_reference_wrong_prior_data_meets_the_graders_criteria(config):
    n, n_in, seed = config
    X, Y = ref.wrong_prior_data(n, n_in, seed)
    assert X.shape == (n, n_in) and Y.shape == (n, n_in - 2) and X.dtype == Y.dtype == np.float64
    assert np.linalg.matrix_rank(X) == n_in
    conv = np.mean((Y - X @ matrix_from_basis(lambda x: correlate_1d(x, ref.fit_conv(X, Y, 3), 1, 0), n_in).T) ** 2)
    dense = np.mean((Y - X @ np.linalg.lstsq(X, Y, rcond=None)[0]) ** 2)
    assert conv > ref.WRONG_PRIOR_FACTOR * dense and conv >= wrong_prior_suite.MIN_SHARE * np.mean(Y**2)


# --- the notebook ---------------------------------------------------------------------------------------------------

NOTEBOOK = layout.get("a5_priors").source_notebook


def notebook_text() -> str:
    nb = nbformat.read(NOTEBOOK, 4)
    return "\n".join(c.source for c in nb.cells if c.cell_type == "markdown")


def test_every_code_cell_runs_with_the_reference(monkeypatch):
    monkeypatch.setenv("MPLBACKEND", "Agg")
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    monkeypatch.setattr(plt, "show", lambda *a, **k: plt.close("all"))
    namespace: dict = {}
    for cell in nbformat.read(NOTEBOOK, 4).cells:
        if cell.cell_type == "code":
            exec(compile(cell.source, "<a5 notebook cell>", "exec"), namespace)  # noqa: S102 — our own notebook
    plt.close("all")


def test_numbers_in_the_text_are_recomputed():
    text = " ".join(notebook_text().split())
    # section 1: parameter counts and connections
    assert "3 parameters where a dense layer of the same shape has 14 · 16 = 224" in text
    assert ref.conv_matrix(np.ones(3), 16).size == 224
    assert ref.conv2d_matrix(np.ones((3, 3)), (6, 7)).size == 840 and "20 · 42 = 840" in text
    S = ref.conv_structure(16, 3)
    assert f"{np.sum(S >= 0)} are connected, tied into 3 groups" in text
    # section 4: the learning-curve errors quoted in the text (the demo cell's sizes, seed 1, 200 test samples)
    demo = next(c.source for c in nbformat.read(NOTEBOOK, 4).cells if c.source.startswith("sizes = ["))
    sizes = [int(v) for v in re.match(r"sizes = \[([\d, ]+)\]", demo).group(1).split(",")]
    at = [sizes.index(2), sizes.index(16), sizes.index(64)]
    conv = ref.learning_curve(lambda X, Y: ref.conv_matrix(ref.fit_conv(X, Y, 4), X.shape[1]), ref.fir_system, sizes,
                              200, 1)
    dense = ref.learning_curve(lambda X, Y: ref.fit_dense(X, Y), ref.fir_system, sizes, 200, 1)
    conv, dense = conv[at], dense[at]
    assert f"held-out MSE {conv[0]:.3f} with **2** samples" in text
    assert f"with 16 samples its error is still {dense[1]:.3f}" in text
    assert f"with 64 samples does it come down to {dense[2]:.3f}" in text
    assert "from the start" in text and conv.max() < 1.1 * 0.01  # at the noise floor (noise variance 0.01)
    assert "twice the floor" in text and 1.8 * 0.01 < dense[2] < 2.2 * 0.01
    # section 5: the grader's constants
    assert f"**k = {ref.WRONG_PRIOR_K}** taps" in text
    assert f"more than **{ref.WRONG_PRIOR_FACTOR:g} times**" in text
    assert f"at least {wrong_prior_suite.MIN_SHARE:.0%}" in text
    assert re.search(r"n ≥ 2 · n_in and n_in between 8 and 24", text)
    assert all(n >= 2 * n_in and 8 <= n_in <= 24 for n, n_in, _ in wrong_prior_suite.CONFIGS)


def test_visible_wrong_posteriors_are_not_hidden_chaffs():
    nb = nbformat.read(NOTEBOOK, 4)
    check = next(c.source for c in nb.cells
                 if c.metadata.get("nbgrader", {}).get("grade_id") == "check_test_infinitely_strong_prior")
    namespace = {"np": np}
    exec(check.split("for correct in")[0], namespace)  # noqa: S102 — the definitions only
    rng = np.random.default_rng(3)
    inputs = [(rng.uniform(0.1, 1, 5), rng.uniform(0.1, 1, 5)) for _ in range(5)]
    inputs += [((1 - eps) * np.eye(5)[2] + eps / 5, rng.uniform(0.1, 1, 5)) for eps in (1e-2, 1e-6, 1e-12)]
    for name in ("reversed_prior", "linear_pool", "floored", "squared_likelihood"):
        visible = namespace[name]
        for chaff in impls.CHAFFS:
            op = impls.operation(chaff.core)
            assert any(not np.allclose(visible(p, q), op(p, q)) for p, q in inputs), f"{name} is hidden {chaff.label}"


def test_release_has_no_rubric_and_no_solution_comment():
    released = layout.get("a5_priors").release_notebook
    nb = nbformat.read(released, 4)
    answers = [c for c in nb.cells if c.cell_type == "markdown" and c.metadata.get("nbgrader", {}).get("solution")]
    assert len(answers) == 3 and all(c.source == "YOUR ANSWER HERE" for c in answers)
    text = released.read_text()
    assert "Rubric" not in text and "mirrored position" not in text


def test_entropy_of_a_certain_outcome_is_plus_zero():
    for p in ([0.0, 1.0, 0.0], [1.0]):
        assert ref.entropy(np.array(p)) == 0.0 and np.copysign(1.0, ref.entropy(np.array(p))) == 1.0


def test_wrong_prior_data_is_one_system_for_every_seed():
    """What the notebook's figure needs: a dense fit on one seed's data predicts another seed's (one system)."""
    X, Y = ref.wrong_prior_data(200, 12, seed=0)
    X_other, Y_other = ref.wrong_prior_data(200, 12, seed=5)
    W = np.linalg.lstsq(X, Y, rcond=None)[0].T
    assert np.mean((Y_other - X_other @ W.T) ** 2) < 1e-3 * np.mean(Y_other**2)
