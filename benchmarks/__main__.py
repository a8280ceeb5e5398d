"""Run every benchmark table in turn (BENCH=layers,grading,training,class_report selects some)."""

import importlib
import os
import sys

TABLES = ("layers", "training", "grading", "class_report")

if __name__ == "__main__":
    chosen = [t for t in os.environ.get("BENCH", ",".join(TABLES)).split(",") if t]
    for name in chosen:
        module = importlib.import_module(f"benchmarks.{name}")
        print(f"\n## {name}\n", flush=True)
        module.main()
    sys.exit(0)
