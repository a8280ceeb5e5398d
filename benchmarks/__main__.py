"""Run every benchmark table in turn (BENCH=layers,grading,training selects some)."""

import importlib
import os
import sys

TABLES = ("layers", "training", "grading")

if __name__ == "__main__":
    chosen = [t for t in os.environ.get("BENCH", ",".join(TABLES)).split(",") if t]
    for name in chosen:
        module = importlib.import_module(f"benchmarks.{name}")
        print(f"\n## {name}\n", flush=True)
        module.main()
    sys.exit(0)
