"""The submission side of the grader: runs inside the sandbox, never in the grader's own process.

Usage: python -I child.py FD_IN FD_OUT   (or forked by autograder/forkserver.py, which calls `serve`)

It executes the submission's cells, then answers calls from the trusted parent. Everything it sends
goes through `wire`, which the parent decodes without trusting it: this process may be tampered with by
the code it runs, and nothing it says is believed beyond "this call returned these plain values".
`run_cells` and `call_in` are also what the in-process development backend runs, so both backends share one
semantics (every exception of student code, SystemExit and KeyboardInterrupt included, is the student's).
"""

from __future__ import annotations

import builtins
import importlib
import os
import sys
import traceback

if __package__:
    from autograder import wire
else:  # in the sandbox: wire.py lies beside this file (python -I does not put this folder on sys.path)
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    import wire


class Shell:
    """What IPython-transformed magics call (see `load.magics_to_calls`): line magics and shell escapes do nothing; the
    body of a `%%time`, `%%timeit` or `%%capture` cell runs once, other cell magics are skipped."""

    RUN_BODY = ("time", "timeit", "capture")

    def __init__(self, namespace: dict):
        self.namespace = namespace

    def run_line_magic(self, *args, **kwargs) -> None:
        return None

    def system(self, *args, **kwargs) -> None:
        return None

    getoutput = system

    def run_cell_magic(self, name: str, line: str, body: str) -> None:
        if name in self.RUN_BODY:
            exec(compile(body, f"<cell magic %%{name}>", "exec", dont_inherit=True), self.namespace)


class ForbiddenCall(Exception):
    """A function the assignment forbids in its solutions was called while a solution function ran."""


class Tripwires:
    """The assignment's forbidden functions (`autograder.rules`), replaced in every module that holds them by a
    wrapper that raises `ForbiddenCall` while a guarded solution function runs, and calls the original otherwise
    (given code and the student's own tests may use them)."""

    def __init__(self):
        self.installed: dict[str, object] = {}  # dotted name -> original
        self.guarded: dict[str, list[str]] = {}  # solution function -> forbidden dotted names
        self.armed: tuple[str, set[str]] | None = None

    def install(self, guarded: dict) -> None:
        self.guarded = {str(k): [str(n) for n in v] for k, v in dict(guarded or {}).items()}
        for name in sorted({n for names in self.guarded.values() for n in names} - set(self.installed)):
            if name.endswith(".*"):  # a whole package: the static check's alone (importing it here costs every child)
                continue
            module_name, _, attr = name.rpartition(".")
            try:
                original = getattr(importlib.import_module(module_name), attr)
            except Exception:  # not installed here: nothing to guard
                continue
            original = getattr(original, "__kit_original__", original)
            self.installed[name] = original
            wrapper = self._wrap(original, name)
            for module in list(sys.modules.values()):
                namespace = getattr(module, "__dict__", None)
                if isinstance(namespace, dict):
                    for key, value in list(namespace.items()):
                        if value is original:
                            setattr(module, key, wrapper)

    def _wrap(self, original, name: str):
        shown = "np." + name.removeprefix("numpy.") if name.startswith("numpy.") else name

        def tripwire(*args, **kwargs):
            if self.armed is not None and name in self.armed[1]:
                raise ForbiddenCall(f"{shown} is not allowed in {self.armed[0]}() (the assignment forbids it in "
                                    "its solutions; this call was caught while grading)")
            return original(*args, **kwargs)

        tripwire.__kit_original__ = original
        tripwire.__name__ = getattr(original, "__name__", "tripwire")
        tripwire.__doc__ = getattr(original, "__doc__", None)
        return tripwire

    def arm(self, function: str):
        """What to restore after the call: the previous state (calls may nest through callbacks)."""
        previous = self.armed
        if function in self.guarded and previous is None:
            self.armed = (function, set(self.guarded[function]))
        return previous


TRIPWIRES = Tripwires()


def new_namespace() -> dict:
    namespace: dict = {"__name__": "__main__", "__builtins__": builtins}
    shell = Shell(namespace)
    namespace["get_ipython"] = lambda: shell
    return namespace


def describe(exc: BaseException, keep: int) -> dict:
    """A short, plain description of an exception raised by submission code."""
    tb = traceback.extract_tb(exc.__traceback__)
    where = next((f"{f.filename}, line {f.lineno}" for f in reversed(tb) if f.filename.startswith("<cell")), "")
    return {"type": type(exc).__name__, "message": str(exc)[:keep], "where": where}


def run_cells(namespace: dict, cells: list, keep: int) -> list[dict]:
    """Execute the cells in `namespace`, in order; a cell that raises is reported and the next one runs."""
    errors = []
    for cell_id, code in cells:
        try:
            exec(compile(code, f"<cell {cell_id}>", "exec", dont_inherit=True), namespace)
        except BaseException as exc:  # noqa: B902 — SystemExit and KeyboardInterrupt too
            errors.append({"cell": cell_id, **describe(exc, keep)})
    return errors


def call_in(namespace: dict, name: str, args: list, kwargs: dict, echo: bool, keep: int,
            lower: dict | None = None) -> dict:
    """Call `name(*args, **kwargs)` of the submission; the reply the parent gets. `lower`: global names that are, for
    this call only, the parent's functions (the reference's lower parts of a composite part, as callbacks)."""
    fn = namespace.get(name)
    if not callable(fn):
        return {"op": "raise", "type": "NameError", "message": f"{name} is not defined", "where": ""}
    lower = {k: v for k, v in (lower or {}).items() if callable(v) and k != name}
    own = {k: namespace[k] for k in lower if k in namespace}
    namespace.update(lower)
    previous = TRIPWIRES.arm(name)
    try:
        value = fn(*args, **kwargs)
    except BaseException as exc:  # noqa: B902
        return {"op": "raise", **describe(exc, keep)}
    finally:
        TRIPWIRES.armed = previous
        for k in lower:  # the student's own functions again (absent ones stay absent)
            if k in own:
                namespace[k] = own[k]
            else:
                namespace.pop(k, None)
    reply = {"op": "return", "value": value}
    if echo:
        reply["inputs_after"] = wire.echo_inputs(args, kwargs)
    return reply


def remote(fd_in: int, fd_out: int):
    """Handles of the parent's functions become callables that run them in the parent and return plain data."""

    def make(hid: int):
        def call(*args, **kwargs):
            wire.send(fd_out, {"op": "callback", "handle": hid, "args": list(args), "kwargs": kwargs})
            reply = wire.receive(fd_in, make_handle=make)
            if reply["op"] == "callback_return":
                return reply["value"]
            exc_type = getattr(builtins, reply.get("type", ""), None)
            if not (isinstance(exc_type, type) and issubclass(exc_type, Exception)):
                exc_type = RuntimeError
            raise exc_type(reply.get("message", ""))

        return call

    return make


def flush_and_mark(marker: str) -> None:
    """End of loading: push out what the cells printed, then the parent's marker, so the parent keeps exactly that."""
    for stream in (sys.stdout, sys.stderr, sys.__stdout__, sys.__stderr__):
        try:
            stream.flush()
        except Exception:  # the submission may have replaced or closed them
            pass
    try:
        os.write(1, marker.encode())
    except OSError:
        pass


def serve(fd_in: int, fd_out: int) -> None:
    """Answer the parent's requests (load, then calls) until it closes the pipe."""
    namespace, keep = new_namespace(), 500
    make_handle = remote(fd_in, fd_out)
    while True:
        try:
            request = wire.receive(fd_in, make_handle=make_handle)
        except EOFError:
            return
        if request["op"] == "load":
            keep = int(request.get("keep", keep))
            TRIPWIRES.install(request.get("guard") or {})
            reply = {"op": "loaded", "errors": run_cells(namespace, request["cells"], keep)}
            flush_and_mark(str(request.get("marker", "")))
        elif request["op"] == "call":
            lower = request.get("lower")
            reply = call_in(namespace, request["name"], request["args"], request["kwargs"],
                            bool(request.get("echo")), keep, lower if isinstance(lower, dict) else None)
        else:
            reply = {"op": "raise", "type": "RuntimeError", "message": "unknown request", "where": ""}
        try:
            wire.send(fd_out, reply)
        except wire.WireError as exc:
            wire.send(fd_out, {"op": "raise", "type": "TypeError", "where": "",
                               "message": f"returned a value that cannot be graded: {exc}"})


if __name__ == "__main__":
    serve(int(sys.argv[1]), int(sys.argv[2]))
