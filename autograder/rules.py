"""Stated rules, enforced: calls an assignment forbids in its solution cells (`forbidden` in assignment.json).

Two checks, one rule:
- a static check of the submitted code (here, in the trusted parent): a cell that names a forbidden function —
  `np.convolve(...)`, `numpy.correlate`, `from numpy import convolve as c`, `getattr(np, "convolve")` — costs the
  points of its part, and the feedback names the call;
- a tripwire in the sandbox (`child.Tripwires`): while a function of such a cell runs, every numpy entry point of
  the forbidden operation (the C module's included) raises `ForbiddenCall`, and so does an import of a forbidden
  package however it is spelled, so an indirect call (through a helper, a computed name, an alias made at load time,
  or a numpy function built on them such as `np.polymul`) fails the tests it is used in.

Names are dotted module paths ("numpy.convolve"); the feedback shows them as the notebook does ("np.convolve"). A
name ending in ".*" ("scipy.*") forbids a whole package (the stated rule "use numpy only").
"""

from __future__ import annotations

import ast
from dataclasses import dataclass

from autograder.child import operation


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
    """The forbidden name `dotted` uses: a package rule, the name itself, or numpy's other names for it (numpy.convolve
    is also numpy._core.numeric.convolve, and numpy computes it with the C module's correlate2): the rule of the same
    function first, then one of the same operation (`child.operation`)."""
    for name in forbidden:
        if name.endswith(".*") and (dotted == name[:-2] or dotted.startswith(name[:-1])):
            return name
    named = [n for n in forbidden if not n.endswith(".*") and dotted.startswith(n.split(".")[0] + ".")]
    parts = [operation(part) for part in dotted.split(".")[1:]]
    base = dotted.rpartition(".")[2].strip("_").rstrip("0123456789")
    for name in sorted(named, key=lambda n: base != n.rpartition(".")[2]):
        if dotted == name or operation(name) in parts:
            return name
    return None


def _imported(node: ast.AST) -> str | None:
    """The module a call imports by a constant name: `importlib.import_module("scipy")`, `__import__("scipy.signal")`
    (computed names are the sandbox's to catch)."""
    if not (isinstance(node, ast.Call) and node.args and isinstance(node.args[0], ast.Constant)
            and isinstance(node.args[0].value, str)):
        return None
    func = node.func
    called = func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else ""
    return node.args[0].value if called in ("__import__", "import_module") else None


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
                dotted.append(_imported(node))
            for d in filter(None, dotted):
                hit = _matches(d, forbidden[cell])
                if hit and hit not in seen:
                    seen.add(hit)
                    found.append(Violation(cell, hit, getattr(node, "lineno", 0)))
    return found


def tripwires(forbidden: dict[str, list[str]], cells: list[tuple[str, str]]) -> dict[str, list[str]]:
    """Function name -> forbidden names, for the child: every function defined at the top level of a cell with a
    rule, and the cell's own code as `<cell ID>` (while one runs, those names raise; `child.Tripwires`)."""
    guard: dict[str, list[str]] = {}
    for cell, code in cells:
        if cell not in forbidden:
            continue
        try:
            tree = ast.parse(code)
        except SyntaxError:
            continue
        guard[f"<cell {cell}>"] = list(forbidden[cell])  # its code, wherever it runs (`child.run_cells` names it)
        for node in tree.body:
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                guard[node.name] = list(forbidden[cell])
    return guard
