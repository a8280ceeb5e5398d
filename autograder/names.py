"""Names that students choose (their folders' names): validated before they name an output, escaped wherever shown.

A student's outputs go to `OUT/<student>/<assignment>/` (nbgrader's layout, which formgrader reads) beside the class
files at the top of OUT; a name that is not a valid student name — a control character, a path separator, a leading
dot, or the name of a class file — never names a folder there: its row is an `error` that says why, and its files go
to a folder named by the name's hash under INVALID, which no valid name can reach.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from pathlib import Path

GRADEBOOK = "gradebook.csv"
CLASS_REPORT = "class_report_{}.html"  # one per assignment, written by `python -m course report`
INVALID = ".kit-invalid-names"  # OUT/INVALID/<sha256 of the name>/<assignment>/: rows of invalid names
MAX_NAME = 128  # characters
_CLASS_FILE = re.compile(re.escape(CLASS_REPORT).replace(r"\{\}", ".*"), re.S)
_HIDDEN = {"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"}  # control, format (bidi overrides), surrogates, unassigned


def _hidden(char: str) -> bool:
    return unicodedata.category(char) in _HIDDEN


def shown(text: str) -> str:
    """`text` with every control or invisible character written as an escape (`\\x1b`, `\\u202e`): safe on a
    terminal, in a CSV cell, in a log line. Text without such characters is returned unchanged."""
    if text.isprintable():  # false for every character of _HIDDEN (and every separator but the space)
        return text
    return "".join(_escape(c) if _hidden(c) else c for c in text)


def _escape(char: str) -> str:
    code = ord(char)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}" if code < 0x10000 else f"\\U{code:08x}"


def student_name(raw: str) -> str:
    """The name a folder called `raw` has in the gradebook: `raw` itself when it is valid, otherwise escaped (and so
    still invalid: every escape has a backslash) — two different folders never share a name."""
    return shown(raw.replace("\\", "\\\\"))


def problem(name: str) -> str:
    """Why `name` cannot be a student's name ('' when it can)."""
    if not name:
        return "it is empty"
    if name.startswith("."):
        return "it starts with a dot"
    if "/" in name or "\\" in name:
        return "it contains a path separator"
    if any(_hidden(c) for c in name):
        return "it contains a control character"
    if len(name) > MAX_NAME:
        return f"it is longer than {MAX_NAME} characters"
    from autograder.audit import AUDIT_LOG  # here: audit imports the loader, which imports this module

    if name in (GRADEBOOK, AUDIT_LOG) or _CLASS_FILE.fullmatch(name):
        return "it is the name of a file the grader writes beside the students' folders"
    return ""


def student_folder(out: Path, student: str) -> Path:
    """Where the outputs of `student` (a gradebook name) go under OUT."""
    if not problem(student):
        return out / student
    return out / INVALID / hashlib.sha256(student.encode("utf-8", "surrogateescape")).hexdigest()
