"""What do the learned A4 filters look like? Measured over 20 seeds, not picked.

For every seed s (the hidden suite's and tests/test_solutions_a4_backprop.py's convention): train_cnn on
make_edge_images(400, seed=100 + s) with seed s, held-out accuracy on make_edge_images(500, seed=10_000 + s), and for
each first-layer filter before (init_cnn(..., seed=s)) and after training its orientation_selectivity, plane_fit and
gabor_likeness; then the same measures of reference filters (random, ramps, round blobs, Gabor filters).

    .venv/bin/python -m benchmarks.gabor_seeds                  # the defaults of train_cnn and make_edge_images
    .venv/bin/python -m benchmarks.gabor_seeds lam=0.05 noise=0.4 epochs=12   # another recipe

Not a timed test: run by hand (about 1 s per seed). The A4 notebook quotes its totals.
"""

from __future__ import annotations

import sys

import numpy as np

import solutions.a4_backprop as ref

SEEDS = range(20)
DATA_KEYS = {"noise"}
MEASURES = {"oriented": ref.orientation_selectivity, "plane": ref.plane_fit, "gabor": ref.gabor_likeness}


def scores(filters: np.ndarray) -> dict[str, np.ndarray]:
    return {name: measure(filters) for name, measure in MEASURES.items()}


def reference_filters(size: int = 5, n: int = 200, seed: int = 0) -> dict[str, np.ndarray]:
    """Random, ramp, blob and Gabor filters of size x size, built here (not from the measure's own grid)."""
    rng = np.random.default_rng(seed)
    r, c = np.mgrid[:size, :size] - (size - 1) / 2
    angle = rng.uniform(0, np.pi, n)
    u = c[None] * np.cos(angle)[:, None, None] + r[None] * np.sin(angle)[:, None, None]
    v = -c[None] * np.sin(angle)[:, None, None] + r[None] * np.cos(angle)[:, None, None]
    width = rng.uniform(1.0, 2.5, n)[:, None, None]
    wavelength = rng.uniform(3.5, 5.5, n)[:, None, None]
    phase = rng.uniform(0, 2 * np.pi, n)[:, None, None]
    return {
        "random": rng.standard_normal((n, size, size)),
        "ramp": u,
        "blob": np.exp(-(r**2 + c**2)[None] / (2 * width**2)),
        "Gabor": np.exp(-(u**2 + v**2) / (2 * 1.5**2)) * np.cos(2 * np.pi * u / wavelength + phase),
    }


def main(argv: list[str]) -> None:
    overrides = {}
    for arg in argv:
        key, value = arg.split("=")
        overrides[key] = int(value) if value.isdigit() else float(value)
    data_kwargs = {k: v for k, v in overrides.items() if k in DATA_KEYS}
    train_kwargs = {k: v for k, v in overrides.items() if k not in DATA_KEYS}
    kernel_size = int(train_kwargs.get("kernel_size", 5))
    print(f"recipe: train_cnn defaults + {train_kwargs or '{}'}, make_edge_images defaults + {data_kwargs or '{}'}")
    print("| seed | accuracy | median oriented (learned / initial) | median plane | median gabor | gabor >= 0.5 |")
    print("|---:|---:|---:|---:|---:|---:|")
    learned, initial, medians, accuracies = [], [], [], []
    for seed in SEEDS:
        X, y = ref.make_edge_images(400, seed=100 + seed, **data_kwargs)
        X_test, y_test = ref.make_edge_images(500, seed=10_000 + seed, **data_kwargs)
        params, _ = ref.train_cnn(X, y, seed=seed, **train_kwargs)
        init = ref.init_cnn((1, 12, 12), 4, int(train_kwargs.get("n_filters", 6)), kernel_size, seed=seed)
        got, was = scores(params["w1"]), scores(init["w1"])
        learned.append(got)
        initial.append(was)
        medians.append(float(np.median(got["oriented"])))
        accuracies.append(ref.accuracy(params, X_test, y_test))
        print(f"| {seed} | {accuracies[-1]:.3f} | {medians[-1]:.2f} / {np.median(was['oriented']):.2f} | "
              f"{np.median(got['plane']):.2f} | {np.median(got['gabor']):.2f} | "
              f"{int(np.sum(got['gabor'] >= 0.5))}/{len(got['gabor'])} |", flush=True)
    rows = {"learned": learned, "initial": initial}
    print(f"\nover {len(SEEDS)} seeds, median (10th-90th percentile) of every filter:")
    print("| filters | n | oriented | plane | gabor | gabor >= 0.5 |")
    print("|---|---:|---:|---:|---:|---:|")
    groups = {name: {m: np.concatenate([r[m] for r in runs]) for m in MEASURES} for name, runs in rows.items()}
    groups |= {name: scores(filters) for name, filters in reference_filters(kernel_size).items()}
    for name, s in groups.items():
        cells = " | ".join(f"{np.median(s[m]):.2f} ({np.percentile(s[m], 10):.2f}-{np.percentile(s[m], 90):.2f})"
                           for m in MEASURES)
        print(f"| {name} | {len(s['gabor'])} | {cells} | {np.mean(s['gabor'] >= 0.5):.0%} |")
    initial_medians = [float(np.median(r["oriented"])) for r in initial]
    print(f"\nmedian orientation selectivity per seed: learned min {min(medians):.2f}, initial max "
          f"{max(initial_medians):.2f} (bar {ref.ORIENTATION_BAR}); accuracy min {min(accuracies):.3f} "
          f"(bar {ref.ACCURACY_BAR})")


if __name__ == "__main__":
    main(sys.argv[1:])
