"""A thin command line over the grader's functions: `python -m autograder COMMAND ...`.

The course's own tooling (notebooks, release, example class, mutants, Gradescope zips, nbgrader) is `python -m course`.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from autograder import assignment as layout
from autograder.names import shown


def _table(results) -> str:
    lines = [f"{'student':<24} {'score':>12}  {'status':<8} reason"]
    for r in results:
        lines.append(shown(f"{r.student:<24} {r.score:>6g}/{r.max_score:<5g}  {r.status:<8} {r.reason[:70]}"))
    return "\n".join(lines)


def cmd_grade(args) -> int:
    from autograder.batch import grade_class
    from autograder.consistency import problems

    submitted, out = Path(args.submitted), Path(args.out)
    found = problems(layout.get(args.assignment))
    if found:
        print("\n".join(map(str, found)), file=sys.stderr)
        print(f"error: {args.assignment} breaks {len(found)} rule(s): nothing was graded", file=sys.stderr)
        return 2
    if not submitted.is_dir():
        print(f"error: {submitted} is not a folder (expected nbgrader's submitted/<student>/<assignment>/)",
              file=sys.stderr)
        return 2
    try:
        results = grade_class(layout.get(args.assignment), submitted, out, workers=args.workers, force=args.force,
                              progress=not args.quiet, students=args.student, scheduler=args.scheduler)
    except ValueError as exc:  # --student names nobody of the submitted folder
        print(f"error: {exc}", file=sys.stderr)
        return 2
    if not args.quiet:
        print(_table(results))
        print(f"\ngradebook: {out / 'gradebook.csv'}\nfeedback:  {out}/<student>/{args.assignment}/feedback.html")
    print(results.summary)
    return 0


def cmd_gradescope_run(args) -> int:
    from autograder.gradescope import run

    return run(layout.get(args.assignment), Path(args.submission), Path(args.results))


def cmd_list(args) -> int:
    for a in layout.find():
        if a.ready or not args.ready:
            print(a.id)
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m autograder", description="Grade CNN-kit notebooks in a sandbox.")
    sub = parser.add_subparsers(dest="command", required=True)
    ids = [a.id for a in layout.find()]

    g = sub.add_parser("grade", help="grade every student of one assignment")
    g.add_argument("assignment", choices=ids)
    g.add_argument("--submitted", required=True, help="nbgrader layout: DIR/<student>/<assignment>/<notebook>.ipynb")
    g.add_argument("--out", required=True, help="where results, feedback and gradebook.csv go")
    g.add_argument("--workers", type=int, default=2)
    g.add_argument("--force", action="store_true", help="regrade submissions that already have results")
    g.add_argument("--scheduler", help="a Dask scheduler's address (tcp://host:8786): grade on its workers")
    g.add_argument("--student", action="append", metavar="NAME",
                   help="regrade only this student (repeatable); the others stay as recorded")
    g.add_argument("--quiet", action="store_true")
    g.set_defaults(func=cmd_grade)

    r = sub.add_parser("gradescope-run", help="inside Gradescope's container: grade /autograder/submission")
    r.add_argument("assignment", choices=ids)
    r.add_argument("--submission", required=True)
    r.add_argument("--results", required=True)
    r.set_defaults(func=cmd_gradescope_run)

    s = sub.add_parser("list", help="the assignments of this layout, one id a line")
    s.add_argument("--ready", action="store_true", help="only those with a source notebook (gradable)")
    s.set_defaults(func=cmd_list)

    args = parser.parse_args(argv)
    return args.func(args)
