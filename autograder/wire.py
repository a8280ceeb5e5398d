"""The safe data format between the trusted grader and the sandboxed submission.

A message is a JSON header plus numpy arrays, each as its dtype (one of a fixed set of plain numeric dtypes, by
name), its shape and its raw C-order bytes. Decoding never unpickles or evaluates anything: an array is rebuilt
with `np.frombuffer` from the bytes after its dtype, shape and size are checked, and the only values that come out
are None, bool, int, float, str, list, tuple, dict (str keys) and ndarray.
Callables (parent side only) travel as opaque integer handles.

This module is copied into the sandbox as it is, so it imports nothing but the standard library and numpy.
"""

from __future__ import annotations

import json
import math
import os
import select
import struct
import time

import numpy as np

MAGIC = b"KIT2"
MAX_MESSAGE = 512 * 1024 * 1024
MAX_DEPTH = 32
MAX_ITEMS = 100_000
NUMERIC_KINDS = "biufc"
MAX_NDIM = 32
# The only dtypes an array may have on the wire, by their `dtype.str` (both byte orders): bool, ints, floats, complex.
DTYPES = {d.str: d for code in "?bBhHiIlLqQefdgFDG" for d in (np.dtype(code), np.dtype(code).newbyteorder("S"))}


class WireError(Exception):
    """A value cannot be encoded, or a message is malformed."""


class Handle:
    """An opaque reference to a callable that lives on the other side."""

    __slots__ = ("id",)

    def __init__(self, id: int):
        self.id = id


def encode(obj, handles: dict | None = None) -> bytes:
    """Encode `obj`; callables are registered in `handles` (id -> callable) when given."""
    arrays: list[bytes] = []
    header = json.dumps(_pack(obj, arrays, handles, 0), allow_nan=True).encode()
    parts = [MAGIC, struct.pack("<QI", len(header), len(arrays)), header]
    for blob in arrays:
        parts += [struct.pack("<Q", len(blob)), blob]
    return b"".join(parts)


def _pack(obj, arrays, handles, depth):
    if depth > MAX_DEPTH:
        raise WireError("value nested too deeply")
    if obj is None or type(obj) in (bool, str):
        return obj
    if type(obj) is int:
        return obj if abs(obj) < 2**63 else {"__float__": repr(float(obj))}
    if type(obj) is float:
        return {"__float__": repr(obj)}
    if isinstance(obj, np.generic) and obj.dtype.kind in NUMERIC_KINDS:
        return _pack(obj.item(), arrays, handles, depth)
    if isinstance(obj, np.ndarray):
        arr = np.asarray(obj)  # a subclass is sent as its plain data
        if arr.dtype.str not in DTYPES:
            raise WireError(f"array of dtype {arr.dtype} cannot be sent (numeric dtypes only)")
        if arr.ndim > MAX_NDIM:
            raise WireError(f"array of {arr.ndim} dimensions cannot be sent (at most {MAX_NDIM})")
        descr = arr.dtype.str.encode()
        head = struct.pack(f"<B{len(descr)}sB{arr.ndim}q", len(descr), descr, arr.ndim, *arr.shape)
        arrays.append(head + np.ascontiguousarray(arr).tobytes())
        return {"__array__": len(arrays) - 1}
    if type(obj) in (list, tuple):
        if len(obj) > MAX_ITEMS:
            raise WireError("sequence too long")
        items = [_pack(v, arrays, handles, depth + 1) for v in obj]
        return items if type(obj) is list else {"__tuple__": items}
    if type(obj) is dict:
        if not all(type(k) is str for k in obj):
            raise WireError("dict keys must be strings")
        return {"__dict__": [[k, _pack(v, arrays, handles, depth + 1)] for k, v in obj.items()]}
    if isinstance(obj, Handle):
        return {"__handle__": obj.id}
    if callable(obj) and handles is not None:
        hid = len(handles) + 1
        handles[hid] = obj
        return {"__handle__": hid}
    raise WireError(f"values of type {type(obj).__name__} cannot be sent")


def decode(data: bytes, make_handle=Handle):
    """Decode a message made by `encode`; `make_handle(id)` turns handles into local objects."""
    if len(data) > MAX_MESSAGE:
        raise WireError("message too large")
    if data[:4] != MAGIC or len(data) < 16:
        raise WireError("not a message")
    hlen, narr = struct.unpack_from("<QI", data, 4)
    pos = 16
    header = json.loads(data[pos : pos + hlen])
    pos += hlen
    arrays = []
    for _ in range(narr):
        (alen,) = struct.unpack_from("<Q", data, pos)
        pos += 8
        arrays.append(_load_array(memoryview(data)[pos : pos + alen]))
        pos += alen
    if pos != len(data):
        raise WireError("trailing bytes in message")
    counter = [0]
    return _unpack(header, arrays, make_handle, 0, counter)


def _load_array(blob) -> np.ndarray:
    """An array from its wire form: u8 n, n bytes of dtype name, u8 ndim, ndim int64 (little-endian) dimensions,
    then exactly the array's bytes in C order. Anything else is refused."""
    try:
        n = blob[0]
        dtype = DTYPES[bytes(blob[1 : 1 + n]).decode("ascii")]
        ndim = blob[1 + n]
        if ndim > MAX_NDIM:
            raise ValueError("too many dimensions")
        shape = struct.unpack_from(f"<{ndim}q", blob, 2 + n)
        offset = 2 + n + 8 * ndim
        count = math.prod(shape)
        if min(shape, default=0) < 0 or len(blob) - offset != count * dtype.itemsize:
            raise ValueError("size does not match the shape")
        if count == 0:
            return np.zeros(shape, dtype)
        return np.frombuffer(blob, dtype, count=count, offset=offset).reshape(shape).copy()
    except (IndexError, KeyError, UnicodeDecodeError, ValueError, struct.error) as exc:
        raise WireError(f"bad array: {exc}") from None


def _unpack(obj, arrays, make_handle, depth, counter):
    counter[0] += 1
    if depth > MAX_DEPTH or counter[0] > MAX_ITEMS * 4:
        raise WireError("message too deep or too large")
    if obj is None or type(obj) in (bool, int, str):
        return obj
    if type(obj) is float:
        return obj
    if type(obj) is list:
        return [_unpack(v, arrays, make_handle, depth + 1, counter) for v in obj]
    if type(obj) is dict and len(obj) == 1:
        ((tag, val),) = obj.items()
        if tag == "__float__" and type(val) is str:
            return float(val)
        if tag == "__array__" and type(val) is int and 0 <= val < len(arrays):
            return arrays[val]
        if tag == "__tuple__" and type(val) is list:
            return tuple(_unpack(v, arrays, make_handle, depth + 1, counter) for v in val)
        if tag == "__dict__" and type(val) is list:
            out = {}
            for pair in val:
                if type(pair) is not list or len(pair) != 2 or type(pair[0]) is not str:
                    raise WireError("bad dict entry")
                out[pair[0]] = _unpack(pair[1], arrays, make_handle, depth + 1, counter)
            return out
        if tag == "__handle__" and type(val) is int:
            return make_handle(val)
    raise WireError("malformed value")


def echo_inputs(args, kwargs) -> list:
    """The arguments of a call as they are after it, to check it left them alone (functions passed in become None)."""
    return [[None if callable(a) else a for a in args], {k: None if callable(v) else v for k, v in kwargs.items()}]


def send(fd: int, obj, handles: dict | None = None, deadline: float | None = None) -> None:
    """Write one length-prefixed message to a file descriptor; with a `time.monotonic()` deadline, raise TimeoutError
    when it passes before the other side has taken the whole message (it may never read it)."""
    data = encode(obj, handles)
    view = memoryview(struct.pack("<Q", len(data)) + data)
    if deadline is None:
        while view:
            view = view[os.write(fd, view) :]
        return
    blocking = os.get_blocking(fd)
    os.set_blocking(fd, False)
    try:
        while view:
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([], [fd], [], left)[1]:
                raise TimeoutError("the message was not taken in time")
            try:
                view = view[os.write(fd, view) :]
            except BlockingIOError:  # writable, yet not room enough for this write: wait again
                continue
    finally:
        os.set_blocking(fd, blocking)


def read_exact(fd: int, n: int, deadline: float | None = None) -> bytes:
    """Read n bytes; with a `time.monotonic()` deadline, raise TimeoutError when it passes."""
    chunks, got = [], 0
    while got < n:
        if deadline is not None:
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([fd], [], [], left)[0]:
                raise TimeoutError("no answer in time")
        chunk = os.read(fd, min(n - got, 1 << 20))
        if not chunk:
            raise EOFError("the other side closed the channel")
        chunks.append(chunk)
        got += len(chunk)
    return b"".join(chunks)


def receive(fd: int, make_handle=Handle, deadline: float | None = None):
    """Read one message, blocking until `deadline` at most."""
    (n,) = struct.unpack("<Q", read_exact(fd, 8, deadline))
    if n > MAX_MESSAGE:
        raise WireError("message too large")
    return decode(read_exact(fd, n, deadline), make_handle)
