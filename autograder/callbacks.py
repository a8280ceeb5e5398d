"""Callbacks: a submission calling a function of the grader (a wheat or chaff handed to a student's test, the f of
`numerical_gradient`) through an opaque handle.

The function runs here, in the grader (suites count on that: some record how they were called), so what bounds it is:
- a size limit on its arguments (`MAX_ARGUMENT_BYTES`, of the message that carried them): the cost of the suite's
  code stays that of inputs a test needs, not of arrays of the submission's choosing;
- the deadline of the call that made it: checked before it starts, and, in the main thread, an interval timer that
  interrupts its Python code when the deadline passes (a C-level operation on bounded inputs ends soon after);
- a neutral answer when it raises: the type of a built-in exception, never the message, which may name the
  implementation (Python's own "chaff_x() takes 2 positional arguments…"), so that implementations differ only
  by what they compute.
"""

from __future__ import annotations

import builtins
import contextlib
import signal
import threading
import time
from collections.abc import Callable, Iterator

from autograder import wire

MAX_ARGUMENT_BYTES = 1 << 20  # a callback's arguments, encoded: far above what any suite's callback needs


class Overrun(BaseException):
    """The call's deadline passed while the grader's function ran (a BaseException: suite code that catches
    Exception does not swallow it)."""


def neutral(exc: BaseException | str) -> dict:
    """The reply for a callback that raised `exc` (or was refused: a reason's exception type): its type if built-in,
    and a message that says nothing of the implementation."""
    name = exc if isinstance(exc, str) else type(exc).__name__
    kind = getattr(builtins, name, None)
    if not (isinstance(kind, type) and issubclass(kind, Exception)) or (
            not isinstance(exc, str) and type(exc) is not kind):
        name = "RuntimeError"
    return {"op": "callback_raise", "type": name,
            "message": f"the function given to your code raised {name} for these arguments"}


def run(fn: Callable | None, request: dict, size: int, deadline: float) -> dict:
    """The reply to callback `request` (its message was `size` bytes) for the grader's function `fn`. Raises
    TimeoutError when the call's deadline passes before or while `fn` runs."""
    if time.monotonic() >= deadline:
        raise TimeoutError("the call's time ran out before a callback")
    if fn is None:
        return neutral("LookupError")
    if size > MAX_ARGUMENT_BYTES:
        return neutral("ValueError")
    try:
        with _interrupt_at(deadline):
            value = fn(*request.get("args", []), **request.get("kwargs", {}))
    except Overrun:
        raise TimeoutError("a callback ran past the call's deadline") from None
    except Exception as exc:
        return neutral(exc)
    if time.monotonic() >= deadline:  # (off the main thread nothing interrupts it: checked on return)
        raise TimeoutError("a callback ran past the call's deadline")
    return {"op": "callback_return", "value": value}


@contextlib.contextmanager
def _interrupt_at(deadline: float) -> Iterator[None]:
    """Raise `Overrun` in this (main) thread's Python code when `deadline` passes; elsewhere, nothing."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    armed = [True]

    def ring(signum, frame):
        if armed[0]:
            armed[0] = False
            raise Overrun

    previous = signal.signal(signal.SIGALRM, ring)
    earlier, _ = signal.setitimer(signal.ITIMER_REAL, max(deadline - time.monotonic(), 1e-3))
    started = time.monotonic()
    try:
        yield
    finally:
        armed[0] = False
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
        if earlier:  # someone else's timer (a test runner's watchdog): give it back what is left of it
            signal.setitimer(signal.ITIMER_REAL, max(earlier - (time.monotonic() - started), 1e-3))


def size_of(message: dict) -> int:
    """The size of a callback request as it crossed (re-encoded: the wire format is canonical for what it decodes)."""
    try:
        return len(wire.encode({"args": message.get("args", []), "kwargs": message.get("kwargs", {})}))
    except wire.WireError:
        return MAX_ARGUMENT_BYTES + 1
