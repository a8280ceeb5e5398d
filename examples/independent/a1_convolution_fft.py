# An independently written correct A1 submission, spectral style (the example class's "correct_fft"): convolution
# by the FFT, the normal equations assembled block by block, 2-D correlation as one matrix product of unfolded patches.
# Each `# %% <grade_id>` section is the code of one solution cell.

# %% fit_fir_wiener
def fir_design_matrix(x: np.ndarray, n_taps: int) -> np.ndarray:
    x = np.asarray(x, dtype=np.float64)
    n_rows = x.shape[0] - n_taps + 1
    # column k holds x delayed by k samples
    return np.stack([x[n_taps - 1 - k:n_taps - 1 - k + n_rows] for k in range(n_taps)], axis=1)


def fit_fir_wiener(x: np.ndarray, d: np.ndarray, n_taps: int) -> tuple[np.ndarray, float]:
    X = fir_design_matrix(x, n_taps)
    target = np.asarray(d, dtype=np.float64)[n_taps - 1:]
    gram = np.empty((n_taps + 1, n_taps + 1))
    gram[:n_taps, :n_taps] = X.T @ X
    gram[:n_taps, n_taps] = gram[n_taps, :n_taps] = X.sum(axis=0)
    gram[n_taps, n_taps] = target.shape[0]
    sol = np.linalg.solve(gram, np.append(X.T @ target, target.sum()))
    return sol[:n_taps], float(sol[n_taps])

# %% fit_fir_gd
def fit_fir_gd(
    x: np.ndarray, d: np.ndarray, n_taps: int, lr: float, n_steps: int
) -> tuple[np.ndarray, float, np.ndarray]:
    X = fir_design_matrix(x, n_taps)
    target = np.asarray(d, dtype=np.float64)[n_taps - 1:]
    coef, bias = np.zeros(n_taps), 0.0
    scale = 2.0 / target.shape[0]
    trace = np.empty(n_steps + 1)
    for it in range(n_steps + 1):
        resid = target - X @ coef - bias
        trace[it] = resid @ resid / target.shape[0]
        if it < n_steps:
            coef = coef + lr * scale * (X.T @ resid)
            bias = bias + lr * scale * resid.sum()
    return coef, float(bias), trace

# %% conv1d
def conv1d(x: np.ndarray, w: np.ndarray, mode: str = "full") -> np.ndarray:
    x = np.asarray(x, dtype=np.float64)
    w = np.asarray(w, dtype=np.float64)
    n_full = x.size + w.size - 1
    size = 1 << (n_full - 1).bit_length()  # a power of two at least n_full: no circular wrap-around
    full = np.fft.irfft(np.fft.rfft(x, size) * np.fft.rfft(w, size), size)[:n_full]
    longer, shorter = max(x.size, w.size), min(x.size, w.size)
    if mode == "same":
        lo = (shorter - 1) // 2
        return full[lo:lo + longer]
    if mode == "valid":
        return full[shorter - 1:longer]
    if mode != "full":
        raise ValueError(f"mode must be full, same or valid, not {mode!r}")
    return full

# %% corr1d
def corr1d(x: np.ndarray, w: np.ndarray, stride: int = 1) -> np.ndarray:
    x = np.asarray(x, dtype=np.float64)
    w = np.asarray(w, dtype=np.float64)
    positions = range(0, x.size - w.size + 1, stride)
    return np.array([x[p:p + w.size] @ w for p in positions], dtype=np.float64)

# %% test_stride_is_downsampling
def test_stride_is_downsampling(corr1d) -> None:
    rng = np.random.default_rng(77)
    for trial in range(40):
        n = int(rng.integers(4, 20))
        m = int(rng.integers(1, n + 1))
        x, w = rng.uniform(-2, 2, n), rng.uniform(-2, 2, m)
        reference = np.asarray(corr1d(x, w, stride=1))
        for stride in range(1, n + 2):
            got = np.asarray(corr1d(x, w, stride=stride))
            if got.shape != reference[::stride].shape or not np.allclose(got, reference[::stride]):
                raise AssertionError(f"stride {stride} is not downsampling for n={n}, m={m}")

# %% output_size
def output_size(n: int, k: int, stride: int = 1, pad: int = 0) -> int:
    span = n + 2 * pad - k
    return span // stride + 1

# %% corr2d
def corr2d(x: np.ndarray, w: np.ndarray, stride: int = 1, pad: int = 0) -> np.ndarray:
    x = np.asarray(x, dtype=np.float64)
    w = np.asarray(w, dtype=np.float64)
    padded = np.zeros((x.shape[0] + 2 * pad, x.shape[1] + 2 * pad))
    padded[pad:pad + x.shape[0], pad:pad + x.shape[1]] = x
    kh, kw = w.shape
    oh = (padded.shape[0] - kh) // stride + 1
    ow = (padded.shape[1] - kw) // stride + 1
    rows = (np.arange(oh) * stride)[:, None, None, None] + np.arange(kh)[None, None, :, None]
    cols = (np.arange(ow) * stride)[None, :, None, None] + np.arange(kw)[None, None, None, :]
    patches = padded[rows, cols].reshape(oh * ow, kh * kw)  # one unfolded patch per output position
    return (patches @ w.ravel()).reshape(oh, ow)

# %% conv2d
def conv2d(x: np.ndarray, w: np.ndarray, stride: int = 1, pad: int = 0) -> np.ndarray:
    kernel = np.asarray(w, dtype=np.float64)
    return corr2d(x, kernel[::-1][:, ::-1], stride=stride, pad=pad)

# %% conv_forward
def conv_forward(
    x: np.ndarray, w: np.ndarray, b: np.ndarray, stride: int = 1, pad: int = 0
) -> tuple[np.ndarray, tuple]:
    x = np.asarray(x, dtype=np.float64)
    w = np.asarray(w, dtype=np.float64)
    b = np.asarray(b, dtype=np.float64)
    n, c, h, wd = x.shape
    f, _, kh, kw = w.shape
    oh, ow = (h + 2 * pad - kh) // stride + 1, (wd + 2 * pad - kw) // stride + 1
    padded = np.zeros((n, c, h + 2 * pad, wd + 2 * pad))
    padded[:, :, pad:pad + h, pad:pad + wd] = x
    rows = (np.arange(oh) * stride)[:, None] + np.arange(kh)[None, :]  # (oh, kh)
    cols = (np.arange(ow) * stride)[:, None] + np.arange(kw)[None, :]  # (ow, kw)
    patches = padded[:, :, rows[:, None, :, None], cols[None, :, None, :]]  # (n, c, oh, ow, kh, kw)
    out = np.tensordot(patches, w, axes=([1, 4, 5], [1, 2, 3]))  # (n, oh, ow, f)
    return out.transpose(0, 3, 1, 2) + b[None, :, None, None], (x, w, b, stride, pad)

# %% param_counts
def dense_param_count(in_shape: tuple[int, ...] | int, out_shape: tuple[int, ...] | int, bias: bool = True) -> int:
    n_in = int(np.prod(np.atleast_1d(in_shape)))
    n_out = int(np.prod(np.atleast_1d(out_shape)))
    return n_in * n_out + (n_out if bias else 0)


def conv_param_count(c_in: int, c_out: int, kh: int, kw: int, bias: bool = True) -> int:
    weights = kh * kw * c_in * c_out
    return weights + c_out if bias else weights

# %% receptive_field
def receptive_field(kernel_sizes: list[int], strides: list[int]) -> int:
    jumps = np.cumprod([1] + list(strides[:-1])) if strides else np.ones(0)
    return int(1 + np.sum((np.asarray(kernel_sizes) - 1) * jumps[:len(kernel_sizes)]))
