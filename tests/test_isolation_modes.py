"""The isolation mode never changes a score: each assignment's reference, and a few of its catalogue mutants (its
student-written tests' among them: they run in the child and import what numpy loads lazily), score the same in
every mode this machine offers, and the reference scores full marks in each.

As root (CI): namespaces with the sandbox's own uid, a user namespace (the fork server's unshare), bubblewrap, and
the fallback with the sandbox's own uid — which cannot read a Python installed under /root (mode 0700), so its child
imports through descriptors the fork server opened (`forkserver.reach_import_dirs`). As an ordinary user the same
comparison runs in `tests/test_unprivileged.py`.
"""

from __future__ import annotations

import os
import shutil

import pytest

from autograder import assignment as layout
from autograder.grading import grade_answers
from autograder.sandbox import sandbox_tool
from course.mutation import catalogue

pytestmark = pytest.mark.xdist_group(name="batch")
HEAVY = {"a6_frameworks"}  # 25-50 s a submission: its reference alone
ASSIGNMENTS = [a.id for a in layout.find() if a.ready]


def modes() -> list[str]:
    """KIT_ISOLATION values that give distinct confinements here."""
    found = ["fallback"]
    if os.geteuid() == 0:
        found.append("namespaces")  # the fork server's unshare as root, own uid
    found.append("unshare")  # a user namespace
    if shutil.which("bwrap"):
        found.append("bwrap")
    return found


def submissions(a: layout.Assignment) -> dict[str, dict[str, str]]:
    reference = a.reference_answers()
    chosen = {"reference": reference}
    if a.id in HEAVY:
        return chosen
    mutants = catalogue(a)
    picked = mutants[:1] + [m for m in mutants if m.cell.startswith("test_")][:2]
    for m in picked:
        chosen[m.name] = m.apply(reference)
    return chosen


@pytest.mark.parametrize("assignment_id", ASSIGNMENTS)
def test_every_isolation_mode_gives_the_same_scores(assignment_id, slot, monkeypatch):
    a = layout.get(assignment_id)
    scores: dict[str, dict[str, float]] = {}
    for mode in modes():
        monkeypatch.setenv("KIT_ISOLATION", mode)
        try:
            tool = sandbox_tool()
        except RuntimeError:  # this machine cannot give that mode (no user namespaces, bwrap refused)
            continue
        scores[f"{mode} ({tool or 'no namespaces'})"] = {
            name: grade_answers(a, answers, student=name[:40], slot=slot).score
            for name, answers in submissions(a).items()}
    assert len(scores) >= 2, f"only {list(scores)} could be compared here"
    for mode, got in scores.items():
        assert got["reference"] == a.max_score, f"{mode}: the reference scores {got['reference']}"
    first, *others = scores.items()
    assert all(got == first[1] for _, got in others), scores
