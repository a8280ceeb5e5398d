# A copy of a1_convolution_loops.py with its helpers inlined: fit_fir_wiener and fit_fir_gd build the design
# matrix themselves, conv2d does the correlation itself, a temporary became an expression. The class report must
# flag the pair.
# Each `# %% <grade_id>` section is the code of one solution cell.

# %% fit_fir_wiener
def fir_design_matrix(x: np.ndarray, n_taps: int) -> np.ndarray:
    x = np.asarray(x, dtype=float)
    rows = len(x) - n_taps + 1
    X = np.zeros((rows, n_taps))
    for i in range(rows):
        t = i + n_taps - 1
        for k in range(n_taps):
            X[i, k] = x[t - k]  # delayed input x[t-k]
    return X


def fit_fir_wiener(x: np.ndarray, d: np.ndarray, n_taps: int) -> tuple[np.ndarray, float]:
    x = np.asarray(x, dtype=float)
    rows = len(x) - n_taps + 1
    X = np.zeros((rows, n_taps))
    for i in range(rows):
        t = i + n_taps - 1
        for k in range(n_taps):
            X[i, k] = x[t - k]
    y = np.asarray(d, dtype=float)[n_taps - 1:]
    # append a column of ones for the bias, then solve least squares
    A = np.hstack([X, np.ones((X.shape[0], 1))])
    theta, *_ = np.linalg.lstsq(A, y, rcond=None)
    return theta[:n_taps], float(theta[n_taps])

# %% fit_fir_gd
def fit_fir_gd(
    x: np.ndarray, d: np.ndarray, n_taps: int, lr: float, n_steps: int
) -> tuple[np.ndarray, float, np.ndarray]:
    x = np.asarray(x, dtype=float)
    rows = len(x) - n_taps + 1
    X = np.zeros((rows, n_taps))
    for i in range(rows):
        t = i + n_taps - 1
        for k in range(n_taps):
            X[i, k] = x[t - k]
    y = np.asarray(d, dtype=float)[n_taps - 1:]
    T = X.shape[0]
    w = np.zeros(n_taps)
    b = 0.0
    losses = []
    for _ in range(n_steps):
        r = y - (X @ w + b)
        losses.append(np.mean(r * r))
        grad_w = -2.0 / T * (X.T @ r)
        grad_b = -2.0 / T * r.sum()
        w = w - lr * grad_w
        b = b - lr * grad_b
    r = y - (X @ w + b)
    losses.append(np.mean(r * r))  # loss after the final step
    return w, float(b), np.array(losses)

# %% conv1d
def conv1d(x: np.ndarray, w: np.ndarray, mode: str = "full") -> np.ndarray:
    x = np.asarray(x, dtype=float)
    w = np.asarray(w, dtype=float)
    n, m = len(x), len(w)
    out = np.zeros(n + m - 1)
    for i in range(n):
        for j in range(m):
            out[i + j] += x[i] * w[j]
    if mode == "full":
        return out
    if mode == "same":
        L = max(n, m)
        s = (min(n, m) - 1) // 2
        return out[s:s + L]
    if mode == "valid":
        L = max(n, m) - min(n, m) + 1
        s = min(n, m) - 1
        return out[s:s + L]
    raise ValueError("unknown mode " + str(mode))

# %% corr1d
def corr1d(x: np.ndarray, w: np.ndarray, stride: int = 1) -> np.ndarray:
    x = np.asarray(x, dtype=float)
    w = np.asarray(w, dtype=float)
    n_out = (len(x) - len(w)) // stride + 1
    s = np.zeros(n_out)
    for t in range(n_out):
        s[t] = np.dot(x[t * stride:t * stride + len(w)], w)
    return s

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
    x = np.asarray(x, dtype=float)
    w = np.asarray(w, dtype=float)
    if pad:
        x = np.pad(x, ((pad, pad), (pad, pad)))
    kh, kw = w.shape
    oh = (x.shape[0] - kh) // stride + 1
    ow = (x.shape[1] - kw) // stride + 1
    out = np.zeros((oh, ow))
    for i in range(oh):
        for j in range(ow):
            patch = x[i * stride:i * stride + kh, j * stride:j * stride + kw]
            out[i, j] = np.sum(patch * w)
    return out

# %% conv2d
def conv2d(x: np.ndarray, w: np.ndarray, stride: int = 1, pad: int = 0) -> np.ndarray:
    x = np.asarray(x, dtype=float)
    w = np.flip(np.asarray(w, dtype=float))
    if pad:
        x = np.pad(x, ((pad, pad), (pad, pad)))
    kh, kw = w.shape
    oh = (x.shape[0] - kh) // stride + 1
    ow = (x.shape[1] - kw) // stride + 1
    out = np.zeros((oh, ow))
    for i in range(oh):
        for j in range(ow):
            patch = x[i * stride:i * stride + kh, j * stride:j * stride + kw]
            out[i, j] = np.sum(patch * w)
    return out

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
    Ho = (H + 2 * pad - KH) // stride + 1
    Wo = (W + 2 * pad - KW) // stride + 1
    out = np.zeros((N, F, Ho, Wo))
    for n in range(N):
        for f in range(F):
            for i in range(Ho):
                for j in range(Wo):
                    window = xp[n, :, i * stride:i * stride + KH, j * stride:j * stride + KW]
                    out[n, f, i, j] = np.sum(window * w[f]) + b[f]
    return out, (x, w, b, stride, pad)

# %% param_counts
def dense_param_count(in_shape: tuple[int, ...] | int, out_shape: tuple[int, ...] | int, bias: bool = True) -> int:
    m = int(np.prod(out_shape))
    total = int(np.prod(in_shape)) * m
    if bias:
        total += m
    return total


def conv_param_count(c_in: int, c_out: int, kh: int, kw: int, bias: bool = True) -> int:
    per_filter = c_in * kh * kw + (1 if bias else 0)
    return c_out * per_filter

# %% receptive_field
def receptive_field(kernel_sizes: list[int], strides: list[int]) -> int:
    r = 1
    for l, k in enumerate(kernel_sizes):
        r += (k - 1) * int(np.prod(strides[:l]))
    return r
