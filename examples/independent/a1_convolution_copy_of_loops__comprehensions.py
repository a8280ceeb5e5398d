# A copy of a1_convolution_loops.py rewritten: loops that fill an array or a list became comprehensions, accumulating
# loops became sums, temporaries were inlined, names changed and the functions of a cell reordered. The class report
# must flag the pair (the copy that scored 59.8 % before similarity read canonical syntax trees).
# Each `# %% <grade_id>` section is the code of one solution cell.

# %% fit_fir_wiener
def fit_fir_wiener(x: np.ndarray, d: np.ndarray, n_taps: int) -> tuple[np.ndarray, float]:
    M = fir_design_matrix(x, n_taps)
    target = np.asarray(d, dtype=float)[n_taps - 1:]
    design = np.hstack([M, np.ones((M.shape[0], 1))])
    params, *_ = np.linalg.lstsq(design, target, rcond=None)
    return params[:n_taps], float(params[n_taps])


def fir_design_matrix(x: np.ndarray, n_taps: int) -> np.ndarray:
    sig = np.asarray(x, dtype=float)
    return np.array([[sig[row + n_taps - 1 - lag] for lag in range(n_taps)]
                     for row in range(len(sig) - n_taps + 1)])

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
    history.append(np.mean(res * res))
    return weights, float(offset), np.array(history)

# %% conv1d
def conv1d(x: np.ndarray, w: np.ndarray, mode: str = "full") -> np.ndarray:
    sig = np.asarray(x, dtype=float)
    ker = np.asarray(w, dtype=float)
    a, b = len(sig), len(ker)
    full = np.zeros(a + b - 1)
    for p in range(a):
        for q in range(b):
            full[p + q] += sig[p] * ker[q]
    if mode == "full":
        return full
    if mode == "same":
        size = max(a, b)
        first = (min(a, b) - 1) // 2
        return full[first:first + size]
    if mode == "valid":
        size = max(a, b) - min(a, b) + 1
        first = min(a, b) - 1
        return full[first:first + size]
    raise ValueError("unknown mode " + str(mode))

# %% corr1d
def corr1d(x: np.ndarray, w: np.ndarray, stride: int = 1) -> np.ndarray:
    sig = np.asarray(x, dtype=float)
    ker = np.asarray(w, dtype=float)
    return np.array([np.dot(sig[pos * stride:pos * stride + len(ker)], ker)
                     for pos in range((len(sig) - len(ker)) // stride + 1)])

# %% test_stride_is_downsampling
def test_stride_is_downsampling(corr1d) -> None:
    gen = np.random.default_rng(1)
    for N in range(5, 15):
        for M in (1, 2, 3, 5):
            x = gen.normal(size=N)
            w = gen.normal(size=M)
            base = np.asarray(corr1d(x, w))
            for s in (1, 2, 3, 4, 5):
                out = np.asarray(corr1d(x, w, stride=s))
                assert out.shape == base[::s].shape
                assert np.allclose(out, base[::s])

# %% output_size
def output_size(n: int, k: int, stride: int = 1, pad: int = 0) -> int:
    return int(np.floor((n + 2 * pad - k) / stride)) + 1

# %% corr2d
def corr2d(x: np.ndarray, w: np.ndarray, stride: int = 1, pad: int = 0) -> np.ndarray:
    img = np.asarray(x, dtype=float)
    ker = np.asarray(w, dtype=float)
    if pad:
        img = np.pad(img, ((pad, pad), (pad, pad)))
    kh, kw = ker.shape
    return np.array([[np.sum(img[r * stride:r * stride + kh, c * stride:c * stride + kw] * ker)
                      for c in range((img.shape[1] - kw) // stride + 1)]
                     for r in range((img.shape[0] - kh) // stride + 1)])

# %% conv2d
def conv2d(x: np.ndarray, w: np.ndarray, stride: int = 1, pad: int = 0) -> np.ndarray:
    return corr2d(x, np.flip(np.asarray(w, dtype=float)), stride, pad)

# %% conv_forward
def conv_forward(
    x: np.ndarray, w: np.ndarray, b: np.ndarray, stride: int = 1, pad: int = 0
) -> tuple[np.ndarray, tuple]:
    x = np.asarray(x, dtype=float)
    w = np.asarray(w, dtype=float)
    b = np.asarray(b, dtype=float)
    N, C, H, W = x.shape
    F, _, KH, KW = w.shape
    xp = np.pad(x, ((0, 0), (0, 0), (pad, pad), (pad, pad)))
    out = np.array([[[[np.sum(xp[n, :, i * stride:i * stride + KH, j * stride:j * stride + KW] * w[f]) + b[f]
                       for j in range((W + 2 * pad - KW) // stride + 1)]
                      for i in range((H + 2 * pad - KH) // stride + 1)]
                     for f in range(F)]
                    for n in range(N)])
    return out, (x, w, b, stride, pad)

# %% param_counts
def conv_param_count(c_in: int, c_out: int, kh: int, kw: int, bias: bool = True) -> int:
    return c_out * (c_in * kh * kw + (1 if bias else 0))


def dense_param_count(in_shape: tuple[int, ...] | int, out_shape: tuple[int, ...] | int, bias: bool = True) -> int:
    d = int(np.prod(in_shape))
    m = int(np.prod(out_shape))
    total = d * m
    if bias:
        total += m
    return total

# %% receptive_field
def receptive_field(kernel_sizes: list[int], strides: list[int]) -> int:
    return 1 + sum((k - 1) * int(np.prod(strides[:l])) for l, k in enumerate(kernel_sizes))
