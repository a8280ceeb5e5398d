"""Feedback before the due date (`python -m course watch`) with a real nbgrader exchange in a temporary folder:
a student fetches and submits with nbgrader's own commands, the watcher (its `poll_once`, no sleeps) grades each
submission, `nbgrader fetch_feedback` brings the pages back; the daily limit, due dates, a crash, and hostile inbound
entries. Submissions other than the round trip's are written as `nbgrader submit` writes them (`submit_like_nbgrader`).
"""

from __future__ import annotations

import getpass
import multiprocessing as mp
import os
import re
import subprocess
import sys
from concurrent.futures import Future
from datetime import datetime, timedelta, timezone
from pathlib import Path

import nbformat

from autograder import assignment as layout
from autograder.grading import grade_submission
from course.examples import student_notebook
from course.exchange import FEEDBACK, INBOUND, feedback_path, write_as_submitted
from course.mutation import catalogue
from course.release import tool_env
from course.watch import Watch, Watcher, submission_time
from course.watch_journal import read

A = layout.get("a3_pooling")
COURSE = "C"
BUG = "global_avgpool keeps the spatial axes: (N, C, 1, 1)"  # tests/mutants/a3_pooling.py pins it at 90
BUG_HINT = "Possible reason: the output is (N, C), not (N, C, 1, 1) or (N,)."
DAY = "2026-03-02 10:00:00.000000 UTC"  # stated times of the hand-made submissions (grace is made large enough)


def at(second: int) -> str:
    return f"2026-03-02 10:00:{second:02d}.000000 UTC"


def exchange(tmp: Path) -> Path:
    """An nbgrader exchange with the course's folders as `nbgrader release_assignment` leaves them, A released."""
    root = tmp / "exchange"
    (root / COURSE / "outbound").mkdir(parents=True)
    (root / COURSE / INBOUND).mkdir()
    os.chmod(root, 0o777)
    os.chmod(root / COURSE / INBOUND, 0o733)
    nbformat.write(nbformat.read(A.release_notebook, 4), _mkdir(root / COURSE / "outbound" / A.id) / f"{A.id}.ipynb")
    return root


def _mkdir(path: Path) -> Path:
    path.mkdir(parents=True, exist_ok=True)
    return path


def notebook(answers: dict[str, str]) -> str:
    return nbformat.writes(student_notebook(A, answers, A.release_notebook))


def bug_answers() -> dict[str, str]:
    return next(m for m in catalogue(A) if m.name == BUG).apply(A.reference_answers())


def submit_like_nbgrader(root: Path, student: str, text: str, stated: str = DAY, tag: str = "") -> tuple[Path, str]:
    return write_as_submitted(root / COURSE / INBOUND, student, A.id, text, stated, tag)


def page_of(root: Path, secret: str) -> str:
    return feedback_path(root / COURSE / FEEDBACK, secret, A.id).read_text()


def text_of(page: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page)).replace("&#x27;", "'")


class InlineGrader:
    """Grades in this process, in order, recording each grading it finishes in `log`; with `die_at` the process
    ends abruptly (as by SIGKILL: no clean-up, nothing flushed by Python) when that grading (1-based) starts."""

    def __init__(self, log: Path, die_at: int = 0):
        self.log, self.die_at, self.started = log, die_at, 0

    def submit(self, assignment_id: str, student: str, name: str, data: bytes) -> Future:
        self.started += 1
        if self.started == self.die_at:
            os._exit(9)
        result = grade_submission(data, name, layout.get(assignment_id), student, sandbox=False)
        with open(self.log, "a") as fh:
            fh.write(f"{student}\n")
        future = Future()
        future.set_result(result.to_json())
        return future

    def broken(self) -> None:
        pass

    def close(self) -> None:
        pass


def watcher(tmp: Path, root: Path, grader="inline", **settings) -> tuple[Watcher, list[str]]:
    """A watcher of `root` whose log lines are collected; `grader=None`: the real one (sandbox, worker processes)."""
    said: list[str] = []
    config = {"check_owner": False, "grace_seconds": 1e10, "feedback_per_day": 2, **settings}
    w = Watcher(root, COURSE, tmp / "state", Watch(**config), log=said.append,
                grader=InlineGrader(tmp / "graded.log") if grader == "inline" else grader)
    return w, said


# -- the round trip with nbgrader's own commands ---------------------------------------------------------------------

def nbgrader(student_dir: Path, data: Path, root: Path, *args: str) -> str:
    done = subprocess.run([sys.executable, "-m", "nbgrader", *args, "--course", COURSE, f"--Exchange.root={root}"],
                          cwd=student_dir, capture_output=True, text=True, timeout=600,
                          env={**tool_env(), "JUPYTER_DATA_DIR": str(data)})
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    return done.stdout + done.stderr


def test_submit_grade_fetch_feedback_with_nbgrader(tmp_path):
    """nbgrader fetch_assignment, submit a notebook with a catalogued bug, then a right one; the watcher grades each
    (the sandbox, a worker process, the owner checked); nbgrader fetch_feedback returns both pages."""
    root, home, data = exchange(tmp_path), _mkdir(tmp_path / "student"), tmp_path / "data"
    w, said = watcher(tmp_path, root, grader=None, check_owner=True, grace_seconds=300, workers=1)
    try:
        nbgrader(home, data, root, "fetch_assignment", A.id)
        mine = home / A.id / f"{A.id}.ipynb"
        mine.write_text(notebook(bug_answers()))
        nbgrader(home, data, root, "submit", A.id)
        first = w.poll_once()
        mine.write_text(notebook(A.reference_answers()))
        nbgrader(home, data, root, "submit", A.id)
        second = w.poll_once()
    finally:
        w.grader.close()
    assert [(e["event"], e["score"], e["status"]) for e in first + second] == [("done", 90, "ok"), ("done", 100, "ok")]
    assert len(said) == 2 and all(getpass.getuser() in line and A.id in line for line in said), said
    nbgrader(home, data, root, "fetch_feedback", A.id)
    pages = sorted((home / A.id / "feedback").glob(f"*/{A.id}.html"))  # one folder per submission time
    assert len(pages) == 2
    wrong, right = (text_of(p.read_text()) for p in pages)
    assert f"{A.id}: 90 / 100" in wrong and BUG_HINT in wrong and "global_avgpool 0 / 10" in wrong
    assert f"{A.id}: 100 / 100" in right and "Possible reason" not in right
    for page in (wrong, right):
        assert "no due date" in page  # none set for this course
        assert "invariant_or_equivariant (3 points): graded by hand later" in page  # A3's written answer
        assert "not your grade" in page


# -- limits and due dates ---------------------------------------------------------------------------------------

def test_a_submission_over_the_daily_limit_is_not_graded(tmp_path):
    root = exchange(tmp_path)
    w, said = watcher(tmp_path, root, feedback_per_day=2)
    secrets_ = [submit_like_nbgrader(root, "ann", notebook(A.reference_answers()), at(i))[1]
                for i in range(3)]
    other = submit_like_nbgrader(root, "bob", notebook(A.reference_answers()))[1]
    events = w.poll_once()
    assert sorted((e["student"], e["event"]) for e in events) == [("ann", "done"), ("ann", "done"), ("ann", "held"),
                                                                 ("bob", "done")]
    assert (tmp_path / "graded.log").read_text().split() == ["ann", "ann", "bob"]
    held = text_of(page_of(root, secrets_[2]))
    assert "feedback tomorrow" in held and "100" not in held
    assert "100 / 100" in text_of(page_of(root, secrets_[1])) and "100 / 100" in text_of(page_of(root, other))
    assert w.poll_once() == []  # nothing new: nothing graded again


def test_the_day_is_the_one_of_the_submission_in_the_course_timezone(tmp_path):
    """23:30 and 00:30 UTC the next day are one day in New York: the second is held there, graded in UTC."""
    for zone, expected in (("UTC", ["done", "done"]), ("America/New_York", ["done", "held"])):
        root = exchange(tmp_path / zone.replace("/", "_"))
        w, _ = watcher(tmp_path / zone.replace("/", "_"), root, feedback_per_day=1, timezone=zone)
        for stated in ("2026-03-02 23:30:00.000000 UTC", "2026-03-03 00:30:00.000000 UTC"):
            submit_like_nbgrader(root, "ann", notebook(A.reference_answers()), stated)
        events = sorted(w.poll_once(), key=lambda e: e["submitted"])
        assert [e["event"] for e in events] == expected, zone


def test_after_the_due_date_no_feedback_unless_the_course_wants_it(tmp_path):
    due = datetime(2026, 3, 2, 9, 0, tzinfo=timezone.utc)  # DAY is an hour later
    for after, expected in ((False, "held"), (True, "done")):
        folder = tmp_path / str(after)
        root = exchange(folder)
        w, _ = watcher(folder, root, after_due_date=after)
        w.duedates = lambda student, assignment: due if student == "ann" else None
        late = submit_like_nbgrader(root, "ann", notebook(A.reference_answers()))[1]
        submit_like_nbgrader(root, "bob", notebook(A.reference_answers()))  # no due date for bob
        events = {e["student"]: e["event"] for e in w.poll_once()}
        assert events == {"ann": expected, "bob": "done"}
        page = text_of(page_of(root, late))
        assert "after the due date" in page
        assert ("100 / 100" in page) == after


def test_unreadable_due_dates_make_submissions_wait_not_the_watcher_stop(tmp_path):
    root = exchange(tmp_path)
    w, said = watcher(tmp_path, root)
    secret = submit_like_nbgrader(root, "ann", notebook(A.reference_answers()))[1]

    def broken(student, assignment):
        raise ValueError("extensions.csv:2: expected student,assignment,duedate")

    w.duedates = broken
    assert w.poll_once() == [] and w.poll_once() == []
    assert len(said) == 1 and "extensions.csv:2" in said[0]
    w.duedates = lambda student, assignment: None
    assert [e["event"] for e in w.poll_once()] == ["done"]
    assert "100 / 100" in text_of(page_of(root, secret))


def test_a_forged_submission_time_does_not_count():
    """The time a name states counts only near the folder's own time in the exchange (which a student can only make
    later): a name dated a day earlier gets the folder's time."""
    from course.exchange import Entry

    received = datetime(2026, 3, 3, 12, 0, tzinfo=timezone.utc)
    honest = Entry("x", "ann", A.id, received - timedelta(seconds=2), received, 0)
    forged = Entry("x", "ann", A.id, received - timedelta(days=1), received, 0)
    assert submission_time(honest, 300) == honest.stated
    assert submission_time(forged, 300) == received


def test_a_submission_owned_by_another_user_is_not_graded(tmp_path):
    """With the owner check (the default), a folder that names a student who does not own it is not graded."""
    root = exchange(tmp_path)
    other = "someone-else" if getpass.getuser() != "someone-else" else "another"
    w, said = watcher(tmp_path, root, check_owner=True)
    secret = submit_like_nbgrader(root, other, notebook(A.reference_answers()))[1]
    events = w.poll_once()
    assert [e["event"] for e in events] == ["held"] and not (tmp_path / "graded.log").exists()
    assert "not graded" in text_of(page_of(root, secret)) and "belongs to the user" in said[0]


# -- a crash -----------------------------------------------------------------------------------------------------

def _watch_and_die(tmp: str, root: str) -> None:
    w, _ = watcher(Path(tmp), Path(root), grader=InlineGrader(Path(tmp) / "graded.log", die_at=2),
                   feedback_per_day=5)
    w.poll_once()


def test_a_watcher_killed_mid_grading_grades_nothing_twice_and_misses_nothing(tmp_path):
    root = exchange(tmp_path)
    keys = {}
    for i, student in enumerate(("ann", "bob", "cid")):
        keys[student] = submit_like_nbgrader(root, student, notebook(A.reference_answers()),
                                             at(i))[1]
    child = mp.get_context("fork").Process(target=_watch_and_die, args=(str(tmp_path), str(root)))
    child.start()
    child.join()
    assert child.exitcode == 9  # killed while grading its second submission
    assert (tmp_path / "graded.log").read_text().split() == ["ann"]
    assert [e["event"] for e in read(tmp_path / "state" / "journal.jsonl")] == ["accepted", "done", "accepted"]
    w, _ = watcher(tmp_path, root, feedback_per_day=5)
    events = w.poll_once()
    assert sorted(e["student"] for e in events) == ["bob", "cid"]
    assert sorted((tmp_path / "graded.log").read_text().split()) == ["ann", "bob", "cid"]  # each graded once
    for student, secret in keys.items():
        assert "100 / 100" in text_of(page_of(root, secret)), student
    done = [e["entry"] for e in read(tmp_path / "state" / "journal.jsonl") if e["event"] == "done"]
    assert len(done) == len(set(done)) == 3
    assert w.poll_once() == []


# -- hostile inbound entries -------------------------------------------------------------------------------------

def test_hostile_inbound_entries_are_neither_followed_nor_fatal(tmp_path):
    """Links, files, FIFOs and bad names in the inbound folder are skipped (said once); a submission whose notebook is
    a link gets an error page; a corrupt notebook is one error page; the others are graded."""
    root = exchange(tmp_path)
    inbound = root / COURSE / INBOUND
    canary = tmp_path / "canary.ipynb"
    canary.write_text(notebook(A.reference_answers()))
    os.symlink(tmp_path, inbound / f"eve+{A.id}+{DAY}+link")
    (inbound / f"eve+{A.id}+{DAY}+file").write_text("x")
    os.mkfifo(inbound / f"eve+{A.id}+{DAY}+fifo")
    (inbound / f"ev\x1be+{A.id}+{DAY}+esc").mkdir()
    (inbound / f"eve+{A.id}+not a time+x").mkdir()
    (inbound / f".hidden+{A.id}+{DAY}+x").mkdir()
    linked, linked_secret = submit_like_nbgrader(root, "eve", "", tag="nblink")
    (linked / f"{A.id}.ipynb").unlink()
    os.symlink(canary, linked / f"{A.id}.ipynb")
    corrupt_secret = submit_like_nbgrader(root, "fay", '{"cells": [', tag="corrupt")[1]
    good_secret = submit_like_nbgrader(root, "gus", notebook(A.reference_answers()), tag="good")[1]
    w, said = watcher(tmp_path, root)
    events = {e["student"]: (e["event"], e["status"]) for e in w.poll_once()}
    assert events == {"eve": ("done", "error"), "fay": ("done", "error"), "gus": ("done", "ok")}
    assert "symbolic link" in text_of(page_of(root, linked_secret))
    assert "not a valid notebook" in text_of(page_of(root, corrupt_secret))
    assert "100 / 100" in text_of(page_of(root, good_secret))
    ignored = [line for line in said if "ignored inbound entry" in line]
    assert len(ignored) == 6 and all("\x1b" not in line for line in said)
    w.poll_once()
    assert len([line for line in said if "ignored inbound entry" in line]) == 6  # said once, not at every scan


def test_the_command_reads_the_course_settings_and_grades_once(tmp_path):
    """`python -m course watch --once` in a course folder: c.Watch from its nbgrader_config.py (a limit of 1 a day),
    one log line per submission, the journal where c.Watch.state_directory says."""
    from autograder.config import ROOT

    course, root = _mkdir(tmp_path / "course"), exchange(tmp_path)
    (course / "nbgrader_config.py").write_text((ROOT / "nbgrader_config.py").read_text()
                                               + "\nc.Watch.feedback_per_day = 1\nc.Watch.state_directory = 'w'\n")
    now = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M:%S.%f UTC")
    for _ in range(2):
        submit_like_nbgrader(root, getpass.getuser(), notebook(A.reference_answers()), now)
    done = subprocess.run([sys.executable, "-m", "course", "watch", "--once", "--exchange", str(root), "--course",
                           COURSE, "--workers", "1"], cwd=course, capture_output=True, text=True, timeout=600,
                          env={**tool_env(), "PYTHONPATH": str(ROOT)})
    assert done.returncode == 0, done.stderr[-3000:]
    lines = done.stdout.splitlines()
    assert len(lines) == 2 and sum("100/100 ok" in line for line in lines) == 1, lines
    assert sum("feedback tomorrow" in line for line in lines) == 1, lines
    assert sorted(e["event"] for e in read(course / "w" / "journal.jsonl")) == ["accepted", "done", "held"]


def test_on_a_dask_cluster_the_pages_are_the_same(tmp_path):
    """With a scheduler (c.Watch.scheduler) the submissions are graded on the cluster's workers: same scores, pages."""
    import distributed

    root = exchange(tmp_path)
    bug = submit_like_nbgrader(root, "ann", notebook(bug_answers()), at(0))[1]
    right = submit_like_nbgrader(root, "bob", notebook(A.reference_answers()), at(1))[1]
    with distributed.LocalCluster(n_workers=1, threads_per_worker=1, processes=True, dashboard_address=None,
                                  worker_dashboard_address=None) as cluster:
        w, _ = watcher(tmp_path, root, grader=None, scheduler=cluster.scheduler_address)
        with distributed.Client(cluster.scheduler_address, set_as_default=False) as client, \
                distributed.get_task_stream(client=client) as stream:  # what the scheduler ran, from now on
            try:
                events = {e["student"]: e["score"] for e in w.poll_once()}
            finally:
                w.grader.close()
    assert sum("remote_grade" in str(task["key"]) for task in stream.data) == 2, stream.data  # the cluster graded
    assert events == {"ann": 90, "bob": 100}
    assert BUG_HINT in text_of(page_of(root, bug)) and "100 / 100" in text_of(page_of(root, right))
