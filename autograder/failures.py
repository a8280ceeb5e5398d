"""How a call into the student's code can fail, as the sandbox reports it; the messages are safe to show a student
(`autograder.testing` hands them to the hidden suites)."""

from __future__ import annotations


class StudentError(Exception):
    """The student's code raised an exception."""

    def __init__(self, name: str, type_: str, message: str, where: str = ""):
        self.type, self.message, self.where = type_, message, where
        at = f" ({where})" if where else ""
        super().__init__(f"{name} raised {type_}: {message}{at}")


class CallTimeout(Exception):
    """A call into the student's code did not return in time."""


class SubmissionDied(Exception):
    """The student's process ended (os._exit, a crash, a resource limit) or is out of restarts."""
