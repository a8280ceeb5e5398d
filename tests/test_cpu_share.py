"""One notebook's busy processes cannot push a classmate graded at the same time past a limit."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from autograder.config import Limits
from autograder.sandbox import Sandbox, namespaces_available

HOSTILE = Path(__file__).resolve().parent.parent / "examples" / "hostile"
LIMITS = Limits(call_timeout=10, load_timeout=20, submission_timeout=180)
N = 3_000_000
CLASSMATE = (  # slow but correct: a plain Python loop
    "import time\n"
    f"def work(n={N}):\n"
    "    return sum(i * i % 7 for i in range(n))\n"
    "def cpu_of_work():\n"
    "    start = time.process_time()\n"
    "    work()\n"
    "    return time.process_time() - start\n"
)


@pytest.mark.skipif(not namespaces_available() and os.geteuid() != 0,
                    reason="the busy processes leave their process group: only namespaces or root end them all")
def test_thirty_busy_processes_do_not_make_a_slow_classmate_time_out(slot):
    with Sandbox([("cell", CLASSMATE)], slot=slot, limits=LIMITS) as classmate:
        cpu, _ = classmate.call("cpu_of_work", (), {})
        limit = max(3 * cpu, 1.0)  # three times what the work costs in the classmate's own CPU time
        with Sandbox([("cell", (HOSTILE / "busy_processes.py").read_text())], slot=slot, limits=LIMITS) as busy:
            busy.start()  # thirty processes spin from now until it is released
            value, _ = classmate.call("work", (), {}, timeout=limit)
    assert value == sum(i * i % 7 for i in range(N))
    assert classmate.incidents == []
