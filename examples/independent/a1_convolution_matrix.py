# An independently written correct A1 submission, linear-algebra style (the example class's "correct_matrix"): every
# convolution as a product with an explicit convolution (Toeplitz) matrix, the filter fitted by QR.
# Each `# %% <grade_id>` section is the code of one solution cell.

# %% fit_fir_wiener
def fir_design_matrix(x: np.ndarray, n_taps: int) -> np.ndarray:
    signal = np.array(x, dtype=float)
    idx = np.add.outer(np.arange(signal.shape[0] - n_taps + 1), np.arange(n_taps - 1, -1, -1))
    return signal[idx]


def fit_fir_wiener(x: np.ndarray, d: np.ndarray, n_taps: int) -> tuple[np.ndarray, float]:
    design = np.concatenate([fir_design_matrix(x, n_taps), np.ones((len(x) - n_taps + 1, 1))], axis=1)
    q, r = np.linalg.qr(design)
    params = np.linalg.solve(r, q.T @ np.array(d, dtype=float)[n_taps - 1:])
    return params[:-1], float(params[-1])

# %% fit_fir_gd
def fit_fir_gd(
    x: np.ndarray, d: np.ndarray, n_taps: int, lr: float, n_steps: int
) -> tuple[np.ndarray, float, np.ndarray]:
    design = fir_design_matrix(x, n_taps)
    goal = np.array(d, dtype=float)[n_taps - 1:]
    count = len(goal)
    weights = np.zeros(n_taps)
    offset = 0.0
    costs = []
    step = 0
    while step <= n_steps:
        miss = goal - design.dot(weights) - offset
        costs.append(float(np.dot(miss, miss)) / count)
        if step == n_steps:
            break
        weights, offset = weights + (2 * lr / count) * design.T.dot(miss), offset + (2 * lr / count) * miss.sum()
        step += 1
    return weights, float(offset), np.array(costs)

# %% conv1d
def conv1d(x: np.ndarray, w: np.ndarray, mode: str = "full") -> np.ndarray:
    sig, ker = np.array(x, dtype=float), np.array(w, dtype=float)
    total = sig.size + ker.size - 1
    toeplitz = np.zeros((total, sig.size))
    for col in range(sig.size):
        toeplitz[col:col + ker.size, col] = ker  # column col: the kernel shifted down by col
    full = toeplitz @ sig
    small, big = sorted([sig.size, ker.size])
    begin, length = {"full": (0, total), "same": ((small - 1) // 2, big), "valid": (small - 1, big - small + 1)}[mode]
    return full[begin:begin + length]

# %% corr1d
def corr1d(x: np.ndarray, w: np.ndarray, stride: int = 1) -> np.ndarray:
    sig, ker = np.array(x, dtype=float), np.array(w, dtype=float)
    outputs = (sig.size - ker.size) // stride + 1
    band = np.zeros((outputs, sig.size))
    for row in range(outputs):
        band[row, row * stride:row * stride + ker.size] = ker
    return band @ sig

# %% test_stride_is_downsampling
def test_stride_is_downsampling(corr1d) -> None:
    gen = np.random.default_rng(31)
    cases = [(n, m) for n in (3, 8, 11, 16) for m in (1, 3, n)]
    for n, m in cases:
        x, w = gen.standard_normal(n), gen.standard_normal(m)
        every = np.asarray(corr1d(x, w))
        for s in range(1, 7):
            strided = np.asarray(corr1d(x, w, stride=s))
            assert strided.shape == every[::s].shape, (n, m, s)
            np.testing.assert_allclose(strided, every[::s], atol=1e-10)

# %% output_size
def output_size(n: int, k: int, stride: int = 1, pad: int = 0) -> int:
    return len(range(0, n + 2 * pad - k + 1, stride))

# %% corr2d
def corr2d(x: np.ndarray, w: np.ndarray, stride: int = 1, pad: int = 0) -> np.ndarray:
    img = np.pad(np.array(x, dtype=float), ((pad, pad), (pad, pad)), mode="constant")
    ker = np.array(w, dtype=float)
    out_h = (img.shape[0] - ker.shape[0]) // stride + 1
    out_w = (img.shape[1] - ker.shape[1]) // stride + 1
    result = np.empty((out_h, out_w))
    for r in range(out_h):
        rows = img[r * stride:r * stride + ker.shape[0]]
        for c in range(out_w):
            result[r, c] = np.vdot(rows[:, c * stride:c * stride + ker.shape[1]], ker)
    return result

# %% conv2d
def conv2d(x: np.ndarray, w: np.ndarray, stride: int = 1, pad: int = 0) -> np.ndarray:
    flipped = np.array(w, dtype=float)[::-1, ::-1]
    return corr2d(x, flipped, stride, pad)

# %% conv_forward
def conv_forward(
    x: np.ndarray, w: np.ndarray, b: np.ndarray, stride: int = 1, pad: int = 0
) -> tuple[np.ndarray, tuple]:
    x, w, b = np.array(x, dtype=float), np.array(w, dtype=float), np.array(b, dtype=float)
    batch, _, height, width = x.shape
    filters, _, kh, kw = w.shape
    out_h = (height + 2 * pad - kh) // stride + 1
    out_w = (width + 2 * pad - kw) // stride + 1
    xp = np.pad(x, ((0, 0), (0, 0), (pad, pad), (pad, pad)), mode="constant")
    flat_w = w.reshape(filters, -1)  # (F, C*KH*KW)
    out = np.empty((batch, filters, out_h, out_w))
    for r in range(out_h):
        for c in range(out_w):
            block = xp[:, :, r * stride:r * stride + kh, c * stride:c * stride + kw].reshape(batch, -1)
            out[:, :, r, c] = block @ flat_w.T + b
    return out, (x, w, b, stride, pad)

# %% param_counts
def dense_param_count(in_shape: tuple[int, ...] | int, out_shape: tuple[int, ...] | int, bias: bool = True) -> int:
    def size(shape):
        if isinstance(shape, int):
            return shape
        product = 1
        for dim in shape:
            product *= dim
        return product

    return (size(in_shape) + (1 if bias else 0)) * size(out_shape)


def conv_param_count(c_in: int, c_out: int, kh: int, kw: int, bias: bool = True) -> int:
    return (kh * kw * c_in + int(bool(bias))) * c_out

# %% receptive_field
def receptive_field(kernel_sizes: list[int], strides: list[int]) -> int:
    size, jump = 1, 1
    for k, s in zip(kernel_sizes, strides):
        size += (k - 1) * jump
        jump *= s
    return size
