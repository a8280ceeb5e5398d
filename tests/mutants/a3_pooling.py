"""A3 mutants: typical student bugs, as edits of the reference solution cells; each must lose points."""

from course.mutation import Mutant

_WINDOWS = "windows = np.lib.stride_tricks.sliding_window_view(x, (kh, kw), axis=(2, 3))[:, :, ::sh, ::sw]"
_SHIFTED = "after = np.asarray(pool(np.roll(x, shift, axis=-1)))"
_DEFAULT_STRIDE = 'sh, sw = as_pair((kh, kw) if stride is None else stride, "stride")'

MUTANTS = [
    # --- maxpool_forward
    Mutant("maxpool stride defaults to 1 instead of the window size", "maxpool_forward",
           replace=((_DEFAULT_STRIDE, 'sh, sw = as_pair(1 if stride is None else stride, "stride")'),)),
    Mutant("maxpool windows run off the edge (range(0, H, stride) with truncated slices)", "maxpool_forward",
           replace=((_WINDOWS,
                     "x_pad = np.pad(x, ((0, 0), (0, 0), (0, kh - 1), (0, kw - 1)), constant_values=-np.inf)\n"
                     "    windows = np.lib.stride_tricks.sliding_window_view(x_pad, (kh, kw), axis=(2, 3))"
                     "[:, :, ::sh, ::sw]"),)),
    Mutant("maxpool window (kh, kw) read as (kw, kh): H and W swapped", "maxpool_forward",
           replace=(("sliding_window_view(x, (kh, kw), axis=(2, 3))",
                     "sliding_window_view(x, (kw, kh), axis=(2, 3))"),)),
    Mutant("maxpool stride along H used for both axes", "maxpool_forward",
           replace=(("[:, :, ::sh, ::sw]", "[:, :, ::sh, ::sh]"),)),
    Mutant("maxpool max also over the channels (wrong axes)", "maxpool_forward",
           replace=(("out = windows.max(axis=(4, 5))",
                     "out = np.broadcast_to(windows.max(axis=(1, 4, 5))[:, None], windows.shape[:4]).copy()"),)),
    Mutant("maxpool maximum started at 0 (negative inputs lost)", "maxpool_forward",
           replace=(("out = windows.max(axis=(4, 5))", "out = np.maximum(windows.max(axis=(4, 5)), 0.0)"),)),
    Mutant("maxpool keeps the integer dtype of x", "maxpool_forward",
           replace=(('x = as_float64(x, "x", 4)', "x = np.asarray(x)"),)),
    Mutant("maxpool cache holds the stride argument (None) instead of (sh, sw)", "maxpool_forward",
           replace=(("return out, (x, (kh, kw), (sh, sw))", "return out, (x, (kh, kw), stride)"),)),
    # --- avgpool_forward
    Mutant("avgpool divides by kh*kh instead of kh*kw", "avgpool_forward",
           replace=(("out = windows.mean(axis=(4, 5))", "out = windows.sum(axis=(4, 5)) / (kh * kh)"),)),
    Mutant("avgpool stride defaults to 1 instead of the window size", "avgpool_forward",
           replace=((_DEFAULT_STRIDE, 'sh, sw = as_pair(1 if stride is None else stride, "stride")'),)),
    Mutant("avgpool sums in the input dtype (uint8 overflow)", "avgpool_forward",
           replace=(('x = as_float64(x, "x", 4)', "x = np.asarray(x)"),
                    ("out = windows.mean(axis=(4, 5))",
                     "out = (windows.sum(axis=(4, 5), dtype=x.dtype) / (kh * kw)).astype(np.float64)"))),
    Mutant("avgpool windows run off the edge (zero padded, divided by the full size)", "avgpool_forward",
           replace=((_WINDOWS,
                     "x_pad = np.pad(x, ((0, 0), (0, 0), (0, kh - 1), (0, kw - 1)))\n"
                     "    windows = np.lib.stride_tricks.sliding_window_view(x_pad, (kh, kw), axis=(2, 3))"
                     "[:, :, ::sh, ::sw]"),)),
    # --- adaptive_maxpool
    Mutant("adaptive regions with floor on both ends", "adaptive_maxpool",
           replace=(("start, end = (i * n) // n_out, -((-(i + 1) * n) // n_out)",
                     "start, end = (i * n) // n_out, ((i + 1) * n) // n_out"),)),
    Mutant("adaptive regions with ceil on both ends", "adaptive_maxpool",
           replace=(("start, end = (i * n) // n_out, -((-(i + 1) * n) // n_out)",
                     "start, end = -((-i * n) // n_out), -((-(i + 1) * n) // n_out)"),)),
    Mutant("adaptive regions all of size H // OH (max pooling with stride = size)", "adaptive_maxpool",
           replace=(("start, end = (i * n) // n_out, -((-(i + 1) * n) // n_out)",
                     "start, end = i * (n // n_out), (i + 1) * (n // n_out)"),)),
    Mutant("adaptive OH and OW swapped", "adaptive_maxpool",
           replace=(("rows, cols = region_indices(H, OH), region_indices(W, OW)",
                     "rows, cols = region_indices(H, OW), region_indices(W, OH)"),)),
    # --- global_avgpool
    Mutant("global_avgpool keeps the spatial axes: (N, C, 1, 1)", "global_avgpool",
           replace=(("return x.mean(axis=(2, 3))", "return x.mean(axis=(2, 3), keepdims=True)"),)),
    Mutant("global_avgpool sums instead of averaging", "global_avgpool",
           replace=(("return x.mean(axis=(2, 3))", "return x.sum(axis=(2, 3))"),)),
    # --- channel_maxpool
    Mutant("channel groups interleaved instead of consecutive", "channel_maxpool",
           replace=(("x.reshape(N, C // group, group, H, W).max(axis=2)",
                     "x.reshape(N, group, C // group, H, W).max(axis=1)"),)),
    Mutant("channel_maxpool makes `group` outputs (groups of C/group channels)", "channel_maxpool",
           replace=(("x.reshape(N, C // group, group, H, W).max(axis=2)",
                     "x.reshape(N, group, C // group, H, W).max(axis=2)"),)),
    Mutant("channel_maxpool maximum started at 0", "channel_maxpool",
           replace=(("x.reshape(N, C // group, group, H, W).max(axis=2)",
                     "np.maximum(x.reshape(N, C // group, group, H, W).max(axis=2), 0.0)"),)),
    # --- shift_invariance
    Mutant("shift_invariance shifts x in place", "shift_invariance",
           replace=((_SHIFTED, "before = before.copy()\n    x[...] = np.roll(x, shift, axis=-1)\n"
                               "    after = np.asarray(pool(x))"),)),
    Mutant("shift_invariance shifts along H instead of W", "shift_invariance",
           replace=((_SHIFTED, "after = np.asarray(pool(np.roll(x, shift, axis=-2)))"),)),
    Mutant("shift_invariance rolls the flattened array", "shift_invariance",
           replace=((_SHIFTED, "after = np.asarray(pool(np.roll(x, shift)))"),)),
    Mutant("shift_invariance returns the fraction that changed", "shift_invariance",
           replace=(("np.mean(before == after)", "np.mean(before != after)"),)),
    Mutant("shift_invariance all-or-nothing (array_equal)", "shift_invariance",
           replace=(("float(np.mean(before == after))", "float(np.array_equal(before, after))"),)),
    Mutant("shift_invariance zero-filled shift instead of circular", "shift_invariance",
           replace=((_SHIFTED,
                     "kept = x[..., : x.shape[-1] - shift]\n"
                     "    after = np.asarray(pool(np.concatenate([np.zeros_like(x[..., :shift]), kept], axis=-1)))"),)),
]

# Bugs confined to one test's subject lose exactly that test's points (and no more).
EXPECTED = {
    "maxpool cache holds the stride argument (None) instead of (sh, sw)": (98, 98),
    "global_avgpool keeps the spatial axes: (N, C, 1, 1)": (90, 90),
}
