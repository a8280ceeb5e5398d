"""A6 reference: porting the numpy CNN of A4 to Keras 3 -- layout conversions (numpy only) and the Keras model.

Vocabulary: the kit's tensors are NCHW, x (N, C, H, W); its conv weights w (F, C, KH, KW), bias b (F,); its dense
layers map x (N, D) with w (D, M), b (M,). Keras (channels_last, its default) stores images NHWC, x (N, H, W, C),
and a Conv2D kernel as (KH, KW, C, F); its Dense kernel is (D, M) like ours. Both libraries' convolution layers are
cross-correlations. Conversions return float64 arrays (integer inputs too) and never modify their inputs.

Only build_keras_cnn imports Keras (lazily): everything else here is plain numpy, importable without a framework.
"""

from __future__ import annotations

import numpy as np

from solutions.common import as_float64

# --- layout conversions (numpy only) --------------------------------------------------------------------------------


def to_keras_conv_kernel(w: np.ndarray) -> np.ndarray:
    """Our conv weights as a Keras Conv2D kernel: w (F, C, KH, KW) -> k (KH, KW, C, F), float64, with which
    Keras' layer computes what ours computes with w (both layers are cross-correlations)."""
    w = as_float64(w, "w", 4)
    return np.ascontiguousarray(w.transpose(2, 3, 1, 0))


def from_keras_conv_kernel(k: np.ndarray) -> np.ndarray:
    """A Keras Conv2D kernel as our conv weights: k (KH, KW, C, F) -> w (F, C, KH, KW); the inverse of
    to_keras_conv_kernel."""
    k = as_float64(k, "k", 4)
    return np.ascontiguousarray(k.transpose(3, 2, 0, 1))


def nchw_to_nhwc(x: np.ndarray) -> np.ndarray:
    """Images from our layout to Keras': x (N, C, H, W) -> (N, H, W, C), float64, the same images."""
    x = as_float64(x, "x", 4)
    return np.ascontiguousarray(x.transpose(0, 2, 3, 1))


def nhwc_to_nchw(x: np.ndarray) -> np.ndarray:
    """Images from Keras' layout to ours: x (N, H, W, C) -> (N, C, H, W), float64; the inverse of nchw_to_nhwc."""
    x = as_float64(x, "x", 4)
    return np.ascontiguousarray(x.transpose(0, 3, 1, 2))


def to_keras_dense_after_flatten(w: np.ndarray, chw: tuple[int, int, int]) -> np.ndarray:
    """The weights of a dense layer that follows a flatten, re-ordered from an NCHW flatten to Keras' NHWC flatten.

    w (D, M) with D = C*H*W, the weights of a dense layer after numpy's C-order flatten of NCHW maps;
    chw = (C, H, W), the shape of one sample's maps before the flatten -> w_k (D, M), float64, such that
    flatten(nhwc maps) @ w_k == flatten(nchw maps) @ w for every input (Keras' Flatten of NHWC maps, C order).
    """
    w = as_float64(w, "w", 2)
    C, H, W = (int(v) for v in chw)
    D, M = w.shape
    if C * H * W != D:
        raise ValueError(f"w has {D} rows but the maps (C, H, W) = {(C, H, W)} flatten to {C * H * W}")
    return np.ascontiguousarray(w.reshape(C, H, W, M).transpose(1, 2, 0, 3).reshape(D, M))


# --- the Keras model --------------------------------------------------------------------------------------------------


def build_keras_cnn(params: dict[str, np.ndarray], input_chw: tuple[int, int, int]):
    """A4's network as a keras.Model with the given numpy parameters:
    conv (stride 1, no padding) -> ReLU -> 2x2 max-pool -> flatten -> dense.

    params: w1 (F, C, KH, KW), b1 (F,), w2 (D, M), b2 (M,) as A4's init_cnn makes them (w2's rows in NCHW-flatten
    order); input_chw = (C, H, W) of one image -> a model that takes NHWC images (N, H, W, C) (float32) and returns
    the scores (N, M), equal to A4's numpy forward pass cnn_scores(params, x_nchw) up to float32 rounding.
    """
    import keras

    C, H, W = (int(v) for v in input_chw)
    F, _, KH, KW = np.shape(params["w1"])
    Hp, Wp = (H - KH + 1) // 2, (W - KW + 1) // 2  # the pooled maps (F, Hp, Wp)
    conv = keras.layers.Conv2D(F, (KH, KW), padding="valid", activation="relu", name="conv")
    dense = keras.layers.Dense(np.shape(params["w2"])[1], name="dense")
    model = keras.Sequential([
        keras.Input(shape=(H, W, C)),
        conv,
        keras.layers.MaxPooling2D(pool_size=2, name="pool"),
        keras.layers.Flatten(name="flatten"),
        dense,
    ], name="a4_cnn")
    conv.set_weights([to_keras_conv_kernel(params["w1"]), np.asarray(params["b1"])])
    dense.set_weights([to_keras_dense_after_flatten(params["w2"], (F, Hp, Wp)), np.asarray(params["b2"])])
    return model


# --- given helpers: what crosses between the grader and the sandbox is plain data -----------------------------------


def keras_predict(params: dict[str, np.ndarray], input_chw: tuple[int, int, int], x_nhwc: np.ndarray) -> np.ndarray:
    """The scores of build_keras_cnn(params, input_chw) on NHWC images x (N, H, W, C), as a float64 array (N, M).

    The model sees float32 images, as Keras models do by default.
    """
    model = build_keras_cnn(params, input_chw)
    scores = model.predict(np.asarray(x_nhwc, dtype=np.float32), verbose=0, batch_size=len(x_nhwc))
    return np.asarray(scores, dtype=np.float64)


def keras_structure(params: dict[str, np.ndarray], input_chw: tuple[int, int, int]) -> dict:
    """What build_keras_cnn(params, input_chw) made, as plain data: whether it is a keras.Model, its input and
    output shapes, and for every layer its class name, activation (or None) and the shapes of its weights."""
    import keras

    model = build_keras_cnn(params, input_chw)
    layers = []
    for layer in model.layers:
        activation = getattr(layer, "activation", None)
        layers.append({
            "class": type(layer).__name__,
            "activation": getattr(activation, "__name__", None),
            "weights": [list(np.shape(v)) for v in layer.get_weights()],
        })
    return {
        "is_model": isinstance(model, keras.Model),
        "input_shape": [None if d is None else int(d) for d in model.input_shape],
        "output_shape": [None if d is None else int(d) for d in model.output_shape],
        "layers": layers,
    }


# --- the demos' data: small oriented bars anywhere in the image -----------------------------------------------------


def make_motif_images(
    n: int, size: int = 20, label: str = "orientation", noise: float = 0.2, margin: int = 4, seed: int = 0
) -> tuple[np.ndarray, np.ndarray]:
    """Short oriented bars (5 x 5 motifs) at random places in Gaussian noise, for the demos of statistical
    efficiency and of a wrong prior.

    -> X (n, 1, size, size) float64, y (n,) int64 in [0, 4). Each image holds one bar at angle 45 k degrees
    (k in 0..3), Gaussian across (width ~0.8 px) and along it (~1.5 px), of brightness in [0.8, 1.2], whose 5 x 5
    window sits at a uniformly random place at least `margin` pixels from every border (with margin >= 4, every
    5 x 5 window that overlaps the bar lies inside the image, so a valid convolution followed by a global maximum
    sees the same responses wherever the bar is); noise is the standard deviation of the white noise on top.
    label = "orientation": y = k, wherever the bar is (a translation-invariant task: the prior of convolution and
    pooling is right); label = "position": y = the quadrant of the image that holds the bar's centre (0 top left,
    1 top right, 2 bottom left, 3 bottom right), whatever its angle (a task that depends on absolute position).
    Seeded: the same arguments give the same images.
    """
    if label not in ("orientation", "position"):
        raise ValueError(f"label must be 'orientation' or 'position', got {label!r}")
    if size - 5 - 2 * margin < 1:
        raise ValueError(f"a 5 x 5 bar {margin} pixels from the border needs size >= {2 * margin + 6}, got {size}")
    rng = np.random.default_rng(seed)
    k = rng.integers(0, 4, size=n)
    theta = np.pi * k / 4
    r, c = np.mgrid[:5, :5] - 2.0
    across = r[None] * np.cos(theta)[:, None, None] - c[None] * np.sin(theta)[:, None, None]
    along = r[None] * np.sin(theta)[:, None, None] + c[None] * np.cos(theta)[:, None, None]
    motifs = rng.uniform(0.8, 1.2, size=(n, 1, 1)) * np.exp(-(across**2) / (2 * 0.8**2) - along**2 / (2 * 1.5**2))
    top, left = (rng.integers(margin, size - 4 - margin, size=n) for _ in range(2))
    X = noise * rng.standard_normal((n, size, size))
    for i in range(n):
        X[i, top[i] : top[i] + 5, left[i] : left[i] + 5] += motifs[i]
    if label == "orientation":
        y = k
    else:
        half = (size - 1) / 2
        y = 2 * (top + 2 > half) + (left + 2 > half)
    return X[:, None], y.astype(np.int64)
