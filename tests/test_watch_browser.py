"""Feedback before the due date as a student sees it: in JupyterLab's Assignment List (nbgrader's extension, with an
exchange, as on a JupyterHub), Fetch the assignment, Submit it, the watcher grades it (its `poll_once`), then Fetch
Feedback and view the page. Debian's chromium driven by Playwright, as in tests/test_browser.py."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
from pathlib import Path

import nbformat
import pytest
from test_browser import CHROMIUM_FLAGS, TOKEN, free_port
from test_watch import COURSE, A, exchange, notebook, watcher

pytestmark = pytest.mark.xdist_group("browser")
INSTRUCTOR_ONLY = ("@jupyter/nbgrader:formgrader", "@jupyter/nbgrader:create-assignment")


def serve(root: Path, work: Path, ex: Path):
    """A JupyterLab server whose nbgrader uses the exchange `ex`; yields its base url, stops it afterwards."""
    config = root / "config"
    (config / "labconfig").mkdir(parents=True)
    (config / "labconfig" / "page_config.json").write_text(
        json.dumps({"disabledExtensions": dict.fromkeys(INSTRUCTOR_ONLY, True)}))
    (config / "nbgrader_config.py").write_text(f"c = get_config()\nc.Exchange.root = {str(ex)!r}\n"
                                               f"c.CourseDirectory.course_id = {COURSE!r}\n")
    env = {**os.environ, "JUPYTER_CONFIG_DIR": str(config), "JUPYTER_DATA_DIR": str(root / "data"),
           "JUPYTER_RUNTIME_DIR": str(root / "runtime"), "IPYTHONDIR": str(root / "ipy"),
           "PATH": str(Path(sys.executable).parent) + os.pathsep + os.environ.get("PATH", "")}
    port = free_port()
    cmd = [sys.executable, "-m", "jupyterlab", "--no-browser", "--ServerApp.ip=127.0.0.1", f"--ServerApp.port={port}",
           "--ServerApp.port_retries=0", f"--IdentityProvider.token={TOKEN}", f"--ServerApp.root_dir={work}",
           f"--LabApp.user_settings_dir={root / 'settings'}", f"--LabApp.workspaces_dir={root / 'workspaces'}",
           "--LabApp.expose_app_in_browser=True"] + (["--allow-root"] if os.geteuid() == 0 else [])
    server = subprocess.Popen(cmd, cwd=work, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                              start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    seen = []
    for line in server.stdout:  # the server says where it listens once it does
        seen.append(line.decode(errors="replace"))
        if f"{base}/".encode() in line:
            break
    drain = threading.Thread(target=lambda: [seen.append(x.decode(errors="replace")) for x in server.stdout],
                             daemon=True)
    drain.start()
    try:
        if server.poll() is not None:
            pytest.fail("JupyterLab did not start:\n" + "".join(seen)[-3000:])
        yield base, seen
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait()
        drain.join(10)


@pytest.fixture
def lab_with_exchange(tmp_path):
    ex, work = exchange(tmp_path), tmp_path / "work"
    work.mkdir()
    yield from ((base, seen, ex, work) for base, seen in serve(tmp_path / "lab", work, ex))


def test_submit_then_fetch_feedback_in_the_assignment_list(lab_with_exchange, chromium, tmp_path):
    from playwright import sync_api

    base, seen, ex, work = lab_with_exchange
    w, said = watcher(tmp_path, ex, grader=None, check_owner=True, grace_seconds=300, workers=1)
    with sync_api.sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=chromium, args=CHROMIUM_FLAGS, headless=True)
        try:
            page = browser.new_context(viewport={"width": 1400, "height": 1000}).new_page()
            page.set_default_timeout(120_000)
            page.goto(f"{base}/lab?token={TOKEN}")
            page.wait_for_function("() => window.jupyterapp && window.jupyterapp.started")
            page.evaluate("() => window.jupyterapp.started")
            page.evaluate("() => window.jupyterapp.commands.execute('nbgrader:open-assignment-list')")
            page.get_by_role("button", name="Fetch", exact=True).click()
            page.get_by_role("button", name="Submit", exact=True).wait_for()
            fetched = work / A.id / f"{A.id}.ipynb"
            assert nbformat.read(fetched, 4).cells  # the student's copy, which they now complete
            fetched.write_text(notebook(A.reference_answers()))
            page.get_by_role("button", name="Submit", exact=True).click()
            page.locator("#submitted_assignments_list .list_item").first.wait_for()  # nbgrader submit is done
            events = w.poll_once()
            assert [(e["event"], e["score"]) for e in events] == [("done", 100)], said
            page.locator("#refresh_assignments_list").click()
            page.get_by_role("button", name="Fetch Feedback").click()
            page.get_by_text("(view feedback)").click()  # the file browser goes to the fetched feedback's folder
            page.locator(".jp-DirListing-item", has_text=f"{A.id}.html").dblclick()
            body = page.frame_locator(".jp-HTMLViewer iframe").first.locator("body")
            # the viewer's iframe fills after its tab opens: wait for the page (reading at once may read it empty)
            sync_api.expect(body).to_contain_text(f"{A.id}: 100 / 100", timeout=120_000)
            shown = body.inner_text()
        finally:
            browser.close()
            w.grader.close()
    assert f"{A.id}: 100 / 100" in shown and "graded by hand later" in shown, "".join(seen)[-2000:]
