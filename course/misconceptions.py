"""Write `autograder/suites/<id>/misconceptions.json`: each catalogued mutant's pattern (its failed tests and their
causes) and the released stubs', as the sandboxed grader produces them — the data from which the grader names a
student's misconception (`autograder.misconceptions`) and the class report diagnoses (`course.diagnosis`).

`python -m course misconceptions [ID ...]` writes it; `make test` fails when it is stale (tests/test_suites.py compares
every mutant's and the stubs' sandboxed grading with it, and the list of bugs with the catalogue).
"""

from __future__ import annotations

import json
import multiprocessing as mp
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from autograder import assignment as layout
from autograder.assignment import Assignment
from autograder.files import write_atomic
from autograder.grading import grade_answers
from autograder.misconceptions import FILE, failures
from course.mutation import catalogue

FIRST_SLOT = 56  # sandbox uids of this command: SANDBOX_UID_BASE + 56, + 57, ...


def pattern(root: str, assignment_id: str, index: int, slot: int) -> dict[str, str]:
    """The pattern of catalogue entry `index` (-1: the released stubs), graded in the sandbox (a worker's job)."""
    from course.release import stub_answers

    a = layout.get(assignment_id, Path(root))
    answers = stub_answers(a) if index < 0 else catalogue(a)[index].apply(a.reference_answers())
    result = grade_answers(a, answers, slot=slot)
    if result.status != "ok":  # a lost process or a timeout is the machine's, not the bug's: no pattern from it
        raise RuntimeError(f"{assignment_id} entry {index}: {result.status}: {result.reason}")
    return failures(result.tests)


def text(a: Assignment, stubs: dict[str, str], patterns: list[dict[str, str]]) -> str:
    """The file's content: the stubs' pattern and every bug's, in catalogue order."""
    bugs = [{"bug": m.name, "part": m.cell, "fails": dict(sorted(p.items()))}
            for m, p in zip(catalogue(a), patterns, strict=True)]
    return json.dumps({"assignment": a.id, "stubs": dict(sorted(stubs.items())), "bugs": bugs}, indent=1) + "\n"


def write(a: Assignment, workers: int = 2) -> Path:
    """Grade the stubs and every mutant of `a` in the sandbox and write the assignment's misconceptions.json."""
    jobs = [-1, *range(len(catalogue(a)))]
    slots = [FIRST_SLOT + i % max(workers, 1) for i in range(len(jobs))]
    with ProcessPoolExecutor(max(workers, 1), mp_context=mp.get_context("forkserver")) as pool:
        found = list(pool.map(pattern, [str(a.root)] * len(jobs), [a.id] * len(jobs), jobs, slots))
    path = a.suite / FILE
    write_atomic(path, text(a, found[0], found[1:]), mode=0o644)
    return path
