"""A6 mutants: the bugs of a port from the kit's NCHW numpy network to Keras' NHWC layers, found by porting the
network by hand — axis orders, flips, flatten order, dtypes, a forgotten bias — as edits of the reference solution
cells; each must lose points in the hidden suite."""

from course.mutation import Mutant

MUTANTS = [
    # --- conv kernels
    Mutant("conv kernel: C and F swapped, (KH, KW, F, C)", "conv_kernel",
           replace=(("w.transpose(2, 3, 1, 0)", "w.transpose(2, 3, 0, 1)"),)),
    Mutant("conv kernel: reshape instead of transpose", "conv_kernel",
           replace=(("np.ascontiguousarray(w.transpose(2, 3, 1, 0))",
                     "w.reshape(w.shape[2], w.shape[3], w.shape[1], w.shape[0])"),)),
    Mutant("conv kernel flipped, as if Conv2D were a true convolution", "conv_kernel",
           replace=(("w.transpose(2, 3, 1, 0)", "w.transpose(2, 3, 1, 0)[::-1, ::-1]"),)),
    Mutant("from_keras_conv_kernel applies the forward permutation again", "conv_kernel",
           replace=(("k.transpose(3, 2, 0, 1)", "k.transpose(2, 3, 1, 0)"),)),
    Mutant("conv kernel keeps an integer dtype", "conv_kernel",
           replace=(('w = as_float64(w, "w", 4)', "w = np.asarray(w)"),)),
    # --- image tensors
    Mutant("nchw_to_nhwc with H and W swapped, (N, W, H, C)", "layout",
           replace=(("x.transpose(0, 2, 3, 1)", "x.transpose(0, 3, 2, 1)"),)),
    Mutant("nhwc_to_nchw applies the forward permutation again", "layout",
           replace=(("x.transpose(0, 3, 1, 2)", "x.transpose(0, 2, 3, 1)"),)),
    # --- the dense weights after the flatten
    Mutant("dense rows not permuted after the flatten (the classic port bug)", "dense_after_flatten",
           replace=(("np.ascontiguousarray(w.reshape(C, H, W, M).transpose(1, 2, 0, 3).reshape(D, M))",
                     "np.ascontiguousarray(w)"),)),
    Mutant("dense rows permuted the other way (NHWC -> NCHW)", "dense_after_flatten",
           replace=(("w.reshape(C, H, W, M).transpose(1, 2, 0, 3)", "w.reshape(H, W, C, M).transpose(2, 0, 1, 3)"),)),
    Mutant("conv bias forgotten (use_bias=False)", "build_keras_cnn",
           replace=(('activation="relu", name="conv")', 'activation="relu", use_bias=False, name="conv")'),
                    ('conv.set_weights([to_keras_conv_kernel(params["w1"]), np.asarray(params["b1"])])',
                     'conv.set_weights([to_keras_conv_kernel(params["w1"])])'))),
    Mutant("dense bias left at Keras' zeros", "build_keras_cnn",
           replace=(('np.asarray(params["b2"])', 'np.zeros(np.shape(params["b2"]))'),)),
    Mutant("no ReLU after the convolution", "build_keras_cnn",
           replace=(('padding="valid", activation="relu", name="conv"', 'padding="valid", name="conv"'),)),
    Mutant("model built without converting the dense weights after the flatten", "build_keras_cnn",
           replace=(('to_keras_dense_after_flatten(params["w2"], (F, Hp, Wp))', 'np.asarray(params["w2"])'),)),
    Mutant("model in float16 (half precision)", "build_keras_cnn",
           replace=(('name="conv")', 'name="conv", dtype="float16")'),
                    ('name="dense")', 'name="dense", dtype="float16")'))),
    Mutant("average pooling instead of max pooling", "build_keras_cnn",
           replace=(("keras.layers.MaxPooling2D(pool_size=2", "keras.layers.AveragePooling2D(pool_size=2"),)),
]
