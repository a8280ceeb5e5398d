"""`make demo`: grade the bundled example class of every released assignment (a small one by default), print the
gradebook, and write the class report of the first assignment (of each with --full)."""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

from autograder import assignment as layout
from autograder.batch import grade_class
from course.class_report import write_reports
from course.examples import materialise


def demo(folder: Path, full: bool = False) -> Path:
    """Write the example class of every assignment (its small version unless `full`) into `folder`/submitted, grade
    it into `folder`/autograded and print the gradebook, then write the class reports and print their paths;
    returns the gradebook's path."""
    submitted, out = folder / "submitted", folder / "autograded"
    shutil.rmtree(folder, ignore_errors=True)
    ready = [a for a in layout.find() if a.ready]
    for a in ready:
        materialise(a, submitted, small=not full)
    for a in ready:
        grade_class(a, submitted, out, workers=2)
    with open(out / "gradebook.csv", newline="") as fh:
        rows = list(csv.DictReader(fh))
    print(f"\n{'student':<36} {'assignment':<16} {'score':>11}  {'status':<7} reason")
    for r in rows:
        score = f"{float(r['score']):g}/{float(r['max_score']):g}"
        print(f"{r['student']:<36} {r['assignment']:<16} {score:>11}  {r['status']:<7} {r['reason'][:60]}")
    print(f"\ngradebook: {out / 'gradebook.csv'}")
    print(f"feedback:  {out}/<student>/<assignment>/feedback.html  (e.g. {out}/perfect/{ready[0].id}/feedback.html)")
    print()
    # the class report grades each assignment's mutants once (cached): a minute per assignment on a fresh clone
    reports = write_reports(out, submitted, out, ready if full else ready[:1])
    if not full:
        print(f"(the others: make report GRADED={out} SUBMITTED={submitted})")
    print("\nclass reports (open in a browser):")
    for path in reports:
        print(f"  {path}")
    return out / "gradebook.csv"
