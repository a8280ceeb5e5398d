"""One notebook's busy processes cannot push a classmate graded at the same time past a limit."""

from __future__ import annotations

import os

import pytest
from test_stall import run_script

from autograder.sandbox import namespaces_available

N = 3_000_000
CLASSMATE = f"""
import time
def work(n={N}):
    return sum(i * i % 7 for i in range(n))  # slow but correct: a plain Python loop
def cpu_of_work():
    start = time.process_time()
    work()
    return time.process_time() - start
"""
SCENARIO = f"""
import json, sys
from pathlib import Path
from autograder.config import Limits
from autograder.sandbox import Sandbox
slot, limits = int(sys.argv[1]), Limits(call_timeout=10, load_timeout=20, submission_timeout=180)
with Sandbox([("cell", {CLASSMATE!r})], slot=slot, limits=limits) as classmate:
    cpu, _ = classmate.call("cpu_of_work", (), {{}})
    busy_code = Path("examples/hostile/busy_processes.py").read_text()
    with Sandbox([("cell", busy_code)], slot=slot, limits=limits) as busy:
        busy.start()  # thirty processes spin from now until it is released
        try:  # within three times what the work costs in the classmate's own CPU time
            value = classmate.call("work", (), {{}}, timeout=max(3 * cpu, 1.0))[0]
        except Exception as exc:
            value = f"{{type(exc).__name__}}: {{exc}}"
print(json.dumps({{"value": value, "incidents": classmate.incidents}}))
"""  # run as a script: as root here, as an ordinary user in tests/test_unprivileged.py


def check_classmate(result: dict) -> None:
    assert result == {"value": sum(i * i % 7 for i in range(N)), "incidents": []}


@pytest.mark.skipif(not namespaces_available() and os.geteuid() != 0,
                    reason="the busy processes leave their process group: only namespaces or root end them all")
def test_thirty_busy_processes_do_not_make_a_slow_classmate_time_out(slot):
    check_classmate(run_script(SCENARIO, slot))
