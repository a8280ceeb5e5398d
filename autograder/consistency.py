"""The rules that make an assignment gradable, checked whenever it is built, tried or graded.

Across its settings, source notebook and hidden suite (the course tooling adds the authoring file and the mutant
catalogue, which the grader never reads):
- assignment.json follows its schema (`autograder.settings`); a `forbidden` key is `*` or a solution cell;
- grade_ids are unique; the check cells' points add up to 100 (written answers come on top);
- every `test_*` of the suite has one `@grade(points=…, part="…", hint=…)`, points and part literal, is not
  parametrized (its points count once), names a part that has a check cell, and has a hint (a string, or a name
  of the module: a hint written only as "" or left out is refused);
- the suite's points of each part add up to its check cell's points.
Each problem names a file and a line (`assignment.Problem`), like nbgrader's cell-metadata check and Otter's
resolution of a question's points, which refuse a notebook rather than grade it wrongly.
"""

from __future__ import annotations

import ast
import difflib
from collections import Counter
from dataclasses import dataclass

from autograder.assignment import Assignment, Cell, ConsistencyError, LayoutError, Problem, notebook_cells
from autograder.settings import key_line

TOTAL = 100.0  # the auto-graded points of an assignment


@dataclass(frozen=True)
class SuiteTest:
    """A hidden test as its source declares it."""

    path: str
    line: int
    name: str
    points: float
    part: str


def problems(assignment: Assignment, notebook: str | None = None) -> list[Problem]:
    """Every broken rule of `assignment`; `notebook` is the source notebook's text when it is not yet on disk."""
    found: list[Problem] = []
    try:
        _ = assignment.settings
    except ConsistencyError as exc:
        found += exc.problems
    try:
        text = notebook if notebook is not None else assignment.source_notebook.read_text(encoding="utf-8")
    except OSError:
        return [*found, Problem(assignment.relative(assignment.source_notebook), None,
                                "no source notebook (run `make notebooks`)")]
    cells = notebook_cells(text)
    where = assignment.relative(assignment.source_notebook)
    found += _settings_names(assignment, cells)
    if not found and notebook is None:
        found += _call_graph(assignment)
    found += _cells(where, cells)
    tests, bad = suite_tests(assignment)
    found += bad + _suite(assignment, where, cells, tests)
    return found


def check(assignment: Assignment, notebook: str | None = None) -> None:
    """Raise ConsistencyError naming every broken rule."""
    found = problems(assignment, notebook)
    if found:
        raise ConsistencyError(found)


def _settings_names(assignment: Assignment, cells: tuple[Cell, ...]) -> list[Problem]:
    try:
        declared = assignment.settings.forbidden
    except LayoutError:
        return []  # reported with the schema's problems
    solutions = {c.grade_id for c in cells if c.role == "solution"}
    text = assignment.settings_file.read_text(encoding="utf-8") if declared else ""
    return [Problem(assignment.relative(assignment.settings_file), key_line(text, ("forbidden", key)),
                    f"forbidden: {key!r} is no solution cell{_known(key, solutions)}")
            for key in declared if key != "*" and key not in solutions]


def _call_graph(assignment: Assignment) -> list[Problem]:
    """`calls` and `depends` agree with the reference: a graded function's calls of others are declared."""
    try:
        _ = assignment.calls, assignment.depends
    except LayoutError as exc:
        text = assignment.settings_file.read_text(encoding="utf-8") if assignment.settings_file.exists() else ""
        key = "depends" if ": depends:" in str(exc) else "calls"
        return [Problem(assignment.relative(assignment.settings_file), key_line(text, (key,)) if text else None,
                        str(exc).split(": ", 2)[-1])]
    return []


def _cells(where: str, cells: tuple[Cell, ...]) -> list[Problem]:
    found = []
    seen: Counter[str] = Counter()
    for c in cells:
        if c.line is not None:
            seen[c.grade_id] += 1
            if seen[c.grade_id] == 2:
                found.append(Problem(where, c.line, f"duplicate grade_id {c.grade_id!r}", c.grade_id))
    checks = [c for c in cells if c.role == "check"]
    if not checks:
        return [*found, Problem(where, None, "no check cell: each auto-graded part needs one, with its points")]
    total = sum(c.points or 0.0 for c in checks)
    if abs(total - TOTAL) > 1e-9:
        each = ", ".join(f"{c.part} {c.points or 0:g}" for c in checks)
        found.append(Problem(where, checks[0].line, f"the check cells' points add up to {total:g}, not {TOTAL:g} "
                                                    f"({each})", checks[0].grade_id))
    return found


def suite_tests(assignment: Assignment) -> tuple[list[SuiteTest], list[Problem]]:
    """The tests of the hidden suite, read from its source (nothing is imported), and what is wrong with their
    declarations."""
    tests, found = [], []
    for path in sorted(assignment.suite.glob("test_*.py")):
        where = assignment.relative(path)
        try:
            tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
        except SyntaxError as exc:
            found.append(Problem(where, exc.lineno, f"not valid Python: {exc.msg}"))
            continue
        constants = _constants(tree)
        for node in _test_functions(tree):
            test, problem = _declared(where, node, constants)
            tests += [test] if test else []
            found += [problem] if problem else []
    return tests, found


def _test_functions(tree: ast.Module):
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.name.startswith("test"):
            yield node
        elif isinstance(node, ast.ClassDef) and node.name.startswith("Test"):
            yield from (n for n in node.body
                        if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef)) and n.name.startswith("test"))


def _declared(where: str, node: ast.FunctionDef, constants: dict[str, object]) -> tuple[SuiteTest | None,
                                                                                    Problem | None]:
    grades = [d for d in node.decorator_list if isinstance(d, ast.Call) and _name(d.func) == "grade"]
    if any(_name(d.func if isinstance(d, ast.Call) else d) == "parametrize" for d in node.decorator_list):
        return None, Problem(where, node.lineno, f"{node.name} is parametrized: give each case a test of its own "
                                                 "(a test's points count once)")
    if len(grades) != 1:
        return None, Problem(where, node.lineno, f"{node.name} needs one @grade(points=…, part=\"…\", hint=\"…\")")
    mark = grades[0]
    given = {**dict(zip(("points", "part", "hint"), mark.args, strict=False)),
             **{k.arg: k.value for k in mark.keywords if k.arg}}
    try:
        points, part = (ast.literal_eval(given[k]) if k in given else None for k in ("points", "part"))
    except ValueError:
        return None, Problem(where, mark.lineno, f"{node.name}: write @grade's points and part as literals "
                                                 "(the kit checks them without running the suite)")
    if isinstance(points, bool) or not isinstance(points, (int, float)) or points <= 0 or not isinstance(part, str):
        return None, Problem(where, mark.lineno, f"{node.name}: @grade needs points > 0 and a part name")
    hint = given.get("hint")
    if isinstance(hint, ast.Name):  # a hint shared by several tests: a constant of the module
        hint = constants.get(hint.id, hint)
    elif isinstance(hint, ast.Constant):
        hint = hint.value
    test = SuiteTest(where, mark.lineno, node.name, float(points), part)
    if hint is None or (isinstance(hint, str) and not hint.strip()):
        return test, Problem(where, mark.lineno, f"{node.name} has no hint: name the likely bug "
                                                 "(\"Possible reason: kernel not flipped?\"), never the answer")
    return test, None


def _constants(tree: ast.Module) -> dict[str, object]:
    """The module's names bound to a literal (NAME = "..."; the last binding of each)."""
    found = {}
    for node in tree.body:
        if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
            try:
                found[node.targets[0].id] = ast.literal_eval(node.value)
            except ValueError:
                found.pop(node.targets[0].id, None)
    return found


def _name(node: ast.expr) -> str:
    return node.id if isinstance(node, ast.Name) else node.attr if isinstance(node, ast.Attribute) else ""


def _suite(assignment: Assignment, where: str, cells: tuple[Cell, ...], tests: list[SuiteTest]) -> list[Problem]:
    parts = {c.part: c for c in cells if c.role == "check"}
    found = [Problem(t.path, t.line, f"{t.name}: no check cell for part {t.part!r}{_known(t.part, parts)}")
             for t in tests if t.part not in parts]
    if not tests and not found:
        found.append(Problem(assignment.relative(assignment.suite), None, "the hidden suite has no test"))
    for part, cell in parts.items():
        own = [t for t in tests if t.part == part]
        total = sum(t.points for t in own)
        if abs(total - (cell.points or 0.0)) > 1e-9:
            each = ", ".join(f"{t.path}:{t.line} {t.points:g}" for t in own) or "no test"
            said = f"part {part!r} is worth {cell.points or 0:g} points in its check cell, its hidden tests add up to"
            found.append(Problem(where, cell.line, f"{said} {total:g} ({each})", cell.grade_id))
    return found


def _known(name: str, names) -> str:
    close = difflib.get_close_matches(name, list(names), n=1)
    return f" (did you mean {close[0]!r}?)" if close else f" (known: {', '.join(sorted(names)) or 'none'})"

