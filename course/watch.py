"""Feedback before the due date: `python -m course watch` grades each new submission in nbgrader's exchange and
publishes the grader's feedback page where `nbgrader fetch_feedback` (the Assignment List's "Fetch Feedback") finds it.

`Watcher.poll_once()` is one step (scan the inbound folder, decide, grade, publish); `Watcher.run()` repeats it.
What was decided and done is in the journal (course/watch_journal.py), so a restart grades nothing twice and misses
nothing. The watcher writes only its state folder and the exchange's feedback folder: the course's gradebook,
`submitted/` and `autograded/` stay nbgrader's and `make autograde`'s (the final grade is the last submission before
the due date, collected by `nbgrader collect`).
"""

from __future__ import annotations

import html
import itertools
import os
import pwd
import sys
import time
from collections.abc import Callable
from concurrent.futures import FIRST_COMPLETED, Executor, Future, wait
from datetime import datetime, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

from traitlets import Bool, Float, Int, Unicode
from traitlets.config import Configurable

from autograder import assignment as layout
from autograder import batch
from autograder.grading import Result, error_result, grade_submission
from autograder.lateness import stamp
from autograder.load import LoadError, read_submission
from autograder.names import shown
from autograder.report import feedback_html
from course.exchange import FEEDBACK, INBOUND, Entry, publish, scan
from course.nbgrader_bridge import submission_secret
from course.watch_journal import Journal

MAX_PAGES = 20  # notebooks of one submission that get an error page when none could be graded
UTC = "%Y-%m-%d %H:%M:%S UTC"


class Watch(Configurable):
    """The watcher's settings: `c.Watch.<name> = ...` in nbgrader_config.py."""

    feedback_per_day = Int(3, help="Submissions per student, assignment and day that are graded; the rest get "
                                   "'received; feedback tomorrow'").tag(config=True)
    timezone = Unicode("UTC", help="Where a day of feedback_per_day begins at midnight (an IANA name)").tag(config=True)
    after_due_date = Bool(False, help="Also give feedback on submissions received after the student's due date "
                                      "(extensions included)").tag(config=True)
    check_owner = Bool(True, help="Grade only a submission whose inbound folder belongs to the user it names (as "
                                  "nbgrader's CollectApp.check_owner); off where every student is one Unix user, "
                                  "e.g. jovyan in containers").tag(config=True)
    grace_seconds = Float(300.0, help="The time a submission states counts when it is at most this much earlier than "
                                      "its folder's time in the exchange; otherwise the folder's time counts"
                          ).tag(config=True)
    interval = Float(3.0, help="Seconds between two scans of the inbound folder").tag(config=True)
    workers = Int(2, help="Grading processes on this machine").tag(config=True)
    scheduler = Unicode("", help="A Dask scheduler's address: grade on its cluster instead").tag(config=True)
    state_directory = Unicode("watched", help="The watcher's journal (relative: to the course folder)"
                              ).tag(config=True)


# -- grading: in worker processes of this machine, or on a Dask cluster -------------------------------------------

def _grade_bytes(assignment_id: str, student: str, name: str, data: bytes, hide: tuple[str, ...]) -> dict:
    """In a worker process: grade one notebook's bytes in the sandbox (the worker's slot names its sandbox uid)."""
    return grade_submission(data, name, layout.get(assignment_id), student, slot=batch.worker_slot(),
                            hide=hide).to_json()


class Grader:
    """Grades notebooks (their bytes) asynchronously: `submit` returns a Future of the Result's JSON."""

    def __init__(self, workers: int = 2, hide: tuple[str, ...] = (), scheduler: str = ""):
        self.workers, self.hide, self.scheduler = max(workers, 1), hide, scheduler
        self.client = None
        self.pool: Executor | None = None

    def _executor(self) -> Executor:
        if self.pool is None and self.scheduler:
            from distributed import Client  # imported only where a cluster is used

            from autograder.cluster import RETRIES

            self.client = Client(self.scheduler)
            self.pool = self.client.get_executor(pure=False, retries=RETRIES)
        elif self.pool is None:
            self.pool = batch.worker_pool(self.workers)
        return self.pool

    def submit(self, assignment_id: str, student: str, name: str, data: bytes) -> Future:
        if self.scheduler:
            from autograder.cluster import remote_grade

            return self._executor().submit(remote_grade, assignment_id, student, name, data, None)
        return self._executor().submit(_grade_bytes, assignment_id, student, name, data, self.hide)

    def broken(self) -> None:
        """A worker process died: the pool cannot be used again, the next submission starts a new one."""
        if self.pool is not None and not self.scheduler:
            self.pool.shutdown(wait=False, cancel_futures=True)
            self.pool = None

    def close(self) -> None:
        if self.pool is not None and self.client is not None:
            self.pool.shutdown(wait=True)  # Dask's executor has no cancel_futures
        elif self.pool is not None:
            self.pool.shutdown(wait=True, cancel_futures=True)
        if self.client is not None:
            self.client.close()
        self.pool = self.client = None


# -- due dates: nbgrader's gradebook and the course's extension file ------------------------------------------------

DueDates = Callable[[str, str], "datetime | None"]  # (student, assignment) -> the student's due date, UTC


def gradebook_duedates(db_url: str, course_id: str, extensions: Path | None) -> DueDates:
    """The due dates as `make autograde` applies them: the gradebook's (`nbgrader db assignment add --duedate`), or
    the student's line in the extension file (read again on every call: the instructor may edit them any time)."""
    from nbgrader.api import Gradebook, MissingEntry

    from course.nbgrader_bridge import read_extensions

    def duedate(student: str, assignment: str) -> datetime | None:
        granted = (read_extensions(extensions) or {}).get((student, assignment))
        if granted is not None:
            return _utc(granted)
        if db_url.startswith("sqlite:///") and not Path(db_url.removeprefix("sqlite:///")).exists():
            return None  # no gradebook yet: no due date (and none is created here)
        with Gradebook(db_url, course_id) as gb:
            try:
                return _utc(gb.find_assignment(assignment).duedate)
            except MissingEntry:
                return None

    return duedate


def _utc(when: datetime | None) -> datetime | None:
    """nbgrader's times are naive UTC."""
    if when is None:
        return None
    return when.replace(tzinfo=timezone.utc) if when.tzinfo is None else when.astimezone(timezone.utc)


# -- the watcher -----------------------------------------------------------------------------------------------------

def owner_name(uid: int) -> str:
    try:
        return pwd.getpwuid(uid).pw_name
    except KeyError:
        return f"uid {uid}"


def submission_time(entry: Entry, grace: float) -> datetime:
    """When the submission counts as handed in: the time its name states (nbgrader's), unless that is more than
    `grace` seconds before or after its folder's time in the exchange (a forged name): then the folder's."""
    return entry.stated if abs((entry.received - entry.stated).total_seconds()) <= grace else entry.received


class Watcher:
    """One course's inbound folder, graded into its feedback folder; state in `state` (the journal)."""

    def __init__(self, exchange: Path, course_id: str, state: Path, settings: Watch | None = None, *,
                 duedates: DueDates | None = None, grader: Grader | None = None, log: Callable[[str], None] = print):
        self.settings = settings or Watch()
        self.inbound = exchange / course_id / INBOUND
        self.feedback = exchange / course_id / FEEDBACK
        self.journal = Journal(state)
        self.assignments = {a.id: a for a in layout.find() if a.ready}
        self.duedates = duedates or (lambda student, assignment: None)
        self.grader = grader or Grader(self.settings.workers, (str(exchange), str(state)), self.settings.scheduler)
        self.log = log
        self.inflight: dict[Future, dict] = {}
        self.said: set[str] = set()  # entries not graded, already said once in the log

    # ---- one step
    def poll_once(self, wait_all: bool = True) -> list[dict]:
        """Scan the inbound folder: start grading what is new (and what a crash left pending), publish what is
        finished (with `wait_all`, everything started); return the journal events of the submissions finished."""
        finished = []
        busy = {e["entry"] for e in self.inflight.values()}
        for event in self.journal.pending():
            if event["entry"] not in busy:
                finished += self._start(event) + self._collect(False)
        for entry in self._new_entries():
            finished += self._decide(entry) + self._collect(False)  # each page published as soon as it is graded
        finished += self._collect(wait_all)
        return finished

    def run(self) -> None:
        """Poll for ever (until interrupted), publishing each page as soon as it is graded."""
        try:
            while True:
                self.poll_once(wait_all=False)
                if self.inflight:
                    wait(list(self.inflight), timeout=self.settings.interval, return_when=FIRST_COMPLETED)
                else:
                    time.sleep(self.settings.interval)
        finally:
            self.grader.close()

    # ---- deciding
    def _new_entries(self) -> list[Entry]:
        try:
            found = list(scan(self.inbound, set(self.assignments)))
        except OSError as exc:
            self._say_once("inbound", f"cannot read the inbound folder {self.inbound}: {exc.strerror}")
            return []
        new = []
        for item in found:
            if isinstance(item, tuple):
                self._say_once(item[0], f"ignored inbound entry {item[0]}: {item[1]}")
            elif item.name not in self.journal.last:
                new.append(item)
        return sorted(new, key=lambda e: (e.received, e.name))

    def _say_once(self, key: str, line: str) -> None:
        if key not in self.said:
            self.said.add(key)
            self.log(f"{_now()} {line}")

    def _decide(self, entry: Entry) -> list[dict]:
        when = submission_time(entry, self.settings.grace_seconds)
        try:
            due = self.duedates(entry.student, entry.assignment)
        except (ValueError, OSError) as exc:  # a malformed extensions.csv, a gradebook being written: next scan
            self._say_once(f"duedates: {exc}", f"cannot read the due dates ({exc}): submissions wait")
            return []
        day = when.astimezone(ZoneInfo(self.settings.timezone)).date().isoformat()
        event = {"entry": entry.name, "student": entry.student, "assignment": entry.assignment, "day": day,
                 "submitted": when.strftime(UTC), "received": entry.received.strftime(UTC),
                 "duedate": due.strftime(UTC) if due else "", "late": bool(due and when > due)}
        why = self._held_because(entry, event)
        if why:
            event.update(event="held", why=why)
            self._publish(event, None)
            self.journal.add(event)
            self._log(event)
            return [event]
        event.update(event="accepted", nth=self.journal.accepted_on(entry.student, entry.assignment, day) + 1)
        self.journal.add(event)  # counted before grading starts: a crash cannot give a day more than its limit
        return self._start(event)

    def _held_because(self, entry: Entry, event: dict) -> str:
        s = self.settings
        if s.check_owner and owner_name(entry.owner) != entry.student:
            return (f"not graded: this submission's folder belongs to the user {shown(owner_name(entry.owner))}, "
                    f"not to {shown(entry.student)}")
        if event["late"] and not s.after_due_date:
            return "received after the due date: no feedback before it is graded with the class"
        if self.journal.accepted_on(entry.student, entry.assignment, event["day"]) >= s.feedback_per_day:
            return (f"received; feedback tomorrow (feedback is given on {s.feedback_per_day} submission(s) per "
                    f"assignment and day, {s.timezone})")
        return ""

    # ---- grading
    def _start(self, event: dict) -> list[dict]:
        """Send the submission to the grader; a submission that cannot be read is finished at once (error page)."""
        a = self.assignments[event["assignment"]]
        notebook, why = batch.find_notebook(self.inbound / event["entry"], a.id)
        if notebook is not None:
            try:
                data = read_submission(notebook, self.inbound, a.limits.notebook_bytes)
            except LoadError as exc:
                why = str(exc)
            else:
                event["notebook"] = notebook.name
                self.inflight[self.grader.submit(a.id, event["student"], notebook.name, data)] = event
                return []
        result = error_result(event["student"], a, why)
        return [self._finish(event, result)]

    def _collect(self, wait_all: bool) -> list[dict]:
        if wait_all and self.inflight:
            wait(list(self.inflight))
        finished = []
        for future in [f for f in self.inflight if f.done()]:
            event = self.inflight.pop(future)
            a = self.assignments[event["assignment"]]
            try:
                result = Result(**future.result())
            except Exception as exc:  # the worker process died (BrokenProcessPool), a cluster gave up
                self.grader.broken()
                result = error_result(event["student"], a, f"grader worker died: {type(exc).__name__}")
            finished.append(self._finish(event, result))
        return finished

    def _finish(self, event: dict, result: Result) -> dict:
        folder = self.inbound / event["entry"]
        stamp(result, folder, self.inbound)
        due = datetime.strptime(event["duedate"], UTC).replace(tzinfo=timezone.utc) if event["duedate"] else None
        submitted = datetime.strptime(event["submitted"], UTC).replace(tzinfo=timezone.utc)
        result.duedate = due.strftime("%Y-%m-%d %H:%M:%S") if due else ""
        result.seconds_late = max(0.0, (submitted - due).total_seconds()) if due else 0.0
        result.late_penalty = 0.0  # a penalty is nbgrader's, applied when the final submission is graded
        done = {**event, "event": "done", "score": result.score, "max_score": result.max_score,
                "status": result.status, "seconds": result.seconds, "sha256": result.notebook_sha256}
        self._publish(done, result)
        self.journal.add(done)
        self._log(done)
        return done

    # ---- publishing
    def _publish(self, event: dict, result: Result | None) -> None:
        """The page of every notebook the student will fetch feedback for (none without a submission secret)."""
        folder = self.inbound / event["entry"]
        secret = submission_secret(folder, self.inbound)
        if not secret:
            event["pages"] = 0
            return
        a = self.assignments.get(event["assignment"])
        page = feedback_html(result) if result is not None else held_page(event)
        page = with_watch_section(page, event, self.settings, a)
        names = [event["notebook"]] if event.get("notebook") else notebooks_in(folder, event["assignment"])
        for name in names:
            publish(self.feedback, secret, Path(name).stem, page)
        event["pages"] = len(names)

    def _log(self, event: dict) -> None:
        """One line per submission: time, student, assignment, submission time, score (or why not), seconds."""
        latency = (datetime.now(timezone.utc) - datetime.strptime(event["received"], UTC).replace(
            tzinfo=timezone.utc)).total_seconds()
        if event["event"] == "held":
            said = f"held: {event['why']}"
        else:
            said = (f"{event['score']:g}/{event['max_score']:g} {event['status']}, graded in {event['seconds']:.1f} s")
        page = "" if event.get("pages") else " (no submission secret: no page)"
        self.log(f"{_now()} {shown(event['student'])} {event['assignment']} submitted {event['submitted']}: {said}; "
                 f"published {latency:.1f} s after it was received{page}")


def _now() -> str:
    return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def notebooks_in(folder: Path, assignment: str) -> list[str]:
    """Names of the .ipynb entries directly in `folder` (only their names: nothing is read), the assignment's own
    notebook first: the ids `nbgrader fetch_feedback` may look for when no notebook could be graded."""
    try:
        with os.scandir(folder) as found:
            names = sorted(e.name for e in itertools.islice(found, 10 * MAX_PAGES) if e.name.endswith(".ipynb"))
    except OSError:
        names = []
    return list(dict.fromkeys([f"{assignment}.ipynb", *names]))[:MAX_PAGES]


def held_page(event: dict) -> str:
    """The page of a submission that was received but not graded."""
    title = f"{html.escape(event['assignment'])} — {html.escape(shown(event['student']))}"
    return (f"<!doctype html><html><head><meta charset=\"utf-8\"><title>{title}</title></head><body>"
            f"<h1>{html.escape(event['assignment'])}: received, not graded</h1>"
            f"<p>{html.escape(event['why'][:1].upper() + event['why'][1:])}.</p>\n</body></html>\n")


def with_watch_section(page: str, event: dict, settings: Watch, a: layout.Assignment | None) -> str:
    """The grader's page with what the watcher adds: times, due date, what the page is (and is not), written
    answers."""
    e = html.escape
    when = f"Submitted {e(event['submitted'])} (received {e(event['received'])})"
    if not event["duedate"]:
        when += ": the assignment has no due date."
    else:
        when += f", due {e(event['duedate'])}: {'after' if event['late'] else 'before'} the due date."
    limit = (f" Feedback is given on {settings.feedback_per_day} submission(s) per assignment and day "
             f"({e(settings.timezone)}); this was submission {event['nth']} of its day." if "nth" in event else "")
    written = "".join(f"<li>{e(c.grade_id)} ({c.points or 0:g} points): graded by hand later</li>"
                      for c in (a.cells_of("answer") if a is not None else ()))
    section = (f"<h2>Feedback before the due date</h2><p>{when}</p><p>This page is feedback from the course's "
               "hidden tests, not your grade: your grade comes from your last submission before the due date, graded "
               f"with the class after it (late penalties, if any, are applied then).{limit}</p>"
               + (f"<h3>Written answers</h3><ul>{written}</ul>" if written else ""))
    head, marker, tail = page.rpartition("</body>")
    return head + section + "\n" + marker + tail


def main_loop(args) -> int:
    """`python -m course watch`: settings from nbgrader_config.py (c.Watch, c.Exchange.root, the course id and
    gradebook of CourseDirectory), command-line options over them."""
    from course.nbgrader_bridge import nbgrader_app

    app = nbgrader_app()
    settings = Watch(config=app.config)
    for name in ("workers", "scheduler", "interval"):
        if getattr(args, name) is not None:
            setattr(settings, name, getattr(args, name))
    exchange = Path(args.exchange or app.config.Exchange.get("root", "/usr/local/share/nbgrader/exchange"))
    course_id = args.course or app.coursedir.course_id
    root = Path(app.coursedir.root)
    state = Path(args.state) if args.state else root / settings.state_directory
    if not (exchange / course_id / INBOUND).is_dir():
        print(f"error: no inbound folder {exchange / course_id / INBOUND} (nbgrader's exchange, c.Exchange.root)",
              file=sys.stderr)
        return 2
    duedates = gradebook_duedates(app.coursedir.db_url, course_id, root / "extensions.csv")
    watcher = Watcher(exchange, course_id, state, settings, duedates=duedates,
                      log=lambda line: print(line, flush=True))
    if args.once:
        watcher.poll_once()
        watcher.grader.close()
        return 0
    print(f"{_now()} watching {exchange / course_id / INBOUND} every {settings.interval:g} s "
          f"({settings.feedback_per_day} per student, assignment and day; journal {state})", flush=True)
    try:
        watcher.run()
    except KeyboardInterrupt:
        pass
    return 0
