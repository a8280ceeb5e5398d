"""nbgrader integration: auto scores into nbgrader's gradebook, feedback where `release_feedback` looks for it."""

from __future__ import annotations

import csv
import html
import re
import warnings
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path

from autograder.assignment import CHECK_PREFIX
from autograder.audit import log_change
from autograder.batch import trusted_results, write_gradebook, write_manifest
from autograder.files import Refused, read_bounded, write_atomic
from autograder.grading import Result
from autograder.lateness import TIMESTAMP_FILE
from autograder.names import problem
from autograder.report import feedback_html, write_results

UNREADABLE = "timestamp.txt is not a time nbgrader can read ({}): recorded without a submission time, no late penalty"


def nbgrader_app():
    """nbgrader's own application, configured as `nbgrader autograde` run in this folder would be: the course's
    nbgrader_config.py (and the user's and system's), the current folder on sys.path for a plugin module of the
    course."""
    from nbgrader.apps.baseapp import NbGrader

    app = NbGrader()
    app.initialize([])
    return app


def read_extensions(path: Path | None) -> dict[tuple[str, str], datetime] | None:
    """The extension file: CSV with the columns `student,assignment,duedate` (each student's new due date, parsed
    like nbgrader parses times: naive times are UTC). None when there is no file."""
    from nbgrader.utils import parse_utc

    if path is None or not path.exists():
        return None
    found = {}
    with open(path, newline="", encoding="utf-8") as fh:
        for line, row in enumerate(csv.DictReader(fh), start=2):
            try:
                found[(row["student"].strip(), row["assignment"].strip())] = parse_utc(row["duedate"].strip())
            except (KeyError, AttributeError, ValueError, OverflowError) as exc:
                raise ValueError(f"{path}:{line}: expected student,assignment,duedate ({exc})") from None
    return found


def record_scores(graded: Path, db_url: str | None = None, extensions: Path | None = None,
                  submitted: Path = Path("submitted")) -> Iterator[str]:
    """Record each result in nbgrader's gradebook as `nbgrader autograde` would, write the lateness back, and write
    the autograded notebook formgrader opens.

    Each step is a function below: the submission time (timestamp.txt, parsed by nbgrader), the grades (each check
    cell's auto score is the hidden suite's score of its part; only written answers without a manual score need a
    manual grade), the extension (the extension file, when there is one: it then states every extension, in
    nbgrader's own field), nbgrader's own AssignLatePenalties with the plugin of nbgrader_config.py, then the changed
    result back to results.json (manifest and audit log). formgrader and `nbgrader export` then show raw score,
    penalty and score; the kit's results.json, feedback page and gradebook.csv show the due date, seconds late and
    penalty. The assignment must be in the gradebook (`make release` puts it there, `nbgrader db assignment add
    --duedate` sets its due date); students and submissions are created when missing.
    """
    from autograder import assignment as layout
    from course.autograded_notebook import write_autograded

    app = nbgrader_app()
    db_url = db_url or app.coursedir.db_url
    granted = read_extensions(extensions)
    rows = trusted_results(graded)  # what the grader wrote and nobody changed since (the batch's manifest vouches)
    with _gradebook(db_url, app.coursedir.course_id) as gb:
        _check_extensions(gb, granted)  # before anything is written
        for r, _ in [rows[key] for key in sorted(rows)]:
            if not _has_assignment(gb, r.assignment):
                yield f"skip {r.student}/{r.assignment}: assignment not in the gradebook (run `make release`)"
                continue
            before = Result(**r.to_json())
            timestamp = _submission_time(r)
            if r.notes and r.notes[-1].startswith(UNREADABLE.split("(")[0]):
                yield f"warn {r.student}/{r.assignment}: " + r.notes[-1]
            yield from _record_grades(gb, r, timestamp, granted)
            _apply_late_penalty(app, db_url, gb, r, timestamp)
            if r.to_json() != before.to_json():
                _rewrite(graded, rows, before, r)
            if layout.get(r.assignment).release_notebook.exists():
                write_autograded(layout.get(r.assignment), r, submitted, graded)
            else:
                yield f"warn {r.assignment}: not released (`make release`), so no notebook for formgrader"
            late_note = f", {r.seconds_late:g} s late, penalty {r.late_penalty:g}" if r.seconds_late else ""
            yield f"recorded {r.student}/{r.assignment}: {r.score:g}/{r.max_score:g}{late_note}"
    for student, assignment_id in sorted(set(granted or {}) - set(rows)):
        yield f"warn extension for {student}/{assignment_id}: no graded submission of that student"
    write_gradebook(graded, [r for r, _ in rows.values()])


def _gradebook(db_url: str, course_id: str):
    from nbgrader.api import Gradebook

    return Gradebook(db_url, course_id)


def _has_assignment(gb, assignment_id: str) -> bool:
    from nbgrader.api import MissingEntry

    try:
        gb.find_assignment(assignment_id)
    except MissingEntry:
        return False
    return True


def _check_extensions(gb, granted: dict[tuple[str, str], datetime] | None) -> None:
    """Every grant is for an assignment with a due date (ValueError otherwise); unknown assignments are reported
    later, with the grants that match no graded submission."""
    for (_, assignment_id), when in sorted((granted or {}).items()):
        if _has_assignment(gb, assignment_id):
            _extension(when, gb.find_assignment(assignment_id).duedate)


def _submission_time(r: Result) -> datetime | None:
    """The submission time of timestamp.txt as nbgrader parses it; None (and a note on `r`) when it cannot."""
    from nbgrader.utils import parse_utc

    r.notes = [n for n in r.notes if not n.startswith(UNREADABLE.split("(")[0])]
    try:
        return parse_utc(r.timestamp) if r.timestamp else None
    except (ValueError, OverflowError):
        r.notes.append(UNREADABLE.format(r.timestamp[:40]))
        return None


def _record_grades(gb, r: Result, timestamp: datetime | None,
                   granted: dict[tuple[str, str], datetime] | None) -> Iterator[str]:
    """The student, the submission (time, extension) and its grades: each check cell's auto score, and "needs
    manual grade" exactly on the written answers that have no manual score yet."""
    from nbgrader.api import MissingEntry
    from sqlalchemy.exc import SAWarning

    from autograder import assignment as layout

    gb.update_or_create_student(r.student)
    with warnings.catch_warnings():  # add_submission's own SAWarnings (nbgrader 0.9.6), not ours
        warnings.simplefilter("ignore", SAWarning)
        submission = gb.update_or_create_submission(r.assignment, r.student, timestamp=timestamp)
    if granted is not None:
        submission.extension = _extension(granted.get((r.student, r.assignment)),
                                          gb.find_assignment(r.assignment).duedate)
    for part, (score, _max) in r.parts.items():
        try:
            grade = gb.find_grade(CHECK_PREFIX + part, r.assignment, r.assignment, r.student)
        except MissingEntry:
            yield f"warn {r.student}/{r.assignment}: no grade cell {CHECK_PREFIX}{part}"
            continue
        grade.auto_score = float(score)
        grade.needs_manual_grade = False
    for cell in layout.get(r.assignment).cells_of("answer"):
        try:
            grade = gb.find_grade(cell.grade_id, r.assignment, r.assignment, r.student)
        except MissingEntry:
            continue
        grade.needs_manual_grade = grade.manual_score is None
    gb.db.commit()


def _apply_late_penalty(app, db_url: str, gb, r: Result, timestamp: datetime | None) -> None:
    """nbgrader's own step of `nbgrader autograde` (it opens the gradebook itself and commits), then its verdict
    on `r`: the due date (extension included), the seconds late (None: time unknown) and the penalty."""
    import nbformat
    from nbgrader.preprocessors import AssignLatePenalties

    AssignLatePenalties(parent=app).preprocess(nbformat.v4.new_notebook(), {"nbgrader": {
        "notebook": r.assignment, "assignment": r.assignment, "student": r.student, "db_url": db_url}})
    gb.db.expire_all()
    submission = gb.find_submission(r.assignment, r.student)
    notebook = gb.find_submission_notebook(r.assignment, r.assignment, r.student)
    r.duedate = submission.duedate.isoformat(sep=" ") if submission.duedate is not None else ""
    r.seconds_late = float(submission.total_seconds_late) if timestamp is not None else None
    r.late_penalty = float(notebook.late_submission_penalty or 0.0)


def _rewrite(graded: Path, rows: dict, before: Result, r: Result) -> None:
    """A result the gradebook changed: results.json, the manifest that vouches for it, the audit log."""
    rows[(r.student, r.assignment)] = (r, write_results(graded, r))
    write_manifest(graded, rows)
    log_change(graded, before, r, "late penalty (nbgrader)", penalty=True)


def _extension(new_duedate: datetime | None, duedate: datetime | None) -> timedelta | None:
    """nbgrader stores an extension as the time added to the assignment's due date."""
    if new_duedate is None:
        return None
    if duedate is None:
        raise ValueError(f"an extension to {new_duedate} for an assignment without a due date: set one with "
                         "`nbgrader db assignment add <id> --duedate ...`")
    return new_duedate - duedate


def release_feedback(graded: Path, out: Path, submitted: Path = Path("submitted"),
                     db_url: str | None = None) -> Iterator[str]:
    """Write each feedback page to `out/<student>/<assignment>/<assignment>.html`, nbgrader's feedback layout,
    with the `timestamp.txt` and `submission_secret.txt` that `nbgrader release_feedback` needs. The page is made
    from the verified result (the manifest vouches for results.json, not for a feedback.html on disk) and, where
    nbgrader's gradebook has the submission, each written answer's score and comment and the total of
    `nbgrader export`; the time is the one the grader parsed, and the secret is copied only when it is what nbgrader
    writes (a short hex token in a regular file, read without following a link). A student whose files cannot be
    written is said and skipped."""
    rows = trusted_results(graded)
    marks = hand_marks(list(rows), db_url)
    for key in sorted(rows):
        r = rows[key][0]
        if problem(r.student):
            yield f"skip {r.student}/{r.assignment}: not a valid student name, no feedback released"
            continue
        dest = out / r.student / r.assignment
        written, total = marks.get(key, ("", None))
        try:
            write_atomic(dest / f"{r.assignment}.html", feedback_html(r, written, total))
            secret = submission_secret(submitted / r.student / r.assignment, submitted)
            missing = [name for name, text in ((TIMESTAMP_FILE, r.timestamp), (SECRET_FILE, secret))
                       if not _write_or_remove(dest / name, text)]
        except OSError as exc:
            yield f"skip {r.student}/{r.assignment}: cannot write its feedback ({exc.strerror})"
            continue
        note = f" (no {', '.join(missing)}: not collected by nbgrader)" if missing else ""
        yield f"feedback {dest / (r.assignment + '.html')}{note}"


SECRET_FILE = "submission_secret.txt"
_SECRET = re.compile(rb"[0-9a-fA-F]{16,256}")  # nbgrader submit writes secrets.token_hex(64)


def submission_secret(folder: Path, submitted: Path) -> str:
    """The submission's secret as nbgrader wrote it, or '' (none, a link, not a token, unreadable)."""
    try:
        data = read_bounded(folder / SECRET_FILE, submitted, 256)
    except (OSError, Refused, ValueError):
        return ""
    return data.decode("ascii") if _SECRET.fullmatch(data) else ""


def _write_or_remove(path: Path, text: str) -> bool:
    """Write `text` to `path`, or remove an earlier release's file when there is none; True when written."""
    if text:
        write_atomic(path, text)
        return True
    path.unlink(missing_ok=True)
    return False


def gradebook_url(db_url: str | None = None, app=None) -> str | None:
    """`db_url`, by default nbgrader's (CourseDirectory.db_url of nbgrader_config.py, read by `app` when given); None
    when it names an SQLite file that does not exist (nothing hand-graded yet: nbgrader would create an empty one)."""
    db_url = db_url or (app or nbgrader_app()).coursedir.db_url
    if db_url.startswith("sqlite:///") and not Path(db_url.removeprefix("sqlite:///")).exists():
        return None
    return db_url


def hand_marks(keys: list[tuple[str, str]], db_url: str | None = None
               ) -> dict[tuple[str, str], tuple[str, tuple[float, float]]]:
    """(student, assignment) of `keys` -> (HTML of the written answers' scores and comments, (total, max) as
    `nbgrader export` computes them), for those nbgrader's gradebook has; {} when there is no gradebook."""
    from nbgrader.api import Gradebook, MissingEntry

    from autograder import assignment as layout

    app = nbgrader_app()
    db_url = gradebook_url(db_url, app)
    if db_url is None:
        return {}
    found = {}
    ids = {a.id: a for a in layout.find()}
    with Gradebook(db_url, app.coursedir.course_id) as gb:
        for student, assignment in keys:
            if assignment not in ids:
                continue
            try:
                submission = gb.find_submission(assignment, student)
            except MissingEntry:
                continue
            a = ids[assignment]
            points = {c.grade_id: float(c.points or 0) for c in a.cells_of("answer")}
            lines = [(gid, score, points[gid], comment)
                     for gid, (score, comment) in _written_grades(gb, a, student).items()]
            raw, penalty = float(submission.score), float(submission.late_submission_penalty or 0.0)
            total = (max(0.0, raw - penalty), float(submission.max_score))  # nbgrader export's score
            found[(student, assignment)] = (written_html(lines, raw, penalty, total), total)
    return found


def written_html(lines: list[tuple[str, float | None, float, str]], raw: float, penalty: float,
                 total: tuple[float, float]) -> str:
    """The feedback page's table of written answers ((question, score or None, points, the grader's comment) each)
    and the total: the raw score of every part and answer, less the late penalty."""
    e = html.escape
    written = sum(s for _, s, _, _ in lines if s is not None)
    summary = (f"<p><b>Total: {total[0]:g} / {total[1]:g}</b> = automatic parts {raw - written:g} + written answers "
               f"{written:g} − late penalty {penalty:g}</p>")
    if not lines:
        return summary
    rows = "".join(f"<tr><td>{e(q)}</td><td>{'not graded yet' if s is None else f'{s:g}'} / {p:g}</td>"
                   f"<td>{e(c).replace(chr(10), '<br>')}</td></tr>" for q, s, p, c in lines)
    return (f"{summary}<h2>Written answers (graded by hand)</h2><table><tr><th>question</th><th>points</th>"
            f"<th>comment</th></tr>{rows}</table>")


def written_scores(db_url: str, assignment) -> dict[str, dict[str, float | None]]:
    """The written answers' scores of `assignment` in nbgrader's gradebook (formgrader's manual grades): student ->
    answer grade_id -> score, None where not graded yet. Empty when the assignment is not in the gradebook."""
    from nbgrader.api import Gradebook, MissingEntry

    answers = [c.grade_id for c in assignment.cells_of("answer")]
    found: dict[str, dict[str, float | None]] = {}
    with Gradebook(db_url) as gb:
        try:
            submissions = gb.assignment_submissions(assignment.id)
        except MissingEntry:
            return {}
        for sub in submissions:
            graded = _written_grades(gb, assignment, sub.student.id)
            found[sub.student.id] = {gid: None if graded.get(gid, (None,))[0] is None else float(graded[gid][0])
                                     for gid in answers}
    return found


def _written_grades(gb, assignment, student: str) -> dict[str, tuple[float | None, str]]:
    """The written answers of `student` in nbgrader's gradebook `gb`: grade_id -> (manual score or None, the grader's
    comment); an answer the gradebook does not have is left out."""
    from nbgrader.api import MissingEntry

    found = {}
    for cell in assignment.cells_of("answer"):
        where = (cell.grade_id, assignment.id, assignment.id, student)
        try:
            score = gb.find_grade(*where).manual_score
        except MissingEntry:
            continue
        try:
            comment = gb.find_comment(*where).manual_comment or ""
        except MissingEntry:
            comment = ""
        found[cell.grade_id] = (score, comment)
    return found
