# ruff: noqa: F821, F401, E402, E501 — a notebook source: names come from other cells, LaTeX lines are long
# %% [markdown]
# # Assignment 6 — Practical implementations: porting the CNN to a framework (Keras)
#
# *Machine learning for signal processing (5LSL0), lecture "Convolutional neural networks".*
#
# The lecture ends with a practical piece of advice: **use a framework**. You have now written every layer of a
# convolutional network in numpy — convolution, ReLU, pooling, the dense layer, backpropagation and SGD. Real
# networks are trained with a library that does all of this for you, fast, with automatic differentiation. The
# lecture names TensorFlow / Keras; here we use **Keras 3** on the **JAX** backend, on the CPU.
#
# Moving a network from one implementation to another — a *port* — is where silent bugs live. The two libraries
# agree on what a convolution layer computes, but not on how tensors are laid out in memory: the kit is
# **NCHW** (channels first), Keras is **NHWC** (channels last). A port with the wrong axis order often still
# runs. In this assignment you
#
# 1. write the **layout conversions** between the two conventions (numpy only): conv kernels, image tensors, and
#    the dense weights that follow a flatten (the classic porting bug);
# 2. build **assignment 4's network as a `keras.Model`** with your numpy parameters, and show that it computes
#    exactly what the numpy forward pass computes;
# 3. then use the framework: train the same network with `model.fit`, and repeat assignment 5's experiments in
#    2-D — statistical efficiency (an MLP against a CNN) and a wrong prior (a CNN that cannot fit position labels);
# 4. answer two short written questions.
#
# **How to work.** Implement each function in its solution cell (replace `raise NotImplementedError()`), then run
# the check cell below it. The visible checks are small; a hidden suite grades your functions on more inputs
# (every axis a different size, rectangular kernels, integer inputs, several network shapes). Only the code of the
# solution cells is graded. The conversions of part 1 use **numpy only**; `build_keras_cnn` uses Keras.
# The given code of part 2 includes the forward pass of assignment 4 (its reference solution).
#
# **Conventions used throughout (and by the grader).**
# - The kit's tensors are NCHW: images `x` (N, C, H, W); conv weights `w` (F, C, KH, KW), bias `b` (F,); a dense
#   layer maps `x` (N, D) with `w` (D, M), `b` (M,) to (N, M).
# - Keras' (its default `data_format="channels_last"`) are NHWC: images (N, H, W, C); a `Conv2D` kernel is
#   (KH, KW, C, F) and its bias (F,); a `Dense` kernel is (D, M) like ours, its bias (M,).
# - Both convolution layers are **cross-correlations** (no kernel flip), stride 1 and no padding (`"valid"`) here.
# - The conversions return `float64` arrays (integer inputs too) and never modify their inputs. Keras computes in
#   `float32`: its results agree with the numpy forward pass to about $10^{-6}$, not to the last bit.
#
# Keras picks its backend **once, when it is first imported**, from the environment variable `KERAS_BACKEND`: the
# first cell sets it to `jax` before anything imports Keras. (Restart the kernel if you imported Keras before.)

# %% given
import os

os.environ["KERAS_BACKEND"] = "jax"  # before the first `import keras`: the backend is chosen at import
os.environ.setdefault("JAX_PLATFORMS", "cpu")  # CPU only: no search for a GPU

import math
import time

import numpy as np

#| source solutions.common:as_float64

# %% [markdown]
# ## 1. Layout conversions
#
# ### Convolution kernels
#
# A convolution layer with $F$ filters over $C$ input channels holds $F \cdot C \cdot K_H \cdot K_W$ weights.
# The kit stores them filter first, shape (F, C, KH, KW): `w[f, c, p, q]` is the weight of filter $f$ on input
# channel $c$ at kernel row $p$, column $q$. Keras documents its `Conv2D` kernel as
# `kernel_size + (input_channels, filters)`, shape (KH, KW, C, F), and computes, like the kit, a
# cross-correlation. Implement `to_keras_conv_kernel(w)` and its inverse `from_keras_conv_kernel(k)`: the kernel
# with which Keras' layer computes what the kit's layer computes with `w`.

# %% solution conv_kernel
#| solution solutions.a6_frameworks:to_keras_conv_kernel


#| solution solutions.a6_frameworks:from_keras_conv_kernel

# %% check conv_kernel points=10
rng = np.random.default_rng(0)
w = rng.standard_normal((4, 3, 5, 2))  # F=4, C=3, KH=5, KW=2: every axis a different size
k = to_keras_conv_kernel(w)
assert np.shape(k) == (5, 2, 3, 4), f"(F, C, KH, KW) = (4, 3, 5, 2) becomes (KH, KW, C, F) = (5, 2, 3, 4), got {np.shape(k)}"
assert k[4, 1, 2, 3] == w[3, 2, 4, 1] and k[0, 1, 2, 0] == w[0, 2, 0, 1], \
    "each weight keeps its meaning: filter, input channel, kernel row and column"
assert np.array_equal(from_keras_conv_kernel(k), w), "from_keras_conv_kernel undoes to_keras_conv_kernel"
assert to_keras_conv_kernel(np.ones((1, 1, 2, 2), dtype=int)).dtype == np.float64, "float64 output, also for integers"
print("visible checks passed")

# %% [markdown]
# ### Images
#
# The same holds for the data: the kit's batch of images is (N, C, H, W), Keras wants (N, H, W, C) — for every
# image, the $C$ values of one pixel side by side in memory. Implement `nchw_to_nhwc(x)` and `nhwc_to_nchw(x)`
# (float64 results, as every conversion here).

# %% solution layout
#| solution solutions.a6_frameworks:nchw_to_nhwc


#| solution solutions.a6_frameworks:nhwc_to_nchw

# %% check layout points=8
rng = np.random.default_rng(1)
x = rng.standard_normal((2, 3, 4, 5))  # N=2, C=3, H=4, W=5
y = nchw_to_nhwc(x)
assert np.shape(y) == (2, 4, 5, 3), f"(N, C, H, W) = (2, 3, 4, 5) becomes (N, H, W, C) = (2, 4, 5, 3), got {np.shape(y)}"
assert y[1, 3, 0, 2] == x[1, 2, 3, 0], "each value keeps its image, channel, row and column"
assert np.array_equal(nhwc_to_nchw(y), x), "nhwc_to_nchw undoes nchw_to_nhwc"
x_int = np.arange(24).reshape(1, 2, 3, 4)  # integers, as images often are
for name, convert, arg in [("nchw_to_nhwc", nchw_to_nhwc, x_int), ("nhwc_to_nchw", nhwc_to_nchw, x_int)]:
    assert np.asarray(convert(arg)).dtype == np.float64, f"{name} returns float64, also for integer images"
print("visible checks passed")

# %% [markdown]
# ### The dense layer after a flatten: the classic porting bug
#
# Assignment 4's network flattens its pooled maps (N, C, H, W) — here $C$ counts the feature maps — into vectors
# of length $D = C H W$ before the dense layer, with numpy's `reshape(N, -1)`: C order, the last axis varying
# fastest. Keras' `Flatten` flattens its NHWC maps (N, H, W, C) in C order too. Work out where one entry $(c, i, j)$
# of the maps lands in each of the two vectors, and what that means for a dense weight matrix trained after the
# numpy flatten and used after Keras'.
#
# Implement `to_keras_dense_after_flatten(w, chw)`: `w` (D, M) are the weights of a dense layer that follows the
# NCHW flatten, `chw = (C, H, W)` the shape of one sample's maps before the flatten; return `w_k` (D, M) such that
# `flatten(nhwc maps) @ w_k == flatten(nchw maps) @ w` for every input.

# %% solution dense_after_flatten
#| solution solutions.a6_frameworks:to_keras_dense_after_flatten

# %% check dense_after_flatten points=40
rng = np.random.default_rng(2)
maps = rng.standard_normal((3, 2, 4, 5))  # N=3 samples of C=2 maps of 4 x 5
w = rng.standard_normal((2 * 4 * 5, 6))  # D=40 -> M=6
w_k = to_keras_dense_after_flatten(w, (2, 4, 5))
assert np.shape(w_k) == w.shape, f"the rows are re-ordered, the shape stays (D, M) = {w.shape}, got {np.shape(w_k)}"
want = maps.reshape(3, -1) @ w  # the numpy network: NCHW flatten, then w
assert np.allclose(nchw_to_nhwc(maps).reshape(3, -1) @ w_k, want), "NHWC flatten @ w_k must equal NCHW flatten @ w"
assert not np.allclose(nchw_to_nhwc(maps).reshape(3, -1) @ w, want), "(the bug: the original w after an NHWC flatten)"
print("visible checks passed")

# %% demo
import matplotlib.pyplot as plt

try:
    C, H, W = 3, 2, 4
    index = np.arange(C * H * W, dtype=float)[:, None]  # row r of w holds the number r
    moved = to_keras_dense_after_flatten(index, (C, H, W))[:, 0].astype(int)
    fig, ax = plt.subplots(2, 1, figsize=(11, 2.6))
    for a, order, title in [(ax[0], np.arange(C * H * W), "NCHW flatten (numpy): position -> row of w"),
                            (ax[1], moved, "NHWC flatten (Keras): position -> row of w that w_k holds there")]:
        a.imshow((order // (H * W))[None], cmap="Pastel1", vmin=0, vmax=8, aspect="auto")
        for pos, row in enumerate(order):
            c, i, j = row // (H * W), row // W % H, row % W
            a.text(pos, 0, f"{c}{i}{j}", ha="center", va="center", fontsize=8)
        a.set(title=title, xticks=range(C * H * W), yticks=[])
    fig.suptitle("entry (c, i, j) of the maps, coloured by channel: the same rows, in another order", fontsize=10)
    plt.tight_layout()
    plt.show()
except NotImplementedError:
    print("implement to_keras_dense_after_flatten to see the permutation")

# %% [markdown]
# ## 2. Assignment 4's network in Keras
#
# The cell below imports Keras (it prints the backend) and gives you assignment 4's numpy network:
# `init_cnn(in_shape, n_classes, n_filters, kernel_size, seed)` makes its parameters `w1` (F, C, K, K), `b1` (F,),
# `w2` (D, M), `b2` (M,), and `cnn_scores(params, x)` is its forward pass on NCHW images,
#
# $$x\ (N, C, H, W) \xrightarrow{\text{conv } K_H \times K_W,\ \text{stride 1, no padding}} (N, F, H - K_H + 1, W - K_W + 1)
# \xrightarrow{\text{ReLU}} \xrightarrow{\text{max-pool } 2\times2} (N, F, H'', W'') \xrightarrow{\text{flatten (NCHW)}}
# (N, D) \xrightarrow{\text{dense}} (N, M),$$
#
# with $H'' = \lfloor (H - K_H + 1)/2 \rfloor$, $W'' = \lfloor (W - K_W + 1)/2 \rfloor$ and $D = F H'' W''$.

# %% given
import keras

keras.config.set_floatx("float32")  # Keras' default, stated: weights and activations are float32
print("Keras", keras.__version__, "on", keras.backend.backend())

#| source solutions.a1_convolution:conv_forward


#| source solutions.a3_pooling:as_pair


#| source solutions.common:check_stride_pad


#| source solutions.common:check_fits


#| source solutions.a3_pooling:maxpool_forward


#| source solutions.a4_backprop:init_cnn


#| source solutions.a4_backprop:cnn_scores


#| source solutions.a4_backprop:accuracy


#| source solutions.a4_backprop:make_edge_images

# %% [markdown]
# Implement `build_keras_cnn(params, input_chw)`: the same network as a `keras.Model` that takes **NHWC** images
# (N, H, W, C) and returns the scores (N, M), with the weights of `params` — an architecture of four Keras layers
# (a convolution with its ReLU, a 2 × 2 max pooling, a flatten, a dense layer) and the numbers of your numpy
# network. Keras' own documentation (keras.io, "Layers API" and "The Sequential model") says how to build a model
# from layers and how to read and set a layer's weights; Keras initialises every layer randomly when the model is
# built.

# %% solution build_keras_cnn
#| solution solutions.a6_frameworks:build_keras_cnn

# %% [markdown]
# A `keras.Model` lives in the Python process that built it and cannot be sent anywhere as plain data, so the
# grader evaluates your model through the two helpers below, which run next to your code: `keras_predict` builds
# your model and returns its scores for NHWC images as a float64 numpy array, and `keras_structure` describes the
# model (its input and output shapes, and for each layer its class, activation and weight shapes). You may call
# them too.

# %% given
#| source solutions.a6_frameworks:keras_predict


#| source solutions.a6_frameworks:keras_structure

# %% check build_keras_cnn points=42
rng = np.random.default_rng(1)
params = init_cnn((1, 12, 12), 4, seed=3)
params = {name: p + 0.1 * rng.standard_normal(p.shape) for name, p in params.items()}  # non-zero biases
x = rng.standard_normal((5, 1, 12, 12))
structure = keras_structure(params, (1, 12, 12))
assert structure["is_model"], "build_keras_cnn returns a keras.Model"
assert structure["input_shape"] == [None, 12, 12, 1], f"the model takes NHWC images, got input shape {structure['input_shape']}"
print([layer["class"] for layer in structure["layers"]])
scores = keras_predict(params, (1, 12, 12), nchw_to_nhwc(x))
want = cnn_scores(params, x)
print(f"largest difference from the numpy forward pass: {np.max(np.abs(scores - want)):.1e}")
assert np.shape(scores) == want.shape and np.allclose(scores, want, rtol=1e-5, atol=1e-5), \
    "the Keras model must compute what the numpy network computes"
params3 = init_cnn((3, 9, 11), 5, n_filters=4, kernel_size=3, seed=4)  # C=3 channels, H != W
x3 = rng.standard_normal((4, 3, 9, 11))
assert np.allclose(keras_predict(params3, (3, 9, 11), nchw_to_nhwc(x3)), cnn_scores(params3, x3), rtol=1e-5, atol=1e-5), \
    "3 input channels, 9 x 11 images, 4 filters of 3 x 3, 5 classes"
print("visible checks passed")

# %% [markdown]
# ## 3. Using the framework
#
# ### Training the same network with `model.fit`
#
# Now the framework earns its keep: Keras computes the gradients itself (JAX differentiates the forward pass
# automatically) and compiles the training step. To compare like with like, we train assignment 4's network both
# ways with **the same initial parameters, the same minibatches in the same order, the same loss**
# (softmax cross-entropy + $\frac{\lambda}{2}\sum w^2$, here as a Keras `L2(λ/2)` regulariser on both kernels)
# and the same plain SGD — so the two runs should follow the same trajectory, up to float32 rounding. The
# numpy side is assignment 4's reference `train_cnn` (given in the next cell).

# %% demo
#| source solutions.a4_backprop:relu_forward


#| source solutions.a4_backprop:relu_backward


#| source solutions.a4_backprop:dense_forward


#| source solutions.a4_backprop:dense_backward


#| source solutions.a4_backprop:conv_backward


#| source solutions.a4_backprop:maxpool_backward


#| source solutions.a4_backprop:softmax_cross_entropy


#| source solutions.a4_backprop:l2_penalty


#| source solutions.a4_backprop:sgd_step


#| source solutions.a4_backprop:cnn_loss


#| source solutions.a4_backprop:train_cnn


# %% demo
X_train, y_train = make_edge_images(400, seed=100)
X_test, y_test = make_edge_images(500, seed=10_000)
LR, LAM, EPOCHS, BATCH = 0.1, 0.01, 8, 20

start = time.perf_counter()
numpy_params, numpy_losses = train_cnn(X_train, y_train, lr=LR, lam=LAM, epochs=EPOCHS, batch_size=BATCH, seed=0)
numpy_seconds = time.perf_counter() - start
numpy_accuracy = accuracy(numpy_params, X_test, y_test)

try:
    keras.utils.set_random_seed(0)
    model = build_keras_cnn(init_cnn((1, 12, 12), 4, seed=0), (1, 12, 12))  # train_cnn's initial parameters
    for layer in model.layers:
        if hasattr(layer, "kernel"):
            layer.kernel.regularizer = keras.regularizers.L2(LAM / 2)  # 0.5 lam sum(w^2), as in cnn_loss
    model.compile(optimizer=keras.optimizers.SGD(learning_rate=LR),
                  loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True))
    X_train_k = nchw_to_nhwc(X_train).astype(np.float32)
    order_rng = np.random.default_rng(0 + 1)  # train_cnn's batch order: one permutation per epoch
    keras_losses, epoch_seconds = [], []
    record = keras.callbacks.LambdaCallback(on_train_batch_end=lambda batch, logs: keras_losses.append(logs["loss"]))
    for _ in range(EPOCHS):
        order = order_rng.permutation(len(X_train))
        start = time.perf_counter()
        model.fit(X_train_k[order], y_train[order], batch_size=BATCH, epochs=1, shuffle=False, verbose=0,
                  callbacks=[record])
        epoch_seconds.append(time.perf_counter() - start)
    keras_scores = model.predict(nchw_to_nhwc(X_test).astype(np.float32), verbose=0)
    keras_accuracy = float(np.mean(keras_scores.argmax(axis=1) == y_test))
    keras_w1 = from_keras_conv_kernel(model.layers[0].get_weights()[0])
    print(f"held-out accuracy: numpy {numpy_accuracy:.3f}, Keras {keras_accuracy:.3f}")
    print(f"time per epoch: numpy {1000 * numpy_seconds / EPOCHS:.0f} ms; Keras {1000 * epoch_seconds[0]:.0f} ms for the "
          f"first (it compiles the training step), then {1000 * np.median(epoch_seconds[1:]):.0f} ms")
    print(f"learned filters: largest difference {np.max(np.abs(keras_w1 - numpy_params['w1'])):.1e} "
          f"(filters up to {np.max(np.abs(numpy_params['w1'])):.2f})")
except NotImplementedError:
    print("implement part 1 and build_keras_cnn to train the Keras version")

# %% demo
try:
    fig = plt.figure(figsize=(12, 4.6))
    top = fig.add_subplot(2, 1, 1)
    top.plot(numpy_losses, lw=1.5, label="numpy (assignment 4)")
    top.plot(keras_losses, lw=0.8, ls="--", label="Keras, model.fit (running mean over the epoch)")
    top.set(xlabel="SGD step", ylabel="loss", title="the same training, two implementations")
    top.legend()
    for f in range(6):
        for row, (filters, name) in enumerate([(numpy_params["w1"], "numpy"), (keras_w1, "Keras")]):
            a = fig.add_subplot(4, 6, 13 + f + 6 * row)
            a.imshow(filters[f, 0], cmap="RdBu_r")
            a.set(xticks=[], yticks=[])
            a.set_title(f"{name} {f}", fontsize=8)
    plt.tight_layout()
    plt.show()
except NameError:
    print("run the training cell first")

# %% [markdown]
# Keras reports the *running mean* of the loss over the epoch so far, so its curve is smoother than the per-step
# numpy losses, but the trajectories are the same: the learned filters agree to float32 precision. The
# framework's first epoch pays for compiling the training step; after that it is several times faster than our
# numpy layers — and it would be orders of magnitude faster on a GPU, with no change to the code.
#
# ### Statistical efficiency, in 2-D
#
# Assignment 5 showed with 1-D linear systems that a dense layer needs far more data than a convolution to learn a
# shift-invariant map. The same holds for images. The images below (20 × 20) hold one short bar at one of four angles, at a
# **random place**; the label is the angle. We train two small Keras networks on the first $n$ images, for several
# training-set sizes $n$, and measure the accuracy on 1000 held-out images:
#
# - an **MLP**: flatten → dense (32, ReLU) → dense (4): 12 964 weights, none shared;
# - a **CNN**: conv 5×5 (8 filters, ReLU) → **global max pooling** → dense (4): 244 weights, shared across positions.
#
# Each network is compiled once and trained for the same number of SGD steps (1000 minibatches of 20, momentum 0.9)
# from the same initial weights for every $n$ (a minute or so on a laptop's CPU).

# %% demo
#| source solutions.a6_frameworks:make_motif_images

# %% demo
keras.utils.set_random_seed(0)
networks = {
    "MLP": keras.Sequential([keras.Input((20, 20, 1)), keras.layers.Flatten(),
                             keras.layers.Dense(32, activation="relu"), keras.layers.Dense(4)], name="mlp"),
    "CNN": keras.Sequential([keras.Input((20, 20, 1)), keras.layers.Conv2D(8, 5, activation="relu"),
                             keras.layers.GlobalMaxPooling2D(), keras.layers.Dense(4)], name="cnn"),
}
STEPS, BATCH_2D = 1000, 20
initial = {}
for name, net in networks.items():
    net.compile(optimizer=keras.optimizers.SGD(learning_rate=0.05, momentum=0.9),
                loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True))
    net.optimizer.build(net.trainable_variables)
    initial[name] = (net.get_weights(), [v.numpy() for v in net.optimizer.variables])


def train_network(name, X, y, seed):
    """Train networks[name] from its initial state for STEPS minibatches drawn from (X, y) (NHWC, float32)."""
    net = networks[name]
    weights, optimizer_state = initial[name]
    net.set_weights(weights)
    for variable, value in zip(net.optimizer.variables, optimizer_state, strict=True):
        variable.assign(value)
    rng = np.random.default_rng(seed)
    epochs = -(-STEPS * BATCH_2D // len(X))
    order = np.concatenate([rng.permutation(len(X)) for _ in range(epochs)])[: STEPS * BATCH_2D]
    net.fit(X[order], y[order], batch_size=BATCH_2D, epochs=1, shuffle=False, verbose=0)
    return net


def network_accuracy(net, X, y):
    return float(np.mean(net.predict(X, batch_size=500, verbose=0).argmax(axis=1) == y))


try:
    sizes = [20, 100, 300, 1000, 3000, 10_000]
    X_bars, y_bars = make_motif_images(max(sizes) + 1000, label="orientation", seed=1)
    X_bars = nchw_to_nhwc(X_bars).astype(np.float32)
    X_held, y_held = X_bars[max(sizes):], y_bars[max(sizes):]
    curves = {name: [] for name in networks}
    for n in sizes:
        for name in networks:
            curves[name].append(network_accuracy(train_network(name, X_bars[:n], y_bars[:n], seed=n), X_held, y_held))
    for name, acc in curves.items():
        print(f"{name}: held-out accuracy " + ", ".join(f"n={n}: {a:.2f}" for n, a in zip(sizes, acc, strict=True)))
    fig, ax = plt.subplots(1, 2, figsize=(12, 3.6), gridspec_kw={"width_ratios": [1, 1.6]})
    for i, a in enumerate(ax[0].inset_axes([0.05 + 0.5 * (k % 2), 0.52 - 0.5 * (k // 2), 0.4, 0.4]) for k in range(4)):
        a.imshow(X_bars[np.flatnonzero(y_bars == i)[0], :, :, 0], cmap="gray")
        a.set(xticks=[], yticks=[])
        a.set_title(f"class {i}: {45 * i}°", fontsize=9)
    ax[0].axis("off")
    for name, acc in curves.items():
        ax[1].plot(sizes, acc, "o-", label=name)
    ax[1].axhline(0.25, color="gray", ls=":", label="chance")
    ax[1].set(xscale="log", xlabel="training images n", ylabel="held-out accuracy", ylim=(0, 1.02),
              title="the same task: shared weights need far less data")
    ax[1].legend()
    plt.show()
except NotImplementedError:
    print("implement nchw_to_nhwc first")

# %% [markdown]
# What the figure shows (seed 1): the CNN is near its best from a few hundred images on (held-out accuracy about
# 0.9 from $n$ = 100). The MLP stays near chance up to $n$ = 1000 and starts to generalise only with thousands of
# images (0.42 at 3000, 0.56 at 10 000), still far below the CNN — the same gap as assignment 5's learning
# curves, on images.
#
# ### A wrong prior: labels that depend on absolute position
#
# Now the **same kind of images, another label**: the quadrant of the image that holds the bar (top left, top
# right, bottom left, bottom right), whatever its angle. Global max pooling throws away *where* a detector fired, so
# the CNN cannot represent this function, however much data it gets — its prior is infinitely strong and wrong, and
# it **underfits**: a low accuracy already on its training images. The MLP has no such prior and learns it.

# %% demo
try:
    X_pos, y_pos = make_motif_images(2000, label="position", seed=2)
    X_pos = nchw_to_nhwc(X_pos).astype(np.float32)
    n_fit = 1000
    position = {}
    for name in networks:
        net = train_network(name, X_pos[:n_fit], y_pos[:n_fit], seed=0)
        position[name] = (network_accuracy(net, X_pos[:n_fit], y_pos[:n_fit]),
                          network_accuracy(net, X_pos[n_fit:], y_pos[n_fit:]))
        print(f"{name}: training accuracy {position[name][0]:.2f}, held-out accuracy {position[name][1]:.2f}")
    fig, ax = plt.subplots(figsize=(6, 3.2))
    for k, accs in enumerate(position.values()):
        ax.bar([k - 0.2, k + 0.2], accs, width=0.38, color=["C0", "C1"],
               label=["training images", "held-out images"] if k == 0 else None)
    ax.axhline(0.25, color="gray", ls=":", label="chance")
    ax.set(xticks=range(len(position)), xticklabels=list(position), ylim=(0, 1.05), ylabel="accuracy",
           title="labels = position of the bar: the CNN's prior is wrong")
    ax.legend()
    plt.show()
except NotImplementedError:
    print("implement nchw_to_nhwc first")

# %% [markdown]
# ## 4. Written questions
#
# Answer in a few sentences each, in the cells below (they are graded by hand).
#
# **Question 1.** A framework's `Conv2D` computes a **cross-correlation**, although it is called a convolution.
# Why does this make no difference for a network whose kernels are *learned*? And what must you do — and what goes
# wrong if you forget — when you port a *true convolution* (assignment 1's `conv2d`, or a kernel designed for it,
# such as a matched filter or a derivative filter) into a `Conv2D` layer?

# %% answer cross_correlation points=5
# **Rubric (5 points).**
# - 2 points: learned kernels: training finds whichever kernel minimises the loss; a convolution with w is the
#   cross-correlation with the flipped kernel, so the learned cross-correlation kernel is simply the flipped version
#   of the convolution kernel that would have been learned — same family of functions, same predictions.
# - 2 points: porting a true convolution: flip the kernel in both spatial axes (KH and KW; in Keras layout
#   k[::-1, ::-1, :, :]), per channel, and do not flip or swap the channel/filter axes.
# - 1 point: forgetting it gives no error: the output is that of the flipped filter (e.g. a derivative filter with
#   the opposite sign, a matched filter matched to the mirrored pattern, responses shifted for asymmetric kernels);
#   only symmetric kernels are unaffected.

# %% [markdown]
# **Question 2.** What changes when a network's tensors are NHWC instead of NCHW? Say which of the parameters of
# assignment 4's network had to change in your port and which did not, and why only one weight matrix needed its
# **rows re-ordered**. Why does this bug go unnoticed so easily?

# %% answer nhwc points=5
# **Rubric (5 points).**
# - 1 point: only the order of the axes (and so of the entries in memory) changes, not the values or what a layer
#   computes: images (N, H, W, C), conv kernel (KH, KW, C, F).
# - 1 point: the biases and the dense kernel's shape are unchanged; the conv kernel's axes are moved (transposed).
# - 2 points: the flatten produces the same numbers in another order (c·H·W + i·W + j vs i·W·C + j·C + c), so the
#   rows of the dense weights that follow a flatten must be permuted; a dense layer on vectors (after global
#   pooling, or a second dense layer) needs no change; with C = 1 the permutation is the identity.
# - 1 point: unnoticed because the shapes still match (D = C·H·W either way; also when H = W = C for kernels or
#   images), so no error is raised — the network silently computes something else (accuracy drops to near
#   chance); only comparing outputs with the original implementation reveals it.

# %% [markdown]
# ## Done
#
# Restart the kernel and run all cells (or run `nbgrader validate`) before you hand in. The hidden suite tests more
# than these checks: integer inputs, rectangular kernels, every axis a different size, several network shapes,
# biases that matter, and that your functions leave their inputs unchanged.
