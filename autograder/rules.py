"""Stated rules, enforced: calls an assignment forbids in its solution cells (`forbidden` in assignment.json).

Two checks, one rule:
- a static check of the submitted code (here, in the trusted parent): a cell that names a forbidden function —
  `np.convolve(...)`, `numpy.correlate`, `from numpy import convolve as c`, `getattr(np, "convolve")` — costs the
  points of its part, and the feedback names the call;
- a tripwire in the sandbox (`child.Tripwires`): while a function of such a cell runs, the forbidden
  functions raise `ForbiddenCall` naming themselves, so an indirect call (through a helper, an alias made at load
  time, or a numpy function built on them such as `np.polymul`) fails the tests it is used in.

Names are dotted module paths ("numpy.convolve"); the feedback shows them as the notebook does ("np.convolve"). A
name ending in ".*" ("scipy.*") forbids a whole package, for the static check only (the stated rule "use numpy only").
"""

from __future__ import annotations

import ast
from dataclasses import dataclass


@dataclass(frozen=True)
class Violation:
    cell: str  # the solution cell (its part)
    name: str  # the forbidden function, dotted ("numpy.convolve")
    line: int  # in the cell

    @property
    def shown(self) -> str:
        return display(self.name)

    def message(self) -> str:
        return (f"cell '{self.cell}' uses {self.shown} (line {self.line}), which this assignment forbids in its "
                f"solutions: part '{self.cell}' scores 0")


def display(name: str) -> str:
    name = name.removesuffix(".*")
    return "np." + name.removeprefix("numpy.") if name.startswith("numpy.") else name


def _aliases(trees: list[ast.AST]) -> dict[str, str]:
    """Local name -> dotted name it stands for, from the imports of `trees` (later ones win)."""
    aliases = {"np": "numpy"}
    for tree in trees:
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                for a in node.names:
                    if a.asname:
                        aliases[a.asname] = a.name
                    else:
                        top = a.name.split(".")[0]
                        aliases[top] = top
            elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                for a in node.names:
                    if a.name != "*":
                        aliases[a.asname or a.name] = f"{node.module}.{a.name}"
    return aliases


def _dotted(node: ast.AST, aliases: dict[str, str]) -> str | None:
    """The dotted name an expression refers to (`np.convolve`, `getattr(np, "convolve")`), or None."""
    if isinstance(node, ast.Name):
        return aliases.get(node.id)
    if isinstance(node, ast.Attribute):
        base = _dotted(node.value, aliases)
        return f"{base}.{node.attr}" if base else None
    if (isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "getattr"
            and len(node.args) >= 2 and isinstance(node.args[1], ast.Constant) and isinstance(node.args[1].value, str)):
        base = _dotted(node.args[0], aliases)
        return f"{base}.{node.args[1].value}" if base else None
    return None


def _matches(dotted: str, forbidden: list[str]) -> str | None:
    for name in forbidden:
        if name.endswith(".*"):
            if dotted == name[:-2] or dotted.startswith(name[:-1]):
                return name
            continue
        # numpy re-exports: numpy.convolve is also numpy._core.numeric.convolve, numpy.core.numeric.convolve, ...
        module, _, attr = name.rpartition(".")
        if dotted == name or (dotted.startswith(module + ".") and dotted.endswith("." + attr)):
            return name
    return None


def violations(forbidden: dict[str, list[str]], cells: list[tuple[str, str]]) -> list[Violation]:
    """Every use of a forbidden name in the cells `forbidden` names; `cells` is the program, (grade_id, code) in
    order (given cells too: their imports define aliases). A cell that does not parse is not judged here (it fails
    its tests anyway)."""
    trees: list[ast.AST] = []
    found: list[Violation] = []
    for cell, code in cells:
        try:
            tree = ast.parse(code)
        except SyntaxError:
            continue
        trees.append(tree)
        if cell not in forbidden:
            continue
        aliases = _aliases(trees)
        seen: set[str] = set()
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.module:
                dotted = [f"{node.module}.{a.name}" for a in node.names]
            elif isinstance(node, ast.Import):
                dotted = [a.name for a in node.names]
            else:
                dotted = [_dotted(node, aliases)] if isinstance(node, (ast.Attribute, ast.Name, ast.Call)) else []
            for d in filter(None, dotted):
                hit = _matches(d, forbidden[cell])
                if hit and hit not in seen:
                    seen.add(hit)
                    found.append(Violation(cell, hit, getattr(node, "lineno", 0)))
    return found


def tripwires(forbidden: dict[str, list[str]], cells: list[tuple[str, str]]) -> dict[str, list[str]]:
    """Function name -> forbidden names, for the child: every function defined at the top level of a cell with a
    rule (while it runs, those names raise)."""
    guard: dict[str, list[str]] = {}
    for cell, code in cells:
        if cell not in forbidden:
            continue
        try:
            tree = ast.parse(code)
        except SyntaxError:
            continue
        for node in tree.body:
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                guard[node.name] = list(forbidden[cell])
    return guard
