"""`make demo`: grade the bundled example class of every released assignment and print the gradebook."""

from __future__ import annotations

import csv
import shutil
import sys

from autograder.batch import grade_class
from autograder.config import ASSIGNMENTS, ROOT, SOURCE
from autograder.examples import materialise

DEMO = ROOT / ".work" / "demo"


def main() -> int:
    submitted, out = DEMO / "submitted", DEMO / "autograded"
    shutil.rmtree(DEMO, ignore_errors=True)
    ready = [a for a in ASSIGNMENTS if (SOURCE / a / f"{a}.ipynb").exists()]
    for assignment in ready:
        materialise(assignment, submitted)
    for assignment in ready:
        grade_class(assignment, submitted, out, workers=2)
    with open(out / "gradebook.csv", newline="") as fh:
        rows = list(csv.DictReader(fh))
    print(f"\n{'student':<36} {'assignment':<16} {'score':>11}  {'status':<7} reason")
    for r in rows:
        score = f"{float(r['score']):g}/{float(r['max_score']):g}"
        print(f"{r['student']:<36} {r['assignment']:<16} {score:>11}  {r['status']:<7} {r['reason'][:60]}")
    print(f"\ngradebook: {out / 'gradebook.csv'}")
    print(f"feedback:  {out}/<student>/<assignment>/feedback.html  (e.g. {out}/perfect/{ready[0]}/feedback.html)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
