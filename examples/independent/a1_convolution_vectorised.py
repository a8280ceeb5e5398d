# An independently written correct A1 submission, vectorised style (the example class's "correct_vectorised").
# Each `# %% <grade_id>` section is the code of one solution cell.

# %% fit_fir_wiener
def fir_design_matrix(x: np.ndarray, n_taps: int) -> np.ndarray:
    """Delayed copies of x, one row per time step t = n_taps-1 ... N-1."""
    signal = np.asarray(x, np.float64)
    times = np.arange(n_taps - 1, signal.size)
    return signal[times[:, None] - np.arange(n_taps)[None, :]]


def fit_fir_wiener(x: np.ndarray, d: np.ndarray, n_taps: int) -> tuple[np.ndarray, float]:
    """Centre both sides: the bias drops out, then comes back as mean(d) - mean(X) w."""
    design = fir_design_matrix(x, n_taps)
    wanted = np.asarray(d, np.float64)[n_taps - 1:]
    mu_x, mu_d = design.mean(axis=0), wanted.mean()
    centred = design - mu_x
    taps = np.linalg.solve(centred.T @ centred, centred.T @ (wanted - mu_d))
    return taps, float(mu_d - mu_x @ taps)

# %% fit_fir_gd
def fit_fir_gd(
    x: np.ndarray, d: np.ndarray, n_taps: int, lr: float, n_steps: int
) -> tuple[np.ndarray, float, np.ndarray]:
    design = fir_design_matrix(x, n_taps)
    wanted = np.asarray(d, np.float64)[n_taps - 1:]
    A = np.c_[design, np.ones(len(wanted))]  # bias as the last weight
    theta = np.zeros(n_taps + 1)
    history = np.zeros(n_steps + 1)
    step = 0
    while True:
        err = A @ theta - wanted
        history[step] = err @ err / len(wanted)
        if step == n_steps:
            break
        theta -= lr * 2.0 * (A.T @ err) / len(wanted)
        step += 1
    return theta[:-1].copy(), float(theta[-1]), history

# %% conv1d
def conv1d(x: np.ndarray, w: np.ndarray, mode: str = "full") -> np.ndarray:
    a, v = np.asarray(x, np.float64), np.asarray(w, np.float64)
    full = np.zeros(a.size + v.size - 1)
    for shift, tap in enumerate(v):  # shifted, scaled copies of the signal
        full[shift:shift + a.size] += tap * a
    short, long_ = sorted((a.size, v.size))
    slices = {"full": slice(None), "same": slice((short - 1) // 2, (short - 1) // 2 + long_),
              "valid": slice(short - 1, long_)}
    return full[slices[mode]]

# %% corr1d
def corr1d(x: np.ndarray, w: np.ndarray, stride: int = 1) -> np.ndarray:
    a, v = np.asarray(x, np.float64), np.asarray(w, np.float64)
    starts = np.arange(0, a.size - v.size + 1, stride)
    return a[starts[:, None] + np.arange(v.size)] @ v

# %% test_stride_is_downsampling
def test_stride_is_downsampling(corr1d) -> None:
    import itertools
    rand = np.random.default_rng(2024)
    for length, width, step in itertools.product([6, 9, 10, 17], [1, 2, 4], [1, 2, 3, 5, 7]):
        sig, ker = rand.integers(-5, 6, length).astype(float), rand.integers(-3, 4, width).astype(float)
        strided = np.asarray(corr1d(sig, ker, stride=step))
        dense = np.asarray(corr1d(sig, ker))[::step]
        np.testing.assert_allclose(strided, dense)

# %% output_size
def output_size(n: int, k: int, stride: int = 1, pad: int = 0) -> int:
    return 1 + (n - k + 2 * pad) // stride

# %% corr2d
def corr2d(x: np.ndarray, w: np.ndarray, stride: int = 1, pad: int = 0) -> np.ndarray:
    img = np.pad(np.asarray(x, np.float64), pad)
    ker = np.asarray(w, np.float64)
    rows = (img.shape[0] - ker.shape[0]) // stride + 1
    cols = (img.shape[1] - ker.shape[1]) // stride + 1
    acc = np.zeros((rows, cols))
    for p, q in np.ndindex(*ker.shape):  # one shifted, strided view per kernel tap
        acc += ker[p, q] * img[p:p + stride * (rows - 1) + 1:stride, q:q + stride * (cols - 1) + 1:stride]
    return acc

# %% conv2d
def conv2d(x: np.ndarray, w: np.ndarray, stride: int = 1, pad: int = 0) -> np.ndarray:
    return corr2d(x, np.rot90(np.asarray(w, np.float64), 2), stride=stride, pad=pad)

# %% conv_forward
def conv_forward(
    x: np.ndarray, w: np.ndarray, b: np.ndarray, stride: int = 1, pad: int = 0
) -> tuple[np.ndarray, tuple]:
    imgs, kers, bias = (np.asarray(v, np.float64) for v in (x, w, b))
    padded = np.pad(imgs, [(0, 0), (0, 0), (pad, pad), (pad, pad)])
    rows = (padded.shape[2] - kers.shape[2]) // stride + 1
    cols = (padded.shape[3] - kers.shape[3]) // stride + 1
    result = np.zeros((imgs.shape[0], kers.shape[0], rows, cols))
    for p, q in np.ndindex(kers.shape[2], kers.shape[3]):
        view = padded[:, :, p:p + stride * (rows - 1) + 1:stride, q:q + stride * (cols - 1) + 1:stride]
        result += np.einsum("nchw,fc->nfhw", view, kers[:, :, p, q])
    result += bias.reshape(1, -1, 1, 1)
    return result, (imgs, kers, bias, stride, pad)

# %% param_counts
def dense_param_count(in_shape: tuple[int, ...] | int, out_shape: tuple[int, ...] | int, bias: bool = True) -> int:
    size_in = math.prod(np.ravel(in_shape).tolist())
    size_out = math.prod(np.ravel(out_shape).tolist())
    return size_out * (size_in + int(bias))


def conv_param_count(c_in: int, c_out: int, kh: int, kw: int, bias: bool = True) -> int:
    return c_out * c_in * kh * kw + bias * c_out

# %% receptive_field
def receptive_field(kernel_sizes: list[int], strides: list[int]) -> int:
    # walk back from one output unit: r_(l-1) = s_l * r_l + (k_l - s_l)
    field = 1
    for size, step in reversed(list(zip(kernel_sizes, strides))):
        field = step * field + (size - step)
    return field
