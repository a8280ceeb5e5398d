"""Speed of the reference layers on a typical layer, against scipy per-channel loops and a naive Python loop.

The layer: x (N=32, C=16, 32, 32), w (F=32, 16, 3, 3), stride 1, pad 1, then 2x2 max pooling of its output
(32, 32, 32, 32). Every alternative is first checked against the reference on a small slice, then timed with
time.perf_counter (best of a few repeats). Naive loops run one Python iteration per output pixel; they are timed
on N_NAIVE images and scaled to the whole batch (per-sample cost x N), as the table says.
"""

from __future__ import annotations

import importlib
import time
from collections.abc import Callable

import numpy as np
import scipy.ndimage
import scipy.signal

N, C, H, W, F, K, PAD = 32, 16, 32, 32, 32, 3, 1
POOL = 2
N_NAIVE = 2  # images the naive loops are timed on; their time is scaled by N / N_NAIVE


def reference(module: str, name: str) -> Callable | None:
    """A reference function, or None when its module (another assignment) does not exist yet."""
    try:
        return getattr(importlib.import_module(f"solutions.{module}"), name)
    except (ImportError, AttributeError):
        return None


def best_time(fn: Callable, repeats: int) -> float:
    """Best wall-clock time of `repeats` calls, in seconds."""
    best = np.inf
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - start)
    return best


# --- scipy.signal / scipy.ndimage: one 2-D call per (image, filter, channel) ------------------------------------


def scipy_conv_forward(x, w, b, pad):
    x_pad = np.pad(x, ((0, 0), (0, 0), (pad, pad), (pad, pad)))
    out = np.empty((x.shape[0], w.shape[0], x_pad.shape[2] - w.shape[2] + 1, x_pad.shape[3] - w.shape[3] + 1))
    for n in range(x.shape[0]):
        for f in range(w.shape[0]):
            out[n, f] = b[f] + sum(scipy.signal.correlate2d(x_pad[n, c], w[f, c], mode="valid")
                                   for c in range(x.shape[1]))
    return out


def scipy_conv_backward(dout, x, w, pad):
    x_pad = np.pad(x, ((0, 0), (0, 0), (pad, pad), (pad, pad)))
    dx_pad, dw = np.zeros_like(x_pad), np.zeros_like(w)
    for n in range(x.shape[0]):
        for f in range(w.shape[0]):
            for c in range(x.shape[1]):
                dx_pad[n, c] += scipy.signal.convolve2d(dout[n, f], w[f, c], mode="full")
                dw[f, c] += scipy.signal.correlate2d(x_pad[n, c], dout[n, f], mode="valid")
    H0, W0 = x.shape[2:]
    return dx_pad[:, :, pad : pad + H0, pad : pad + W0], dw, dout.sum(axis=(0, 2, 3))


def scipy_maxpool_forward(x, k):
    Ho, Wo = x.shape[2] // k, x.shape[3] // k
    out = np.empty(x.shape[:2] + (Ho, Wo))
    for n in range(x.shape[0]):
        for c in range(x.shape[1]):
            full = scipy.ndimage.maximum_filter(x[n, c], size=k, origin=-(k // 2), mode="nearest")
            out[n, c] = full[: Ho * k : k, : Wo * k : k]
    return out


# --- naive loops: one Python iteration per output pixel, numpy inside ---------------------------------------------


def naive_conv_forward(x, w, b, pad):
    x_pad = np.pad(x, ((0, 0), (0, 0), (pad, pad), (pad, pad)))
    Fn, _, KH, KW = w.shape
    out = np.empty((x.shape[0], Fn, x_pad.shape[2] - KH + 1, x_pad.shape[3] - KW + 1))
    for n in range(out.shape[0]):
        for f in range(Fn):
            for i in range(out.shape[2]):
                for j in range(out.shape[3]):
                    out[n, f, i, j] = np.sum(x_pad[n, :, i : i + KH, j : j + KW] * w[f]) + b[f]
    return out


def naive_conv_backward(dout, cache):
    """conv_backward as a first, loop-everything student writes it."""
    x, w, b, stride, pad = cache
    N, C, H, W = x.shape
    KH, KW = w.shape[2:]
    xp = np.pad(x, ((0, 0), (0, 0), (pad, pad), (pad, pad)))
    dxp, dw, db = np.zeros_like(xp), np.zeros_like(w), np.zeros(w.shape[0])
    for n in range(N):
        for f in range(w.shape[0]):
            for i in range(dout.shape[2]):
                for j in range(dout.shape[3]):
                    rows, cols = slice(i * stride, i * stride + KH), slice(j * stride, j * stride + KW)
                    dw[f] += dout[n, f, i, j] * xp[n, :, rows, cols]
                    dxp[n, :, rows, cols] += dout[n, f, i, j] * w[f]
                    db[f] += dout[n, f, i, j]
    return dxp[:, :, pad : pad + H, pad : pad + W], dw, db


def naive_maxpool_forward(x, k):
    out = np.empty(x.shape[:2] + (x.shape[2] // k, x.shape[3] // k))
    for n in range(out.shape[0]):
        for c in range(out.shape[1]):
            for i in range(out.shape[2]):
                for j in range(out.shape[3]):
                    out[n, c, i, j] = np.max(x[n, c, i * k : i * k + k, j * k : j * k + k])
    return out


def naive_maxpool_backward(dout, cache):
    x, (kh, kw), (sh, sw) = cache
    dx = np.zeros_like(x)
    for n in range(dout.shape[0]):
        for c in range(dout.shape[1]):
            for i in range(dout.shape[2]):
                for j in range(dout.shape[3]):
                    window = x[n, c, i * sh : i * sh + kh, j * sw : j * sw + kw]
                    p, q = np.unravel_index(np.argmax(window), window.shape)
                    dx[n, c, i * sh + p, j * sw + q] += dout[n, c, i, j]
    return dx


# --- the table ----------------------------------------------------------------------------------------------------


def _same(got, want) -> None:
    for g, w_ in zip(got if isinstance(got, tuple) else (got,), want if isinstance(want, tuple) else (want,),
                     strict=True):
        np.testing.assert_allclose(g, w_, rtol=1e-8, atol=1e-8)


def rows() -> list[tuple[str, float | None, float | None, float | None, str]]:
    """(layer, reference s, scipy s, naive s scaled to N, note) per layer; None where not available."""
    rng = np.random.default_rng(0)
    x, w, b = rng.standard_normal((N, C, H, W)), rng.standard_normal((F, C, K, K)), rng.standard_normal(F)
    y = rng.standard_normal((N, F, H, W))  # the conv output: input of the pooling layer
    dconv = rng.standard_normal((N, F, H, W))
    dpool = rng.standard_normal((N, F, H // POOL, W // POOL))
    s = slice(0, N_NAIVE)
    scale = N / N_NAIVE
    conv_forward = reference("a1_convolution", "conv_forward")
    conv_backward = reference("a4_backprop", "conv_backward")
    maxpool_forward = reference("a3_pooling", "maxpool_forward")
    maxpool_backward = reference("a4_backprop", "maxpool_backward")
    table = []

    name = f"conv_forward  {N}x{C}x{H}x{W}, {F} filters {K}x{K}, pad {PAD}"
    if conv_forward is None:
        table.append((name, None, None, None, "reference not available (solutions/a1_convolution.py)"))
    else:
        want = conv_forward(x[s], w, b, 1, PAD)[0]
        _same(scipy_conv_forward(x[s], w, b, PAD), want)
        _same(naive_conv_forward(x[s], w, b, PAD), want)
        table.append((name, best_time(lambda: conv_forward(x, w, b, 1, PAD), 3),
                      best_time(lambda: scipy_conv_forward(x, w, b, PAD), 1),
                      best_time(lambda: naive_conv_forward(x[s], w, b, PAD), 1) * scale, ""))

    name = f"conv_backward {N}x{C}x{H}x{W}, {F} filters {K}x{K}, pad {PAD}"
    if conv_backward is None or conv_forward is None:
        table.append((name, None, None, None, "reference not available (solutions/a4_backprop.py)"))
    else:
        cache, cache_s = conv_forward(x, w, b, 1, PAD)[1], conv_forward(x[s], w, b, 1, PAD)[1]
        want = conv_backward(dconv[s], cache_s)
        _same(scipy_conv_backward(dconv[s], x[s], w, PAD), want)
        _same(naive_conv_backward(dconv[s], cache_s), want)
        table.append((name, best_time(lambda: conv_backward(dconv, cache), 3),
                      best_time(lambda: scipy_conv_backward(dconv, x, w, PAD), 1),
                      best_time(lambda: naive_conv_backward(dconv[s], cache_s), 1) * scale, ""))

    name = f"maxpool_forward  {N}x{F}x{H}x{W}, {POOL}x{POOL}, stride {POOL}"
    if maxpool_forward is None:
        table.append((name, None, None, None, "reference not available (solutions/a3_pooling.py)"))
    else:
        want = maxpool_forward(y[s], POOL)[0]
        _same(scipy_maxpool_forward(y[s], POOL), want)
        _same(naive_maxpool_forward(y[s], POOL), want)
        table.append((name, best_time(lambda: maxpool_forward(y, POOL), 5),
                      best_time(lambda: scipy_maxpool_forward(y, POOL), 2),
                      best_time(lambda: naive_maxpool_forward(y[s], POOL), 1) * scale, "scipy: ndimage.maximum_filter"))

    name = f"maxpool_backward {N}x{F}x{H}x{W}, {POOL}x{POOL}, stride {POOL}"
    if maxpool_backward is None or maxpool_forward is None:
        table.append((name, None, None, None, "reference not available (solutions/a4_backprop.py)"))
    else:
        cache, cache_s = maxpool_forward(y, POOL)[1], maxpool_forward(y[s], POOL)[1]
        _same(naive_maxpool_backward(dpool[s], cache_s), maxpool_backward(dpool[s], cache_s))
        table.append((name, best_time(lambda: maxpool_backward(dpool, cache), 5), None,
                      best_time(lambda: naive_maxpool_backward(dpool[s], cache_s), 1) * scale,
                      "scipy: no equivalent"))
    return table


# --- a compiled baseline, when JAX is installed (it is not a dependency of the kit) -----------------------------------


def jax_rows(repeats: int = 5) -> list[tuple[str, float, float]] | None:
    """(what, reference s, jax s) for conv forward, backward and both, float64 on the CPU; None without JAX.

    JAX: lax.conv_general_dilated, its gradients by jax.vjp, both jit-compiled (compilation is not timed)."""
    try:
        import jax
    except ImportError:
        return None
    jax.config.update("jax_enable_x64", True)
    jax.config.update("jax_platforms", "cpu")
    conv_forward = reference("a1_convolution", "conv_forward")
    conv_backward = reference("a4_backprop", "conv_backward")
    if conv_forward is None or conv_backward is None:
        return None
    rng = np.random.default_rng(0)
    x, w, b = rng.standard_normal((N, C, H, W)), rng.standard_normal((F, C, K, K)), rng.standard_normal(F)
    dout = rng.standard_normal((N, F, H, W))

    def fwd(x, w, b):
        out = jax.lax.conv_general_dilated(x, w, (1, 1), [(PAD, PAD), (PAD, PAD)],
                                           dimension_numbers=("NCHW", "OIHW", "NCHW"))
        return out + b[None, :, None, None]

    jfwd = jax.jit(fwd)
    jbwd = jax.jit(lambda x, w, b, g: jax.vjp(fwd, x, w, b)[1](g))
    jx, jw, jb, jg = (jax.device_put(a) for a in (x, w, b, dout))
    cache = conv_forward(x, w, b, 1, PAD)[1]
    want = conv_backward(dout, cache)
    _same(np.asarray(jfwd(jx, jw, jb)), conv_forward(x, w, b, 1, PAD)[0])
    _same(tuple(np.asarray(g) for g in jbwd(jx, jw, jb, jg)), want)
    ref_f = best_time(lambda: conv_forward(x, w, b, 1, PAD), repeats)
    ref_b = best_time(lambda: conv_backward(dout, cache), repeats)
    jax_f = best_time(lambda: jfwd(jx, jw, jb).block_until_ready(), repeats)
    jax_b = best_time(lambda: jax.block_until_ready(jbwd(jx, jw, jb, jg)), repeats)
    return [("conv forward", ref_f, jax_f), ("conv backward", ref_b, jax_b),
            ("forward + backward", ref_f + ref_b, jax_f + jax_b)]


def _ms(seconds: float | None) -> str:
    return "—" if seconds is None else f"{seconds * 1e3:,.1f}"


def _ratio(other: float | None, ref: float | None) -> str:
    return "—" if other is None or ref is None else f"{other / ref:,.1f}x"


def main() -> None:
    start = time.perf_counter()
    print(f"numpy {np.__version__}; times in ms, best of 3-5 runs (scipy, naive: 1-2 runs); "
          f"ratio = time / reference time (> 1: the reference is faster).")
    print(f"naive loop: one Python iteration per output pixel, timed on N={N_NAIVE} and scaled x{N // N_NAIVE} "
          f"to N={N}.\n")
    header = (f"{'layer':<52} {'reference':>10} {'scipy loops':>12} {'ratio':>8} {'naive loop':>12} {'ratio':>8}"
              "  note")
    print(header)
    print("-" * len(header))
    for name, ref_s, scipy_s, naive_s, note in rows():
        print(f"{name:<52} {_ms(ref_s):>10} {_ms(scipy_s):>12} {_ratio(scipy_s, ref_s):>8} {_ms(naive_s):>12} "
              f"{_ratio(naive_s, ref_s):>8}  {note}")
    compiled = jax_rows()
    if compiled is None:
        print("\n(no compiled baseline: JAX is not installed; `pip install jax` in .venv adds one)")
    else:
        print("\nCompiled baseline, the conv layer above: JAX lax.conv_general_dilated + jax.vjp, jit, float64, CPU "
              "(ratio = reference / JAX; < 1.5 is the goal):\n")
        print(f"{'':<24} {'reference':>10} {'JAX':>10} {'ratio':>8}")
        for what, ref_s, jax_s in compiled:
            print(f"{what:<24} {_ms(ref_s):>10} {_ms(jax_s):>10} {_ratio(ref_s, jax_s):>8}")
    print(f"\n(total {time.perf_counter() - start:.1f} s)")


if __name__ == "__main__":
    main()
