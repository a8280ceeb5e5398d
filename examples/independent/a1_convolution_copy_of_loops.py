# A copy of a1_convolution_loops.py (the example class's "correct_copy_of_loops"): variables renamed, functions
# of a cell reordered, comments changed, otherwise the same code. The class report must flag the pair.
# Each `# %% <grade_id>` section is the code of one solution cell.

# %% fit_fir_wiener
def fit_fir_wiener(x: np.ndarray, d: np.ndarray, n_taps: int) -> tuple[np.ndarray, float]:
    M = fir_design_matrix(x, n_taps)
    target = np.asarray(d, dtype=float)[n_taps - 1:]
    # least squares with an extra all-ones column (the bias)
    design = np.hstack([M, np.ones((M.shape[0], 1))])
    params, *_ = np.linalg.lstsq(design, target, rcond=None)
    return params[:n_taps], float(params[n_taps])


def fir_design_matrix(x: np.ndarray, n_taps: int) -> np.ndarray:
    sig = np.asarray(x, dtype=float)
    n_rows = len(sig) - n_taps + 1
    M = np.zeros((n_rows, n_taps))
    for row in range(n_rows):
        now = row + n_taps - 1
        for lag in range(n_taps):
            M[row, lag] = sig[now - lag]
    return M

# %% fit_fir_gd
def fit_fir_gd(
    x: np.ndarray, d: np.ndarray, n_taps: int, lr: float, n_steps: int
) -> tuple[np.ndarray, float, np.ndarray]:
    M = fir_design_matrix(x, n_taps)
    target = np.asarray(d, dtype=float)[n_taps - 1:]
    count = M.shape[0]
    weights = np.zeros(n_taps)
    offset = 0.0
    history = []
    for _ in range(n_steps):
        res = target - (M @ weights + offset)
        history.append(np.mean(res * res))
        g_w = -2.0 / count * (M.T @ res)
        g_b = -2.0 / count * res.sum()
        weights = weights - lr * g_w
        offset = offset - lr * g_b
    res = target - (M @ weights + offset)
    history.append(np.mean(res * res))  # J at the end
    return weights, float(offset), np.array(history)

# %% conv1d
def conv1d(x: np.ndarray, w: np.ndarray, mode: str = "full") -> np.ndarray:
    sig = np.asarray(x, dtype=float)
    ker = np.asarray(w, dtype=float)
    a, b = len(sig), len(ker)
    res = np.zeros(a + b - 1)
    for p in range(a):
        for q in range(b):
            res[p + q] += sig[p] * ker[q]
    if mode == "full":
        return res
    if mode == "same":
        size = max(a, b)
        start = (min(a, b) - 1) // 2
        return res[start:start + size]
    if mode == "valid":
        size = max(a, b) - min(a, b) + 1
        start = min(a, b) - 1
        return res[start:start + size]
    raise ValueError("bad mode " + str(mode))

# %% corr1d
def corr1d(x: np.ndarray, w: np.ndarray, stride: int = 1) -> np.ndarray:
    sig = np.asarray(x, dtype=float)
    ker = np.asarray(w, dtype=float)
    length = (len(sig) - len(ker)) // stride + 1
    res = np.zeros(length)
    for idx in range(length):
        res[idx] = np.dot(sig[idx * stride:idx * stride + len(ker)], ker)
    return res

# %% test_stride_is_downsampling
def test_stride_is_downsampling(corr1d) -> None:
    g = np.random.default_rng(7)
    for length in range(5, 15):
        for width in (1, 2, 3, 5):
            sig = g.normal(size=length)
            ker = g.normal(size=width)
            full = np.asarray(corr1d(sig, ker))
            for st in (1, 2, 3, 4, 5):
                got = np.asarray(corr1d(sig, ker, stride=st))
                assert got.shape == full[::st].shape
                assert np.allclose(got, full[::st])

# %% output_size
def output_size(n: int, k: int, stride: int = 1, pad: int = 0) -> int:
    return int(np.floor((n + 2 * pad - k) / stride)) + 1

# %% corr2d
def corr2d(x: np.ndarray, w: np.ndarray, stride: int = 1, pad: int = 0) -> np.ndarray:
    img = np.asarray(x, dtype=float)
    ker = np.asarray(w, dtype=float)
    if pad:
        img = np.pad(img, ((pad, pad), (pad, pad)))
    h, v = ker.shape
    rows = (img.shape[0] - h) // stride + 1
    cols = (img.shape[1] - v) // stride + 1
    res = np.zeros((rows, cols))
    for r in range(rows):
        for c in range(cols):
            piece = img[r * stride:r * stride + h, c * stride:c * stride + v]
            res[r, c] = np.sum(piece * ker)
    return res

# %% conv2d
def conv2d(x: np.ndarray, w: np.ndarray, stride: int = 1, pad: int = 0) -> np.ndarray:
    # convolution = correlation with the reversed kernel
    return corr2d(x, np.flip(np.asarray(w, dtype=float)), stride, pad)

# %% conv_forward
def conv_forward(
    x: np.ndarray, w: np.ndarray, b: np.ndarray, stride: int = 1, pad: int = 0
) -> tuple[np.ndarray, tuple]:
    imgs = np.asarray(x, dtype=float)
    kers = np.asarray(w, dtype=float)
    bias = np.asarray(b, dtype=float)
    B, Ch, Hh, Ww = imgs.shape
    K, _, kh, kw = kers.shape
    padded = np.pad(imgs, ((0, 0), (0, 0), (pad, pad), (pad, pad)))
    oh = (Hh + 2 * pad - kh) // stride + 1
    ow = (Ww + 2 * pad - kw) // stride + 1
    res = np.zeros((B, K, oh, ow))
    for i in range(B):
        for k in range(K):
            for r in range(oh):
                for c in range(ow):
                    piece = padded[i, :, r * stride:r * stride + kh, c * stride:c * stride + kw]
                    res[i, k, r, c] = np.sum(piece * kers[k]) + bias[k]
    return res, (imgs, kers, bias, stride, pad)

# %% param_counts
def conv_param_count(c_in: int, c_out: int, kh: int, kw: int, bias: bool = True) -> int:
    each = c_in * kh * kw + (1 if bias else 0)
    return c_out * each


def dense_param_count(in_shape: tuple[int, ...] | int, out_shape: tuple[int, ...] | int, bias: bool = True) -> int:
    n_in = int(np.prod(in_shape))
    n_out = int(np.prod(out_shape))
    count = n_in * n_out
    if bias:
        count += n_out
    return count

# %% receptive_field
def receptive_field(kernel_sizes: list[int], strides: list[int]) -> int:
    size = 1
    for i, kk in enumerate(kernel_sizes):
        size += (kk - 1) * int(np.prod(strides[:i]))
    return size
