# A copy of a1_convolution_vectorised.py with helpers extracted: the float conversion, the output length, the
# centring, the full convolution and the strided view of one kernel tap became functions of their own. The class
# report must flag the pair.
# Each `# %% <grade_id>` section is the code of one solution cell.

# %% fit_fir_wiener
def _as_float(values):
    return np.asarray(values, np.float64)


def fir_design_matrix(x: np.ndarray, n_taps: int) -> np.ndarray:
    signal = _as_float(x)
    times = np.arange(n_taps - 1, signal.size)
    return signal[times[:, None] - np.arange(n_taps)[None, :]]


def _centre(design, wanted):
    mu_x, mu_d = design.mean(axis=0), wanted.mean()
    return mu_x, mu_d, design - mu_x


def fit_fir_wiener(x: np.ndarray, d: np.ndarray, n_taps: int) -> tuple[np.ndarray, float]:
    design = fir_design_matrix(x, n_taps)
    wanted = _as_float(d)[n_taps - 1:]
    mu_x, mu_d, centred = _centre(design, wanted)
    taps = np.linalg.solve(centred.T @ centred, centred.T @ (wanted - mu_d))
    return taps, float(mu_d - mu_x @ taps)

# %% fit_fir_gd
def fit_fir_gd(
    x: np.ndarray, d: np.ndarray, n_taps: int, lr: float, n_steps: int
) -> tuple[np.ndarray, float, np.ndarray]:
    design = fir_design_matrix(x, n_taps)
    wanted = np.asarray(d, np.float64)[n_taps - 1:]
    A = np.c_[design, np.ones(len(wanted))]
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
def _full_conv(a, v):
    full = np.zeros(a.size + v.size - 1)
    for shift, tap in enumerate(v):
        full[shift:shift + a.size] += tap * a
    return full


def conv1d(x: np.ndarray, w: np.ndarray, mode: str = "full") -> np.ndarray:
    a, v = np.asarray(x, np.float64), np.asarray(w, np.float64)
    full = _full_conv(a, v)
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
def _out_len(size, k, stride):
    return (size - k) // stride + 1


def _tap_view(img, p, q, rows, cols, stride):
    return img[p:p + stride * (rows - 1) + 1:stride, q:q + stride * (cols - 1) + 1:stride]


def corr2d(x: np.ndarray, w: np.ndarray, stride: int = 1, pad: int = 0) -> np.ndarray:
    img = np.pad(np.asarray(x, np.float64), pad)
    ker = np.asarray(w, np.float64)
    rows = _out_len(img.shape[0], ker.shape[0], stride)
    cols = _out_len(img.shape[1], ker.shape[1], stride)
    acc = np.zeros((rows, cols))
    for p, q in np.ndindex(*ker.shape):
        acc += ker[p, q] * _tap_view(img, p, q, rows, cols, stride)
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
def _size(shape):
    return math.prod(np.ravel(shape).tolist())


def dense_param_count(in_shape: tuple[int, ...] | int, out_shape: tuple[int, ...] | int, bias: bool = True) -> int:
    size_in = _size(in_shape)
    size_out = _size(out_shape)
    return size_out * (size_in + int(bias))


def conv_param_count(c_in: int, c_out: int, kh: int, kw: int, bias: bool = True) -> int:
    return c_out * c_in * kh * kw + bias * c_out

# %% receptive_field
def receptive_field(kernel_sizes: list[int], strides: list[int]) -> int:
    field = 1
    for size, step in reversed(list(zip(kernel_sizes, strides))):
        field = step * field + (size - step)
    return field
