"""No submission stalls the grader: every write to a child and every callback has the call's deadline and a size
limit, and what a callback says back names no implementation."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import threading
from pathlib import Path

import numpy as np
import pytest

from autograder.callbacks import MAX_ARGUMENT_BYTES
from autograder.config import ROOT, Limits
from autograder.sandbox import Sandbox
from autograder.testing import CallTimeout

HOSTILE = Path(__file__).resolve().parent.parent / "examples" / "hostile"
QUICK = Limits(call_timeout=3, load_timeout=5, submission_timeout=60)
WATCHDOG = 300  # seconds: turns a grader that hangs for good (the old code) into a failure; never reached otherwise


def sandbox(code: str, slot: int) -> Sandbox:
    return Sandbox([("given", "import numpy as np"), ("cell", code)], slot=slot, limits=QUICK)


def in_thread(work) -> list:
    """What `work()` returned or raised, or [] when it was still running at the watchdog."""
    done: list = []

    def run() -> None:
        try:
            done.append(work())
        except BaseException as exc:  # noqa: B902 — the outcome is what is checked
            done.append(exc)

    worker = threading.Thread(target=run, daemon=True)
    worker.start()
    worker.join(WATCHDOG)
    return done


STALL = """
import json, sys
from pathlib import Path
from autograder.config import ROOT, Limits
from autograder.sandbox import Sandbox
from autograder.testing import CallTimeout
code = Path("examples/hostile/stall_replies.py").read_text()
limits = Limits(call_timeout=3, load_timeout=5, submission_timeout=60)
sb = Sandbox([("cell", code)], slot=int(sys.argv[1]), limits=limits)
try:
    sb.start()
    said = "loaded"
except CallTimeout as exc:
    said = f"CallTimeout: {exc}"
finally:
    sb.release()
print(json.dumps({"said": said, "incidents": [kind for kind, _ in sb.incidents]}))
"""  # run as a script: as root here, as an ordinary user in tests/test_unprivileged.py


def check_stall(result: dict) -> None:
    """examples/hostile/stall_replies.py floods its answer pipe with requests the grader answers, and reads none:
    loading it runs out of its time, once."""
    assert result == {"said": "CallTimeout: loading the notebook did not finish within the 5 s limit (endless loop?)",
                      "incidents": ["timeout"]}


def run_script(script: str, slot: int) -> dict:
    """The JSON last printed by `script` run by this Python in the kit's folder; the watchdog turns a grader that
    hangs for good (the old code) into a failure."""
    done = subprocess.run([sys.executable, "-c", script, str(slot)], cwd=ROOT, capture_output=True, text=True,
                          timeout=WATCHDOG)
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_a_child_that_never_reads_its_replies_costs_one_timeout(slot):
    check_stall(run_script(STALL, slot))


def test_a_callback_on_huge_arguments_runs_out_of_the_calls_time(slot):
    """A student's test makes the grader's function loop over arrays of its choosing: the call's limit stops it."""
    ran = {"started": 0, "finished": 0}

    def pairwise(x, w):  # the cost of an implementation with explicit loops (a wheat may be one)
        ran["started"] += 1
        total = 0.0
        for a in x:
            for b in w:
                total += a * b
        ran["finished"] += 1
        return total

    code = "def attack(g):\n    while True:\n        g(np.ones(50_000), np.ones(20_000))\n"
    with sandbox(code, slot) as sb:
        with pytest.raises(CallTimeout, match="the 3 s limit"):
            sb.call("attack", (pairwise,), {})
        assert not sb.timed_out, "one call's limit, not the submission's"
    assert ran == {"started": 1, "finished": 0}, "the grader's loop was not interrupted at the call's deadline"


def test_callback_arguments_have_a_size_limit(slot):
    code = ("def attack(g):\n"
            "    try:\n"
            f"        return g(np.ones({MAX_ARGUMENT_BYTES // 8 + 1000}))\n"
            "    except Exception as exc:\n"
            "        return [type(exc).__name__, str(exc)]\n"
            "def fair(g):\n"
            "    return g(np.ones(1000))\n")
    with sandbox(code, slot) as sb:
        refused, _ = sb.call("attack", (lambda x: float(np.sum(x)),), {})
        fair, _ = sb.call("fair", (lambda x: float(np.sum(x)),), {})
    assert refused == ["ValueError", "the function given to your code raised ValueError for these arguments"]
    assert fair == 1000.0


def chaff_stride_ignored(x, w, stride=1):
    """A grader's function whose name must not reach the child."""
    if len(x) > 1000:
        raise KeyError("chaff_stride_ignored: input too long")
    return np.asarray(x)[:: len(w)]


def test_callback_errors_reach_the_child_without_the_implementations_identity(slot):
    code = ("def probe(g):\n"
            "    said = []\n"
            "    for args in ((np.ones(3),), (np.ones(2000), np.ones(2)), (np.ones(3), np.ones(1), 1, 2)):\n"
            "        try:\n"
            "            g(*args)\n"
            "        except Exception as exc:\n"
            "            said.append([type(exc).__name__, str(exc), repr(exc.args)])\n"
            "    return said\n")
    with sandbox(code, slot) as sb:
        said, _ = sb.call("probe", (chaff_stride_ignored,), {})
    assert [s[0] for s in said] == ["TypeError", "KeyError", "TypeError"]
    assert not any("chaff" in text or "stride" in text for s in said for text in s), said


# --- a batch: the stalling notebook costs its own row, and rows reach disk as they are graded -----------------------

def test_a_stalling_notebook_costs_one_timeout_row_and_the_batch_finishes(tmp_path):
    from fast import FAST
    from gradebook import by_student

    from autograder import assignment as layout
    from autograder.batch import grade_class
    from course.examples import materialise

    a1 = layout.get("a1_convolution")
    submitted, out = tmp_path / "submitted", tmp_path / "autograded"
    materialise(a1, submitted)
    kept = ("perfect", "hostile_stall_replies")
    for folder in submitted.iterdir():
        if folder.name not in kept:
            shutil.rmtree(folder)
    done = in_thread(lambda: grade_class(a1, submitted, out, workers=2, progress=False, limits=FAST, first_slot=56))
    assert done and not isinstance(done[0], BaseException), done or "the batch is stalled"
    rows = by_student(out)
    assert sorted(rows) == sorted(kept)
    assert rows["hostile_stall_replies"]["status"] == "timeout" and rows["hostile_stall_replies"]["score"] == "0"
    assert rows["perfect"]["status"] == "ok" and float(rows["perfect"]["score"]) == a1.max_score


def test_an_interrupted_batch_keeps_every_row_graded_so_far(tmp_path, monkeypatch):
    from gradebook import by_student

    from autograder import assignment as layout
    from autograder import batch
    from autograder.grading import error_result

    a1 = layout.get("a1_convolution")
    submitted, out = tmp_path / "submitted", tmp_path / "autograded"
    for student in ("ann", "bob", "cyd"):
        (submitted / student / a1.id).mkdir(parents=True)

    def two_then_interrupted(assignment, todo, *args):
        for job in todo[:2]:
            yield job, error_result(job.student, assignment, "graded before the interruption")
        raise KeyboardInterrupt  # the TA's Ctrl-C, or the machine going down

    monkeypatch.setattr(batch, "_grade_here", two_then_interrupted)
    with pytest.raises(KeyboardInterrupt):
        batch.grade_class(a1, submitted, out, progress=False)
    rows = by_student(out)
    assert sorted(rows) == ["ann", "bob"]
    assert all(r["reason"] == "graded before the interruption" for r in rows.values())
