"""A thin command line over the grader's functions: `python -m autograder COMMAND ...`."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from autograder.config import ASSIGNMENTS, SOURCE


def _table(results) -> str:
    lines = [f"{'student':<24} {'score':>12}  {'status':<8} reason"]
    for r in results:
        lines.append(f"{r.student:<24} {r.score:>6g}/{r.max_score:<5g}  {r.status:<8} {r.reason[:70]}")
    return "\n".join(lines)


def cmd_grade(args) -> int:
    from autograder.batch import grade_class

    submitted, out = Path(args.submitted), Path(args.out)
    if not submitted.is_dir():
        print(f"error: {submitted} is not a folder (expected nbgrader's submitted/<student>/<assignment>/)",
              file=sys.stderr)
        return 2
    results = grade_class(args.assignment, submitted, out, workers=args.workers, force=args.force,
                          progress=not args.quiet)
    if not args.quiet:
        print(_table(results))
        print(f"\ngradebook: {out / 'gradebook.csv'}\nfeedback:  {out}/<student>/{args.assignment}/feedback.html")
    print(results.summary)
    return 0


def cmd_try(args) -> int:
    """Development: grade the reference, its mutants or the stubs, and print per-test results."""
    from autograder.grading import grade_answers
    from autograder.load import reference_cells
    from autograder.mutation import catalogue
    from autograder.release import stub_answers

    reference = reference_cells(args.assignment)
    runs: list[tuple[str, dict[str, str]]] = []
    if args.stubs:
        runs.append(("stubs", stub_answers(args.assignment)))
    elif args.mutants or args.mutant:
        for m in catalogue(args.assignment):
            if args.mutants or m.name == args.mutant:
                runs.append((m.name, m.apply(reference)))
        if not runs:
            print(f"no mutant named {args.mutant!r}", file=sys.stderr)
            return 2
    else:
        runs.append(("reference", reference))
    worst = 0
    for name, answers in runs:
        r = grade_answers(args.assignment, answers, student=name, sandbox=args.sandbox)
        print(f"== {name}: {r.score:g}/{r.max_score:g} {r.status} {r.reason} ({r.seconds:.1f} s)")
        if args.verbose or len(runs) == 1:
            for t in r.tests:
                flag = "ok  " if t["passed"] else "FAIL"
                msg = "" if t["passed"] else f"  — {t['message'][:150]}"
                print(f"   {flag} {t['score']:>5g}/{t['points']:<4g} {t['part']}: {t['name']}{msg}")
        for note in r.notes:
            print(f"   note: {note[:200]}")
        worst = max(worst, 1 if (name == "reference" and r.score < r.max_score) else 0)
    return worst


def cmd_gradescope(args) -> int:
    from autograder.gradescope import build

    for assignment in args.assignment or [a for a in ASSIGNMENTS if (SOURCE / a / f"{a}.ipynb").exists()]:
        print(f"wrote {build(assignment, Path(args.out))}")
    return 0


def cmd_gradescope_run(args) -> int:
    from autograder.gradescope import run

    return run(args.assignment, Path(args.submission), Path(args.results))


def cmd_feedback(args) -> int:
    from autograder.nbgrader_bridge import release_feedback

    for line in release_feedback(Path(args.graded), Path(args.out)):
        print(line)
    return 0


def cmd_record(args) -> int:
    from autograder.nbgrader_bridge import record_scores

    for line in record_scores(Path(args.graded), args.db):
        print(line)
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m autograder", description="Grade CNN-kit notebooks in a sandbox.")
    sub = parser.add_subparsers(dest="command", required=True)

    g = sub.add_parser("grade", help="grade every student of one assignment")
    g.add_argument("assignment", choices=ASSIGNMENTS)
    g.add_argument("--submitted", required=True, help="nbgrader layout: DIR/<student>/<assignment>/<notebook>.ipynb")
    g.add_argument("--out", required=True, help="where results, feedback and gradebook.csv go")
    g.add_argument("--workers", type=int, default=2)
    g.add_argument("--force", action="store_true", help="regrade submissions that already have results")
    g.add_argument("--quiet", action="store_true")
    g.set_defaults(func=cmd_grade)

    t = sub.add_parser("try", help="development: grade the reference / mutants / stubs and show each test")
    t.add_argument("assignment", choices=ASSIGNMENTS)
    t.add_argument("--mutant")
    t.add_argument("--mutants", action="store_true")
    t.add_argument("--stubs", action="store_true")
    t.add_argument("--sandbox", action="store_true", help="use the isolated grader instead of in-process")
    t.add_argument("-v", "--verbose", action="store_true")
    t.set_defaults(func=cmd_try)

    z = sub.add_parser("gradescope", help="write one Gradescope autograder zip per assignment")
    z.add_argument("assignment", nargs="*", help="default: every assignment with a source notebook")
    z.add_argument("--out", default="dist/gradescope")
    z.set_defaults(func=cmd_gradescope)

    r = sub.add_parser("gradescope-run", help="inside Gradescope's container: grade /autograder/submission")
    r.add_argument("assignment", choices=ASSIGNMENTS)
    r.add_argument("--submission", required=True)
    r.add_argument("--results", required=True)
    r.set_defaults(func=cmd_gradescope_run)

    f = sub.add_parser("feedback", help="copy feedback pages where nbgrader's release_feedback expects them")
    f.add_argument("--graded", default="autograded")
    f.add_argument("--out", default="feedback")
    f.set_defaults(func=cmd_feedback)

    d = sub.add_parser("record", help="record the auto scores in nbgrader's gradebook (formgrader, nbgrader export)")
    d.add_argument("--graded", default="autograded")
    d.add_argument("--db", default="sqlite:///gradebook.db")
    d.set_defaults(func=cmd_record)

    args = parser.parse_args(argv)
    return args.func(args)
