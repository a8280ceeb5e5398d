"""The submission side of the grader: runs inside the sandbox, never in the grader's own process.

Usage: python -I child.py FD_IN FD_OUT   (or forked by autograder/forkserver.py, which calls `serve`)

It executes the submission's cells, then answers calls from the trusted parent. Everything it sends
goes through `wire`, which the parent decodes without trusting it: this process may be tampered with by
the code it runs, and nothing it says is believed beyond "this call returned these plain values".
`run_cells` and `call_in` are also what the in-process development backend runs, so both backends share one
semantics (every exception of student code, SystemExit and KeyboardInterrupt included, is the student's).
"""

from __future__ import annotations

import builtins
import functools
import importlib.util
import os
import sys
import traceback
import types

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


class ForbiddenCall(Exception):
    """A function the assignment forbids in its solutions was called while a solution function ran."""


PR_SET_DUMPABLE = 4
# numpy computes convolution and correlation with one C routine (correlate2 of a reversed kernel): one operation
FAMILIES = (("convolve", "correlate"),)
# what a submission may not do in the sandbox once tripwires are in (they would reach the state the rules live in).
# Not ctypes: Python 3.11 audits no cast, memmove or call through a function pointer, so refusing the rest would
# stop no one, and the sandbox's own tests need it to prove the kernel's limits.
REFUSED = frozenset({
    "gc.get_objects", "gc.get_referrers", "gc.get_referents", "sys.settrace", "sys.setprofile", "sys.addaudithook",
})


def operation(name: str) -> str:
    """What a function computes, by its name: 'correlate2', '_correlate', 'convolve' -> 'convolve'."""
    base = name.rpartition(".")[2].lower().strip("_").rstrip("0123456789")
    return next((family[0] for family in FAMILIES if base in family), base)


def _shown(name: str) -> str:
    return "np." + name.removeprefix("numpy.") if name.startswith("numpy.") else name


class Tripwires:
    """The assignment's forbidden calls (`autograder.rules`), enforced in the submission's process while a guarded
    solution function runs (given code and the student's own tests may use them).

    `install`, before any submission code exists: every callable of numpy's modules (the C module
    `_multiarray_umath` included) whose name computes a forbidden operation is replaced, in every module that holds
    it, by a tripwire that holds no reference to it; the originals and the rules live only in the closures of two
    audit hooks (`sys.addaudithook`: Python offers no way to list or remove them). A tripwire asks the first hook by
    an audit event, which hands the original over only to a tripwire's own frame, or a `ForbiddenCall` when a guarded
    function runs (`_guarded_now`). The second hook makes imports of a forbidden package (`scipy.*`) fail while one
    runs, however the import is spelled; with `lockdown` (the sandbox) it also refuses what would reach the hooks'
    state or a fresh copy of numpy's C module: gc's referents, trace and profile functions, other audit hooks,
    /proc/*/mem, replacing a function's code, loading an extension module again or from outside the Python
    installation. (Out of reach of an audit hook: ctypes' raw memory, code run between two bytecodes of a tripwire
    by a signal handler or another thread, and a helper process the submission started while nothing was guarded.)"""

    def __init__(self):
        self.rules: dict[str, frozenset] | None = None  # None until install
        self.locked = False  # the sandbox's rules are a frozen copy, which the hooks hold

    def install(self, guarded: dict, lockdown: bool = False) -> None:
        rules = {str(k): frozenset(str(n) for n in v) for k, v in dict(guarded or {}).items()}
        if self.rules is not None:  # hooks are in for good: the development backend only changes the rules
            if not self.locked:
                self.rules.clear()
                self.rules.update(rules)
            return
        self.locked = lockdown
        self.rules = rules
        held = types.MappingProxyType(dict(rules)) if lockdown else rules
        originals = self._replace()
        for hook in _hooks(originals, held, call_in.__code__, lockdown):
            sys.addaudithook(hook)
        if lockdown:  # /proc/self/mem (which writes any byte of this process) belongs to root from now on
            import ctypes

            ctypes.CDLL(None, use_errno=True).prctl(PR_SET_DUMPABLE, 0, 0, 0, 0)

    def _replace(self) -> tuple:
        """Swap every numpy entry point of the `FAMILIES` (found by name) for a tripwire, whatever the rules (which
        the development backend may change); (original, operation) in the order of the tripwires' indices."""
        ops = {family[0] for family in FAMILIES}
        found: dict[int, tuple[object, str]] = {}
        places: list[tuple[object, str, int]] = []
        for module_name, module in sorted(sys.modules.items(), key=lambda item: item[0]):
            namespace = getattr(module, "__dict__", None)
            if not (module_name == "numpy" or module_name.startswith("numpy.")) or not isinstance(namespace, dict):
                continue
            for key, value in list(namespace.items()):
                if operation(key) in ops and callable(value) and not isinstance(value, type):
                    found.setdefault(id(value), (value, f"{module_name}.{key}"))
                    places.append((module, key, id(value)))
        index = {ident: i for i, ident in enumerate(found)}
        wires = {ident: _tripwire(index[ident], name, sys.audit) for ident, (_, name) in found.items()}
        for module, key, ident in places:
            setattr(module, key, wires[ident])
        return tuple((original, operation(name)) for original, name in found.values())


def _tripwire(index: int, name: str, audit):
    """What a submission finds where numpy's function was: it holds an index, never the function."""

    def tripwire(*args, **kwargs):
        box = []
        audit("kit.tripwire", index, box)
        return box.pop()(*args, **kwargs)

    tripwire.__name__ = tripwire.__qualname__ = name.rpartition(".")[2]
    tripwire.__module__ = name.rpartition(".")[0]
    return tripwire


_TRIPWIRE_CODE = _tripwire(0, "", None).__code__


def _guarded_now(current_frames, call_in_code, rules, type_, str_) -> tuple | None:
    """(where, forbidden names) while a guarded solution function runs on any thread: a frame of its cell's code, or
    of `call_in` calling it by name. Frames are the interpreter's own record: a submission cannot take its function
    off the stack, so there is no flag to switch off. (No global name: everything it uses comes as an argument.)"""
    for top in current_frames().values():
        frame = top
        while frame is not None:
            code = frame.f_code
            if code is call_in_code:
                name = frame.f_locals.get("name")
                if type_(name) is str_ and name in rules:
                    return f"{name}()", rules[name]
            elif type_(code.co_filename) is str_ and code.co_filename in rules:
                return (f"{code.co_name}()" if code.co_name != "<module>" else code.co_filename.strip("<>"),
                        rules[code.co_filename])
            frame = frame.f_back
    return None


def _resolved(path, os_open, readlink, close, flags: int, errors: tuple) -> str:
    """Where `path` leads, as the kernel sees it ('' when it does not). (No global name, as `_guarded_now`.)"""
    try:
        fd = os_open(path, flags)
    except errors:
        return ""
    try:
        return readlink(f"/proc/self/fd/{fd}")
    except errors:
        return ""
    finally:
        close(fd)


def _hooks(originals: tuple, rules, call_in_code, lockdown: bool) -> tuple:
    """The two audit hooks (`Tripwires`). Every name they use is bound here: a submission may rebind any module's or
    builtin's name (`builtins.type = ...`), which would run its code with their frames on the stack. The refusing
    hook's frame travels in a refusal's traceback, so its closure holds only immutable data, builtins and functions
    without a closure (`_guarded_now`, `_resolved`). `tests/test_tripwires.py` checks both for global names."""
    type_, str_, bytes_, int_, list_, len_, sorted_, next_ = type, str, bytes, int, list, len, sorted, next
    any_exception, refused, denied, not_loaded, forbidden = (BaseException, RuntimeError, PermissionError,
                                                             ImportError, ForbiddenCall)
    getframe, current_frames, fspath, partial, operation_, shown = (sys._getframe, sys._current_frames, os.fspath,
                                                                   functools.partial, operation, _shown)
    guarded_now, resolve, decode = _guarded_now, _resolved, bytes.decode
    path_args = (os.open, os.readlink, os.close, os.O_PATH | os.O_CLOEXEC, (OSError, TypeError, ValueError))
    write_flags, o_path, audit_refused = os.O_WRONLY | os.O_RDWR, os.O_PATH, REFUSED if lockdown else frozenset()
    tripwire_code, count = _TRIPWIRE_CODE, len(originals)
    packages = tuple(_package_dirs({n[:-2] for v in rules.values() for n in v if n.endswith(".*")}).items())
    loaded = frozenset(os.path.realpath(f) for f in (getattr(m, "__file__", None) for m in list(sys.modules.values()))
                       if isinstance(f, str) and f.endswith((".so", ".pyd")))
    installed = tuple(dict.fromkeys(os.path.realpath(p) + "/" for p in (sys.prefix, sys.base_prefix, sys.exec_prefix)))

    def raise_(exc: BaseException, *args, **kwargs):
        raise exc

    def hand_over(event: str, args: tuple) -> None:
        """Put into a tripwire's empty box the original, or a function that raises ForbiddenCall while a guarded
        function runs. Never raises (its frame would travel in a traceback)."""
        if event != "kit.tripwire":
            return
        try:
            index, box = args
            if type_(index) is not int_ or not 0 <= index < count or type_(box) is not list_ or box:
                return
            caller = getframe(1)
            if caller.f_code is not tripwire_code or caller.f_locals.get("box") is not box:
                return
            original, op = originals[index]
            guarded = guarded_now(current_frames, call_in_code, rules, type_, str_)
            names = [] if guarded is None else sorted_(n for n in guarded[1] if operation_(n) == op)
            box.append(None)
            if names:
                box.append(partial(raise_, forbidden(f"{shown(names[0])} is not allowed in {guarded[0]} (the "
                                                     "assignment forbids it in its solutions; this call was caught "
                                                     "while grading)")))
            else:
                box.append(original)
        except any_exception:
            return

    def refuse(event: str, args: tuple) -> None:
        """Imports of a forbidden package while a guarded function runs; with `lockdown`, what would reach the
        state or a fresh copy of numpy's C module."""
        if event in audit_refused:
            raise refused(f"{event} is not allowed while grading")
        package = ""
        if event == "import" and len_(args) > 1 and type_(args[0]) is str_:
            name, filename = args[0], args[1]
            if lockdown and type_(filename) is str_ and filename:
                where = resolve(filename, *path_args)
                if where in loaded or not where.startswith(installed):  # a second copy of one, or not installed
                    raise not_loaded(f"loading the extension module {name} is not allowed while grading")
            package = next_((p for p, _ in packages if name == p or name.startswith(p + ".")), "")
        elif event == "open" and len_(args) == 3:
            path, mode, flags = args
            if type_(flags) is int_ and flags & o_path:  # no reading or writing through it (`_resolved` opens so)
                return
            if type_(path) is not str_ and type_(path) is not bytes_ and type_(path) is not int_:
                path = fspath(path)
            if type_(path) is bytes_:
                path = decode(path, "utf-8", "surrogateescape")
            if type_(path) is not str_:
                return
            writes = (type_(mode) is str_ and ("w" in mode or "a" in mode or "+" in mode or "x" in mode)) or (
                type_(flags) is int_ and flags & write_flags)
            where = resolve(path, *path_args) if lockdown or packages else ""
            if lockdown and writes and (where.startswith("/proc/") or (not where and path.endswith("mem"))):
                raise denied(f"{path}: writing there is not allowed while grading")
            package = next_((p for p, dirs in packages if path.startswith(dirs) or where.startswith(dirs)), "")
        elif lockdown and event == "os.symlink" and len_(args) == 3:  # (a user namespace's child owns its mem file)
            target = fspath(args[0]) if type_(args[0]) is not str_ and type_(args[0]) is not bytes_ else args[0]
            target = decode(target, "utf-8", "surrogateescape") if type_(target) is bytes_ else target
            if type_(target) is str_ and ("proc" in target or target.rstrip("/").endswith("mem")):
                raise denied(f"a link to {target} is not allowed while grading")
        elif lockdown and event == "object.__setattr__" and len_(args) > 1 and args[1] == "__code__":
            raise refused("replacing a function's code is not allowed while grading")
        if package:
            guarded = guarded_now(current_frames, call_in_code, rules, type_, str_)
            if guarded is not None and f"{package}.*" in guarded[1]:
                raise forbidden(f"{package} is not allowed in {guarded[0]} (the assignment forbids it in its "
                                "solutions; this import was caught while grading)")

    return hand_over, refuse


def _package_dirs(packages: set[str]) -> dict[str, tuple[str, ...]]:
    """Where each installed package's files are (found without importing it): an import opens them."""
    found = {}
    for package in sorted(packages):
        try:
            spec = importlib.util.find_spec(package)
        except (ImportError, ValueError):
            spec = None
        locations = list(getattr(spec, "submodule_search_locations", None) or [])
        found[package] = tuple(dict.fromkeys(p for loc in locations for p in (loc + "/", os.path.realpath(loc) + "/")))
    return found


TRIPWIRES = Tripwires()


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


def call_in(namespace: dict, name: str, args: list, kwargs: dict, echo: bool, keep: int,
            lower: dict | None = None) -> dict:
    """Call `name(*args, **kwargs)` of the submission; the reply the parent gets. `lower`: global names that are, for
    this call only, the parent's functions (the reference's lower parts of a composite part, as callbacks)."""
    fn = namespace.get(name)
    if not callable(fn):
        return {"op": "raise", "type": "NameError", "message": f"{name} is not defined", "where": ""}
    lower = {k: v for k, v in (lower or {}).items() if callable(v) and k != name}
    own = {k: namespace[k] for k in lower if k in namespace}
    namespace.update(lower)
    try:
        value = fn(*args, **kwargs)
    except BaseException as exc:  # noqa: B902
        return {"op": "raise", **describe(exc, keep)}
    finally:
        for k in lower:  # the student's own functions again (absent ones stay absent)
            if k in own:
                namespace[k] = own[k]
            else:
                namespace.pop(k, None)
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


def serve(fd_in: int, fd_out: int) -> None:
    """Answer the parent's requests (load, then calls) until it closes the pipe."""
    namespace, keep = new_namespace(), 500
    make_handle = remote(fd_in, fd_out)
    call = call_in  # this frame's own: a submission that rebinds the module's call_in changes nothing here
    while True:
        try:
            request = wire.receive(fd_in, make_handle=make_handle)
        except EOFError:
            return
        if request["op"] == "load":
            keep = int(request.get("keep", keep))
            TRIPWIRES.install(request.get("guard") or {}, lockdown=True)
            reply = {"op": "loaded", "errors": run_cells(namespace, request["cells"], keep)}
            flush_and_mark(str(request.get("marker", "")))
        elif request["op"] == "call":
            lower = request.get("lower")
            reply = call(namespace, request["name"], request["args"], request["kwargs"],
                         bool(request.get("echo")), keep, lower if isinstance(lower, dict) else None)
        else:
            reply = {"op": "raise", "type": "RuntimeError", "message": "unknown request", "where": ""}
        try:
            wire.send(fd_out, reply)
        except wire.WireError as exc:
            wire.send(fd_out, {"op": "raise", "type": "TypeError", "where": "",
                               "message": f"returned a value that cannot be graded: {exc}"})


if __name__ == "__main__":
    serve(int(sys.argv[1]), int(sys.argv[2]))
