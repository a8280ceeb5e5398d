"""Canonical forms of solution code for the similarity check: the syntax tree of each top-level function, rewritten so
that the usual disguises of a copy give the same tree, then written out as tokens with the source lines they stand for.

What a rewrite undoes (each one a disguise seen in copied homework):
- names: every identifier that is not a builtin or an attribute is `V`, every number `N`, every string `S`;
- comments, docstrings, `pass` and bare constant statements: dropped (the tree has no comments);
- dead code: statements after `return`/`raise`/`break`/`continue`, `if False:` / `while 0:` blocks, assignments to a
  name the function never reads (repeated until none is left);
- loop <-> comprehension: `t = []` (or `list()`) and a later loop whose body only appends to `t` become
  `t = [e for ...]` (nested loops and `if` filters included), likewise `t = {}` with `t[k] = v` (a dict
  comprehension) and `s = c` with `s += e` (`c + sum`); an array made by `np.zeros`/`np.empty` and filled element by
  element in a loop nest is `np.array` of the nested comprehension; a generator expression is a list comprehension;
- temporaries: `t = e` whose only read is in the next statement is `e` in its place;
- `x += e` is `x = x + e`;
- extracting or inlining a helper: a call to a function of the same submission whose body ends in its only `return`
  is replaced by that body (one level), in a statement `y = h(...)`, `return h(...)` or `h(...)`, and inside any
  expression when the helper is a single `return e`.
Functions are units of their own: fingerprints never span two, so reordering functions changes nothing.
"""

from __future__ import annotations

import ast
import builtins
import copy
import keyword
import re

Tok = tuple[str, int, int]  # (normalised text, first line, last line), lines counted from 1 in the cell

KEPT_NAMES = frozenset(keyword.kwlist) | frozenset(dir(builtins))  # not renamed to `V`
_MAX_INLINED = 40  # statements: a longer helper is left as a call
_TERMINAL = (ast.Return, ast.Raise, ast.Break, ast.Continue)
_UNIT_START = re.compile(r"^(?:@|def\b|async\s+def\b|class\b)", re.M)


def parse_units(code: str) -> tuple[list[ast.stmt], list[tuple[str, int]]]:
    """The top-level statements of `code`, and the pieces of it that do not parse (text, lines before it). Code with
    a syntax error is parsed from one top-level `def`/`class` to the next (line numbers stay those of `code`)."""
    try:
        return ast.parse(code).body, []
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        pass
    starts = [m.start() for m in _UNIT_START.finditer(code)]
    if not starts or starts[0] != 0:
        starts = [0, *starts]
    body: list[ast.stmt] = []
    broken: list[tuple[str, int]] = []
    for begin, end in zip(starts, [*starts[1:], len(code)], strict=True):
        piece, offset = code[begin:end], code.count("\n", 0, begin)
        try:
            tree = ast.parse(piece)
        except (SyntaxError, ValueError, RecursionError, MemoryError):
            broken.append((piece, offset))
            continue
        ast.increment_lineno(tree, offset)
        body += tree.body
    return body, broken


# -- rewrites -----------------------------------------------------------------------------------------------------
def _falsy_constant(test: ast.expr) -> bool | None:
    """True/False when `test` is a constant (`if False:`, `while 0:`), None otherwise."""
    if isinstance(test, ast.Constant):
        return not test.value
    return None


def _clean_block(body: list[ast.stmt]) -> list[ast.stmt]:
    """A block without docstrings, comments in disguise, `pass`, constant-test branches and unreachable code."""
    out: list[ast.stmt] = []
    for stmt in body:
        if isinstance(stmt, ast.Pass) or (isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Constant)):
            continue
        if isinstance(stmt, ast.Assign) and (split := _split(stmt)) is not None:
            out += _clean_block(split)
            continue
        if isinstance(stmt, ast.Assign) and len(stmt.targets) == 1 and isinstance(stmt.targets[0], ast.Name) \
                and isinstance(stmt.value, ast.Name) and stmt.value.id == stmt.targets[0].id:
            continue  # `x = x`
        if isinstance(stmt, ast.If) and (dead := _falsy_constant(stmt.test)) is not None:
            out += _clean_block(stmt.orelse if dead else stmt.body)
            continue
        if isinstance(stmt, ast.While) and _falsy_constant(stmt.test) is True:
            continue
        out.append(stmt)
        if isinstance(stmt, _TERMINAL):
            break
    return out


def _split(stmt: ast.Assign) -> list[ast.stmt] | None:
    """`a, b = e1, e2` as `a = e1` then `b = e2` (what a helper returning a tuple leaves once inlined), when the
    order cannot matter: no later element reads an earlier name, unless that name keeps its value (`a, b = a, f(a)`)."""
    if len(stmt.targets) != 1 or not isinstance(target := stmt.targets[0], ast.Tuple) \
            or not isinstance(stmt.value, ast.Tuple) or len(target.elts) != len(stmt.value.elts):
        return None
    names = [getattr(t, "id", None) for t in target.elts]
    if None in names or any(isinstance(v, ast.Starred) for v in stmt.value.elts):
        return None
    for i, (name, value) in enumerate(zip(names, stmt.value.elts, strict=True)):
        unchanged = isinstance(value, ast.Name) and value.id == name
        if not unchanged and any(name in _reads(later) for later in stmt.value.elts[i + 1:]):
            return None
    return [_located(ast.Assign(targets=[t], value=v), stmt) for t, v in zip(target.elts, stmt.value.elts,
                                                                                strict=True)]


def _blocks(node: ast.AST):
    for name in ("body", "orelse", "finalbody"):
        block = getattr(node, name, None)
        if isinstance(block, list) and block and isinstance(block[0], ast.stmt):
            yield name, block
    for handler in getattr(node, "handlers", []):
        yield from _blocks(handler)


def _reads(tree: ast.AST) -> set[str]:
    return {n.id for n in ast.walk(tree) if isinstance(n, ast.Name) and not isinstance(n.ctx, ast.Store)}


def _drop_unused(fn: ast.AST) -> bool:
    """Remove assignments to names `fn` never reads; True when one was removed."""
    nodes = list(ast.walk(fn))
    read = {n.id for n in nodes if isinstance(n, ast.Name) and not isinstance(n.ctx, ast.Store)}
    read |= {name for n in nodes if isinstance(n, (ast.Global, ast.Nonlocal)) for name in n.names}
    changed = False
    for node in nodes:
        for name, block in list(_blocks(node)):
            kept = [s for s in block if not (isinstance(s, ast.Assign) and all(
                isinstance(t, ast.Name) and t.id not in read for t in s.targets))]
            if len(kept) != len(block):
                changed = True
                setattr(node, name, kept or [ast.Pass()])
    return changed


def _located(node: ast.AST, where: ast.AST) -> ast.AST:
    """`node` with every location of its subtree set to `where`'s (a rewritten node stands for those lines)."""
    for n in ast.walk(node):
        for attr in ("lineno", "end_lineno", "col_offset", "end_col_offset"):
            if hasattr(where, attr):
                setattr(n, attr, getattr(where, attr))
    return node


def _empty_collection(value: ast.expr) -> str | None:
    """'list' / 'dict' / 'sum' for `[]` or `list()`, `{}` or `dict()`, a number (a sum's start)."""
    if isinstance(value, ast.List) and not value.elts:
        return "list"
    if isinstance(value, ast.Dict) and not value.keys:
        return "dict"
    if isinstance(value, ast.Call) and isinstance(value.func, ast.Name) and not value.args and not value.keywords:
        return {"list": "list", "dict": "dict"}.get(value.func.id)
    if isinstance(value, ast.Constant) and type(value.value) in (int, float):
        return "sum"
    return None


def _collect(loop: ast.stmt, target: str, kind: str) -> tuple[list[ast.comprehension], ast.expr | tuple] | None:
    """The generators of a loop nest whose innermost body only adds to `target`, and what it adds."""
    gens: list[ast.comprehension] = []
    node = loop
    while True:
        if isinstance(node, ast.For) and not node.orelse and len(node.body) == 1:
            gens.append(ast.comprehension(target=node.target, iter=node.iter, ifs=[], is_async=0))
            node = node.body[0]
        elif isinstance(node, ast.If) and gens and not node.orelse and len(node.body) == 1:
            gens[-1].ifs.append(node.test)
            node = node.body[0]
        else:
            break
    if not gens:
        return None
    if kind == "list" and isinstance(node, ast.Expr) and isinstance(call := node.value, ast.Call) \
            and isinstance(call.func, ast.Attribute) and call.func.attr == "append" \
            and isinstance(call.func.value, ast.Name) and call.func.value.id == target and len(call.args) == 1:
        return gens, call.args[0]
    if kind == "dict" and isinstance(node, ast.Assign) and len(node.targets) == 1 \
            and isinstance(sub := node.targets[0], ast.Subscript) and isinstance(sub.value, ast.Name) \
            and sub.value.id == target:
        return gens, (sub.slice, node.value)
    if kind == "sum" and isinstance(node, ast.Assign) and len(node.targets) == 1 \
            and isinstance(node.targets[0], ast.Name) and node.targets[0].id == target \
            and isinstance(add := node.value, ast.BinOp) and isinstance(add.op, ast.Add) \
            and isinstance(add.left, ast.Name) and add.left.id == target:  # `s += e`, already `s = s + e`
        return gens, add.right
    return None


_FILLED = ("zeros", "empty", "zeros_like", "empty_like")


def _fill(loop: ast.stmt, target: str) -> ast.expr | None:
    """`for i ...: for j ...: t[i, j] = e` (t made by np.zeros/np.empty) -> the nested list `[[e for j] for i]`."""
    loops: list[ast.For] = []
    node = loop
    while isinstance(node, ast.For) and not node.orelse and len(node.body) == 1 and isinstance(node.target, ast.Name):
        loops.append(node)
        node = node.body[0]
    if not loops or not (isinstance(node, ast.Assign) and len(node.targets) == 1):
        return None
    sub = node.targets[0]
    if not (isinstance(sub, ast.Subscript) and isinstance(sub.value, ast.Name) and sub.value.id == target):
        return None
    index = sub.slice.elts if isinstance(sub.slice, ast.Tuple) else [sub.slice]
    if [getattr(i, "id", None) for i in index] != [lp.target.id for lp in loops]:
        return None
    value = node.value
    for lp in reversed(loops):
        value = ast.ListComp(elt=value, generators=[ast.comprehension(target=lp.target, iter=lp.iter, ifs=[],
                                                                       is_async=0)])
    return value


def _made_empty(value: ast.expr) -> bool:
    return isinstance(value, ast.Call) and isinstance(value.func, ast.Attribute) and value.func.attr in _FILLED


def _comprehensions(block: list[ast.stmt]) -> list[ast.stmt]:
    """`t = []` ... `for ...: t.append(e)` (the loop the next statement to touch t) -> `t = [e for ...]`."""
    out = list(block)
    i = 0
    while i < len(out):
        stmt = out[i]
        if isinstance(stmt, ast.Assign) and len(stmt.targets) == 1 and isinstance(stmt.targets[0], ast.Name) \
                and ((kind := _empty_collection(stmt.value)) or _made_empty(stmt.value)):
            name = stmt.targets[0].id
            j = next((j for j in range(i + 1, len(out))
                      if any(isinstance(n, ast.Name) and n.id == name for n in ast.walk(out[j]))), None)
            if j is not None and not kind and (filled := _fill(out[j], name)) is not None:
                array = ast.Attribute(value=stmt.value.func.value, attr="array", ctx=ast.Load())
                out[i] = _located(ast.Assign(targets=stmt.targets, value=ast.Call(
                    func=array, args=[filled], keywords=[])), out[j])
                del out[j]
            found = _collect(out[j], name, kind) if j is not None and kind else None
            if found is not None:
                gens, added = found
                if kind == "list":
                    value: ast.expr = ast.ListComp(elt=added, generators=gens)
                elif kind == "dict":
                    value = ast.DictComp(key=added[0], value=added[1], generators=gens)
                else:
                    value = ast.Call(func=ast.Name("sum", ast.Load()), args=[ast.ListComp(elt=added, generators=gens)],
                                     keywords=[])
                    if stmt.value.value:  # `s = 1` before the loop: `s = 1 + sum(...)`
                        value = ast.BinOp(stmt.value, ast.Add(), value)
                out[i] = _located(ast.Assign(targets=stmt.targets, value=value), out[j])
                del out[j]
        i += 1
    return out


class _Canon(ast.NodeTransformer):
    """One function's rewrites, bottom-up: clean blocks, comprehensions, `x += e`, helpers inlined."""

    def __init__(self, helpers: dict[str, ast.FunctionDef]):
        self.helpers = helpers

    def generic_visit(self, node: ast.AST) -> ast.AST:
        super().generic_visit(node)
        for name, block in list(_blocks(node)):
            setattr(node, name, _comprehensions(_clean_block(self._inline(_clean_block(block)))) or [ast.Pass()])
        return node

    def visit_GeneratorExp(self, node: ast.GeneratorExp) -> ast.AST:
        return self.generic_visit(ast.copy_location(ast.ListComp(elt=node.elt, generators=node.generators), node))

    def visit_AugAssign(self, node: ast.AugAssign) -> ast.AST:
        node = self.generic_visit(node)
        if isinstance(node.target, ast.Name):
            load = ast.Name(node.target.id, ast.Load())
            return ast.copy_location(ast.Assign(targets=[node.target], value=_located(
                ast.BinOp(load, node.op, node.value), node)), node)
        return node

    def visit_Call(self, node: ast.Call) -> ast.AST:
        node = self.generic_visit(node)
        helper = self._helper(node)
        if helper is not None and len(helper.body) == 1:
            return _located(_bind(helper, node, helper.body[0].value), node)
        return node

    def _helper(self, call: ast.AST) -> ast.FunctionDef | None:
        if isinstance(call, ast.Call) and isinstance(call.func, ast.Name):
            return self.helpers.get(call.func.id)
        return None

    def _inline(self, block: list[ast.stmt]) -> list[ast.stmt]:
        out: list[ast.stmt] = []
        for stmt in block:
            value = getattr(stmt, "value", None)
            helper = self._helper(value)
            if helper is None or not isinstance(stmt, (ast.Assign, ast.Return, ast.Expr)):
                out.append(stmt)
                continue
            body = [_located(_bind(helper, value, copy.deepcopy(s)), stmt) for s in helper.body]
            last = body[-1].value
            if isinstance(stmt, ast.Assign):
                out += body[:-1] + [ast.copy_location(ast.Assign(targets=stmt.targets, value=last), stmt)]
            elif isinstance(stmt, ast.Return):
                out += body
            else:
                out += body[:-1] + [ast.copy_location(ast.Expr(value=last), stmt)]
        return out


def _bind(helper: ast.FunctionDef, call: ast.Call, tree: ast.AST) -> ast.AST:
    """`tree` (from the helper's body) with each parameter the helper never reassigns replaced by its argument."""
    stored = {n.id for n in ast.walk(helper) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store)}
    params = [a.arg for a in helper.args.posonlyargs + helper.args.args]
    given = {p: arg for p, arg in zip(params, call.args, strict=False) if not isinstance(arg, ast.Starred)}
    given |= {k.arg: k.value for k in call.keywords if k.arg in params}
    given = {p: arg for p, arg in given.items() if p not in stored}

    class Bind(ast.NodeTransformer):
        def visit_Name(self, node: ast.Name) -> ast.AST:
            if node.id in given and isinstance(node.ctx, ast.Load):
                return copy.deepcopy(given[node.id])
            return node

    return Bind().visit(copy.deepcopy(tree))


def _inlinable(fn: ast.stmt) -> bool:
    """A helper that can stand for its calls: its only `return` is its last statement, it yields nothing."""
    if not isinstance(fn, ast.FunctionDef) or not fn.body or not isinstance(fn.body[-1], ast.Return) \
            or fn.body[-1].value is None or len(fn.body) > _MAX_INLINED:
        return False
    inner = [n for s in fn.body for n in ast.walk(s)]
    returns = sum(isinstance(n, ast.Return) for n in inner)
    return returns == 1 and not any(isinstance(n, (ast.Yield, ast.YieldFrom, ast.Nonlocal, ast.Global)) for n in inner)


def _inline_temps(fn: ast.AST) -> bool:
    """`t = e` followed by the one statement that reads t, its only read and t's only assignment -> e in its place.
    True when one was inlined."""
    changed = False
    stores: dict[str, int] = {}
    loads: dict[str, int] = {}
    for n in ast.walk(fn):
        if isinstance(n, ast.Name):
            counts = loads if isinstance(n.ctx, ast.Load) else stores
            counts[n.id] = counts.get(n.id, 0) + 1
        elif isinstance(n, ast.arg):
            stores[n.arg] = stores.get(n.arg, 0) + 2  # a parameter is never a temporary
    for node in list(ast.walk(fn)):
        for name, block in list(_blocks(node)):
            out: list[ast.stmt] = []
            for stmt in block:
                while out and isinstance(prev := out[-1], ast.Assign) and len(prev.targets) == 1 \
                        and isinstance(t := prev.targets[0], ast.Name) and stores.get(t.id) == 1 \
                        and loads.get(t.id) == 1 and t.id in _reads(stmt):
                    out.pop()
                    stmt = _substitute(stmt, t.id, prev.value)  # and the temporary before it may now be next
                    changed = True
                out.append(stmt)
            setattr(node, name, out)
    return changed


def _substitute(tree: ast.AST, name: str, value: ast.expr) -> ast.AST:
    class Sub(ast.NodeTransformer):
        def visit_Name(self, node: ast.Name) -> ast.AST:
            return copy.deepcopy(value) if node.id == name and isinstance(node.ctx, ast.Load) else node

    return Sub().visit(tree)


def _tidy(u: ast.stmt) -> ast.stmt:
    """`u` without assignments to names it never reads (an unused one may be all that read another)."""
    if isinstance(u, (ast.FunctionDef, ast.AsyncFunctionDef)):
        while _drop_unused(u):
            pass
    return u


def _settle(u: ast.stmt, plain: _Canon) -> ast.stmt:
    """`u` tidied, its temporaries inlined and rewritten again: a loop that only fills an array once its temporaries
    are gone, and then its own."""
    u = _tidy(u)
    if isinstance(u, ast.FunctionDef):
        for _ in range(2):
            changed = _inline_temps(u)
            u = _tidy(plain.visit(u))
            if not changed:
                break
    return u


def _calls(u: ast.stmt, names: set[str]) -> bool:
    return any(isinstance(n, ast.Call) and isinstance(n.func, ast.Name) and n.func.id in names for n in ast.walk(u))


def canonical(units: list[ast.stmt], fresh: list[ast.stmt]) -> list[ast.stmt]:
    """The top-level statements `units` (every cell's of one submission) in canonical form: dead code and
    disguises undone, each function's calls to the others' helpers inlined. `fresh`: the same statements parsed
    again (rewritten in place where a function calls a helper: cheaper than copying a tree)."""
    plain = _Canon({})
    alone = [_settle(plain.visit(u), plain) for u in units]
    helpers = {u.name: u for u in alone if isinstance(u, ast.FunctionDef) and _inlinable(u)}
    out = []
    for u, again in zip(alone, fresh, strict=True):
        others = {name: fn for name, fn in helpers.items() if name != getattr(u, "name", None)}
        if others and _calls(again, set(others)):
            u = _settle(_Canon(others).visit(again), plain)
        out.append(u)
    return out


# -- tokens -------------------------------------------------------------------------------------------------------
_SKIPPED = (ast.expr_context, ast.Load, ast.Store, ast.Del)
_RENAMED = {"GeneratorExp": "ListComp", "AsyncFunctionDef": "FunctionDef"}


def tokens(node: ast.AST) -> list[Tok]:
    """The canonical tree `node` written out in pre-order: node kinds, names as `V` (builtins and attributes kept),
    constants as `N`/`S`, each block closed by `}`; each token with the lines of its node (a compound statement:
    its first line)."""
    out: list[Tok] = []
    _emit(node, out, 1, 1)
    return out


def _emit(node: ast.AST, out: list[Tok], first: int, last: int) -> None:
    if isinstance(node, _SKIPPED):
        return
    first = getattr(node, "lineno", first)
    last = getattr(node, "end_lineno", None) or first
    if isinstance(node, ast.stmt) and any(True for _ in _blocks(node)):
        last = first  # the header line; the body's lines come with its own statements
    if isinstance(node, ast.Name):
        out.append((node.id if node.id in KEPT_NAMES else "V", first, last))
        return
    if isinstance(node, ast.arg):
        out.append(("V", first, last))
        return
    if isinstance(node, ast.Constant):
        value = node.value
        text = "S" if isinstance(value, (str, bytes)) else "N" if isinstance(value, (int, float, complex)) and \
            not isinstance(value, bool) else repr(value)
        out.append((text, first, last))
        return
    kind = type(node).__name__
    out.append((_RENAMED.get(kind, kind), first, last))
    if isinstance(node, ast.Attribute):
        _emit(node.value, out, first, last)
        out.append(("." + node.attr, first, last))
        return
    for name, value in ast.iter_fields(node):
        if name in ("type_comment", "name", "returns", "annotation") or value is None:
            continue  # a function's own name and type hints say nothing of its code
        if isinstance(value, list):
            for item in value:
                if isinstance(item, ast.AST):
                    _emit(item, out, first, last)
            if value and isinstance(value[0], ast.stmt):
                out.append(("}", first, last))
        elif isinstance(value, ast.AST):
            _emit(value, out, first, last)
        elif name == "arg":  # a keyword argument's name is the callee's, like an attribute
            out.append((f"{value}=", first, last))
        elif name == "module":
            out.append((str(value), first, last))
