"""The interface the hidden suites call a submission through, and the in-process backend for development.

Two backends implement it: `sandbox.Sandbox` (the real grader: a confined child process) and `InProcess` (development
only: no isolation). Both run the submission with `child.run_cells` / `child.call_in` and turn a reply into a value or
an exception with `outcome`, so a submission behaves the same in both — only the confinement differs.
"""

from __future__ import annotations

import builtins
from collections.abc import Callable
from typing import Any, Protocol

from autograder import callbacks, child, wire
from autograder.config import LIMITS, Limits
from autograder.failures import StudentError, SubmissionDied


class Backend(Protocol):
    """A loaded submission that the suites call into."""

    limits: Limits
    load_errors: list[dict]  # {"cell", "type", "message", "where"} of every cell that raised while loading
    output: str  # what loading printed (kept to limits.output_kept)
    incidents: list[tuple[str, str]]  # ("timeout" | "crash", message) of every process that was lost
    timed_out: bool  # the whole submission ran out of time
    dead: str  # why no test could run at all ("" when loading worked)

    def call(self, name: str, args, kwargs, *, echo: bool = False, timeout: float | None = None,
             lower: dict[str, Callable] | None = None) -> tuple[Any, Any]:
        """Run `name(*args, **kwargs)` in the submission; (value, inputs as the call left them, or None). During the
        call, each global name of `lower` is the grader's function (a callback: plain data in, plain data out)."""

    def release(self) -> None:
        """Stop the submission and free what it held."""


def outcome(reply: dict, name: str, echo: bool) -> tuple[Any, Any]:
    """The value of a call's reply, or the exception it stands for."""
    if reply.get("op") == "return":
        return reply.get("value"), reply.get("inputs_after") if echo else None
    if reply.get("op") == "raise":
        raise StudentError(name, str(reply.get("type", "Exception")), str(reply.get("message", "")),
                           str(reply.get("where", "")))
    raise SubmissionDied(f"{name}(): unexpected answer from the submission's process")


class InProcess:
    """Runs the cells in this interpreter. Development only: no isolation at all, but the same semantics and wire
    format as the sandbox (values are encoded and decoded as if they crossed to another process). One difference:
    the forbidden calls' tripwires are installed in this whole process and stay (armed only while a guarded
    solution function runs)."""

    def __init__(self, cells: list[tuple[str, str]], limits: Limits = LIMITS, namespace: dict | None = None,
                 guard: dict[str, list[str]] | None = None):
        self.limits = limits
        self.namespace = child.new_namespace() if namespace is None else namespace
        child.TRIPWIRES.install(guard or {})
        self.load_errors = child.run_cells(self.namespace, cells, limits.message_kept)
        self.output, self.incidents, self.timed_out, self.dead = "", [], False, ""

    @classmethod
    def from_namespace(cls, namespace: dict) -> InProcess:
        """Call into an existing namespace (a notebook kernel's globals(), for the nbgrader comparison)."""
        return cls([], namespace=namespace)

    def release(self) -> None:
        pass

    def call(self, name: str, args, kwargs, *, echo: bool = False, timeout: float | None = None,
             lower: dict[str, Callable] | None = None):
        handles: dict = {}
        args, kwargs, lower = wire.decode(wire.encode([list(args), dict(kwargs), dict(lower or {})], handles),
                                          make_handle=lambda hid: _crossing(handles[hid]))
        reply = child.call_in(self.namespace, name, args, kwargs, echo, self.limits.message_kept, lower)
        try:
            reply = wire.decode(wire.encode(reply))
        except wire.WireError as exc:
            reply = {"op": "raise", "type": "TypeError", "message": f"returned a value that cannot be graded: {exc}"}
        return outcome(reply, name, echo)


def _crossing(fn):
    """A parent function as the submission sees it: plain data in, plain data out, builtin exceptions only."""

    def call(*args, **kwargs):
        payload = wire.decode(wire.encode([list(args), kwargs]))
        try:
            return wire.decode(wire.encode(fn(*payload[0], **payload[1])))
        except Exception as exc:  # what the sandbox's child raises: a built-in type, a neutral message
            said = callbacks.neutral(exc)
            raise getattr(builtins, said["type"])(said["message"]) from None

    return call
