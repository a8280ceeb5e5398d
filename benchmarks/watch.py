"""Latency of feedback before the due date: from a submission landing in the exchange's inbound folder to its page in
the feedback folder, for 1 and for 50 submissions landing at once (A3, reference solutions: every test runs), with the
watcher's own loop (`Watcher.run`'s steps) and its grading processes on this machine.

`.venv/bin/python -m benchmarks.watch [N ...]` (default 1 50); workers: WATCH_WORKERS (default 2).
"""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
from concurrent.futures import FIRST_COMPLETED, wait
from pathlib import Path

import nbformat

from autograder import assignment as layout
from course.examples import student_notebook
from course.exchange import FEEDBACK, INBOUND, feedback_path, write_as_submitted
from course.watch import Watch, Watcher

A = layout.get("a3_pooling")


def measure(n: int, workers: int) -> list[float]:
    """Seconds from each of `n` simultaneous submissions to its published page."""
    text = nbformat.writes(student_notebook(A, A.reference_answers(), A.release_notebook))
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "exchange"
        (root / "C" / INBOUND).mkdir(parents=True)
        watcher = Watcher(root, "C", Path(tmp) / "state", Watch(workers=workers, check_owner=False,
                                                                 feedback_per_day=n), log=lambda line: None)
        watcher.grader.submit(A.id, "warm-up", f"{A.id}.ipynb", text.encode()).result()  # workers started
        stamp = time.strftime("%Y-%m-%d %H:%M:%S.000000 UTC", time.gmtime())
        start = time.time()
        secrets = [write_as_submitted(root / "C" / INBOUND, f"s{i:03d}", A.id, text, stamp)[1] for i in range(n)]
        pages = [feedback_path(root / "C" / FEEDBACK, s, A.id) for s in secrets]
        while not all(p.exists() for p in pages):
            watcher.poll_once(wait_all=False)
            if watcher.inflight:
                wait(list(watcher.inflight), timeout=0.5, return_when=FIRST_COMPLETED)
        watcher.grader.close()
        return [p.stat().st_mtime - start for p in pages]


def main(sizes: tuple[int, ...] = (1, 50)) -> None:
    workers = int(os.environ.get("WATCH_WORKERS", "2"))
    print("| simultaneous submissions | workers | median s | max s | s per submission |\n|---|---|---|---|---|")
    for n in sizes:
        seconds = measure(n, workers)
        print(f"| {n} | {workers} | {statistics.median(seconds):.1f} | {max(seconds):.1f} | "
              f"{max(seconds) / n:.2f} |", flush=True)


if __name__ == "__main__":
    main(tuple(int(a) for a in sys.argv[1:]) or (1, 50))
