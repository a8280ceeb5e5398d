"""The submission side of the grader: runs inside the sandbox, never in the grader's own process.

Usage: python -I child.py FD_IN FD_OUT

It executes the submission's cells, then answers calls from the trusted parent. Everything it sends
goes through `wire`, which the parent decodes without trusting it: this process may be tampered with by
the code it runs, and nothing it says is believed beyond "this call returned these plain values".
`run_cells` and `call_in` are also what the in-process development backend runs, so both backends share one
semantics (every exception of student code, SystemExit and KeyboardInterrupt included, is the student's).
"""

from __future__ import annotations

import builtins
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


def call_in(namespace: dict, name: str, args: list, kwargs: dict, echo: bool, keep: int) -> dict:
    """Call `name(*args, **kwargs)` of the submission; the reply the parent gets."""
    fn = namespace.get(name)
    if not callable(fn):
        return {"op": "raise", "type": "NameError", "message": f"{name} is not defined", "where": ""}
    try:
        value = fn(*args, **kwargs)
    except BaseException as exc:  # noqa: B902
        return {"op": "raise", **describe(exc, keep)}
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


def main() -> None:
    fd_in, fd_out = int(sys.argv[1]), int(sys.argv[2])
    namespace, keep = new_namespace(), 500
    make_handle = remote(fd_in, fd_out)
    while True:
        try:
            request = wire.receive(fd_in, make_handle=make_handle)
        except EOFError:
            return
        if request["op"] == "load":
            keep = int(request.get("keep", keep))
            reply = {"op": "loaded", "errors": run_cells(namespace, request["cells"], keep)}
            flush_and_mark(str(request.get("marker", "")))
        elif request["op"] == "call":
            reply = call_in(namespace, request["name"], request["args"], request["kwargs"],
                            bool(request.get("echo")), keep)
        else:
            reply = {"op": "raise", "type": "RuntimeError", "message": "unknown request", "where": ""}
        try:
            wire.send(fd_out, reply)
        except wire.WireError as exc:
            wire.send(fd_out, {"op": "raise", "type": "TypeError", "where": "",
                               "message": f"returned a value that cannot be graded: {exc}"})


if __name__ == "__main__":
    main()
