"""Files: atomic writes and sha256 fingerprints of files."""

from __future__ import annotations

import hashlib
import os
import tempfile
from pathlib import Path


def write_atomic(path: Path, text: str, mode: int = 0o600) -> None:
    """Write to a temporary file beside `path`, then rename: readers never see half a file. A file it replaces keeps
    its mode; a new one gets `mode` (private by default: grades and feedback)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        mode = path.stat().st_mode & 0o7777
    except OSError:
        pass
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        os.fchmod(fd, mode)
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as fh:
            fh.write(text)
        os.replace(tmp, path)
    except BaseException:
        os.unlink(tmp)
        raise


def sha256(path: Path) -> str:
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError:
        return ""


def files_sha256(paths, root: Path) -> str:
    """One hash of the files `paths` (their names relative to `root`, and their bytes), in the order given; folders,
    missing files and __pycache__ are skipped."""
    digest = hashlib.sha256()
    for path in paths:
        if not path.is_file() or "__pycache__" in path.parts:
            continue
        try:
            data = path.read_bytes()
        except OSError:
            data = b"unreadable"
        digest.update(str(path.relative_to(root)).encode() + b"\0" + data + b"\0")
    return digest.hexdigest()
