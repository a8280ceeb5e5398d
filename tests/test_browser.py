"""What a student sees: every released notebook opened in JupyterLab, in a real headless Chromium.

One JupyterLab server (the kit's environment, set up as a student's: the instructor extensions off, as the README's
student section does it) on a free loopback port; Debian's chromium, driven by Playwright (no browser download).
For each assignment the released stub notebook and a solved one (the release with the reference solution cells) are
run cell by cell, as a student runs them, and saved; then:
- stubs: the only errors are NotImplementedError or an AssertionError, and only in check cells (a check whose function
  is not written yet); demos and given cells never fail;
- solved: no error at all, every demo that draws shows its figure (an <img> that loaded), and the Validate button
  reports success.
Every process started here is stopped (the server's whole process group; the browser by Playwright).
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import nbformat
import pytest

from autograder import assignment as layout
from course.examples import student_notebook
from course.release import STUDENT_LAB_DISABLED, STUDENT_SERVER_DISABLED

ASSIGNMENTS = [a.id for a in layout.find()]
pytestmark = pytest.mark.xdist_group("browser")

CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync"]
ALLOWED_STUB_ERRORS = {"NotImplementedError", "AssertionError"}
TOKEN = "kit-browser-test"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def write_student_config(root: Path) -> dict[str, str]:
    """A private Jupyter config/data/runtime: the student's disabled extensions, every cell rendered (no windowing,
    so that figures of cells off screen are in the page too). Returns the environment for the server."""
    config, settings = root / "config", root / "settings"
    (config / "labconfig").mkdir(parents=True)
    (config / "labconfig" / "page_config.json").write_text(
        json.dumps({"disabledExtensions": dict.fromkeys(STUDENT_LAB_DISABLED, True)}))
    tracker = settings / "@jupyterlab" / "notebook-extension"
    tracker.mkdir(parents=True)
    (tracker / "tracker.jupyterlab-settings").write_text(json.dumps({"windowingMode": "none"}))
    bin_dir = str(Path(sys.executable).parent)
    return {**os.environ, "JUPYTER_CONFIG_DIR": str(config), "JUPYTER_RUNTIME_DIR": str(root / "runtime"),
            "JUPYTER_DATA_DIR": str(root / "data"), "MPLCONFIGDIR": str(root / "mpl"), "IPYTHONDIR": str(root / "ipy"),
            "PATH": bin_dir + os.pathsep + os.environ.get("PATH", ""), "MPLBACKEND": "module://matplotlib_inline.backend_inline"}


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    """(base url, notebook folder) of a JupyterLab server on a free loopback port; stopped afterwards."""
    root = tmp_path_factory.mktemp("lab")
    work = root / "work"
    for a in layout.find():
        (work / "stub").mkdir(parents=True, exist_ok=True)
        (work / "solved").mkdir(parents=True, exist_ok=True)
        shutil.copy(a.release_notebook, work / "stub" / f"{a.id}.ipynb")
        nbformat.write(student_notebook(a, a.reference_answers(), written="A written answer."),
                       work / "solved" / f"{a.id}.ipynb")
    env = write_student_config(root)
    port = free_port()
    cmd = [sys.executable, "-m", "jupyterlab", "--no-browser", "--ServerApp.ip=127.0.0.1", f"--ServerApp.port={port}",
           "--ServerApp.port_retries=0", f"--IdentityProvider.token={TOKEN}", f"--ServerApp.root_dir={work}",
           "--LabApp.expose_app_in_browser=True", f"--LabApp.user_settings_dir={root / 'settings'}",
           f"--LabApp.workspaces_dir={root / 'workspaces'}"]
    for ext in STUDENT_SERVER_DISABLED:
        cmd += ["--ServerApp.jpserver_extensions", f"{ext}=False"]
    with serve(cmd, work, env, root / "server.log", port) as base:
        yield base, work, root / "server.log"


@contextlib.contextmanager
def serve(cmd: list[str], cwd: Path, env: dict[str, str], log_path: Path, port: int) -> Iterator[str]:
    """Run a Jupyter server command (listening on `port`) until the block ends; yields its base URL. The server's
    output goes to `log_path`; its whole process group is stopped afterwards."""
    if os.geteuid() == 0:
        cmd = [*cmd, "--allow-root"]
    log = open(log_path, "wb")  # closed below
    server = subprocess.Popen(cmd, cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                              start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    serving = threading.Event()

    def copy_log() -> None:  # the server says where it listens once it does: that line is the signal
        for line in server.stdout:
            log.write(line)
            log.flush()
            if f"{base}/".encode() in line:
                serving.set()
        serving.set()  # it ended: the wait below must not last

    copier = threading.Thread(target=copy_log, daemon=True)
    copier.start()
    try:
        if not serving.wait(90) or server.poll() is not None:
            pytest.fail("the Jupyter server did not start:\n" + log_path.read_text()[-3000:])
        yield base
    finally:
        try:
            os.killpg(server.pid, signal.SIGTERM)
            server.wait(timeout=20)
        except ProcessLookupError:
            pass
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait()
        copier.join(10)
        log.close()


@contextlib.contextmanager
def browser_page(chromium: str) -> Iterator:
    """A Playwright page of a headless Debian chromium (no browser download); closed afterwards."""
    from playwright import sync_api  # the dev extra of pyproject.toml, installed by `make venv`
    with sync_api.sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=chromium, args=CHROMIUM_FLAGS, headless=True)
        try:
            context = browser.new_context(viewport={"width": 1400, "height": 1000})
            pg = context.new_page()
            pg.set_default_timeout(120_000)
            yield pg
        finally:
            browser.close()


@pytest.fixture(scope="module")
def page(lab, chromium):
    with browser_page(chromium) as pg:
        base, _, _ = lab
        pg.goto(f"{base}/lab?token={TOKEN}")  # sets the login cookie
        pg.wait_for_function("() => window.jupyterapp && window.jupyterapp.shell && window.jupyterapp.started")
        pg.evaluate("() => window.jupyterapp.started")
        yield pg


RUN_EVERY_CELL = """async (path) => {
    const app = window.jupyterapp;
    const panel = await app.commands.execute('docmanager:open', {path, factory: 'Notebook'});
    await panel.context.ready;
    await panel.sessionContext.ready;
    await panel.sessionContext.session.kernel.info;  // the kernel answered: it runs cells now
    app.shell.activateById(panel.id);
    const nb = panel.content;
    for (let i = 0; i < nb.widgets.length; i++) {
        if (nb.widgets[i].model.type !== 'code') continue;
        nb.activeCellIndex = i;
        await app.commands.execute('notebook:run-cell');  // resolves when the cell has run (an error included)
    }
    await panel.context.save();
    // every PNG output of the model has its <img> in the page (renderers are asynchronous), and each has loaded
    let expected = 0;
    for (const cell of nb.widgets) {
        const outputs = cell.model.outputs;
        for (let k = 0; outputs && k < outputs.length; k++) expected += 'image/png' in outputs.get(k).data;
    }
    const imgs = () => Array.from(nb.node.querySelectorAll('.jp-OutputArea-output img'));
    if (imgs().length < expected) await new Promise(done => {
        const watch = new MutationObserver(() => { if (imgs().length >= expected) { watch.disconnect(); done(); } });
        watch.observe(nb.node, {childList: true, subtree: true});
    });
    await Promise.all(imgs().map(im => im.complete ? null : new Promise(r => { im.onload = im.onerror = r; })));
    const shown = imgs();
    return {images: shown.length, expected, loaded: shown.filter(im => im.complete && im.naturalWidth > 0).length};
}"""

CLOSE_NOTEBOOK = """async () => {
    const panel = window.jupyterapp.shell.currentWidget;
    await panel.sessionContext.shutdown();
    panel.close();
}"""


def run_notebook(page, work: Path, rel: str) -> tuple[nbformat.NotebookNode, dict]:
    """Open `rel` in JupyterLab, run every code cell in order as a student does, save; the notebook stays open."""
    seen = page.evaluate(RUN_EVERY_CELL, rel)
    return nbformat.read(work / rel, 4), seen


def errors(nb) -> list[tuple[str, str, str]]:
    """(role of the cell, ename, evalue) of every error output."""
    out = []
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        for o in cell.get("outputs", []):
            if o.output_type == "error":
                out.append((cell.metadata.get("kit", {}).get("role", "?"), o.ename, o.evalue))
    return out


def drawing_demos(nb) -> list[int]:
    return [i for i, c in enumerate(nb.cells)
            if c.cell_type == "code" and c.metadata.get("kit", {}).get("role") == "demo" and "plt.show()" in c.source]


def has_figure(cell) -> bool:
    return any("image/png" in o.get("data", {}) for o in cell.get("outputs", []))


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_stub_notebook_fails_only_where_a_stub_is_called(lab, page, assignment):
    _, work, _ = lab
    try:
        nb, seen = run_notebook(page, work, f"stub/{assignment}.ipynb")
    finally:
        page.evaluate(CLOSE_NOTEBOOK)
    assert seen["images"] == seen["loaded"], "a figure did not render"
    bad = [e for e in errors(nb) if e[0] != "check" or e[1] not in ALLOWED_STUB_ERRORS]
    assert bad == [], f"{assignment} stubs: errors outside the checks that call a stub: {bad}"
    assert any(e[1] == "NotImplementedError" for e in errors(nb)), "the stubs should raise NotImplementedError"
    for i in drawing_demos(nb):  # a demo either shows its figure or says what to implement, never empty axes
        cell = nb.cells[i]
        text = "".join(o.get("text", "") for o in cell.get("outputs", []) if o.output_type == "stream")
        assert has_figure(cell) != ("implement" in text), f"{assignment} stub: demo cell {i}: {text!r}"


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_solved_notebook_shows_every_figure_and_validates(lab, page, assignment):
    _, work, _ = lab
    try:
        nb, seen = run_notebook(page, work, f"solved/{assignment}.ipynb")
        validate(page)
    finally:
        page.evaluate(CLOSE_NOTEBOOK)
    assert errors(nb) == [], f"{assignment} solved: {errors(nb)}"
    missing = [i for i in drawing_demos(nb) if not has_figure(nb.cells[i])]
    assert missing == [], f"{assignment} solved: demo cells without a figure: {missing}"
    assert seen["images"] >= len(drawing_demos(nb)) and seen["loaded"] == seen["images"], seen
    checks = [c for c in nb.cells if c.metadata.get("kit", {}).get("role") == "check"]
    assert all("visible checks passed" in "".join(o.get("text", "") for o in c.outputs) for c in checks)


def validate(page) -> None:
    """Click the notebook's Validate button; nbgrader's dialog must report success."""
    page.locator(".validate-button").click()
    dialog = page.locator(".jp-Dialog")
    dialog.wait_for(timeout=240_000)
    text = dialog.inner_text()
    dialog.get_by_role("button").last.click()
    dialog.wait_for(state="detached")
    assert "Success! Your notebook passes all the tests." in text, text[-2000:]


def test_student_setup_hides_the_instructor_extensions(lab, page):
    """The student's JupyterLab has Validate, and neither Formgrader, Create Assignment nor the exchange's lists."""
    base, work, _ = lab
    plugins = page.evaluate("(ids) => ids.map(id => window.jupyterapp.hasPlugin(id))",
                            [*STUDENT_LAB_DISABLED, "@jupyter/nbgrader:validate-assignment"])
    assert plugins == [False] * len(STUDENT_LAB_DISABLED) + [True], plugins
    for path in ("formgrader", "assignments", "courses"):
        status = page.request.get(f"{base}/{path}").status
        assert status == 404, f"/{path}: {status}"
    assert "Error fetching courses" not in page.locator("body").inner_text()
    assert not (work / "gradebook.db").exists()
