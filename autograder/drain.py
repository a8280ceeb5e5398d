"""Draining a child's output pipe in a thread, keeping only what loading printed (up to a size)."""

from __future__ import annotations

import os
import threading


class Drain(threading.Thread):
    """Reads a pipe to its end, keeping the first `keep` bytes of what was printed before `marker` (the child's
    end-of-load handshake: what is printed during hidden tests could reveal them, so it is never kept)."""

    def __init__(self, fd: int, keep: int, marker: bytes):
        super().__init__(daemon=True)
        self.fd, self.keep, self.marker = fd, keep, marker
        self.kept, self.size, self.end, self.tail = bytearray(), 0, None, b""
        self.marked = threading.Event()

    def run(self) -> None:
        try:
            while chunk := os.read(self.fd, 65536):
                if self.end is None:
                    self._take(chunk)
        except OSError:
            pass
        finally:
            os.close(self.fd)

    def _take(self, chunk: bytes) -> None:
        window, start = self.tail + chunk, self.size - len(self.tail)  # `start`: where `window` begins
        self.kept += chunk[: max(self.keep - len(self.kept), 0)]
        self.size += len(chunk)
        self.tail = window[-(len(self.marker) - 1):] if len(self.marker) > 1 else b""
        at = window.find(self.marker)
        if at >= 0:
            self.freeze(start + at)
            self.marked.set()

    def freeze(self, end: int | None = None) -> None:
        """Keep nothing printed after byte `end` (default: what was read so far)."""
        if self.end is None:
            self.end = self.size if end is None else end
            del self.kept[min(self.end, self.keep):]

    def text(self) -> str:
        out = bytes(self.kept).decode("utf-8", "replace")
        return out + ("\n[… output cut]" if (self.end if self.end is not None else self.size) > self.keep else "")
