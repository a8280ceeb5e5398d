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

from autograder.assignment import CHECK_PREFIX, Assignment
from autograder.files import write_atomic

BEGIN, END = "### BEGIN SOLUTION", "### END SOLUTION"
_HEADER = re.compile(r"^# %%\s*(.*)$")
_DIRECTIVE = re.compile(r"^#\| (solution|hidden|source) ([\w.]+):(\w+)\s*$")


@dataclass
class Cell:
    kind: str  # markdown | given | solution | check | demo | answer
    name: str | None = None
    points: float | None = None
    lines: list[str] = field(default_factory=list)


def parse(text: str) -> list[Cell]:
    """Split an authoring file into cells."""
    cells: list[Cell] = []
    for line in text.splitlines():
        m = _HEADER.match(line)
        if m:
            cells.append(_parse_header(m.group(1)))
        elif cells:
            cells[-1].lines.append(line)
        elif line.strip() and not line.startswith("#"):
            raise ValueError(f"code before the first '# %%' header: {line!r}")
    return cells


def _parse_header(spec: str) -> Cell:
    words = spec.split()
    if not words or words[0] == "[markdown]":
        return Cell("markdown")
    kind, rest = words[0], words[1:]
    if kind not in {"given", "solution", "check", "demo", "answer"}:
        raise ValueError(f"unknown cell kind {kind!r} in header '# %% {spec}'")
    cell = Cell(kind)
    for word in rest:
        if word.startswith("points="):
            cell.points = float(word.split("=", 1)[1])
        elif cell.name is None:
            cell.name = word
        else:
            raise ValueError(f"unexpected word {word!r} in header '# %% {spec}'")
    if kind in {"solution", "check", "answer"} and not cell.name:
        raise ValueError(f"'{kind}' cell needs a name: '# %% {spec}'")
    if kind in {"check", "answer"} and cell.points is None:
        raise ValueError(f"'{kind} {cell.name}' needs points=<p>")
    return cell


def function_source(module: str, name: str) -> str:
    """Source of a top-level function of a solutions module, dedented."""
    obj = getattr(importlib.import_module(module), name)
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


def expand(lines: list[str]) -> str:
    out: list[str] = []
    for line in lines:
        m = _DIRECTIVE.match(line)
        if not m:
            out.append(line)
            continue
        how, module, name = m.groups()
        src = function_source(module, name)
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
            source = expand(cell.lines)
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
            raise ValueError(f"duplicate grade_id {meta['grade_id']!r}")
        seen.add(meta["grade_id"])
        new.metadata = {"nbgrader": meta, "kit": {"role": cell.kind}}
        nb.cells.append(new)
    for i, c in enumerate(nb.cells):  # stable ids keep regeneration byte-identical
        c["id"] = f"cell-{i:03d}"
    nbformat.validate(nb)
    return nb


def render(assignment: Assignment) -> str:
    if str(assignment.root) not in sys.path:
        sys.path.insert(0, str(assignment.root))  # directives import `solutions`
    return nbformat.writes(build_notebook(assignment.authoring.read_text())) + "\n"


def build(assignments: list[Assignment], check: bool = False) -> list[str]:
    """Write each source notebook that differs from its authoring file (or, with `check`, only list them)."""
    drift = []
    for a in assignments:
        text, path = render(a), a.source_notebook
        if path.exists() and path.read_text() == text:
            continue
        drift.append(str(path.relative_to(a.root)))
        if not check:
            write_atomic(path, text, mode=0o644)
    return drift
