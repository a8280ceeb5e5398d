"""A6 reference against the real framework: each conversion is checked by loading numpy parameters into real Keras
layers (set_weights) and comparing their outputs with the kit's numpy layers, and the other way round (random
Keras layers read back with from_keras_conv_kernel); independent Keras layers (Permute, Flatten) cross-check the
tensor layouts. Each check takes the implementation under test and is also run on wrong variants, which it must
reject, to show that it can fail.
"""

from __future__ import annotations

import os

os.environ["KERAS_BACKEND"] = "jax"  # before the first import of keras anywhere in this process
os.environ.setdefault("JAX_PLATFORMS", "cpu")

import keras
import numpy as np
import pytest
from oracles import loop_conv_forward

import solutions.a4_backprop as a4
import solutions.a6_frameworks as ref

RNG = np.random.default_rng(6)
CONV_CASES = [(2, 3, 7, 9, 4, 3, 2), (3, 1, 12, 12, 6, 5, 5), (1, 2, 6, 5, 3, 1, 4)]  # N, C, H, W, F, KH, KW


def keras_conv(x_nhwc, kernel, bias):
    """A real Keras Conv2D (valid, stride 1) with the given kernel (KH, KW, C, F) and bias."""
    layer = keras.layers.Conv2D(kernel.shape[3], kernel.shape[:2], padding="valid")
    layer.build(x_nhwc.shape)
    layer.set_weights([kernel, bias])
    return np.asarray(layer(x_nhwc.astype(np.float32)), dtype=np.float64)


def check_to_keras_conv_kernel(to_keras_conv_kernel, nchw_to_nhwc=ref.nchw_to_nhwc):
    for N, C, H, W, F, KH, KW in CONV_CASES:
        x, w, b = RNG.standard_normal((N, C, H, W)), RNG.standard_normal((F, C, KH, KW)), RNG.standard_normal(F)
        got = keras_conv(nchw_to_nhwc(x), to_keras_conv_kernel(w), b)
        want = loop_conv_forward(x, w, b, 1, 0).transpose(0, 2, 3, 1)  # the kit's layer, NHWC for the comparison
        assert np.allclose(got, want, atol=1e-5)


def check_from_keras_conv_kernel(from_keras_conv_kernel):
    for N, C, H, W, F, KH, KW in CONV_CASES:
        layer = keras.layers.Conv2D(F, (KH, KW), bias_initializer="random_normal")
        layer.build((None, H, W, C))
        kernel, bias = layer.get_weights()
        x = RNG.standard_normal((N, C, H, W))
        got = loop_conv_forward(x, from_keras_conv_kernel(kernel), bias, 1, 0)
        want = np.asarray(layer(x.transpose(0, 2, 3, 1).astype(np.float32))).transpose(0, 3, 1, 2)
        assert got.shape == want.shape and np.allclose(got, want, atol=1e-5)


def check_layouts(nchw_to_nhwc, nhwc_to_nchw):
    x = RNG.standard_normal((2, 3, 4, 5))
    to_channels_first = keras.layers.Permute((3, 1, 2))  # (H, W, C) -> (C, H, W), Keras' own axis mover
    y = nchw_to_nhwc(x)
    back = np.asarray(to_channels_first(y.astype(np.float32)))
    assert back.shape == x.shape and np.allclose(back, x, atol=1e-6)
    assert np.array_equal(nhwc_to_nchw(y), x)
    z = RNG.standard_normal((2, 4, 5, 3))
    got, want = nhwc_to_nchw(z), np.asarray(to_channels_first(z.astype(np.float32)))
    assert got.shape == want.shape and np.allclose(got, want, atol=1e-6)


def check_dense_after_flatten(to_keras_dense_after_flatten):
    for C, H, W, M in [(2, 4, 5, 6), (3, 5, 2, 4), (6, 4, 4, 4), (1, 3, 5, 2)]:
        maps, w, b = RNG.standard_normal((3, C, H, W)), RNG.standard_normal((C * H * W, M)), RNG.standard_normal(M)
        dense = keras.layers.Dense(M)
        dense.build((None, C * H * W))
        dense.set_weights([to_keras_dense_after_flatten(w, (C, H, W)), b])
        flat = keras.layers.Flatten()(maps.transpose(0, 2, 3, 1).astype(np.float32))  # Keras' own NHWC flatten
        got = np.asarray(dense(flat), dtype=np.float64)
        assert np.allclose(got, maps.reshape(3, -1) @ w + b, atol=1e-5)  # the numpy network: NCHW flatten


def check_build_keras_cnn(build_keras_cnn):
    for chw, F, K, M in [((1, 12, 12), 6, 5, 4), ((3, 9, 11), 4, 3, 5), ((2, 7, 10), 3, 2, 3)]:
        params = a4.init_cnn(chw, M, n_filters=F, kernel_size=K, seed=int(RNG.integers(1000)))
        params = {k: v + 0.2 * RNG.standard_normal(v.shape) for k, v in params.items()}
        x = RNG.standard_normal((6, *chw))
        model = build_keras_cnn(params, chw)
        assert isinstance(model, keras.Model)
        got = np.asarray(model.predict(x.transpose(0, 2, 3, 1).astype(np.float32), verbose=0), dtype=np.float64)
        assert np.max(np.abs(got - a4.cnn_scores(params, x))) < 1e-5


def test_to_keras_conv_kernel_against_keras_conv2d():
    check_to_keras_conv_kernel(ref.to_keras_conv_kernel)
    for wrong in (lambda w: w.transpose(2, 3, 1, 0)[::-1, ::-1],  # flipped: a true convolution
                  lambda w: w.reshape(w.shape[2], w.shape[3], w.shape[1], w.shape[0])):  # reshape, not transpose
        with pytest.raises(AssertionError):
            check_to_keras_conv_kernel(wrong)


def test_from_keras_conv_kernel_against_keras_conv2d():
    check_from_keras_conv_kernel(ref.from_keras_conv_kernel)
    with pytest.raises(AssertionError):
        check_from_keras_conv_kernel(lambda k: k.transpose(3, 2, 1, 0))  # KH and KW swapped


def test_layouts_against_keras_permute():
    check_layouts(ref.nchw_to_nhwc, ref.nhwc_to_nchw)
    with pytest.raises(AssertionError):
        check_layouts(lambda x: x.transpose(0, 3, 2, 1), ref.nhwc_to_nchw)  # H and W swapped
    with pytest.raises(AssertionError):
        check_layouts(ref.nchw_to_nhwc, lambda x: x.transpose(0, 2, 3, 1))  # the forward permutation again


def test_dense_after_flatten_against_keras_flatten_and_dense():
    check_dense_after_flatten(ref.to_keras_dense_after_flatten)
    with pytest.raises(AssertionError):
        check_dense_after_flatten(lambda w, chw: w)  # the classic port bug: rows not permuted


def test_build_keras_cnn_equals_the_numpy_forward_pass():
    check_build_keras_cnn(ref.build_keras_cnn)


def test_build_keras_cnn_check_rejects_a_port_without_the_flatten_fix(monkeypatch):
    monkeypatch.setattr(ref, "to_keras_dense_after_flatten", lambda w, chw: np.asarray(w, dtype=np.float64))
    with pytest.raises(AssertionError):
        check_build_keras_cnn(ref.build_keras_cnn)


def test_conversions_are_inverse_and_float64_and_leave_inputs_alone():
    w = RNG.integers(-4, 5, size=(4, 3, 5, 2))
    before = w.copy()
    k = ref.to_keras_conv_kernel(w)
    assert k.dtype == np.float64 and k.shape == (5, 2, 3, 4) and np.array_equal(w, before)
    assert np.array_equal(ref.from_keras_conv_kernel(k), w)
    x = RNG.integers(0, 255, size=(2, 3, 4, 5)).astype(np.uint8)
    y = ref.nchw_to_nhwc(x)
    assert y.dtype == np.float64 and np.array_equal(ref.nhwc_to_nchw(y), x)
    dense = RNG.integers(-3, 4, size=(24, 3))
    assert ref.to_keras_dense_after_flatten(dense, (2, 3, 4)).dtype == np.float64
    assert np.array_equal(ref.to_keras_dense_after_flatten(dense, (1, 4, 6)), dense)  # one channel: identity
    with pytest.raises(ValueError, match="flatten to"):
        ref.to_keras_dense_after_flatten(dense, (2, 3, 3))


def test_dense_permutation_matches_the_index_formula():
    """Row c*H*W + i*W + j of w becomes row i*W*C + j*C + c of w_k, written as a loop."""
    C, H, W = 3, 4, 2
    w = RNG.standard_normal((C * H * W, 2))
    want = np.zeros_like(w)
    for c in range(C):
        for i in range(H):
            for j in range(W):
                want[i * W * C + j * C + c] = w[c * H * W + i * W + j]
    assert np.array_equal(ref.to_keras_dense_after_flatten(w, (C, H, W)), want)


@pytest.mark.parametrize("label", ["orientation", "position"])
def test_motif_images_are_seeded_balanced_and_position_free_at_the_border(label):
    X, y = ref.make_motif_images(400, label=label, seed=3)
    X2, y2 = ref.make_motif_images(400, label=label, seed=3)
    assert X.shape == (400, 1, 20, 20) and X.dtype == np.float64 and y.dtype == np.int64
    assert np.array_equal(X, X2) and np.array_equal(y, y2)
    assert np.bincount(y, minlength=4).min() > 70  # four roughly balanced classes
    clean, _ = ref.make_motif_images(200, label=label, noise=0.0, seed=4)
    assert np.all(clean[:, :, :4] == 0) and np.all(clean[:, :, -4:] == 0)  # the margin holds no bar
    assert np.all(clean[:, :, :, :4] == 0) and np.all(clean[:, :, :, -4:] == 0)


def test_position_labels_are_the_quadrant_of_the_bar():
    X, y = ref.make_motif_images(300, label="position", noise=0.0, seed=5)
    rows, cols = np.indices((20, 20))
    mass = X[:, 0].sum(axis=(1, 2))
    r = (X[:, 0] * rows).sum(axis=(1, 2)) / mass
    c = (X[:, 0] * cols).sum(axis=(1, 2)) / mass
    assert np.array_equal(y, 2 * (r > 9.5) + (c > 9.5))
