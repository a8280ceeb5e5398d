"""Diagnosis against the mutant catalogue: which typical bug explains a failing submission.

The *pattern* of a catalogued mutant is the set of hidden tests it fails, found by grading it in-process (the kit's own
code: no sandbox needed) and cached in `.work/mutant_patterns/` under a hash of everything that could change it (the
suite, the reference, the catalogue, the notebooks, the grader), so a report over a whole class grades nothing.
A failing submission's failed tests are compared with each pattern by Jaccard similarity |A ∩ B| / |A ∪ B|: the best
match names the bug (all of them on a tie), a pair of bugs is tried when no single one matches exactly, and a best
score below THRESHOLD leaves the submission unexplained — a candidate for a new mutant. The released stubs get a
pattern too, so a submission that did (almost) nothing is said to be that, not a new kind of bug.
"""

from __future__ import annotations

import json
import multiprocessing as mp
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from itertools import combinations
from pathlib import Path

from autograder import assignment as layout
from autograder.assignment import Assignment
from autograder.config import ROOT
from autograder.files import files_sha256, write_atomic
from autograder.grading import Result, grade_answers

THRESHOLD = 0.5  # best Jaccard similarity below this: unexplained
PAIR_GAIN = 0.15  # two bugs are named only when their union matches this much better than the best single one
STUBS = "nothing done (the released stubs)"
CACHE = ROOT / ".work" / "mutant_patterns"


def failed_tests(tests: list[dict]) -> frozenset[str]:
    """Names of the tests that did not earn all their points."""
    return frozenset(t["name"] for t in tests if not (t["passed"] and t["score"] >= t["points"]))


def jaccard(a: frozenset[str], b: frozenset[str]) -> float:
    return len(a & b) / len(a | b) if a | b else 1.0


def fingerprint(a: Assignment) -> str:
    """A hash of every file the mutants' patterns depend on."""
    return files_sha256([*sorted(a.suite.glob("*")), *a.reference_files(), a.mutants, a.source_notebook,
                         a.release_notebook, *sorted((a.root / "autograder").glob("*.py")),
                         Path(__file__).parent / "mutation.py"], a.root)


def _grade_variant(root: str, assignment_id: str, index: int) -> list[str]:
    """Failed tests of catalogue entry `index` (-1: the stubs), graded in-process (a worker's job)."""
    from course.mutation import catalogue
    from course.release import stub_answers

    a = layout.get(assignment_id, Path(root))
    try:
        answers = stub_answers(a) if index < 0 else catalogue(a)[index].apply(a.reference_answers())
        return sorted(failed_tests(grade_answers(a, answers, sandbox=False).tests))
    except Exception:  # a stale catalogue entry: no pattern (never matched) rather than no report
        return []


@dataclass
class Patterns:
    mutants: dict[str, frozenset[str]]  # catalogue order
    stubs: frozenset[str]


def patterns(a: Assignment, workers: int = 2) -> Patterns:
    """The failed tests of every catalogued mutant of `a` and of its stubs: from the cache, or graded now."""
    from course.mutation import catalogue

    key = fingerprint(a)
    path = CACHE / f"{a.id}.json"
    try:
        data = json.loads(path.read_text())
        if data.get("key") == key:
            return Patterns({k: frozenset(v) for k, v in data["mutants"].items()}, frozenset(data["stubs"]))
    except (OSError, ValueError, KeyError, TypeError):
        pass
    names = [m.name for m in catalogue(a)]
    jobs = [-1, *range(len(names))]
    if workers > 1:
        with ProcessPoolExecutor(workers, mp_context=mp.get_context("forkserver")) as pool:
            found = list(pool.map(_grade_variant, [str(a.root)] * len(jobs), [a.id] * len(jobs), jobs))
    else:
        found = [_grade_variant(str(a.root), a.id, i) for i in jobs]
    stubs, mutants = found[0], dict(zip(names, found[1:], strict=True))
    write_atomic(path, json.dumps({"key": key, "assignment": a.id, "stubs": stubs, "mutants": mutants}, indent=1))
    return Patterns({k: frozenset(v) for k, v in mutants.items()}, frozenset(stubs))


@dataclass
class Diagnosis:
    student: str
    score: float
    failed: frozenset[str]
    verdict: str  # explained | unexplained | nothing done
    bugs: list[str] = field(default_factory=list)  # the best-matching catalogued bug(s); two names for a pair
    similarity: float = 0.0
    ties: list[str] = field(default_factory=list)  # other single bugs that match exactly as well

    @property
    def named(self) -> list[str]:
        return self.bugs + self.ties


def diagnose(result: Result, pats: Patterns, threshold: float = THRESHOLD) -> Diagnosis | None:
    """The catalogued bug whose failed tests best match those of `result`; None when nothing failed or nothing ran."""
    failed = failed_tests(result.tests)
    if not failed or not result.tests:
        return None
    scores = {name: jaccard(failed, p) for name, p in pats.mutants.items() if p}
    best = max(scores.values(), default=0.0)
    singles = [name for name, s in scores.items() if s == best]
    stub = jaccard(failed, pats.stubs) if pats.stubs else 0.0
    if stub >= threshold and stub >= best:
        return Diagnosis(result.student, result.score, failed, "nothing done", [STUBS], stub)
    bugs, similarity, ties = singles[:1], best, singles[1:]
    if best < 1.0:
        near = [n for n, p in pats.mutants.items() if p and p & failed]
        duo, duo_score = None, best
        for x, y in combinations(near, 2):
            s = jaccard(failed, pats.mutants[x] | pats.mutants[y])
            if s > duo_score:
                duo, duo_score = [x, y], s
        if duo is not None and duo_score >= best + PAIR_GAIN:
            bugs, similarity, ties = duo, duo_score, []
    if similarity < threshold:
        return Diagnosis(result.student, result.score, failed, "unexplained", bugs, similarity, ties)
    return Diagnosis(result.student, result.score, failed, "explained", bugs, similarity, ties)


def explained_counts(diagnoses: list[Diagnosis], pats: Patterns) -> dict[str, int]:
    """How many submissions each catalogued bug explains (a tie or a pair counts for each bug named), in catalogue
    order."""
    counts = dict.fromkeys(pats.mutants, 0)
    for d in diagnoses:
        if d.verdict == "explained":
            for name in d.named:
                counts[name] += 1
    return counts
