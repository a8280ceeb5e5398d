"""Are the learned A4 filters more Gabor-like than their initial state? Measured over 20 seeds, not picked.

For every seed s (the hidden suite's and tests/test_solutions_a4_backprop.py's convention): train_cnn on
make_edge_images(400, seed=100 + s) with seed s, held-out accuracy on make_edge_images(500, seed=10_000 + s), and the
Gabor similarity of each of the first-layer filters before (init_cnn(..., seed=s)) and after training.

    .venv/bin/python -m benchmarks.gabor_seeds                  # the defaults of train_cnn and make_edge_images
    .venv/bin/python -m benchmarks.gabor_seeds lam=0.05 noise=0.4 epochs=12   # another recipe

Printed: per seed the accuracy, min / median learned similarity, max initial similarity and how many filters
improved; then the totals over all seeds and filters. Not a timed test: run by hand (about 1 s per seed).
"""

from __future__ import annotations

import inspect
import sys
import time

import numpy as np

import solutions.a4_backprop as ref

SEEDS = range(20)
DATA_KEYS = {"noise"}


def measure(seed: int, train_kwargs: dict, data_kwargs: dict) -> dict:
    X, y = ref.make_edge_images(400, seed=100 + seed, **data_kwargs)
    X_test, y_test = ref.make_edge_images(500, seed=10_000 + seed, **data_kwargs)
    start = time.perf_counter()
    params, _ = ref.train_cnn(X, y, seed=seed, **train_kwargs)
    seconds = time.perf_counter() - start
    defaults = {k: v.default for k, v in inspect.signature(ref.train_cnn).parameters.items()}
    n_filters = train_kwargs.get("n_filters", defaults["n_filters"])
    kernel_size = train_kwargs.get("kernel_size", defaults["kernel_size"])
    init = ref.init_cnn((1, 12, 12), 4, n_filters, kernel_size, seed=seed)
    return {
        "seconds": seconds,
        "accuracy": ref.accuracy(params, X_test, y_test),
        "learned": ref.gabor_similarity(params["w1"]),
        "initial": ref.gabor_similarity(init["w1"]),
    }


def main(argv: list[str]) -> None:
    overrides = {}
    for arg in argv:
        key, value = arg.split("=")
        overrides[key] = int(value) if value.isdigit() else float(value)
    data_kwargs = {k: v for k, v in overrides.items() if k in DATA_KEYS}
    train_kwargs = {k: v for k, v in overrides.items() if k not in DATA_KEYS}
    print(f"recipe: train_cnn defaults + {train_kwargs or '{}'}, make_edge_images defaults + {data_kwargs or '{}'}")
    print("| seed | s | accuracy | learned min | learned median | initial max | filters improved |")
    print("|---:|---:|---:|---:|---:|---:|---:|")
    rows = []
    for seed in SEEDS:
        r = measure(seed, train_kwargs, data_kwargs)
        rows.append(r)
        better = int(np.sum(r["learned"] > r["initial"]))
        print(f"| {seed} | {r['seconds']:.1f} | {r['accuracy']:.3f} | {r['learned'].min():.2f} | "
              f"{np.median(r['learned']):.2f} | {r['initial'].max():.2f} | {better}/{len(r['learned'])} |", flush=True)
    learned = np.concatenate([r["learned"] for r in rows])
    initial = np.concatenate([r["initial"] for r in rows])
    acc = np.array([r["accuracy"] for r in rows])
    medians = np.array([np.median(r["learned"]) for r in rows])
    print(f"\nover {len(rows)} seeds, {len(learned)} filters:")
    print(f"  learned similarity: mean {learned.mean():.3f}, median {np.median(learned):.3f}, min {learned.min():.3f}")
    print(f"  initial similarity: mean {initial.mean():.3f}, median {np.median(initial):.3f}, max {initial.max():.3f}")
    print(f"  filters more Gabor-like than their initial state: {np.sum(learned > initial)}/{len(learned)}; "
          f"seeds where every filter is: {sum(bool(np.all(r['learned'] > r['initial'])) for r in rows)}/{len(rows)}")
    print(f"  learned minus initial, per filter: min {np.min(learned - initial):+.3f}, "
          f"5th percentile {np.percentile(learned - initial, 5):+.3f}; "
          f"learned >= 0.5: {np.sum(learned >= 0.5)}/{len(learned)}")
    print(f"  seeds where every learned filter beats every initial one of that seed: "
          f"{sum(bool(r['learned'].min() > r['initial'].max()) for r in rows)}/{len(rows)}")
    print(f"  median similarity per seed: min {medians.min():.3f} (bar {ref.GABOR_BAR}); "
          f"accuracy: min {acc.min():.3f} (bar {ref.ACCURACY_BAR}); "
          f"time per run {np.mean([r['seconds'] for r in rows]):.1f} s")


if __name__ == "__main__":
    main(sys.argv[1:])
