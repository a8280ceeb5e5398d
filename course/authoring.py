"""Build the nbgrader source notebooks from `authoring/<id>.py` and `solutions/`.

An authoring file is a percent-format script. Each cell starts with a header line:

    # %% [markdown]               narrative (lines start with "# ")
    # %% given                    locked code the grader runs before the student's code (imports, helpers)
    # %% solution <grade_id>      the student's cell; graded by the hidden suite
    # %% check <part> points=<p>  visible checks, locked; carries the points of hidden-suite part <part>
    # %% demo                     locked code for figures and exploration; never run by the grader
    # %% answer <grade_id> points=<p>   a free-text answer graded by hand (markdown)

Inside code cells, directives pull function source from `solutions/` so that no body is written twice:

    #| solution solutions.<id>:conv1d   signature + docstring given, body is the solution region
    #| hidden solutions.<id>:_windows   the whole function is a solution region (private helper)
    #| source solutions.common:shift              the whole function is given code

`python -m course notebooks build` writes `assignments/<id>/<id>.ipynb`;
`python -m course notebooks check` fails when a committed notebook differs from what would be built.
"""

from __future__ import annotations

import ast
import importlib
import inspect
import re
import sys
import textwrap
from dataclasses import dataclass, field

import nbformat

from autograder import consistency
from autograder.assignment import CHECK_PREFIX, Assignment, ConsistencyError, Problem, notebook_cells
from autograder.files import write_atomic
from course.mutation import catalogue_problems

BEGIN, END = "### BEGIN SOLUTION", "### END SOLUTION"
_HEADER = re.compile(r"^# %%\s*(.*)$")
_DIRECTIVE = re.compile(r"^#\| (solution|hidden|source) ([\w.]+):(\w+)\s*$")
_DIRECTIVE_LIKE = re.compile(r"^#\|")


class AuthoringError(ValueError):
    """A mistake in an authoring file, at `line`."""

    def __init__(self, line: int, message: str):
        self.line = line
        super().__init__(message)


@dataclass
class Cell:
    kind: str  # markdown | given | solution | check | demo | answer
    name: str | None = None
    points: float | None = None
    lines: list[str] = field(default_factory=list)
    line: int = 0  # of its header in the authoring file

    @property
    def grade_id(self) -> str | None:
        """Its nbgrader grade_id in the source notebook (given and demo cells are numbered by the build)."""
        if self.kind == "check":
            return CHECK_PREFIX + str(self.name)
        return self.name if self.kind in {"solution", "answer"} else None


def parse(text: str) -> list[Cell]:
    """Split an authoring file into cells; AuthoringError names the line of a malformed header."""
    cells: list[Cell] = []
    for number, line in enumerate(text.splitlines(), 1):
        m = _HEADER.match(line)
        if m:
            cells.append(_parse_header(m.group(1), number))
        elif cells:
            cells[-1].lines.append(line)
        elif line.strip() and not line.startswith("#"):
            raise AuthoringError(number, f"code before the first '# %%' header: {line!r}")
    return cells


def _parse_header(spec: str, number: int) -> Cell:
    words = spec.split()
    if not words or words[0] == "[markdown]":
        return Cell("markdown", line=number)
    kind, rest = words[0], words[1:]
    if kind not in {"given", "solution", "check", "demo", "answer"}:
        raise AuthoringError(number, f"unknown cell kind {kind!r} in header '# %% {spec}'")
    cell = Cell(kind, line=number)
    for word in rest:
        if word.startswith("points="):
            try:
                cell.points = float(word.split("=", 1)[1])
            except ValueError:
                raise AuthoringError(number, f"points must be a number: {word!r}") from None
        elif cell.name is None:
            cell.name = word
        else:
            raise AuthoringError(number, f"unexpected word {word!r} in header '# %% {spec}'")
    if kind in {"solution", "check", "answer"} and not cell.name:
        raise AuthoringError(number, f"'{kind}' cell needs a name: '# %% {spec}'")
    if kind in {"check", "answer"} and cell.points is None:
        raise AuthoringError(number, f"'{kind} {cell.name}' needs points=<p>")
    return cell


def function_source(module: str, name: str) -> str:
    """Source of a top-level function of a solutions module, dedented; LookupError saying which name is missing."""
    try:
        obj = getattr(importlib.import_module(module), name)
    except ModuleNotFoundError as exc:
        raise LookupError(f"no module {exc.name!r}") from None
    except AttributeError:
        raise LookupError(f"{module} has no function {name!r}") from None
    if not inspect.isfunction(obj):
        raise LookupError(f"{module}.{name} is not a function")
    return textwrap.dedent(inspect.getsource(obj)).rstrip("\n")


def with_solution_region(src: str) -> str:
    """Wrap the body of a function (after its docstring) in nbgrader solution markers."""
    fn = ast.parse(src).body[0]
    if not isinstance(fn, ast.FunctionDef):
        raise ValueError("expected a function definition")
    body = fn.body
    has_doc = isinstance(body[0], ast.Expr) and isinstance(getattr(body[0], "value", None), ast.Constant)
    first = body[1] if has_doc and len(body) > 1 else body[0]
    lines = src.splitlines()
    start = min([first.lineno] + [d.lineno for d in getattr(first, "decorator_list", [])]) - 1
    indent = re.match(r"\s*", lines[start]).group(0)
    return "\n".join(lines[:start] + [indent + BEGIN] + lines[start:] + [indent + END])


def expand(lines: list[str], first: int = 1) -> str:
    """A cell's code with its directives replaced by function sources; `first` is the number of its first line in the
    authoring file (AuthoringError names the line of a directive that cannot be followed)."""
    out: list[str] = []
    for number, line in enumerate(lines, first):
        m = _DIRECTIVE.match(line)
        if not m:
            if _DIRECTIVE_LIKE.match(line):
                raise AuthoringError(number, f"not a directive: {line!r} (expected '#| solution|hidden|source "
                                             "solutions.<module>:<function>')")
            out.append(line)
            continue
        how, module, name = m.groups()
        try:
            src = function_source(module, name)
        except LookupError as exc:
            raise AuthoringError(number, f"{line.strip()!r}: {exc.args[0]}") from None
        if how == "solution":
            src = with_solution_region(src)
        elif how == "hidden":
            src = f"{BEGIN}\n{src}\n{END}"
        if out and out[-1].strip():
            out.append("\n")  # two blank lines between functions, as in a module
        out.append(src + "\n")
    return re.sub(r"\n{4,}", "\n\n\n", "\n".join(out)).strip("\n")


def _markdown(lines: list[str]) -> str:
    return "\n".join(line[2:] if line.startswith("# ") else line.lstrip("#") for line in lines).strip("\n")


def _meta(grade_id: str, *, grade: bool, solution: bool, locked: bool, points: float | None = None) -> dict:
    meta = {"grade": grade, "grade_id": grade_id, "locked": locked, "schema_version": 3, "solution": solution}
    if points is not None:
        meta["points"] = points
    return meta


def check_banner(part: str, points: float) -> str:
    """The first line of a check cell: what its part is worth (from the header, the one place that says it)."""
    return f"# Part '{part}': {points:g} points, graded by hidden tests on many more inputs than the checks below."


def answer_banner(points: float) -> str:
    """The markdown cell before a written answer (the answer cell itself is replaced by nbgrader on release)."""
    return (f"**Written answer ({points:g} points, graded by hand).** Write it in the cell below: a few sentences "
            "that give the reason, in your own words.")


def build_notebook(text: str) -> nbformat.NotebookNode:
    """Turn an authoring file's text into an nbgrader source notebook."""
    nb = nbformat.v4.new_notebook()
    nb.metadata = {
        "kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"},
        "language_info": {"name": "python"},
    }
    seen: set[str] = set()
    counter = 0
    for cell in parse(text):
        counter += 1
        if cell.kind == "markdown":
            nb.cells.append(nbformat.v4.new_markdown_cell(_markdown(cell.lines)))
            continue
        if cell.kind == "answer":
            nb.cells.append(nbformat.v4.new_markdown_cell(answer_banner(cell.points)))
            new = nbformat.v4.new_markdown_cell(_markdown(cell.lines) or "YOUR ANSWER HERE")
            meta = _meta(cell.name, grade=True, solution=True, locked=False, points=cell.points)
        else:
            source = expand(cell.lines, cell.line + 1)
            if cell.kind == "check":
                source = check_banner(cell.name, cell.points) + "\n" + source
            new = nbformat.v4.new_code_cell(source)
            if cell.kind == "solution":
                meta = _meta(cell.name, grade=False, solution=True, locked=False)
            elif cell.kind == "check":
                meta = _meta(CHECK_PREFIX + cell.name, grade=True, solution=False, locked=True, points=cell.points)
            else:
                meta = _meta(f"{cell.kind}_{counter}", grade=False, solution=False, locked=True)
        if meta["grade_id"] in seen:
            raise AuthoringError(cell.line, f"duplicate grade_id {meta['grade_id']!r}")
        seen.add(meta["grade_id"])
        new.metadata = {"nbgrader": meta, "kit": {"role": cell.kind}}
        nb.cells.append(new)
    for i, c in enumerate(nb.cells):  # stable ids keep regeneration byte-identical
        c["id"] = f"cell-{i:03d}"
    nbformat.validate(nb)
    return nb


def render(assignment: Assignment) -> str:
    """The source notebook's text built from the authoring file; ConsistencyError names the line of a mistake."""
    if str(assignment.root) not in sys.path:
        sys.path.insert(0, str(assignment.root))  # directives import `solutions`
    try:
        return nbformat.writes(build_notebook(assignment.authoring.read_text())) + "\n"
    except AuthoringError as exc:
        raise ConsistencyError([Problem(assignment.relative(assignment.authoring), exc.line, str(exc))]) from None


def problems(assignment: Assignment, notebook: str) -> list[Problem]:
    """What is wrong with the assignment whose source notebook would be `notebook`: the grader's rules and the
    catalogue's, a problem of a notebook cell named at its header in the authoring file."""
    headers = {c.grade_id: c.line for c in parse(assignment.authoring.read_text()) if c.grade_id}
    found = [Problem(assignment.relative(assignment.authoring), headers[p.cell], p.message)
             if p.cell in headers else p for p in consistency.problems(assignment, notebook)]
    reference = {c.grade_id: c.source for c in notebook_cells(notebook) if c.role == "solution"}
    return found + catalogue_problems(assignment, reference)


def build(assignments: list[Assignment], check: bool = False) -> list[str]:
    """Write each source notebook that differs from its authoring file (or, with `check`, only list them). Nothing is
    written while an assignment breaks a rule: ConsistencyError names every problem."""
    texts, found = {}, []
    for a in assignments:
        try:
            texts[a] = render(a)
        except ConsistencyError as exc:
            found += exc.problems
            continue
        found += problems(a, texts[a])
    if found:
        raise ConsistencyError(found)
    drift = []
    for a, text in texts.items():
        path = a.source_notebook
        if path.exists() and path.read_text() == text:
            continue
        drift.append(str(path.relative_to(a.root)))
        if not check:
            write_atomic(path, text, mode=0o644)
    return drift
