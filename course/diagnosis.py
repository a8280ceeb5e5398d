"""Diagnosis against the mutant catalogue: which typical bug explains a failing submission, and which failures no
bug explains because they are exceptions, timeouts, dead processes or stubs.

The *pattern* of a catalogued mutant maps each hidden test it fails to how it failed (`autograder.misconceptions.
signature`: "wrong values", "raised ValueError", ...), as the sandboxed grader produces it; the patterns, and the
released stubs', are read from `autograder/suites/<id>/misconceptions.json` (`python -m course misconceptions` writes
it, `make test` checks it), so a report over a whole class grades nothing. A failing submission's (test, cause) pairs
are compared with each pattern's by Jaccard similarity |A ∩ B| / |A ∪ B|: the best match names the bug (all of them on
a tie), a pair of bugs is tried when no single one matches exactly, and a best score below THRESHOLD leaves the
submission unexplained — a candidate for a new mutant. A failure by an exception, a timeout, a dead process or a stub
that no matched bug fails the same way is never explained by a logic bug: the verdict is that cause (the exception
types and tests named), and only the submission's other failures are matched. A submission that did (almost) nothing
matches the stubs' pattern and is said to be that.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from itertools import combinations

from autograder import misconceptions as mc
from autograder.assignment import Assignment
from autograder.grading import Result
from autograder.testing import CAUSES, NOT_IMPLEMENTED, PARTIAL, WRONG_SHAPE, WRONG_VALUES

THRESHOLD = 0.5  # best Jaccard similarity below this: unexplained
PAIR_GAIN = 0.15  # two bugs are named only when their union matches this much better than the best single one
STUBS = "nothing done (the released stubs)"
# what a logic bug does ("": a result recorded before causes were); every other cause is said as such
LOGIC = (WRONG_VALUES, WRONG_SHAPE, PARTIAL, "")

Pattern = frozenset[tuple[str, str]]  # (test name, signature) of every test below its full points


def failed_tests(tests: list[dict]) -> Pattern:
    """The (test name, how it failed) pairs of the tests that did not earn all their points."""
    return frozenset(mc.failures(tests).items())


def cause_of(signature: str) -> str:
    """The cause of a pattern's signature ("raised TypeError" -> "raised")."""
    return next((c for c in CAUSES if signature == c or signature.startswith(c + " ")), signature)


def jaccard(a: frozenset, b: frozenset) -> float:
    return len(a & b) / len(a | b) if a | b else 1.0


@dataclass
class Patterns:
    mutants: dict[str, Pattern]  # catalogue order
    stubs: Pattern


def patterns(a: Assignment) -> Patterns:
    """The patterns of every catalogued mutant of `a` and of its stubs, as the sandbox graded them."""
    data = mc.read(a)
    return Patterns({m.bug: frozenset(m.fails.items()) for m in mc.catalogue(a)},
                    frozenset(dict(data.get("stubs", {})).items()))


@dataclass
class Diagnosis:
    student: str
    score: float
    failed: Pattern
    verdict: str  # explained | unexplained | nothing done, or the cause no bug explains (raised, timed out, ...)
    bugs: list[str] = field(default_factory=list)  # the best-matching catalogued bug(s); two names for a pair
    similarity: float = 0.0
    ties: list[str] = field(default_factory=list)  # other single bugs that match exactly as well
    errors: dict[str, list[str]] = field(default_factory=dict)  # unexplained signature -> its tests

    @property
    def named(self) -> list[str]:
        return self.bugs + self.ties


def best_match(failed: Pattern, pats: Patterns) -> tuple[list[str], float, list[str]]:
    """(bug or pair of bugs, similarity, other single bugs as good) best matching the pairs `failed`."""
    scores = {name: jaccard(failed, p) for name, p in pats.mutants.items() if p}
    best = max(scores.values(), default=0.0)
    singles = [name for name, s in scores.items() if s == best]
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
    return bugs, similarity, ties


def diagnose(result: Result, pats: Patterns, threshold: float = THRESHOLD) -> Diagnosis | None:
    """The catalogued bug whose failures (tests and causes) best match those of `result`, or the cause no bug
    explains; None when nothing failed or nothing ran."""
    failed = failed_tests(result.tests)
    if not failed or not result.tests:
        return None
    bugs, similarity, ties = best_match(failed, pats)
    stub = jaccard(failed, pats.stubs) if pats.stubs else 0.0
    if all(cause_of(sig) == NOT_IMPLEMENTED for _, sig in failed) or (stub >= threshold and stub >= similarity):
        return Diagnosis(result.student, result.score, failed, "nothing done", [STUBS], stub)
    covered = frozenset().union(*(pats.mutants[b] for b in bugs + ties)) if similarity >= threshold else frozenset()
    unexplained = {(name, sig) for name, sig in failed - covered if cause_of(sig) not in LOGIC}
    if not unexplained:
        verdict = "explained" if similarity >= threshold else "unexplained"
        return Diagnosis(result.student, result.score, failed, verdict, bugs, similarity, ties)
    errors: dict[str, list[str]] = {}
    for name, sig in sorted(unexplained):
        errors.setdefault(sig, []).append(name)
    kinds = Counter(cause_of(sig) for _, sig in unexplained)
    verdict = max(kinds, key=lambda c: (kinds[c], -CAUSES.index(c) if c in CAUSES else -len(CAUSES)))  # most tests
    rest = failed - unexplained  # the other failures may still be a catalogued bug's
    bugs, similarity, ties = best_match(rest, pats) if rest else ([], 0.0, [])
    if similarity < threshold:
        bugs, ties = [], []
    return Diagnosis(result.student, result.score, failed, verdict, bugs, similarity, ties, errors)


def explained_counts(diagnoses: list[Diagnosis], pats: Patterns) -> dict[str, int]:
    """How many submissions each catalogued bug explains (a tie or a pair counts for each bug named), in catalogue
    order."""
    counts = dict.fromkeys(pats.mutants, 0)
    for d in diagnoses:
        if d.verdict == "explained":
            for name in d.named:
                counts[name] += 1
    return counts
