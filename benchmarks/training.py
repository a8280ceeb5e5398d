"""Training the A4 network: time of `train_cnn` and what it reaches, on the kit's synthetic oriented-bar images.

The setting is the notebook's and the hidden suite's: 400 training images (12x12, 4 orientations, noise 0.3),
train_cnn with its defaults (conv 5x5, 6 filters -> ReLU -> 2x2 max-pool -> dense, SGD lr 0.1, batch 20, 8 epochs,
L2 0.03), evaluated on 500 held-out images with the kit's forward pass. The bars the suite grades: held-out
accuracy >= 0.9 and median Gabor similarity of the learned filters >= 0.6. The last row trains with a naive
student's backward passes (a Python loop over every image, filter and output pixel) to show the headroom under
the grader's 60 s limit for train_cnn.
"""

from __future__ import annotations

import os
import time

import numpy as np

import solutions.a4_backprop as ref
from benchmarks.layers import naive_conv_backward, naive_maxpool_backward

SEEDS = range(int(os.environ.get("BENCH_TRAIN_SEEDS", "5")))
N_TRAIN, N_TEST = 400, 500
ACCURACY_BAR, ORIENTATION_BAR = ref.ACCURACY_BAR, ref.ORIENTATION_BAR


def run(seed: int) -> tuple[float, float, float, np.ndarray]:
    """(seconds, held-out accuracy, median Gabor similarity, losses) of one training run."""
    X, y = ref.make_edge_images(N_TRAIN, seed=100 + seed)
    X_test, y_test = ref.make_edge_images(N_TEST, seed=10_000 + seed)
    start = time.perf_counter()
    params, losses = ref.train_cnn(X, y, seed=seed)
    seconds = time.perf_counter() - start
    oriented = float(np.median(ref.orientation_selectivity(params["w1"])))
    return seconds, ref.accuracy(params, X_test, y_test), oriented, losses


def main() -> None:
    print(f"train_cnn with its defaults on {N_TRAIN} images, held-out accuracy on {N_TEST} "
          f"(bars: accuracy >= {ACCURACY_BAR}, median orientation selectivity >= {ORIENTATION_BAR}; "
          "chance accuracy 0.25):\n")
    print("| backward passes | seed | SGD steps | training time (s) | held-out accuracy | "
          "orientation selectivity (median) |")
    print("|---|---:|---:|---:|---:|---:|")
    times = []
    for seed in SEEDS:
        seconds, acc, gabor, losses = run(seed)
        times.append(seconds)
        row = f"| reference (vectorised) | {seed} | {len(losses)} | {seconds:.2f} | {acc:.3f} | {gabor:.2f} |"
        print(row, flush=True)
    saved = ref.conv_backward, ref.maxpool_backward
    ref.conv_backward, ref.maxpool_backward = naive_conv_backward, naive_maxpool_backward
    try:
        seconds, acc, gabor, losses = run(0)
    finally:
        ref.conv_backward, ref.maxpool_backward = saved
    print(f"| naive loops over every pixel | 0 | {len(losses)} | {seconds:.2f} | {acc:.3f} | {gabor:.2f} |")
    print(f"\nreference: mean {np.mean(times):.2f} s, worst {np.max(times):.2f} s per training run "
          f"(budget ~3 s; the grader allows train_cnn 60 s)")


if __name__ == "__main__":
    main()
