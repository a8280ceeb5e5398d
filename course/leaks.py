"""Leak check: nothing of the solutions, the hidden suites or the mutant catalogues may reach `release/`, and an
assignment shows another one's solution code only where its `reveals` (assignment.json) declares it."""

from __future__ import annotations

import ast
import json
import re
from pathlib import Path

from autograder import assignment as layout
from autograder.assignment import Assignment
from course.release import STUDENT_FILES

MIN_LINE = 24  # shorter lines ("return out", "x = x.copy()") are too common to mean anything
MIN_REVEAL = 3  # lines of one solution of another assignment that make a reveal (one line is a coincidence:
#                 `x = as_float64(x, "x", 4)`, `rng = np.random.default_rng(1)`)
_REGION = re.compile(r"### BEGIN SOLUTION\n(.*?)### END SOLUTION", re.S)


def _significant(lines) -> set[str]:
    return {line.strip() for line in lines if len(line.strip()) >= MIN_LINE and not line.strip().startswith("#")}


def public_lines(assignment: Assignment) -> set[str]:
    """Lines the source notebook shows students anyway: every cell with its solution regions taken out
    (A4's given forward layers are A1's and A3's reference code, on purpose: release A4 after those are due)."""
    return _significant("\n".join(_REGION.sub("", c.source + "\n") for c in assignment.cells
                                  if c.role != "answer").splitlines())


def secrets(assignment: Assignment) -> dict[str, str]:
    """Lines that must never be released with `assignment` -> where they come from: its solution regions and
    every hidden suite, less what its own public cells show anyway."""
    found: dict[str, str] = {}
    for gid, code in assignment.reference_answers().items():
        for region in _REGION.findall(code):
            found.update(dict.fromkeys(_significant(region.splitlines()), f"solution of {assignment.id}:{gid}"))
    for cell in assignment.cells_of("answer"):
        rubric = f"rubric of {assignment.id}:{cell.grade_id}"
        found.update(dict.fromkeys(_significant(cell.source.splitlines()), rubric))
    for path in sorted(assignment.suite.parent.glob("*/*.py")):
        where = f"hidden suite {path.parent.name}/{path.name}"
        found.update(dict.fromkeys(_significant(path.read_text().splitlines()), where))
    for line in public_lines(assignment):
        found.pop(line, None)
    found.update(dict.fromkeys(["### BEGIN SOLUTION", "### BEGIN HIDDEN TESTS", "import solutions",
                                "from solutions", "autograder.suites"], "marker"))
    return found


def _function_lines(assignment: Assignment, names: list[str]) -> tuple[set[str], list[str]]:
    """Significant lines of the named functions of `assignment`'s reference, and the names it has no function of."""
    tree = ast.parse(text := assignment.reference.read_text()) if assignment.reference.exists() else ast.Module([], [])
    found = {n.name: ast.get_source_segment(text, n) or "" for n in tree.body if isinstance(n, ast.FunctionDef)}
    lines = _significant("\n".join(found.get(name, "") for name in names).splitlines())
    return lines, [name for name in names if name not in found]


def undeclared_reveals(assignment: Assignment) -> tuple[dict[str, str], list[str]]:
    """Lines of the other assignments' solutions that `assignment`'s release must not show (all but those of the
    functions its `reveals` declares) -> where they come from; and the problems of the declaration itself."""
    others = {b.id: b for b in layout.find(assignment.root) if b.id != assignment.id and b.source_notebook.exists()}
    table: dict[str, str] = {}
    problems = [f"{assignment.settings_file}: reveals unknown assignment {bid!r}"
                for bid in assignment.reveals if bid not in others]
    for bid, b in others.items():
        declared, unknown = _function_lines(b, assignment.reveals.get(bid, []))
        problems += [f"{assignment.settings_file}: {bid} has no function {name!r} to reveal" for name in unknown]
        hint = f"declare it in autograder/suites/{assignment.id}/assignment.json \"reveals\""
        for gid, code in b.reference_answers().items():
            for region in _REGION.findall(code):
                for line in _significant(region.splitlines()) - declared:
                    table[line] = f"undeclared reveal of {bid}:{gid} ({hint})"
    return table, problems


def reveal_summary(assignment: Assignment) -> str:
    """What a release of `assignment` shows of other assignments, and so when to release it ("" when nothing)."""
    if not assignment.reveals:
        return ""
    shown = "; ".join(f"{bid}: {', '.join(names)}" for bid, names in assignment.reveals.items())
    earlier = [bid for bid in assignment.reveals if bid < assignment.id]  # ids are in course order
    later = [bid for bid in assignment.reveals if bid > assignment.id]
    said = [f"{assignment.id} reveals {shown}"]
    if earlier:
        said.append(f"release it after {' and '.join(earlier)} {'is' if len(earlier) == 1 else 'are'} due")
    if later:
        said.append(f"{' and '.join(later)} {'comes' if len(later) == 1 else 'come'} later: "
                    "its students will have seen this")
    return " — ".join(said)


def _lines(path: Path) -> set[str]:
    """The stripped lines of a released file; in a notebook, also those of each JSON string (decoded, not stripped of
    quotes and commas: a secret line ending in one was invisible)."""
    found = set()
    for raw in path.read_text(errors="replace").splitlines():
        found.add(line := raw.strip())
        if path.suffix == ".ipynb":
            try:
                decoded = json.loads(line.removesuffix(","))
            except ValueError:
                continue
            if isinstance(decoded, str):
                found.update(part.strip() for part in decoded.splitlines())
    return found


def _top_level_leaks(release: Path, known: set[str], table: dict[str, str]) -> list[str]:
    """release/ itself holds a folder per assignment (ids `known`) and the students' set-up files, which must hold
    no secret line (`table`, of every assignment)."""
    leaks = []
    for path in sorted(release.iterdir()):
        if path.is_dir():
            if path.name not in known:
                leaks.append(f"{path}: not the folder of an assignment")
        elif path.name not in STUDENT_FILES:
            leaks.append(f"{path}: only notebooks and {', '.join(STUDENT_FILES)} are released")
        else:
            leaks += [f"{path}: {table[line]}: {line[:80]}" for line in sorted(_lines(path) & set(table))]
    return leaks


def find_leaks(assignments: list[Assignment], release: Path | None = None) -> list[str]:
    """Every released file that contains a secret line of its assignment, and every file that is not a notebook
    or a student set-up file (`release`: another folder of released assignments, laid out as release/)."""
    leaks: list[str] = []
    tables = {a.id: secrets(a) for a in assignments}
    top = release if release is not None else assignments[0].release_dir.parent if assignments else None
    if top is not None and top.is_dir():
        leaks += _top_level_leaks(top, {a.id for a in layout.find(assignments[0].root)},
                                  {line: where for table in tables.values() for line, where in table.items()})
    for a in assignments:
        folder = a.release_dir if release is None else release / a.id
        if not folder.is_dir():
            continue
        reveals, problems = undeclared_reveals(a)
        leaks += problems
        table = tables[a.id]
        for path in sorted(p for p in folder.rglob("*") if p.is_file()):
            if path.suffix != ".ipynb":
                leaks.append(f"{path}: only notebooks are released")
            lines = _lines(path)
            for line in lines & set(table):
                leaks.append(f"{path}: {table[line]}: {line[:80]}")
            shown: dict[str, list[str]] = {}
            for line in lines & set(reveals):
                shown.setdefault(reveals[line], []).append(line)
            for where, found in sorted(shown.items()):
                if len(found) >= MIN_REVEAL:
                    leaks.append(f"{path}: {where}: {len(found)} lines, e.g. {sorted(found)[0][:80]}")
    return leaks
