"""Given helpers shared by the reference solutions (argument checks). Notebooks include them with `#| source`.

They only validate and convert; none of them computes anything a student is graded on.
"""

from __future__ import annotations

import numpy as np


def as_float64(a, name: str, ndim: int) -> np.ndarray:
    """`a` as a float64 array of rank `ndim` (no copy when it already is one); never modifies `a`.

    Raises ValueError naming `name` and the shape when the rank is wrong or the array is empty.
    """
    arr = np.asarray(a, dtype=np.float64)
    if arr.ndim != ndim:
        raise ValueError(f"{name} must have {ndim} dimension(s), got shape {arr.shape}")
    if arr.size == 0:
        raise ValueError(f"{name} must not be empty, got shape {arr.shape}")
    return arr


def check_stride_pad(stride: int, pad: int = 0) -> tuple[int, int]:
    """(stride, pad) as ints; ValueError unless stride is an integer >= 1 and pad an integer >= 0."""
    for name, value, least in (("stride", stride, 1), ("pad", pad, 0)):
        if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < least:
            raise ValueError(f"{name} must be an integer >= {least}, got {value!r}")
    return int(stride), int(pad)


def check_fits(n: int, k: int, pad: int, what: str) -> None:
    """ValueError unless a window of size k fits in n + 2*pad samples (`what` names the axis and shapes)."""
    if k > n + 2 * pad:
        raise ValueError(f"kernel larger than the padded input along {what}: {k} > {n} + 2*{pad}")
