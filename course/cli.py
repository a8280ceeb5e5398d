"""The instructor's command line: `python -m course COMMAND ...` (TAs grade with `python -m autograder`)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from autograder import assignment as layout
from autograder.assignment import Assignment, ConsistencyError


def _refused(exc: ConsistencyError) -> int:
    for problem in exc.problems:
        print(problem, file=sys.stderr)
    print(f"{len(exc.problems)} problem(s): nothing was built or graded", file=sys.stderr)
    return 1


def _chosen(names: list[str]) -> list[Assignment]:
    return [layout.get(n) for n in names] if names else [a for a in layout.find() if a.authoring.exists()]


def cmd_notebooks(args) -> int:
    from course.authoring import build

    try:
        drift = build(_chosen(args.assignment), check=args.action == "check")
    except ConsistencyError as exc:
        return _refused(exc)
    if args.action == "check" and drift:
        print("out of date (run `make notebooks`): " + ", ".join(drift), file=sys.stderr)
        return 1
    for path in drift:
        print(f"built {path}")
    return 0


def cmd_release(args) -> int:
    from course.freshness import record, why_stale

    chosen = [a for a in _chosen(args.assignment) if a.source_notebook.exists()]
    if args.changed:
        known = _gradebook_assignments() if args.gradebook else {a.id for a in chosen}
        stale = {a.id: why_stale(a, a.id in known) for a in chosen}
        for a in chosen:
            print(f"release {a.id}: {stale[a.id] or 'up to date, not regenerated'}")
        chosen = [a for a in chosen if stale[a.id]]
        if not chosen:
            return 0
    from course.leaks import find_leaks, reveal_summary  # nbformat and nbgrader: seconds to import
    from course.release import generate, write_student_files

    for a in chosen:
        print(f"released {generate(a).relative_to(a.root)}")
        if reveal_summary(a):
            print(f"  {reveal_summary(a)}")
    if chosen:
        for path in write_student_files(chosen[0].release_dir.parent, list(layout.find())):
            print(f"wrote {path.relative_to(chosen[0].root)}")
    leaks = find_leaks(chosen)
    for leak in leaks:
        print(leak, file=sys.stderr)
    print(f"{len(leaks)} leaks in release/")
    if not leaks:
        record(chosen)
    return 1 if leaks else 0


def _gradebook_assignments() -> set[str]:
    """The assignments whose notebook nbgrader's gradebook has (made by generate_assignment); none without one."""
    from nbgrader.api import Gradebook

    from course.nbgrader_bridge import nbgrader_app

    app = nbgrader_app()
    url = app.coursedir.db_url
    if url.startswith("sqlite:///") and not Path(url.removeprefix("sqlite:///")).exists():
        return set()
    with Gradebook(url, app.coursedir.course_id) as gb:
        return {a.name for a in gb.assignments if a.notebooks}


def cmd_demo(args) -> int:
    from course.demo import demo

    demo(Path(args.folder), full=args.full)
    return 0


def cmd_try(args) -> int:
    """Development: grade the reference, its mutants or the stubs, and print per-test results."""
    from autograder.consistency import problems
    from autograder.grading import grade_answers
    from course.mutation import catalogue, catalogue_problems
    from course.release import stub_answers

    a = layout.get(args.assignment)
    found = problems(a)
    if found:
        return _refused(ConsistencyError(found))
    reference = a.reference_answers()
    found = catalogue_problems(a, reference)
    if found:
        return _refused(ConsistencyError(found))
    runs: list[tuple[str, dict[str, str]]] = []
    if args.stubs:
        runs.append(("stubs", stub_answers(a)))
    elif args.mutants or args.mutant:
        runs += [(m.name, m.apply(reference)) for m in catalogue(a) if args.mutants or m.name == args.mutant]
        if not runs:
            print(f"no mutant named {args.mutant!r}", file=sys.stderr)
            return 2
    else:
        runs.append(("reference", reference))
    worst = 0
    for name, answers in runs:
        r = grade_answers(a, answers, student=name, sandbox=args.sandbox)
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
    from course.gradescope_zip import build

    for a in _chosen(args.assignment):
        if a.ready:
            before = _mtime(Path(args.out) / f"{a.id}.zip")
            path = build(a, Path(args.out))
            print(f"{'unchanged' if _mtime(path) == before else 'wrote'} {path}")
    return 0


def _mtime(path: Path) -> int | None:
    return path.stat().st_mtime_ns if path.exists() else None


def cmd_feedback(args) -> int:
    from course.nbgrader_bridge import release_feedback

    for line in release_feedback(Path(args.graded), Path(args.out), Path(args.submitted)):
        print(line)
    return 0


def cmd_record(args) -> int:
    from course.nbgrader_bridge import record_scores

    try:
        for line in record_scores(Path(args.graded), args.db, Path(args.extensions), Path(args.submitted)):
            print(line)
    except ValueError as exc:  # a malformed extension file, or an extension without a due date
        print(f"error: {exc}", file=sys.stderr)
        return 2
    return 0


def cmd_submissions(args) -> int:
    from course.submissions import layout_errors, to_grade

    submitted, known = Path(args.submitted), [a.id for a in layout.find()]
    wanted = args.assignment or [a.id for a in layout.find() if a.ready]
    errors = layout_errors(submitted, wanted, known, explicit=args.explicit)
    for error in errors:
        print(f"error: {error}", file=sys.stderr)
    if errors:
        return 2
    print("\n".join(to_grade(submitted, wanted)))
    return 0


def cmd_report(args) -> int:
    from course.class_report import write_reports
    from course.nbgrader_bridge import gradebook_url

    graded = Path(args.graded)
    if not graded.is_dir():
        print(f"error: {graded} is not a folder of graded results", file=sys.stderr)
        return 2
    submitted = Path(args.submitted) if args.submitted else None
    if submitted is not None and not submitted.is_dir():
        print(f"note: {submitted} is not a folder: the similarity check is skipped", file=sys.stderr)
        submitted = None
    chosen = [layout.get(n) for n in args.assignment] or None
    db_url = gradebook_url(args.db)
    if db_url is None:
        print("note: no gradebook of nbgrader yet: the written answers' scores are left out", file=sys.stderr)
    try:
        write_reports(graded, submitted, Path(args.out) if args.out else None, chosen, workers=args.workers,
                      db_url=db_url)
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    return 0


def cmd_watch(args) -> int:
    from course.watch import main_loop

    return main_loop(args)


def cmd_misconceptions(args) -> int:
    from course.misconceptions import write

    for a in [layout.get(n) for n in args.assignment] or list(layout.find()):
        print(f"wrote {write(a, workers=args.workers).relative_to(a.root)}")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m course", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    ids = [a.id for a in layout.find()]

    n = sub.add_parser("notebooks", help="build (or check) assignments/<id>/ from authoring/<id>.py and solutions/")
    n.add_argument("action", choices=["build", "check"])
    n.add_argument("assignment", nargs="*")
    n.set_defaults(func=cmd_notebooks)

    r = sub.add_parser("release", help="release/<id>/ through nbgrader generate_assignment, then the leak check")
    r.add_argument("assignment", nargs="*")
    r.add_argument("--changed", action="store_true",
                   help="only assignments whose source changed since their release")
    r.add_argument("--gradebook", action="store_true",
                   help="with --changed: also those nbgrader's gradebook does not have yet (grading needs them)")
    r.set_defaults(func=cmd_release)

    d = sub.add_parser("demo", help="grade the example class of every assignment and print the gradebook")
    d.add_argument("--folder", default=".work/demo")
    d.add_argument("--full", action="store_true", help="every example student (hostile ones included; slower)")
    d.set_defaults(func=cmd_demo)

    t = sub.add_parser("try", help="development: grade the reference / mutants / stubs and show each test")
    t.add_argument("assignment", choices=ids)
    t.add_argument("--mutant")
    t.add_argument("--mutants", action="store_true")
    t.add_argument("--stubs", action="store_true")
    t.add_argument("--sandbox", action="store_true", help="use the isolated grader instead of in-process")
    t.add_argument("-v", "--verbose", action="store_true")
    t.set_defaults(func=cmd_try)

    z = sub.add_parser("gradescope", help="write one Gradescope autograder zip per assignment")
    z.add_argument("assignment", nargs="*", help="default: every assignment")
    z.add_argument("--out", default="dist/gradescope")
    z.set_defaults(func=cmd_gradescope)

    f = sub.add_parser("feedback", help="copy feedback pages where nbgrader's release_feedback expects them")
    f.add_argument("--graded", default="autograded")
    f.add_argument("--out", default="feedback")
    f.add_argument("--submitted", default="submitted", help="where timestamp.txt and submission_secret.txt are")
    f.set_defaults(func=cmd_feedback)

    c = sub.add_parser("record", help="record the auto scores in nbgrader's gradebook (formgrader, nbgrader export)")
    c.add_argument("--graded", default="autograded")
    c.add_argument("--submitted", default="submitted", help="the graded notebooks (nbgrader layout), whose cells the "
                   "autograded notebooks formgrader opens show")
    c.add_argument("--db", help="default: nbgrader's (CourseDirectory.db_url of nbgrader_config.py)")
    c.add_argument("--extensions", default="extensions.csv",
                   help="CSV student,assignment,duedate: each extension's new due date (when the file exists, it "
                        "states every extension)")
    c.set_defaults(func=cmd_record)

    s = sub.add_parser("submissions", help="check the submitted folder's layout; print the assignments to grade")
    s.add_argument("assignment", nargs="*", help="default: every assignment with a hidden suite")
    s.add_argument("--submitted", default="submitted")
    s.add_argument("--explicit", action="store_true", help="each assignment named must have a submission")
    s.set_defaults(func=cmd_submissions)

    rep = sub.add_parser("report", help="the class report (one HTML file per assignment) of a graded batch")
    rep.add_argument("--graded", default="autograded", help="the batch's output folder (results.json per student)")
    rep.add_argument("--submitted", help="the submitted notebooks (nbgrader layout), for the similarity check")
    rep.add_argument("--out", help="a file (one assignment) or a folder; default: GRADED/class_report_<id>.html")
    rep.add_argument("--assignment", action="append", default=[], choices=ids, help="default: every one graded")
    rep.add_argument("--workers", type=int, default=2,
                     help="processes grading the mutants when not cached, and fingerprinting a large class")
    rep.add_argument("--db", help="nbgrader's gradebook, for the written answers' scores (default: nbgrader's, "
                     "CourseDirectory.db_url of nbgrader_config.py, when it exists)")
    rep.set_defaults(func=cmd_report)

    w = sub.add_parser("watch", help="grade submissions as they arrive in nbgrader's exchange; feedback through "
                                     "nbgrader fetch_feedback (settings: c.Watch in nbgrader_config.py)")
    w.add_argument("--once", action="store_true", help="one scan: grade what is new or pending, publish, exit")
    w.add_argument("--exchange", help="default: c.Exchange.root of nbgrader_config.py")
    w.add_argument("--course", help="default: c.CourseDirectory.course_id")
    w.add_argument("--state", help="the journal's folder; default: c.Watch.state_directory")
    w.add_argument("--workers", type=int, help="grading processes (default: c.Watch.workers)")
    w.add_argument("--scheduler", help="a Dask scheduler's address: grade on its cluster")
    w.add_argument("--interval", type=float, help="seconds between scans (default: c.Watch.interval)")
    w.set_defaults(func=cmd_watch)

    m = sub.add_parser("misconceptions", help="grade every mutant and the stubs in the sandbox into "
                       "autograder/suites/<id>/misconceptions.json (what the feedback names; make test checks it)")
    m.add_argument("assignment", nargs="*", help="default: every assignment")
    m.add_argument("--workers", type=int, default=2)
    m.set_defaults(func=cmd_misconceptions)

    args = parser.parse_args(argv)
    return args.func(args)
