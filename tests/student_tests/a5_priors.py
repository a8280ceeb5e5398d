"""A5: the infinitely strong prior, exactly as the notebook states the claim (parts 1 and 2, nothing more)."""

import numpy as np


def test_infinitely_strong_prior(posterior):
    rng = np.random.default_rng(0)
    for K in (2, 3, 5):
        for c in range(K):
            e_c = np.eye(K)[c]
            against_c = np.where(np.arange(K) == c, 1e-3, 1.0)  # data that speak against class c
            for lik in (rng.uniform(0.05, 1.0, K), against_c):
                # 2. the uniform prior gives the normalised likelihood
                assert np.allclose(posterior(np.full(K, 1 / K), lik), lik / lik.sum())
                # 1. a prior that is e_c gives e_c
                assert np.allclose(posterior(e_c, lik), e_c)
                # 1. as the prior goes to e_c the posterior goes to e_c, the closer the closer
                gaps = []
                for eps in (0.5, 1e-1, 1e-2, 1e-4, 1e-8, 1e-12):
                    p = np.asarray(posterior((1 - eps) * e_c + eps / K, lik))
                    gaps.append(np.abs(p - e_c).max())
                assert all(b <= a + 1e-12 for a, b in zip(gaps[:-1], gaps[1:], strict=True)), "not closer"
                assert gaps[-1] < 1e-6, "the posterior does not go to e_c"
