"""Files: a submission folder read as hostile (no symbolic link is followed, no hard link, FIFO, socket or device is
read, and no read is unbounded: nbgrader's collected folders hold only folders and regular files of one name each, so
anything else is refused and named, escaped); outputs written atomically; files hashed."""

from __future__ import annotations

import hashlib
import os
import stat
import tempfile
from pathlib import Path

from autograder.names import shown

MAX_ENTRIES = 10_000  # files and folders looked at in one submission folder


class Refused(Exception):
    """A file or folder of a submission that is not read; the message names it (escaped) and says why."""


def _kind(mode: int) -> str:
    return ("a symbolic link" if stat.S_ISLNK(mode) else "a FIFO" if stat.S_ISFIFO(mode)
            else "a socket" if stat.S_ISSOCK(mode) else "a device" if stat.S_ISCHR(mode) or stat.S_ISBLK(mode)
            else "not a regular file")


def _check(name: str, st: os.stat_result) -> None:
    if stat.S_ISDIR(st.st_mode):
        return
    if not stat.S_ISREG(st.st_mode):
        raise Refused(f"{shown(name)} is {_kind(st.st_mode)}: not read")
    if st.st_nlink > 1:
        raise Refused(f"{shown(name)} is a hard link ({st.st_nlink} names): not read")


def check_folder(folder: Path) -> None:
    """Raise Refused unless `folder` (not followed if a link) and everything in it are plain folders and regular files
    with one name each, at most MAX_ENTRIES of them."""
    st = os.lstat(folder)
    if stat.S_ISREG(st.st_mode):
        raise Refused(f"{shown(folder.name)} is a file, not a folder")
    if not stat.S_ISDIR(st.st_mode):
        raise Refused(f"{shown(folder.name)} is {_kind(st.st_mode)}: not read")
    todo, seen = [(folder, "")], 0
    while todo:
        path, rel = todo.pop()
        try:
            with os.scandir(path) as entries:
                found = [(e.name, e.path, e.stat(follow_symlinks=False)) for e in entries]
        except OSError as exc:
            raise Refused(f"cannot read the folder {shown(rel or folder.name)}: {exc.strerror}") from None
        for name, sub, st in sorted(found):
            seen += 1
            if seen > MAX_ENTRIES:
                raise Refused(f"{shown(folder.name)} holds more than {MAX_ENTRIES} files and folders")
            _check(f"{rel}/{name}" if rel else name, st)
            if stat.S_ISDIR(st.st_mode):
                todo.append((Path(sub), f"{rel}/{name}" if rel else name))


def read_bounded(path: Path, base: Path, limit: int) -> bytes:
    """The bytes of the regular file `path` under `base` (a folder the grader chose: it may be a link), at most
    `limit` of them. No component below `base` is followed if it is a link; raises Refused (too large, not a regular
    file, a link) or OSError (missing, unreadable)."""
    parts = path.relative_to(base).parts
    if not parts:
        raise Refused(f"{shown(path.name)} is not a file")
    fd = os.open(base, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
    try:
        for i, part in enumerate(parts[:-1]):
            _check_dir(fd, part, "/".join(parts[: i + 1]))
            sub = os.open(part, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC, dir_fd=fd)
            os.close(fd)
            fd = sub
        return _read_at(fd, parts[-1], "/".join(parts), limit)
    finally:
        os.close(fd)


def _check_dir(fd: int, name: str, rel: str) -> None:
    st = os.stat(name, dir_fd=fd, follow_symlinks=False)
    if not stat.S_ISDIR(st.st_mode):
        raise Refused(f"{shown(rel)} is {_kind(st.st_mode)}: not read")


def _read_at(dir_fd: int, name: str, rel: str, limit: int) -> bytes:
    before = os.stat(name, dir_fd=dir_fd, follow_symlinks=False)  # a FIFO or a device is never even opened
    _check(rel, before)
    if stat.S_ISDIR(before.st_mode):
        raise Refused(f"{shown(rel)} is a folder, not a file")
    fd = os.open(name, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_NOCTTY | os.O_CLOEXEC, dir_fd=dir_fd)
    try:
        st = os.fstat(fd)
        if (st.st_dev, st.st_ino) != (before.st_dev, before.st_ino):
            raise Refused(f"{shown(rel)} changed while it was read")
        _check(rel, st)
        if st.st_size > limit:
            raise Refused(f"{shown(rel)} is larger than {_size(limit)}")
        chunks, left = [], limit + 1
        while left > 0 and (chunk := os.read(fd, min(left, 1 << 20))):
            chunks.append(chunk)
            left -= len(chunk)
        if left <= 0:
            raise Refused(f"{shown(rel)} is larger than {_size(limit)}")
        return b"".join(chunks)
    finally:
        os.close(fd)


def _size(n: int) -> str:
    return f"{n / 1024**2:g} MiB" if n >= 1024**2 else f"{n} bytes"


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
