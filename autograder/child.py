"""The submission side of the grader: runs inside the sandbox, never in the grader's own process.

Usage: python -I child.py FD_IN FD_OUT

It executes the submission's cells, then answers calls from the trusted parent. Everything it sends
goes through `wire`, which the parent decodes without trusting it: this process may be tampered with by
the code it runs, and nothing it says is believed beyond "this call returned these plain values".
"""

from __future__ import annotations

import builtins
import os
import sys
import traceback

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import wire  # noqa: E402

FD_IN, FD_OUT = int(sys.argv[1]), int(sys.argv[2])
NAMESPACE: dict = {"__name__": "__main__", "__builtins__": builtins}


def describe(exc: BaseException) -> dict:
    """A short, plain description of an exception raised by submission code."""
    tb = traceback.extract_tb(exc.__traceback__)
    where = next((f"{f.filename}, line {f.lineno}" for f in reversed(tb) if f.filename.startswith("<cell")), "")
    message = str(exc)[:500]
    return {"type": type(exc).__name__, "message": message, "where": where}


def remote(hid: int):
    """A callable that runs a function of the parent's, by handle, and returns plain data."""

    def call(*args, **kwargs):
        wire.send(FD_OUT, {"op": "callback", "handle": hid, "args": list(args), "kwargs": kwargs})
        reply = wire.receive(FD_IN, make_handle=remote)
        if reply["op"] == "callback_return":
            return reply["value"]
        exc_type = getattr(builtins, reply.get("type", ""), None)
        if not (isinstance(exc_type, type) and issubclass(exc_type, Exception)):
            exc_type = RuntimeError
        raise exc_type(reply.get("message", ""))

    return call


def load(cells: list) -> dict:
    errors = []
    for cell_id, code in cells:
        try:
            exec(compile(code, f"<cell {cell_id}>", "exec", dont_inherit=True), NAMESPACE)
        except BaseException as exc:  # noqa: B902 — SystemExit and KeyboardInterrupt too
            errors.append({"cell": cell_id, **describe(exc)})
    names = sorted(k for k, v in NAMESPACE.items() if callable(v) and not k.startswith("__"))
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except Exception:  # the submission may have replaced or closed them
            pass
    return {"op": "loaded", "errors": errors, "names": names}


def call(request: dict) -> dict:
    fn = NAMESPACE.get(request["name"])
    if not callable(fn):
        return {"op": "raise", "type": "NameError", "message": f"{request['name']} is not defined", "where": ""}
    args, kwargs = request["args"], request["kwargs"]
    try:
        value = fn(*args, **kwargs)
    except BaseException as exc:  # noqa: B902
        return {"op": "raise", **describe(exc)}
    reply = {"op": "return", "value": value}
    if request.get("echo"):
        reply["inputs_after"] = wire.echo_inputs(args, kwargs)
    return reply


def main() -> None:
    while True:
        try:
            request = wire.receive(FD_IN, make_handle=remote)
        except EOFError:
            return
        if request["op"] == "load":
            reply = load(request["cells"])
        elif request["op"] == "call":
            reply = call(request)
        else:
            reply = {"op": "raise", "type": "RuntimeError", "message": "unknown request", "where": ""}
        try:
            wire.send(FD_OUT, reply)
        except wire.WireError as exc:
            wire.send(FD_OUT, {"op": "raise", "type": "TypeError", "where": "",
                               "message": f"returned a value that cannot be graded: {exc}"})


if __name__ == "__main__":
    main()
