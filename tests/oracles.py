"""Independent implementations shared by the solution tests: direct loops, written for the tests, never the
reference's method (no sliding windows, no im2col)."""

import numpy as np


def loop_conv_forward(x, w, b, stride, pad):
    """The convolution layer (cross-correlation, NCHW) by a direct loop over output positions (vectorised over samples
    and filters only, fast enough inside numerical gradients)."""
    N, C, H, W = x.shape
    F, _, KH, KW = w.shape
    Ho, Wo = (H + 2 * pad - KH) // stride + 1, (W + 2 * pad - KW) // stride + 1
    xp = np.zeros((N, C, H + 2 * pad, W + 2 * pad))
    xp[:, :, pad : pad + H, pad : pad + W] = x
    out = np.zeros((N, F, Ho, Wo))
    for i in range(Ho):
        for j in range(Wo):
            patch = xp[:, :, i * stride : i * stride + KH, j * stride : j * stride + KW]
            out[:, :, i, j] = np.tensordot(patch, w, axes=([1, 2, 3], [1, 2, 3])) + b
    return out
