"""The sandbox confines hostile code: it sees no private file, keeps no process, and always answers in time."""

import ast
import os
import shutil
import socket
import subprocess
import sys
import tempfile

import numpy as np
import pytest
from capable import require
from processes import live_processes

from autograder.config import NO_PRELOAD, ROOT, Limits, Preload
from autograder.sandbox import Sandbox, fork_server, kill_uid, namespaces_available
from autograder.testing import CallTimeout, StudentError, SubmissionDied

QUICK = Limits(call_timeout=3, load_timeout=5, submission_timeout=40)
KERAS = Preload(("jax", "keras"), (("JAX_PLATFORMS", "cpu"), ("KERAS_BACKEND", "jax")))  # as A6 declares it
KERAS_LIMITS = Limits(call_timeout=60, load_timeout=20, submission_timeout=120, memory=4 * 1024**3, processes=256)
FOUND = (  # the first cell: what the child holds before any cell of the submission ran
    "import os, sys\n"
    "FOUND = [sorted(m for m in ('jax', 'keras') if m in sys.modules), os.environ.get('KERAS_BACKEND')]\n"
    "def found():\n"
    "    return FOUND\n"
)
needs_namespaces = pytest.mark.usefixtures("namespaces")


@pytest.fixture
def namespaces():
    require(namespaces_available(), "unshare", "namespaces need root or user namespaces, and unshare")


def sandbox(code: str, slot: int, **kw) -> Sandbox:
    return Sandbox([("given", "import numpy as np"), ("cell", code)], slot=slot, limits=QUICK, **kw)


def test_calls_return_plain_data_and_callbacks_reach_the_parent(slot):
    code = "def f(x, g):\n    return g(x * 2) + 1\n"
    with sandbox(code, slot) as sb:
        value, _ = sb.call("f", (np.arange(3.0), lambda y: y * 10), {})
    assert np.array_equal(value, [1.0, 21.0, 41.0])


def test_student_exceptions_arrive_as_student_errors(slot):
    with sandbox("def f():\n    raise ValueError('shapes (2, 3) and (4,)')\n", slot) as sb:
        with pytest.raises(StudentError, match="ValueError: shapes"):
            sb.call("f", (), {})
        with pytest.raises(StudentError, match="NameError"):
            sb.call("missing", (), {})


def test_unsendable_return_value_is_an_error_not_a_crash(slot):
    code = "class Yes:\n    def __eq__(self, o):\n        return True\ndef f():\n    return Yes()\n"
    with sandbox(code, slot) as sb:
        with pytest.raises(StudentError, match="cannot be graded"):
            sb.call("f", (), {})


@needs_namespaces
def test_private_files_are_invisible(slot, tmp_path):
    secret = tmp_path / "secret"
    secret.mkdir()
    (secret / "answers.txt").write_text("42")
    os.chmod(tmp_path, 0o755)
    code = (
        "import os\n"
        "def look(paths):\n"
        "    return [os.path.exists(p) for p in paths]\n"
        "def whoami():\n"
        "    return os.getuid()\n"
    )
    paths = [str(ROOT / "solutions"), str(ROOT / "autograder" / "suites"), str(secret / "answers.txt"),
             str(ROOT / "pyproject.toml")]
    with sandbox(code, slot, hide=(str(tmp_path),)) as sb:
        seen, _ = sb.call("look", (paths,), {})
        uid, _ = sb.call("whoami", (), {})
    assert seen == [False] * len(paths)
    assert uid != 0


@needs_namespaces
def test_the_child_sees_only_the_system_python_and_its_own_processes(slot):
    code = (
        "import os\n"
        "def look():\n"
        "    pids = [p for p in os.listdir('/proc') if p.isdigit()]\n"
        "    return sorted(os.listdir('/')), sorted(os.listdir('/tmp')), pids\n"
    )
    with sandbox(code, slot) as sb:
        (top, tmp, pids), _ = sb.call("look", (), {})
    # the system's directories, and the Python installation (this venv and the interpreter it was made from)
    python = {os.path.realpath(sys.prefix), sys.prefix, os.path.realpath(sys.base_prefix)}
    expected = {"usr", "bin", "sbin", "lib", "lib32", "lib64", "libx32", "etc", "proc", "dev", "tmp"}
    expected |= {p.split("/")[1] for p in python}
    in_tmp = {p.split("/")[2] for p in python if p.startswith("/tmp/")}  # a venv under /tmp (a clone there)
    assert set(top) <= expected and set(tmp) == {"kit", "work"} | in_tmp
    assert len(pids) <= 3, "a fresh /proc of the sandbox's PID namespace (its init, the shell exec'd into python)"


@needs_namespaces
@pytest.mark.parametrize("tool", ["auto", "unshare", "bwrap"])
def test_the_child_holds_no_capability_and_makes_no_user_namespace(slot, tool, monkeypatch):
    """Whichever way it is confined, the child has no capability in any set and cannot gain one; in a user namespace
    (the grader's own or bubblewrap's) it cannot make another one either."""
    if tool == "bwrap":
        require(shutil.which("bwrap") is not None, "bwrap", "bubblewrap is not installed (make test-tools installs it)")
    monkeypatch.setenv("KIT_ISOLATION", tool)
    code = (
        "import ctypes\n"
        "def status():\n"
        "    return dict(line.split(':\\t', 1) for line in open('/proc/self/status').read().splitlines())\n"
        "def new_user_namespace():\n"
        "    return ctypes.CDLL(None, use_errno=True).unshare(0x10000000)\n"  # CLONE_NEWUSER
    )
    with sandbox(code, slot) as sb:
        status, _ = sb.call("status", (), {})
        made, _ = sb.call("new_user_namespace", (), {})
    assert {status[k] for k in ("CapInh", "CapPrm", "CapEff", "CapBnd", "CapAmb")} == {"0000000000000000"}
    assert status["NoNewPrivs"] == "1"
    assert made == -1


USER_NAMESPACES = (  # no import beyond what the child holds (the fallback as root cannot read a Python under /root)
    "import _thread, ctypes, os, platform\n"
    "libc = ctypes.CDLL(None, use_errno=True)\n"
    "libc.syscall.restype = ctypes.c_long\n"
    "CLONE_NEWUSER, SIGCHLD = 0x10000000, 17\n"
    "def run(path, *args):\n"
    "    pid = os.posix_spawn(path, [path, *args], {})\n"  # glibc's posix_spawn: clone3, else clone
    "    return os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1])\n"
    "def attempts():\n"
    "    made = [libc.unshare(CLONE_NEWUSER)]\n"
    "    pid = libc.syscall({'x86_64': 56, 'aarch64': 220}[platform.machine()], CLONE_NEWUSER | SIGCHLD, 0, 0, 0, 0)\n"
    "    if pid == 0:\n"
    "        os._exit(0)\n"
    "    made.append(pid if pid < 0 else 'a process in a new user namespace')\n"
    "    made.append(run(UNSHARE, '--user', 'true'))\n"
    "    return made\n"
    "def still_works():\n"
    "    done = _thread.allocate_lock()\n"
    "    done.acquire()\n"
    "    _thread.start_new_thread(done.release, ())\n"  # a thread: glibc's pthread_create, clone3 else clone
    "    return [done.acquire(timeout=2), run(TRUE)]\n"
)


@pytest.mark.parametrize("tool", ["auto", "unshare", "fallback"])
def test_no_mode_lets_the_child_make_a_user_namespace(slot, tool, monkeypatch):
    """unshare and clone with CLONE_NEWUSER are refused in every mode the fork server makes (seccomp), root's and the
    fallback's included; threads (clone3 refused: the C library falls back to clone) and processes still work."""
    if tool != "fallback":
        require(namespaces_available(), "unshare", "namespaces need root or user namespaces")
    require(shutil.which("unshare") is not None, "unshare", "util-linux's unshare is not installed")
    monkeypatch.setenv("KIT_ISOLATION", tool)
    paths = f"UNSHARE, TRUE = {shutil.which('unshare')!r}, {shutil.which('true')!r}\n"
    with sandbox(paths + USER_NAMESPACES, slot) as sb:
        made, _ = sb.call("attempts", (), {})
        works, _ = sb.call("still_works", (), {})
    assert made[:2] == [-1, -1] and made[2] != 0, made
    assert works == [True, 0]


OTHER_RULES = (
    "import ctypes, errno, platform\n"
    "libc = ctypes.CDLL(None, use_errno=True)\n"
    "def attempt(number):\n"
    "    ctypes.set_errno(0)\n"
    "    return [libc.syscall(number, 0, 0), errno.errorcode.get(ctypes.get_errno(), '')]\n"
    "def other_rules():\n"
    "    clone3 = attempt(435)\n"  # no arguments: EINVAL from the kernel, ENOSYS from the filter
    "    x32 = attempt(0x40000000 | 39) if platform.machine() == 'x86_64' else [-1, 'EPERM']\n"  # x32's getpid
    "    return clone3, x32\n"
)


@pytest.mark.parametrize("tool", ["auto", "unshare", "bwrap", "fallback"])
def test_every_mode_refuses_clone3_and_another_abis_calls(slot, tool, monkeypatch):
    """The seccomp filter's other rules: clone3 answers ENOSYS (its flags are out of the filter's reach) and a call
    of another ABI (x86_64's x32) is refused with EPERM, whatever the kernel would have said — bubblewrap's child
    included (the same program, compiled by libseccomp, through --seccomp)."""
    if tool == "bwrap":
        require(shutil.which("bwrap") is not None, "bwrap", "bubblewrap is not installed (make test-tools installs it)")
    elif tool != "fallback":
        require(namespaces_available(), "unshare", "namespaces need root or user namespaces")
    monkeypatch.setenv("KIT_ISOLATION", tool)
    with sandbox(OTHER_RULES, slot) as sb:
        (clone3, x32), _ = sb.call("other_rules", (), {})
    assert clone3 == [-1, "ENOSYS"] and x32 == [-1, "EPERM"], (clone3, x32)


FILE_SYSTEM = (
    "import os\n"
    "def file_system():\n"
    "    seen = {d: sorted(os.listdir(d)) for d in ('/', '/dev', '/tmp', '/tmp/work')}\n"
    "    flags = {d: [os.statvfs(d).f_flag & (os.ST_RDONLY | os.ST_NOSUID | os.ST_NODEV), os.access(d, os.W_OK)]\n"
    "             for d in ('/', '/usr', '/etc', '/proc', '/dev', '/dev/shm', '/tmp', '/tmp/kit', '/tmp/work')}\n"
    "    links = {d: os.readlink(d) for d in ('/dev/fd', '/dev/stdin', '/dev/stdout', '/dev/stderr')}\n"
    "    return seen, flags, links, os.getcwd()\n"
)


@needs_namespaces
def test_bwrap_and_the_fork_server_make_the_same_file_system(slot, monkeypatch):
    """One plan (autograder.confinement), two ways to make it: the child finds the same directories, devices,
    links, read-only and writable places whether the fork server or bubblewrap confined it."""
    require(shutil.which("bwrap") is not None, "bwrap", "bubblewrap is not installed (make test-tools installs it)")
    seen = {}
    for tool in ("unshare", "bwrap"):
        monkeypatch.setenv("KIT_ISOLATION", tool)
        with sandbox(FILE_SYSTEM, slot) as sb:
            assert sb.tool == tool
            seen[tool], _ = sb.call("file_system", (), {})
    assert seen["unshare"] == seen["bwrap"]
    listing, flags, _, cwd = seen["bwrap"]
    assert {"null", "zero", "urandom", "shm", "fd"} <= set(listing["/dev"]) and cwd == "/tmp/work"
    assert flags["/"][1] is False and flags["/tmp/work"][1] is True


@needs_namespaces
def test_no_network(slot):
    """A port the grader listens on (reachable from any other process here) cannot be reached from the sandbox."""
    code = (
        "import socket\n"
        "def connect(port):\n"
        "    s = socket.socket()\n"
        "    s.settimeout(1)\n"
        "    try:\n"
        "        s.connect(('127.0.0.1', port))\n"
        "        return 'connected'\n"
        "    except OSError as e:\n"
        "        return type(e).__name__\n"
    )
    with socket.create_server(("127.0.0.1", 0)) as server:
        port = server.getsockname()[1]
        with socket.create_connection(("127.0.0.1", port), timeout=1):
            pass  # the listener works for an ordinary process
        with sandbox(code, slot) as sb:
            value, _ = sb.call("connect", (port,), {})
    assert value != "connected"


@pytest.mark.parametrize("loop", [
    "def f():\n    while True:\n        pass\n",
    "import signal\ndef f():\n    signal.signal(signal.SIGINT, signal.SIG_IGN)\n"
    "    signal.signal(signal.SIGTERM, signal.SIG_IGN)\n    while True:\n        pass\n",
])
def test_endless_loops_time_out_and_the_sandbox_restarts(slot, loop):
    with sandbox(loop + "def ok():\n    return 1\n", slot) as sb:
        with pytest.raises(CallTimeout):
            sb.call("f", (), {}, timeout=1)
        assert sb.call("ok", (), {})[0] == 1
        assert sb.starts == 2


def test_memory_hog_is_stopped(slot):
    code = "def hog():\n    blocks = []\n    while True:\n        blocks.append(bytearray(512 * 1024**2))\n"
    with sandbox(code, slot) as sb:
        with pytest.raises((StudentError, SubmissionDied), match="MemoryError|signal|ended"):
            sb.call("hog", (), {}, timeout=20)


def test_processes_do_not_outlive_the_sandbox(slot):
    code = (
        "import os, subprocess\n"
        "def spawn():\n"
        "    subprocess.Popen(['sleep', '300'], start_new_session=True)\n"
        "    n = 0\n"
        "    try:\n"
        "        for _ in range(200):\n"
        "            if os.fork() == 0:\n"
        "                os.setsid()\n"
        "                import time; time.sleep(300)\n"
        "            n += 1\n"
        "    except OSError:\n"
        "        pass\n"
        "    return n\n"
    )
    sb = sandbox(code, slot)
    forked, _ = sb.call("spawn", (), {})
    assert forked < 200  # the process limit stopped the fork loop
    sb.release()
    if sb.uid != os.geteuid():
        assert live_processes([sb.uid]) == []


def test_exit_at_load_is_reported(slot):
    sb = sandbox("import os\nos._exit(0)\n", slot)
    with pytest.raises(SubmissionDied, match="exit code 0"):
        sb.call("anything", (), {})
    sb.release()
    assert not sb.loaded


def test_sys_exit_inside_a_function_is_just_an_exception(slot):
    with sandbox("import sys\ndef f():\n    sys.exit(0)\n", slot) as sb:
        with pytest.raises(StudentError, match="SystemExit"):
            sb.call("f", (), {})


def test_huge_output_is_cut(slot):
    code = "import sys\nfor _ in range(200):\n    sys.stdout.write('x' * 100000)\ndef f():\n    return 1\n"
    with sandbox(code, slot) as sb:
        assert sb.call("f", (), {})[0] == 1
    assert len(sb.output) < QUICK.output_kept + 100 and "cut" in sb.output


def test_a_function_that_broke_its_process_is_not_called_again(slot):
    """One bug costs one part: later calls of that function fail at once, the others run in a new process."""
    code = ("import os\ndef die():\n    os._exit(3)\n"
            "def loop():\n    while True:\n        pass\ndef ok():\n    return 1\n")
    with sandbox(code, slot) as sb:
        with pytest.raises(SubmissionDied, match="exit code 3"):
            sb.call("die", (), {})
        with pytest.raises(CallTimeout):
            sb.call("loop", (), {}, timeout=1)
        starts = sb.starts
        for _ in range(5):
            with pytest.raises(SubmissionDied, match="not called again"):
                sb.call("die", (), {})
            with pytest.raises(CallTimeout, match="not called again"):
                sb.call("loop", (), {})
        assert sb.starts == starts, "no process was started for a function known to break it"
        assert sb.call("ok", (), {})[0] == 1


def test_a_student_test_that_hung_on_one_implementation_is_judged_on_the_next(slot):
    """A student's test (a call given callbacks) that hangs on one implementation still runs on the others: the
    judge counts that run as no verdict, not as every later run."""
    code = "def t(impl):\n    if impl() == 'slow':\n        while True:\n            pass\n    return impl()\n"
    with sandbox(code, slot) as sb:
        with pytest.raises(CallTimeout):
            sb.call("t", (lambda: "slow",), {}, timeout=1)
        assert sb.call("t", (lambda: "fast",), {})[0] == "fast"


def test_a_process_killed_by_its_cpu_limit_is_reported_as_a_signal(slot):
    """How the child died reaches the row (not an exit code that blames sys.exit)."""
    code = "def spin():\n    while True:\n        pass\n"
    sb = Sandbox([("cell", code)], slot=slot, limits=Limits(call_timeout=20, load_timeout=5, cpu_seconds=1))
    with sb, pytest.raises(SubmissionDied, match=r"signal SIG(KILL|XCPU)"):
        sb.call("spin", (), {})


def test_killing_sandboxes_spares_the_graders_own_processes(slot):
    """kill_uid(0) is refused, and a sandbox's release kills only its own user's processes."""
    bystander = subprocess.Popen(["sleep", "60"])  # owned by the grading user (root in CI)
    try:
        kill_uid(os.geteuid() if os.geteuid() == 0 else 0)
        with sandbox("def f():\n    return 1\n", slot) as sb:
            assert sb.call("f", (), {})[0] == 1
        assert bystander.poll() is None, "a process of the grading user was killed"
    finally:
        bystander.kill()
        bystander.wait()


def test_only_what_loading_printed_is_kept(slot):
    """Prints during hidden-test calls could reveal hidden inputs or wheats; only the notebook's own output is kept."""
    code = "print('loading done')\ndef f(x):\n    print('SECRET', x)\n    return x\n"
    with sandbox(code, slot) as sb:
        sb.call("f", (12345,), {})
    assert "loading done" in sb.output and "SECRET" not in sb.output and "12345" not in sb.output


def test_a_child_finds_its_assignments_preload_imported_and_uses_it(slot):
    """A6's children are forked from a server that imported jax and keras (one thread, no JAX backend: safe to
    fork; with a home of its own, not the shared /tmp/.keras Keras falls back to); the child starts JAX's backend
    itself, and its Keras model computes what numpy does."""
    code = FOUND + (
        "def predict(w, b, x):\n"
        "    import keras\n"
        "    model = keras.Sequential([keras.Input((w.shape[0],)), keras.layers.Dense(w.shape[1])])\n"
        "    model.layers[0].set_weights([w, b])\n"
        "    return keras.backend.backend(), model.predict(x, verbose=0).astype('float64')\n"
        "def keras_home():\n"
        "    return sys.modules['keras.src.backend.config'].keras_home()\n"
    )
    rng = np.random.default_rng(6)
    w, b, x = rng.standard_normal((5, 3)), rng.standard_normal(3), rng.standard_normal((4, 5))
    with Sandbox([("cell", code)], slot=slot, limits=KERAS_LIMITS, preload=KERAS) as sb:
        found, _ = sb.call("found", (), {})
        (backend, scores), _ = sb.call("predict", (w, b, x), {})
        home, _ = sb.call("keras_home", (), {})
    assert found == [["jax", "keras"], "jax"] and backend == "jax"
    assert home.startswith(tempfile.gettempdir() + "/kit-forkserver-"), home
    assert np.allclose(scores, x @ w + b, rtol=0, atol=1e-5)
    server = fork_server(KERAS)
    assert server.hello == {"ready": True, "modules": ["jax", "keras"], "threads": 1}
    assert len(os.listdir(f"/proc/{server.pid()}/task")) == 1, "the server is still one thread after forking"


def test_a_plain_child_does_not_get_what_another_assignment_preloads(slot):
    """With A6's server running in this process, the other assignments' children still hold numpy alone (no jax in
    their address space, which their memory limit of 2 GiB counts)."""
    with Sandbox([("cell", FOUND)], slot=slot, limits=KERAS_LIMITS, preload=KERAS) as sb:
        assert sb.call("found", (), {})[0][0] == ["jax", "keras"]
    with sandbox(FOUND, slot) as sb:
        assert sb.call("found", (), {})[0] == [[], None]
    assert fork_server(KERAS).pid() != fork_server(NO_PRELOAD).pid()


def test_a_preload_that_cannot_be_imported_costs_nothing_but_time(slot, capfd):
    """Its children are forked from the plain server (they import what they need themselves); the grader says so
    once, and does not try again."""
    missing = Preload(("numpy", "kit_no_such_module"), (("KIT_PRELOADED", "yes"),))
    code = FOUND + "def env():\n    return os.environ.get('KIT_PRELOADED')\n"
    for _ in range(2):
        with Sandbox([("cell", code)], slot=slot, limits=QUICK, preload=missing) as sb:
            assert sb.call("found", (), {})[0] == [[], None]
            assert sb.call("env", (), {})[0] == "yes", "the declared environment, still"
    said = capfd.readouterr().err
    assert said.count("preloading numpy, kit_no_such_module failed: ModuleNotFoundError") == 1, said
    assert fork_server(missing).pid() is None


def test_bwrap_starts_a_new_interpreter_without_the_preload(slot, monkeypatch):
    """bwrap execs a fresh interpreter: nothing is preloaded there, the declared environment is set, all works."""
    require(shutil.which("bwrap") is not None, "bwrap", "bubblewrap is not installed (make test-tools installs it)")
    monkeypatch.setenv("KIT_ISOLATION", "bwrap")
    with Sandbox([("cell", FOUND)], slot=slot, limits=KERAS_LIMITS, preload=KERAS) as sb:
        assert sb.tool == "bwrap"
        assert sb.call("found", (), {})[0] == [[], "jax"]


def test_forking_is_unsafe_with_a_second_thread_or_a_jax_backend(tmp_path):
    """What the fork server checks after its imports: importing jax and keras leaves it one thread with no backend;
    a thread, or JAX's first computation (XLA's thread pools), makes forking unsafe."""
    script = (
        "import sys, threading\n"
        f"sys.path.insert(0, {str(ROOT / 'autograder')!r})\n"
        "import forkserver, jax, keras\n"
        "print(repr(forkserver.fork_hazards()))\n"
        "stop = threading.Event()\n"
        "t = threading.Thread(target=stop.wait)\n"
        "t.start()\n"
        "print(repr(forkserver.fork_hazards()))\n"
        "stop.set(); t.join()\n"
        "jax.numpy.ones(2).block_until_ready()\n"
        "print(repr(forkserver.fork_hazards()))\n"
    )
    env = {"PATH": "/usr/bin:/bin", "KERAS_BACKEND": "jax", "JAX_PLATFORMS": "cpu", "OPENBLAS_NUM_THREADS": "1",
           "HOME": str(tmp_path)}
    done = subprocess.run([sys.executable, "-I", "-c", script], capture_output=True, text=True, env=env, timeout=120)
    assert done.returncode == 0, done.stderr
    clean, thread, backend = [ast.literal_eval(line) for line in done.stdout.splitlines()]
    assert clean == "" and thread == "2 threads"
    assert "threads" in backend and "a JAX backend is initialised" in backend
