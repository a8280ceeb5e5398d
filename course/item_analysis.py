"""Item analysis of a hidden suite, as assessment tools report it: for each test and each part, over the students who
attempted that part, its difficulty (the share who earned it in full, or the mean fraction of the part's points) and
its discrimination — the point-biserial correlation with the rest of the score, and the difference between the upper
and lower 27 % groups (Kelley's). A test everyone passes or everyone fails tells nothing; one that discriminates
negatively is failed more by the stronger students: both go on the instructor's list of tests to fix."""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field

from autograder.grading import Result
from course.attempts import attempted_parts

MIN_ATTEMPTS = 5  # fewer students than this: no verdict on the item
GROUP = 0.27  # the upper and lower groups: this share of the students each

EVERYONE_PASSES = "everyone passes: it tells no student apart"
EVERYONE_FAILS = "everyone fails: check the test or the notebook's instructions"
NEGATIVE = "discriminates negatively: stronger students fail it more"


@dataclass
class Item:
    name: str  # a test's name, or a part's
    part: str
    points: float
    attempted: int  # students who attempted the part
    difficulty: float | None  # share passing (a part: mean fraction of its points)
    discrimination: float | None  # point-biserial correlation with the rest of the score
    upper_lower: float | None  # difficulty in the upper 27 % minus in the lower 27 % (by the rest of the score)
    flags: list[str] = field(default_factory=list)

    def to_json(self) -> dict:
        return asdict(self)


def correlation(xs: list[float], ys: list[float]) -> float | None:
    """Pearson's r (point-biserial when `xs` is 0/1); None when either side does not vary."""
    n = len(xs)
    if n < 2:
        return None
    mx, my = sum(xs) / n, sum(ys) / n
    sxy = sum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True))
    sxx, syy = sum((x - mx) ** 2 for x in xs), sum((y - my) ** 2 for y in ys)
    if sxx <= 1e-12 or syy <= 1e-12:
        return None
    return sxy / math.sqrt(sxx * syy)


def upper_lower(values: list[float], rest: list[float], names: list[str]) -> float | None:
    """Mean of `values` in the upper group minus in the lower group, ranked by `rest` (ties by name)."""
    k = math.ceil(GROUP * len(values))
    if len(values) < MIN_ATTEMPTS or 2 * k > len(values):
        return None
    order = sorted(range(len(values)), key=lambda i: (rest[i], names[i]))
    lower, upper = order[:k], order[-k:]
    return sum(values[i] for i in upper) / k - sum(values[i] for i in lower) / k


def _item(name: str, part: str, points: float, rows: list[tuple[str, float, float]]) -> Item:
    """`rows`: (student, the item's value in [0, 1], the rest of the student's score)."""
    names, values, rest = [r[0] for r in rows], [r[1] for r in rows], [r[2] for r in rows]
    n = len(rows)
    difficulty = sum(values) / n if n else None
    item = Item(name, part, points, n, difficulty, correlation(values, rest), upper_lower(values, rest, names))
    if n >= MIN_ATTEMPTS and difficulty is not None:
        if difficulty == 1:
            item.flags.append(EVERYONE_PASSES)
        elif difficulty == 0:
            item.flags.append(EVERYONE_FAILS)
        elif item.discrimination is not None and item.discrimination < 0:
            item.flags.append(NEGATIVE)
    return item


def analyse(results: list[Result], parts: dict[str, float]) -> tuple[list[Item], list[Item]]:
    """The items of every test and of every part (`parts`: part -> points), in the suite's order."""
    tests: dict[str, list[tuple[str, float, float]]] = {}
    meta: dict[str, tuple[str, float]] = {}
    by_part: dict[str, list[tuple[str, float, float]]] = {p: [] for p in parts}
    for r in results:
        tried = attempted_parts(r)
        for t in r.tests:
            meta.setdefault(t["name"], (t["part"], t["points"]))
            if t["part"] in tried:
                earned = t["passed"] and t["score"] >= t["points"]
                tests.setdefault(t["name"], []).append((r.student, float(earned), r.score - t["score"]))
        for part in tried & by_part.keys():
            got, points = r.parts.get(part, [0.0, parts[part]])
            by_part[part].append((r.student, got / points if points else 0.0, r.score - got))
    test_items = [_item(name, *meta[name], tests.get(name, [])) for name in meta]
    part_items = [_item(part, part, parts[part], by_part[part]) for part in parts]
    return test_items, part_items
