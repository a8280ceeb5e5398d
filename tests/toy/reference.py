"""The toy assignment's reference."""

import numpy as np


def double(x):
    """2·x as a float64 array, x unchanged."""
    return 2.0 * np.asarray(x, dtype=np.float64)
