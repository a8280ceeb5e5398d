"""What an assignment is: its files, its cells and their roles and points, its suite, its limits.

This is the only module that knows the layout of the kit and nbgrader's cell metadata. An assignment `<id>` is found
from its files; adding one means adding them, never editing a list:

| piece | path |
|---|---|
| hidden suite (what makes it an assignment) | `autograder/suites/<id>/test_*.py` |
| settings | `autograder/suites/<id>/assignment.json`, optional (its keys: `autograder.settings`) |
| reference | `solutions/<id>.py` |
| notebook source | `authoring/<id>.py` → source notebook `assignments/<id>/<id>.ipynb` |
| student notebook | `release/<id>/<id>.ipynb` |
| mutant catalogue | `tests/mutants/<id>.py` (course tooling reads it; the grader never does) |

Cell roles (metadata `kit.role` of the source notebook, set by the course's authoring tool): `given` code the grader
runs before the student's, `solution` cells the student writes (nbgrader `grade_id`), `check` cells carrying the points
of a hidden-suite part (`check_<part>`), `answer` cells graded by hand, `demo` and markdown cells.
"""

from __future__ import annotations

import ast
import dataclasses
import json
import re
import symtable
from dataclasses import dataclass, field
from functools import cache, cached_property
from pathlib import Path

from autograder.config import LIMITS, NO_PRELOAD, ROOT, Limits, Preload
from autograder.settings import Settings, SettingsError
from autograder.settings import parse as parse_settings

CHECK_PREFIX = "check_"


class LayoutError(Exception):
    """An assignment's files are missing or inconsistent; the message says which."""


@dataclass(frozen=True)
class Problem:
    """One inconsistency of an assignment: the file (relative to the layout's root), its line where known, and what
    is wrong; `cell` is the grade_id of the source-notebook cell it concerns (the authoring tool names its line)."""

    path: str
    line: int | None
    message: str
    cell: str | None = None

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.message}" if self.line else f"{self.path}: {self.message}"


class ConsistencyError(LayoutError):
    """The assignment breaks the rules of the layout; `problems` says where and how."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__("\n".join(map(str, problems)))


@dataclass(frozen=True)
class Cell:
    grade_id: str
    role: str  # given | solution | check | answer | demo | markdown
    source: str
    points: float | None = None  # check and answer cells
    cell_type: str = "code"
    line: int | None = field(default=None, compare=False)  # of its grade_id in the notebook file (for messages)

    @property
    def part(self) -> str:
        """The hidden-suite part a check cell carries the points of."""
        return self.grade_id.removeprefix(CHECK_PREFIX)


def nbgrader_meta(cell) -> dict:
    """nbgrader's metadata of a notebook cell (a dict, also for a tampered cell)."""
    meta = cell.get("metadata") if isinstance(cell.get("metadata"), dict) else {}
    nbg = meta.get("nbgrader")
    return nbg if isinstance(nbg, dict) else {}


def kit_role(cell) -> str | None:
    meta = cell.get("metadata") if isinstance(cell.get("metadata"), dict) else {}
    kit = meta.get("kit")
    return kit.get("role") if isinstance(kit, dict) else None


_GRADE_ID = re.compile(r'"grade_id":\s*"((?:[^"\\]|\\.)*)"')


def notebook_cells(text: str) -> tuple[Cell, ...]:
    """Every cell of the source notebook `text` with its role, in order."""
    # plain JSON: the source notebook is the kit's own (nbformat 4), and importing nbformat costs every grading
    # process seconds (jsonschema's format checkers)
    raw = json.loads(text)
    lines = iter([text.count("\n", 0, m.start()) + 1 for m in _GRADE_ID.finditer(text)])
    cells = []
    for i, cell in enumerate(raw["cells"]):
        meta = nbgrader_meta(cell)
        role = kit_role(cell) or ("markdown" if cell["cell_type"] == "markdown" else "demo")
        points = float(meta["points"]) if "points" in meta else None
        source = "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]
        line = next(lines, None) if "grade_id" in meta else None
        cells.append(Cell(meta.get("grade_id", f"cell_{i}"), role, source, points, cell["cell_type"], line))
    return tuple(cells)


@dataclass(frozen=True)
class Assignment:
    id: str
    root: Path = ROOT

    def relative(self, path: Path) -> str:
        """`path` as named in messages: relative to the layout's root."""
        return str(path.relative_to(self.root)) if path.is_relative_to(self.root) else str(path)

    # -- files --------------------------------------------------------------------------------------------------
    @property
    def suite(self) -> Path:
        return self.root / "autograder" / "suites" / self.id

    @property
    def settings_file(self) -> Path:
        return self.suite / "assignment.json"

    @property
    def reference(self) -> Path:
        return self.root / "solutions" / f"{self.id}.py"

    @property
    def authoring(self) -> Path:
        return self.root / "authoring" / f"{self.id}.py"

    @property
    def source_notebook(self) -> Path:
        return self.root / "assignments" / self.id / f"{self.id}.ipynb"

    @property
    def release_dir(self) -> Path:
        return self.root / "release" / self.id

    @property
    def release_notebook(self) -> Path:
        return self.release_dir / f"{self.id}.ipynb"

    @property
    def mutants(self) -> Path:
        return self.root / "tests" / "mutants" / f"{self.id}.py"

    def reference_files(self) -> list[Path]:
        """The reference module and every `solutions` module it imports (what a remote grader must carry)."""
        seen: dict[Path, None] = {}
        todo = [self.reference, *sorted(self.suite.glob("*.py"))]
        while todo:
            path = todo.pop()
            if not path.exists():
                continue
            if path.parent == self.root / "solutions":
                if path in seen:
                    continue
                seen[path] = None
            for node in ast.walk(ast.parse(path.read_text())):
                names = [a.name for a in node.names] if isinstance(node, ast.Import) else (
                    [node.module or ""] if isinstance(node, ast.ImportFrom) else [])
                for name in names:
                    if name.startswith("solutions."):
                        todo.append(self.root / "solutions" / f"{name.split('.')[1]}.py")
        return sorted(seen)

    # -- settings -----------------------------------------------------------------------------------------------
    @cached_property
    def settings(self) -> Settings:
        """What assignment.json declares (`autograder.settings`: the schema); all defaults when there is none."""
        if not self.settings_file.exists():
            return Settings()
        try:
            return parse_settings(self.settings_file.read_text(encoding="utf-8"))
        except SettingsError as exc:
            raise ConsistencyError([Problem(self.relative(self.settings_file), line, message)
                                    for line, message in exc.problems]) from None

    @cached_property
    def limits(self) -> Limits:
        """The grader's limits, with this assignment's own values where it declares them."""
        own = self.settings.limits
        return dataclasses.replace(LIMITS, **own.model_dump(exclude_none=True)) if own else LIMITS

    @property
    def needs(self) -> list[str]:
        """Distributions (pinned in pyproject.toml) that this assignment's submissions import beyond the grader's."""
        return list(self.settings.needs)

    @cached_property
    def preload(self) -> Preload:
        """What this assignment's sandboxed children find already imported, and the environment those imports read
        (their fork server imports them once; `autograder.sandbox`). None declared: numpy alone."""
        declared = self.settings.preload
        if declared is None:
            return NO_PRELOAD
        return Preload(tuple(dict.fromkeys(declared.modules)), tuple(sorted(declared.env.items())))

    @property
    def reveals(self) -> dict[str, list[str]]:
        """What this assignment's released notebook shows of earlier assignments: id -> function names."""
        return {k: list(v) for k, v in self.settings.reveals.items()}

    @property
    def forbidden(self) -> dict[str, list[str]]:
        """Calls this assignment forbids in its solutions: solution cell -> dotted names ("numpy.convolve", or
        "scipy.*" for a package); a cell that uses one scores 0 for its part (`autograder.rules`). The key "*" stands
        for every solution cell but the student's own tests (`test_*`), which may use anything."""
        declared = self.settings.forbidden
        every = list(declared.get("*", []))
        found = {k: list(v) for k, v in declared.items() if k != "*"}
        for cell in self.solution_ids:
            if every and not cell.startswith("test_"):
                found[cell] = list(dict.fromkeys([*found.get(cell, []), *every]))
        return found

    # -- composite parts: each part graded on its own code ------------------------------------------------------
    @cached_property
    def graded_functions(self) -> dict[str, str]:
        """Every function the reference's solution cells define -> the grade_id of its cell."""
        return {f: c.grade_id for c in self.cells_of("solution") for f in global_names(c.source)}

    @cached_property
    def calls(self) -> dict[str, tuple[str, ...]]:
        """`"calls": {"cnn_loss": ["conv_backward", ...]}`: the graded functions a graded function calls (the
        reference's calls, and those a student's may make: A1's conv_forward may loop over corr2d). While a hidden
        test calls it, those are the reference's (`lower_parts`), so their bugs cost only their own parts. Checked
        against the reference cells: a call of one graded function by another is declared here, or in `depends` when
        the part is graded on the student's own function by design (a function taking functions, such as A2's
        equivariance_error, cannot be a callback: callbacks carry plain data)."""
        declared = self.settings.calls
        where = f"{self.settings_file}: calls"
        graded = self.graded_functions
        unknown = sorted(({*declared} | {n for v in declared.values() for n in v}) - set(graded))
        if unknown:
            raise LayoutError(f"{where}: {unknown} defined in no solution cell of {self.source_notebook.name}")
        looping = sorted(f for f, names in declared.items() if f in names)
        if looping:
            raise LayoutError(f"{where}: {looping} cannot be graded on their own reference")
        for f, names in self._reference_calls().items():
            by_design = self.depends.get(graded[f], ())
            missing = sorted(g for g in names - {f} - set(declared.get(f, ())) if graded[g] not in by_design)
            if missing:
                raise LayoutError(f"{where}: the reference's {f} (solution cell {graded[f]}) calls {missing}; declare "
                                  "them, so that their bugs do not cost its part")
        return {f: tuple(dict.fromkeys(names)) for f, names in declared.items() if names}

    def _reference_calls(self) -> dict[str, set[str]]:
        graded, found = set(self.graded_functions), {}
        for cell in self.cells_of("solution"):
            found |= {f: set(names) & graded for f, names in global_names(cell.source).items()}
        return found

    @cached_property
    def lower_parts(self) -> dict[str, tuple[str, ...]]:
        """Function a hidden test calls -> the graded functions that are the reference's during that call: those a
        graded function calls (`calls`); for a given function, those of the graded functions it calls (A6's given
        `keras_predict` builds the student's model with `build_keras_cnn`, whose conversions are the reference's)."""
        lower = dict(self.calls)
        for cell in self.cells_of("given"):
            try:
                functions = global_names(cell.source)
            except SyntaxError:  # given code with IPython magics: it calls no graded function
                continue
            for f, names in functions.items():
                if f not in self.graded_functions:
                    via = [g for n in sorted(names) for g in self.calls.get(n, ()) if g not in names]
                    if via:
                        lower[f] = tuple(dict.fromkeys(via))
        return lower

    @cached_property
    def depends(self) -> dict[str, tuple[str, ...]]:
        """`"depends": {"gabor": ["train_cnn"]}`: parts that grade what another solution cell's functions produce, by
        design (their notebook says so): a bug there may cost them too. Every other part is graded on its own code."""
        declared = self.settings.depends
        where = f"{self.settings_file}: depends"
        unknown = sorted((set(declared) - set(self.parts)) | ({n for v in declared.values() for n in v}
                                                                - set(self.solution_ids)))
        if unknown:
            raise LayoutError(f"{where}: {unknown} is no part or solution cell of {self.source_notebook.name}")
        return {part: tuple(cells) for part, cells in declared.items()}

    # -- cells --------------------------------------------------------------------------------------------------
    @cached_property
    def cells(self) -> tuple[Cell, ...]:
        """Every cell of the source notebook with its role, in order."""
        if not self.source_notebook.exists():
            raise LayoutError(f"no source notebook for assignment {self.id!r} ({self.source_notebook})")
        return notebook_cells(self.source_notebook.read_text(encoding="utf-8"))

    def cells_of(self, *roles: str) -> tuple[Cell, ...]:
        return tuple(c for c in self.cells if c.role in roles)

    @property
    def solution_ids(self) -> tuple[str, ...]:
        return tuple(c.grade_id for c in self.cells_of("solution"))

    def reference_answers(self) -> dict[str, str]:
        """grade_id -> reference code of every solution cell (the solution markers are comments)."""
        return {c.grade_id: c.source for c in self.cells_of("solution")}

    @cached_property
    def parts(self) -> dict[str, float]:
        """Points of each auto-graded part, from the check cells."""
        return {c.part: float(c.points or 0) for c in self.cells_of("check")}

    @property
    def max_score(self) -> float:
        return sum(self.parts.values())

    @property
    def ready(self) -> bool:
        """It can be graded: a hidden suite and a source notebook."""
        return self.suite.is_dir() and self.source_notebook.exists()


def global_names(source: str) -> dict[str, frozenset[str]]:
    """Each function `source` defines at its top level -> the global names it reads (nested scopes included)."""
    found = {}
    for table in symtable.symtable(source, "<cell>", "exec").get_children():
        if table.get_type() == "function":
            found[table.get_name()] = frozenset(_globals_of(table))
    return found


def _globals_of(table: symtable.SymbolTable) -> set[str]:
    names = {s.get_name() for s in table.get_symbols() if s.is_global()}
    for child in table.get_children():
        names |= _globals_of(child)
    return names


@cache
def find(root: Path = ROOT) -> tuple[Assignment, ...]:
    """Every assignment of the layout at `root`: each folder of hidden suites, sorted by id."""
    suites = root / "autograder" / "suites"
    if not suites.is_dir():
        return ()
    return tuple(Assignment(p.name, root) for p in sorted(suites.iterdir())
                 if p.is_dir() and not p.name.startswith(("_", ".")) and any(p.glob("test_*.py")))


def get(assignment_id: str, root: Path = ROOT) -> Assignment:
    """The assignment `assignment_id`; LayoutError when the layout has no such assignment."""
    for a in find(root):
        if a.id == assignment_id:
            return a
    known = ", ".join(a.id for a in find(root)) or "none"
    raise LayoutError(f"no assignment {assignment_id!r} (known: {known})")
