"""A1 hidden suite, part 3: the student's proof by test that stride is downsampling.

`test_stride_is_downsampling(corr1d)` is run against correct implementations (wheats: it must pass every one)
and subtly wrong ones (chaffs: each breaks corr1d(x, w, stride=s) == corr1d(x, w)[::s] for some x, w, s: the one
clause of `CLAIM`, the notebook's words).
The implementations run here, in the grader; the student's test sees them only as opaque callbacks.
Score (the rule of `autograder.judge`): 0 when the test fails a wheat; otherwise its points times the fraction of
chaffs it rejects.
"""

import numpy as np

from autograder.judge import Chaff, award, judge
from autograder.testing import grade


def _checked(x, w, stride):
    """The argument rules every implementation shares, so that only the property tells them apart."""
    x, w = np.asarray(x, dtype=np.float64), np.asarray(w, dtype=np.float64)
    if x.ndim != 1 or w.ndim != 1 or len(w) == 0 or len(w) > len(x):
        raise ValueError(f"corr1d needs 1-D x and w with 1 <= len(w) <= len(x), got {x.shape} and {w.shape}")
    if isinstance(stride, bool) or not isinstance(stride, (int, np.integer)) or stride < 1:
        raise ValueError(f"stride must be an integer >= 1, got {stride!r}")
    return x, w, int(stride)


def _valid(x, w):
    return np.lib.stride_tricks.sliding_window_view(x, len(w)) @ w


# --- wheats: correct ------------------------------------------------------------------------------------------------

def wheat_vectorised(x, w, stride=1):
    x, w, stride = _checked(x, w, stride)
    return np.lib.stride_tricks.sliding_window_view(x, len(w))[::stride] @ w


def wheat_loops(x, w, stride=1):
    x, w, stride = _checked(x, w, stride)
    n_out = (len(x) - len(w)) // stride + 1
    out = np.zeros(n_out)
    for t in range(n_out):
        for a in range(len(w)):
            out[t] += x[t * stride + a] * w[a]
    return out


def wheat_downsampled(x, w, stride=1):
    x, w, stride = _checked(x, w, stride)
    return np.correlate(x, w, mode="valid")[::stride].astype(np.float64)


# --- chaffs: each wrong for some stride > 1 -------------------------------------------------------------------------

def chaff_stride_ignored(x, w, stride=1):
    x, w, stride = _checked(x, w, stride)
    return _valid(x, w)


def chaff_input_downsampled(x, w, stride=1):
    x, w, stride = _checked(x, w, stride)
    if len(x[::stride]) < len(w):
        return np.zeros(1)
    return _valid(x[::stride], w)


def chaff_wrong_phase(x, w, stride=1):
    x, w, stride = _checked(x, w, stride)
    full = _valid(x, w)
    kept = full[stride - 1 :: stride]
    return kept if len(kept) else full[-1:]


def chaff_last_dropped_when_uneven(x, w, stride=1):
    x, w, stride = _checked(x, w, stride)
    n_out = max((len(x) - len(w) + 1) // stride, 1)
    return _valid(x, w)[::stride][:n_out]


def chaff_extra_output_when_uneven(x, w, stride=1):
    x, w, stride = _checked(x, w, stride)
    n_out = -(-(len(x) - len(w)) // stride) + 1  # ceil instead of floor
    x_padded = np.concatenate([x, np.zeros(stride)])
    return _valid(x_padded, w)[::stride][:n_out]


def chaff_dilation_instead_of_stride(x, w, stride=1):
    x, w, stride = _checked(x, w, stride)
    n_out = len(x) - (len(w) - 1) * stride
    if n_out < 1:
        return _valid(x, w)[::stride]
    return np.array([sum(x[t + a * stride] * w[a] for a in range(len(w))) for t in range(n_out)])


def chaff_kernel_flipped_when_strided(x, w, stride=1):
    x, w, stride = _checked(x, w, stride)
    return _valid(x, w if stride == 1 else w[::-1])[::stride]


def chaff_only_strides_1_and_2(x, w, stride=1):
    x, w, stride = _checked(x, w, stride)
    return _valid(x, w)[:: min(stride, 2)]


def chaff_aligned_to_the_end(x, w, stride=1):
    x, w, stride = _checked(x, w, stride)
    return _valid(x, w)[::-1][::stride][::-1]  # the right length, but every s-th output counted from the end


def chaff_first_outputs_not_every_sth(x, w, stride=1):
    x, w, stride = _checked(x, w, stride)
    full = _valid(x, w)
    return full[: len(full[::stride])]  # the right length, but consecutive windows


WHEATS = {
    "a vectorised implementation": wheat_vectorised,
    "an implementation with explicit loops": wheat_loops,
    "np.correlate followed by downsampling": wheat_downsampled,
}
CLAIM = {"every s-th output": "must pass when corr1d(x, w, stride=s) equals corr1d(x, w)[::s] for every input"}
CHAFFS = [Chaff(f.__name__, f, "every s-th output") for f in (
    chaff_stride_ignored,
    chaff_input_downsampled,
    chaff_wrong_phase,
    chaff_last_dropped_when_uneven,
    chaff_extra_output_when_uneven,
    chaff_dilation_instead_of_stride,
    chaff_kernel_flipped_when_strided,
    chaff_only_strides_1_and_2,
    chaff_aligned_to_the_end,
    chaff_first_outputs_not_every_sth,
)]


@grade(points=10, part="test_stride_is_downsampling",
       hint="Possible reason: try several strides (2, 3, 4), lengths the stride does not divide, asymmetric kernels, "
            "and compare shapes as well as values.")
def test_proof_by_test_passes_correct_and_fails_wrong_implementations(student, credit, order_rng):
    name = "test_stride_is_downsampling"
    award(judge(getattr(student, name).timeout(20), WHEATS, [c.core for c in CHAFFS], name=name, rng=order_rng),
          credit, name)
