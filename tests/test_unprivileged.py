"""A TA without root gets the same guarantees: the hostile class graded by an unprivileged user (user namespaces)
gets no undeserved point, every row, no process left behind and no file changed outside the outputs; and where no
namespace can be made (the fallback, forced here), files forged by a submission change no row.

Runs as root (CI does): it creates the user, gives it a copy of the kit (its own clone) and a virtual environment
it can read (the test's venv, hard-linked onto a Python of the same version that the user can run), and grades as
that user through `setpriv`.
"""

from __future__ import annotations

import json
import os
import pwd
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
from capable import require
from fast import FAST
from gradebook import by_student
from hostile_folders import make_class, problems
from processes import live_processes
from test_batch import tree_digest

from autograder import assignment as layout
from autograder.config import ROOT, Limits
from autograder.modes import world_executable
from course.examples import materialise

USER = "kit-grader"
ASSIGNMENT = layout.get("a1_convolution")
pytestmark = [
    pytest.mark.xdist_group(name="batch"),
    pytest.mark.skipif(os.geteuid() != 0, reason="creates a user: run as root (CI does)"),
]
GRADE = """
import json, sys
from pathlib import Path
from autograder.assignment import get
from autograder.batch import grade_class
from autograder.config import Limits
rs = grade_class(get("{ASSIGNMENT.id}"), Path(sys.argv[1]), Path(sys.argv[2]), workers=2, progress=False,
                 limits={limits!r})
print(json.dumps({{"summary": rs.summary, "rows": [[r.student, r.score, r.status, r.isolation] for r in rs]}}))
"""


def ensure_user() -> pwd.struct_passwd:
    try:
        return pwd.getpwnam(USER)
    except KeyError:
        subprocess.run(["useradd", "--create-home", "--shell", "/bin/sh", USER], check=True)
        return pwd.getpwnam(USER)


def user_python() -> str:
    """A Python of this venv's version that any user can run."""
    name = f"python{sys.version_info.major}.{sys.version_info.minor}"
    for candidate in (os.path.join(sys.base_prefix, "bin", name), f"/usr/bin/{name}", f"/usr/local/bin/{name}"):
        if os.path.exists(candidate) and world_executable(os.path.realpath(candidate)):
            return candidate
    pytest.fail(f"no {name} that an unprivileged user can run (the venv's own is under {sys.base_prefix})")


class Kit:
    """The user's clone of the kit, its environment, and the class it grades, all under one temporary folder."""

    def __init__(self, base: Path, user: pwd.struct_passwd):
        self.base, self.user = base, user
        self.kit, self.venv = base / "kit", base / "venv"
        for top in ("autograder", "solutions", "assignments", "release", "examples"):
            if (ROOT / top).is_dir():
                shutil.copytree(ROOT / top, self.kit / top, ignore=shutil.ignore_patterns("__pycache__"))
        shutil.copy(ROOT / "pyproject.toml", self.kit)
        subprocess.run([user_python(), "-m", "venv", "--without-pip", str(self.venv)], check=True)
        ours = Path(next(p for p in sys.path if p.endswith("site-packages") and p.startswith(sys.prefix)))
        theirs = next(self.venv.glob("lib/python*/site-packages"))
        for entry in ours.iterdir():  # all but the kit's editable install (the clone is on PYTHONPATH)
            if "cnn_kit" in entry.name or entry.name.startswith("__editable__"):
                continue
            subprocess.run(["cp", "-al" if entry.stat().st_dev == theirs.stat().st_dev else "-a", str(entry),
                            str(theirs)], check=True)
        for path in (base, self.kit):
            subprocess.run(["chown", "-R", f"{user.pw_uid}:{user.pw_gid}", str(path)], check=True)
        os.chmod(base, 0o755)

    def materialise(self, name: str, only: tuple[str, ...] = ()):
        submitted = self.base / name
        roster = materialise(ASSIGNMENT, submitted)
        if only:
            for folder in submitted.iterdir():
                if folder.name not in only:
                    shutil.rmtree(folder)
            roster = [s for s in roster if s.name in only]
        subprocess.run(["chown", "-R", f"{self.user.pw_uid}:{self.user.pw_gid}", str(submitted)], check=True)
        return submitted, roster

    def grade(self, submitted: Path, out: Path, isolation: str, limits: Limits = FAST) -> dict:
        return self.run(GRADE.format(ASSIGNMENT=ASSIGNMENT, limits=limits), str(submitted), str(out),
                        isolation=isolation)

    def run(self, script: str, *args: str, isolation: str = "namespaces") -> dict:
        """The JSON last printed by `script`, run as the user in its clone of the kit."""
        env = {"PATH": "/usr/bin:/bin", "HOME": self.user.pw_dir, "LANG": "C.UTF-8", "PYTHONPATH": str(self.kit),
               "PYTHONDONTWRITEBYTECODE": "1", "MPLBACKEND": "Agg", "KIT_ISOLATION": isolation}
        run = subprocess.run(
            ["setpriv", f"--reuid={self.user.pw_uid}", f"--regid={self.user.pw_gid}", "--init-groups", "--",
             str(self.venv / "bin" / "python"), "-c", script, *args],
            cwd=self.kit, env=env, capture_output=True, text=True, timeout=1200,
        )
        assert run.returncode == 0, run.stderr[-3000:]
        return json.loads(run.stdout.strip().splitlines()[-1])


def rows_of(out: Path) -> dict[str, dict]:
    return by_student(out)


def undeserved(roster, rows: dict[str, dict]) -> list[str]:
    wrong = []
    for s in roster:
        row = rows.get(s.name)
        if row is None:
            wrong.append(f"{s.name}: no row")
        elif row["status"] not in s.statuses or not s.min_score - 1e-9 <= float(row["score"]) <= s.max_score + 1e-9:
            wrong.append(f"{s.name}: {row['score']} {row['status']} ({row['reason']}), expected "
                         f"{s.min_score}..{s.max_score} {s.statuses}")
    return wrong


def table(rows: dict[str, dict]) -> str:
    return "\n".join(f"{n:<40} {r['score']:>6}/{r['max_score']:<4} {r['status']}" for n, r in sorted(rows.items()))


@pytest.fixture(scope="module")
def kit():
    user = ensure_user()
    base = Path(tempfile.mkdtemp(prefix="kit-unprivileged-"))
    remove_forgeries(user)  # left by an earlier run that failed
    try:
        yield Kit(base, user)
    finally:
        remove_forgeries(user)  # the fallback's forger could write them: it runs as the user
        shutil.rmtree(base, ignore_errors=True)


def remove_forgeries(user: pwd.struct_passwd) -> None:
    for forged in ("/tmp/results.json", "/tmp/gradebook.csv", "/tmp/gradebook.db"):
        if os.path.exists(forged) and os.stat(forged).st_uid == user.pw_uid:
            os.unlink(forged)


@pytest.fixture(scope="module")
def graded(kit):
    submitted, roster = kit.materialise("submitted")
    out = kit.base / "autograded"
    watched = (ROOT, kit.kit, submitted, Path(kit.user.pw_dir))
    remove_forgeries(kit.user)  # what the forced fallback's forger wrote, when its test ran first
    before = tree_digest(*watched)
    report = kit.grade(submitted, out, "namespaces")
    left = live_processes([kit.user.pw_uid])
    after = tree_digest(*watched)
    rows = rows_of(out)
    print(f"\nhostile class graded by {USER} ({report['summary']}):\n{table(rows)}")
    return roster, report, rows, before, after, left


def test_unprivileged_user_gets_every_row_and_no_undeserved_point(graded):
    roster, report, rows, *_ = graded
    assert sorted(rows) == sorted([s.name for s in roster] + ["missing_submission"])
    assert undeserved(roster, rows) == []
    assert rows["hostile_steal_solutions"]["score"] == "0"


def test_unprivileged_user_isolation_is_user_namespaces(graded):
    _, report, rows, *_ = graded
    assert all(r["isolation"].startswith("user namespaces") and "; unshare)" in r["isolation"] for r in rows.values())
    assert "user namespaces" in report["summary"] and "fallback" not in report["summary"]


def test_unprivileged_user_leaves_no_process(graded):
    *_, left = graded
    assert left == []


def test_unprivileged_user_changes_nothing_outside_the_outputs(graded):
    _, _, _, before, after, _ = graded
    assert before == after
    for forged in ("/tmp/results.json", "/tmp/gradebook.csv", "/var/tmp/results.json"):
        assert not os.path.exists(forged)


def test_unprivileged_user_with_the_other_tool(kit):
    """The grader's own user namespaces are preferred: bubblewrap (what remains where a distribution lets only it
    make user namespaces) holds too."""
    require(shutil.which("bwrap") is not None, "bwrap", "bubblewrap is not installed (make test-tools installs it)")
    tool = "bwrap"
    only = ("perfect", "nothing_done", "hostile_steal_solutions", "hostile_fork_bomb", "hostile_forge_results")
    submitted, roster = kit.materialise("submitted-bwrap", only)
    out = kit.base / "autograded-bwrap"
    report = kit.grade(submitted, out, tool)
    rows = rows_of(out)
    assert sorted(rows) == sorted(only)
    assert undeserved(roster, rows) == []
    assert all(f"; {tool})" in r["isolation"] for r in rows.values()), report["summary"]
    assert live_processes([kit.user.pw_uid]) == []


def test_forced_fallback_forged_results_change_no_row(kit):
    """Without namespaces a submission runs as the grading user and rewrites every results.json it finds, the
    manifest included; the gradebook comes from memory, and rows kept from an earlier batch are verified."""
    try:
        _forged_results_change_no_row(kit)
    finally:
        remove_forgeries(kit.user)  # unconfined, the forgers wrote /tmp/results.json: no other test may see it


def _forged_results_change_no_row(kit) -> None:
    honest = ("perfect", "nothing_done", "bug_1", "hostile_fork_bomb")
    forgers = ("hostile_forge_results", "hostile_forge_results_but_correct")
    submitted, roster = kit.materialise("submitted-fallback", honest + forgers)
    for name in forgers:  # graded in the second batch, when the honest rows are already on disk
        shutil.move(submitted / name, kit.base / name)
    out = kit.base / "autograded-fallback"
    first = kit.grade(submitted, out, "fallback")
    assert "fallback" in first["summary"]
    assert live_processes([kit.user.pw_uid]) == [], "the batch worker adopts and kills what left the process group"
    written = {n: (out / n / ASSIGNMENT.id / "results.json").read_bytes() for n in honest}
    for name in forgers:
        shutil.move(kit.base / name, submitted / name)
    second = kit.grade(submitted, out, "fallback")
    forged = [n for n in honest if (out / n / ASSIGNMENT.id / "results.json").read_bytes() != written[n]]
    assert forged, "the forger rewrote no result file: this test shows nothing"
    assert f"{len(honest)} resumed" in second["summary"], "the honest rows were kept from the first batch, verified"
    rows = rows_of(out)
    assert sorted(rows) == sorted(honest + forgers)
    assert undeserved(roster, rows) == []
    assert {r[0]: r[1] for r in second["rows"]} == {n: float(r["score"]) for n, r in rows.items()}
    assert all(r["isolation"].startswith("fallback") for r in rows.values())
    print(f"\nforced fallback ({second['summary']}):\n{table(rows)}")
    unreadable = [n for n in rows if "kit" not in json.loads((out / n / ASSIGNMENT.id / "results.json").read_text())
                  .get("extra_data", {})]
    assert unreadable, "the forged files are still on disk"
    third = kit.grade(submitted, out, "fallback")  # the forged files are not trusted: those rows are graded again
    assert f"{len(rows) - len(unreadable)} resumed" in third["summary"]
    assert undeserved(roster, rows_of(out)) == []


def test_unprivileged_user_hostile_folders(kit):
    """The class that attacks through its folders (links, a hard link, a FIFO, timestamp.txt, deep JSON, names that
    collide or inject) graded by the user: every row, no undeserved point, nothing of a file outside the class (the
    link's target is root's: unreadable to the user, who must not get a row from it either way)."""
    submitted, out = kit.base / "submitted-folders", kit.base / "autograded-folders"
    expected = make_class(ASSIGNMENT, submitted, kit.base / "outside")
    subprocess.run(["chown", "-R", f"{kit.user.pw_uid}:{kit.user.pw_gid}", str(submitted)], check=True)
    report = kit.grade(submitted, out, "namespaces")
    assert problems(expected, rows_of(out), out) == [], report["summary"]
    assert live_processes([kit.user.pw_uid]) == []


def test_unprivileged_user_holds_against_a_stall_and_busy_processes(kit):
    """The stall (a child that never reads its replies) costs one timeout, and a classmate graded beside thirty
    busy processes keeps its points, as under root (tests/test_stall.py, tests/test_cpu_share.py)."""
    import test_cpu_share
    import test_stall

    test_stall.check_stall(kit.run(test_stall.STALL, "0"))
    test_cpu_share.check_classmate(kit.run(test_cpu_share.SCENARIO, "0"))


def test_every_mode_gives_an_ordinary_user_the_same_scores(kit):
    """The isolation mode never changes a score: a correct notebook, typical bugs (one in the student's own stride
    proof, which runs in the child) and a stub score the same for an ordinary user in its user namespace, with
    bubblewrap and in the fallback (`tests/test_isolation_modes.py` compares root's modes)."""
    only = ("perfect", "nothing_done", *[f"bug_{i}" for i in range(1, 4)])
    submitted, roster = kit.materialise("submitted-modes", only)
    modes = ["unshare", "fallback"] + (["bwrap"] if shutil.which("bwrap") else [])
    scores = {}
    for mode in modes:  # the default limits: under load, the short ones could time a call out in one mode only
        kit.grade(submitted, kit.base / f"autograded-modes-{mode}", mode, Limits())
        scores[mode] = {n: float(r["score"]) for n, r in rows_of(kit.base / f"autograded-modes-{mode}").items()}
    assert set(scores[modes[0]]) == {s.name for s in roster}, "a row per student"
    assert all(got["perfect"] == ASSIGNMENT.max_score for got in scores.values()), scores
    assert all(got == scores[modes[0]] for got in scores.values()), scores
