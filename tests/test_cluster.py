"""A Dask LocalCluster grades the example class to the same gradebook as the local batch, even when a worker dies."""

from __future__ import annotations

import os
import shutil
import signal
import threading
from pathlib import Path

import distributed
import pytest
from fast import FAST
from gradebook import by_student

from autograder import assignment as layout
from autograder.batch import grade_class
from course.examples import materialise

ASSIGNMENT = layout.get("a3_pooling")
KEPT = {"perfect", "bug_1", "nothing_done", "corrupt_json", "syntax_error", "hostile_endless_loop",
        "hostile_exit_in_function", "hostile_forge_results_but_correct", "hostile_fork_bomb", "missing_submission"}
pytestmark = pytest.mark.xdist_group(name="batch")
VARYING = {"seconds"}  # the only column that may differ between two gradings of the same class


def rows(out: Path) -> dict[str, dict]:
    return {s: {k: v for k, v in r.items() if k not in VARYING} for s, r in by_student(out).items()}


@pytest.fixture(scope="module")
def example_class(tmp_path_factory):
    base = tmp_path_factory.mktemp("cluster")
    roster = [s for s in materialise(ASSIGNMENT, base / "submitted") if s.name in KEPT]
    for folder in (base / "submitted").iterdir():
        if folder.name not in KEPT:
            shutil.rmtree(folder)
    grade_class(ASSIGNMENT, base / "submitted", base / "local", workers=2, progress=False, limits=FAST, first_slot=56)
    return base, roster


@pytest.fixture(scope="module")
def cluster():
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None,
                                  worker_dashboard_address=None) as c:
        yield c


def test_a_cluster_grades_like_the_local_batch(example_class, cluster):
    base, roster = example_class
    grade_class(ASSIGNMENT, base / "submitted", base / "cluster", progress=False, limits=FAST,
                scheduler=cluster.scheduler_address)
    local, remote = rows(base / "local"), rows(base / "cluster")
    assert len(local) == len(roster) + 1  # and the missing submission
    assert remote == local


def test_a_worker_that_dies_costs_a_retry_not_a_row(example_class, cluster):
    base, _ = example_class
    client = distributed.Client(cluster.scheduler_address, set_as_default=False)
    pids = list(client.run(os.getpid).values())
    killer = threading.Timer(2.0, os.kill, (pids[0], signal.SIGKILL))  # mid-batch: the class takes far longer
    killer.start()
    try:
        grade_class(ASSIGNMENT, base / "submitted", base / "killed", progress=False, limits=FAST,
                    scheduler=cluster.scheduler_address)
        after = list(client.run(os.getpid).values())
    finally:
        killer.cancel()
        client.close()
    assert pids[0] not in after, "the worker was killed during the batch"
    assert rows(base / "killed") == rows(base / "local")
