"""A1: the stride proof, exactly as the notebook states the claim: corr1d(x, w, stride=s) == corr1d(x, w)[::s]."""

import numpy as np


def test_stride_is_downsampling(corr1d):
    rng = np.random.default_rng(0)
    for n in range(1, 14):
        for m in range(1, min(n, 5) + 1):
            x, w = rng.standard_normal(n), rng.standard_normal(m)
            full = np.asarray(corr1d(x, w))
            for s in range(1, 7):
                strided = np.asarray(corr1d(x, w, stride=s))
                assert strided.shape == full[::s].shape, f"n={n}, m={m}, stride {s}: wrong length"
                assert np.allclose(strided, full[::s]), f"n={n}, m={m}, stride {s}: wrong values"
