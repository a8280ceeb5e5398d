"""Misconceptions: a submission whose failures are exactly those of a catalogued student bug is told which bug.

The grader imports nothing of the course tooling, so the catalogue reaches it as data: `autograder/suites/<id>/
misconceptions.json`, written by `python -m course misconceptions` from `tests/mutants/<id>.py` by grading every mutant
(and the released stubs) in the sandbox, and checked by `make test` (tests/test_suites.py grades every mutant and
stub there anyway and fails when a recorded pattern differs). A *pattern* maps each test that lost points to its
cause (`signature`: "wrong values", "raised TypeError", ...): a match needs the same tests AND the same causes, so an
exception, a timeout or a stub is never named as a logic bug. The sentence shown names the part and the bug in the
catalogue's words, never a hidden input or value.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from autograder.assignment import Assignment
from autograder.testing import PARTIAL, RAISED

FILE = "misconceptions.json"


@dataclass(frozen=True)
class Misconception:
    bug: str  # the catalogue's name of the bug
    part: str  # the solution cell it is in
    fails: dict[str, str]  # its pattern: test name -> signature

    def says(self) -> str:
        return f"Your {self.part} behaves exactly like one with this typical bug: {self.bug}."


def signature(test: dict) -> str:
    """How a test that lost points failed: its cause, with the exception type when the student's code raised and the
    fraction earned for partial credit."""
    cause = test.get("cause", "")
    if cause == RAISED:
        return f"{cause} {test.get('error', '')}".strip()
    if cause == PARTIAL and test["points"]:
        return f"{cause} {test['score'] / test['points']:.3g}"
    return cause


def failures(tests: list[dict]) -> dict[str, str]:
    """The pattern of a graded submission: every test below its full points -> its signature."""
    return {t["name"]: signature(t) for t in tests if not (t["passed"] and t["score"] >= t["points"])}


def read(assignment: Assignment) -> dict:
    """The assignment's misconceptions.json ({"stubs": pattern, "bugs": [{"bug", "part", "fails"}]}); empty when it
    has none."""
    try:
        return json.loads((assignment.suite / FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


def catalogue(assignment: Assignment) -> list[Misconception]:
    return [Misconception(str(b["bug"]), str(b["part"]), dict(b["fails"])) for b in read(assignment).get("bugs", [])]


def named(tests: list[dict], known: list[Misconception]) -> Misconception | None:
    """The one catalogued bug whose pattern is exactly the submission's; None when nothing failed, or when no bug or
    several bugs fail exactly so (the failures then do not tell which)."""
    found = failures(tests)
    matches = [m for m in known if found and m.fails == found]
    return matches[0] if len(matches) == 1 else None
