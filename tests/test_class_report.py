"""The class report: its numbers are the gradebook's, it names each example bug, it flags the copied pair and not the
independent ones, it shows nothing of the hidden suites, and a real browser renders it with its figures."""

from __future__ import annotations

import html
import json
import os
import re
import statistics
import subprocess
import sys

import numpy as np
import pytest
from fast import FAST
from gradebook import gradebook

from autograder import assignment as layout
from autograder.batch import grade_class
from autograder.grading import Result, grade_answers
from course import diagnosis as dx
from course import item_analysis as items
from course import similarity as sim
from course.class_report import write_reports
from course.cli import main as course_cli
from course.examples import materialise, similarity_expectations
from course.leaks import secrets
from course.mutation import catalogue
from course.release import stub_answers

ASSIGNMENT = layout.get("a1_convolution")
SLOTS = 48  # sandbox uids of this test: SANDBOX_UID_BASE + 48, + 49 (test_batch uses 40, 41)


def embedded(page: str) -> dict:
    found = re.search(r'<script type="application/json" id="class-data">(.*?)</script>', page, re.S)
    assert found, "the report embeds its numbers"
    return json.loads(found.group(1))


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    base = tmp_path_factory.mktemp("class_report")
    submitted, out = base / "submitted", base / "autograded"
    roster = materialise(ASSIGNMENT, submitted)
    grade_class(ASSIGNMENT, submitted, out, workers=2, progress=False, limits=FAST, first_slot=SLOTS)
    [path] = write_reports(out, submitted, out / "report.html", [ASSIGNMENT])
    page = path.read_text()
    return roster, submitted, out, path, page, embedded(page)


# -- the graded example class (one sandboxed batch, shared with nothing else) -------------------------------------
@pytest.mark.xdist_group(name="batch")
def test_numbers_match_the_gradebook(graded):
    *_, out, _, page, data = graded
    rows = gradebook(out, ASSIGNMENT.id)
    s = data["summary"]
    scores = [float(r["score"]) for r in rows]
    assert s["students"] == len(rows)
    assert s["mean"] == pytest.approx(statistics.fmean(scores))
    assert [s["q1"], s["median"], s["q3"]] == pytest.approx(list(np.percentile(scores, [25, 50, 75])))
    statuses: dict[str, int] = {}
    for r in rows:
        statuses[r["status"]] = statuses.get(r["status"], 0) + 1
    assert s["statuses"] == statuses
    for part, points in ASSIGNMENT.parts.items():
        got = [float(r[part]) if r[part] else 0.0 for r in rows]
        assert s["parts"][part]["mean"] == pytest.approx(statistics.fmean(got)), part
        assert s["parts"][part]["failure_rate"] == pytest.approx(sum(g < points for g in got) / len(got)), part
    shown = page.split("<h2>Scores</h2>")[1].split("</table>")[0]
    assert f"<td class=n>{statistics.fmean(scores):.2f}</td>" in shown
    assert f"<td class=n>{np.median(scores):g}</td>" in shown


def _attempts(out) -> dict[str, tuple[dict, set[str]]]:
    """student -> (its row in results.json, the parts it attempted): ok rows with no incident, parts with a test that
    did not fail by raising NotImplementedError (the released stub)."""
    found = {}
    for folder in sorted(out.glob(f"*/{ASSIGNMENT.id}")):
        row = json.loads((folder / "results.json").read_text())["extra_data"]["kit"]
        clean = row["status"] == "ok" and not row["reason"]
        found[folder.parent.name] = (row, {t["part"] for t in row["tests"] if clean and (
            t["passed"] or "NotImplementedError" not in t["message"])})
    return found


def _shown(out, student: str) -> list[dict]:
    """What Gradescope's results.json shows the student, test by test (the hints among it)."""
    return json.loads((out / student / ASSIGNMENT.id / "results.json").read_text())["tests"]


@pytest.mark.xdist_group(name="batch")
def test_test_failures_and_hints_count_only_the_students_who_attempted(graded):
    roster, _, out, _, page, data = graded
    attempted: dict[str, int] = {}
    failed: dict[str, int] = {}
    hinted: dict[str, set[str]] = {}
    rows = _attempts(out)
    for student, (row, tried) in rows.items():
        for t, shown in zip(row["tests"], _shown(out, student), strict=True):
            if t["part"] not in tried:
                continue
            attempted[t["name"]] = attempted.get(t["name"], 0) + 1
            if not (t["passed"] and t["score"] >= t["points"]):
                failed[t["name"]] = failed.get(t["name"], 0) + 1
                if t["hint"] and t["hint"] in shown["output"]:  # the hints the students were shown
                    hinted.setdefault(t["hint"], set()).add(student)
    s = data["summary"]
    assert s["ran"] == sum(bool(row["tests"]) for row, _ in rows.values())
    assert {t["name"]: t["failed"] for t in s["tests"] if t["failed"]} == failed
    assert {t["name"]: t["attempted"] for t in s["tests"] if t["attempted"]} == attempted
    assert all(t["stubs"] >= 1 for t in s["tests"]), "nothing_done's stubs are counted apart"
    counts = [t["failed"] for t in s["tests"]]
    assert counts == sorted(counts, reverse=True), "most failed first"
    assert {h["hint"]: h["students"] for h in s["hints"]} == {h: len(who) for h, who in hinted.items()}
    tried_any = sum(bool(tried) for _, tried in rows.values())
    assert s["groups"]["attempted"] == tried_any
    top = s["hints"][0]
    assert f"{100 * top['students'] / tried_any:.0f} %" in page


@pytest.mark.xdist_group(name="batch")
def test_statistics_are_over_the_students_who_attempted(graded):
    """Error rows (a correct notebook in the wrong layout among them), stubs and killed processes are apart."""
    roster, _, out, _, page, data = graded
    rows = _attempts(out)
    scores = [row["score"] for row, tried in rows.values() if tried]
    t = data["summary"]["attempted"]
    assert t["students"] == len(scores) and t["mean"] == pytest.approx(statistics.fmean(scores))
    assert [t["q1"], t["median"], t["q3"]] == pytest.approx(list(np.percentile(scores, [25, 50, 75])))
    groups = data["summary"]["groups"]
    assert groups["error"] == sum(row["status"] == "error" for row, _ in rows.values())
    assert groups["timed out or killed"] >= 1 and groups["nothing done"] >= 2
    assert sum(groups.values()) == data["summary"]["students"]
    assert not any(rows[n][1] for n in ("nothing_done", "hostile_endless_loop", "corrupt_json"))
    for part in ASSIGNMENT.parts:
        mine = [row["parts"][part][0] for row, tried in rows.values() if part in tried]
        p = data["summary"]["parts"][part]
        assert p["attempted"] == len(mine) and p["mean_attempted"] == pytest.approx(statistics.fmean(mine)), part
    status = page.split("<h2 id=status>")[1].split("<h2>")[0]
    assert "two_notebooks_copy_of_loops" in status and "several notebooks" in status


@pytest.mark.xdist_group(name="batch")
def test_item_analysis_of_the_example_class(graded):
    """Every test and part has its item; on this class (correct code, three bugs, stubs apart) no test is failed by
    every student who attempted it."""
    *_, page, data = graded
    tests, parts = data["items"]["tests"], data["items"]["parts"]
    assert {t["name"] for t in tests} == {t["name"] for t in data["summary"]["tests"]}
    assert [p["name"] for p in parts] == list(ASSIGNMENT.parts)
    assert all(items.EVERYONE_FAILS not in t["flags"] for t in tests)
    assert "<h3>Tests to fix</h3>" in page


@pytest.mark.xdist_group(name="batch")
def test_diagnosis_names_each_example_bug(graded):
    roster, *_, data = graded
    students = data["diagnosis"]["students"]
    bugs = [s for s in roster if s.kind == "bug"]
    assert bugs
    for i, s in enumerate(bugs):
        mutant = catalogue(ASSIGNMENT)[i].name
        d = students[s.name]
        assert d["verdict"] == "explained" and mutant in d["bugs"] + d["ties"], (s.name, d)
        assert data["diagnosis"]["explained"][mutant] >= 1
    assert students["nothing_done"]["verdict"] == "nothing done"
    syntax = students["syntax_error"]  # its cell does not load: its functions are not defined, no logic bug
    assert syntax["verdict"] == "raised" and syntax["bugs"] == [] and list(syntax["errors"]) == ["raised NameError"]
    assert students["hostile_endless_loop"]["verdict"] == "timed out"
    for name in ("perfect", "correct_loops", "correct_copy_of_loops", "correct_vectorised"):
        assert name not in students, "a submission with full marks is not diagnosed"


@pytest.mark.xdist_group(name="batch")
def test_copied_pair_is_flagged_and_independent_ones_are_not(graded):
    *_, page, data = graded
    flagged = {frozenset((p["a"], p["b"])) for p in data["similarity"]["pairs"]}
    copies, independent = similarity_expectations(ASSIGNMENT)
    assert copies and independent
    for pair in copies:
        assert frozenset(pair) in flagged, pair
    for pair in independent:
        assert frozenset(pair) not in flagged, pair
    a, b = copies[0]
    section = page.split(f"<h3>{a} ↔ {b}")[1] if f"<h3>{a} ↔ {b}" in page else page.split(f"<h3>{b} ↔ {a}")[1]
    side_by_side = section.split("<h3>")[0]
    assert side_by_side.count("<pre>") == 2 and "<mark>" in side_by_side, "both sources shown, highlighted"


@pytest.mark.xdist_group(name="batch")
def test_nothing_of_the_hidden_suites_reaches_the_report(graded):
    """No line of a hidden suite, unless a student submitted it (the suites' own correct implementations are
    the reference's, which `perfect` submits and the similarity section shows as that student's code)."""
    _, submitted, *_, page, _ = graded
    suite_lines = [line for line, where in secrets(ASSIGNMENT).items() if where.startswith("hidden suite")]
    assert suite_lines
    submitted_code = "\n".join(code for d in sim.read_documents(ASSIGNMENT, submitted) for code in d.cells.values())
    outside_code = html.unescape(re.sub(r"<pre>.*?</pre>", "", page, flags=re.S))
    text = html.unescape(page)
    assert [line for line in suite_lines if line in outside_code] == []
    assert [line for line in suite_lines if line in text and line not in submitted_code] == []
    assert "BEGIN HIDDEN TESTS" not in page


@pytest.mark.xdist_group(name="batch")
def test_status_rows_and_isolation(graded):
    *_, out, _, page, _ = graded
    status = page.split("<h2 id=status>")[1].split("<h2>")[0]
    for r in gradebook(out, ASSIGNMENT.id):
        if r["status"] != "ok":
            assert f"<td>{r['student']}</td>" in status, r["student"]
    assert "hostile_endless_loop" in status and "time limit" in status
    assert "Isolation in force" in status and gradebook(out, ASSIGNMENT.id)[0]["isolation"].split(";")[0] in status


@pytest.mark.xdist_group(name="batch")
def test_report_is_deterministic_and_the_command_writes_it(graded, tmp_path):
    _, submitted, out, path, page, _ = graded
    again = tmp_path / "again.html"
    assert course_cli(["report", "--graded", str(out), "--submitted", str(submitted), "--out", str(again),
                       "--assignment", ASSIGNMENT.id]) == 0
    assert again.read_text() == page


@pytest.mark.xdist_group(name="batch")
def test_a_real_browser_renders_the_report_with_its_figures(graded, tmp_path, chromium):
    *_, path, page, _ = graded
    figures = page.count('<img src="data:image/png;base64,')
    assert figures >= 4
    probe = tmp_path / "probe.html"  # the report, plus a script that counts the images the browser decoded
    probe.write_text(page.replace("</body>", "<script>addEventListener('load', () => { document.body.dataset.decoded"
                                  " = [...document.images].filter(i => i.complete && i.naturalWidth > 0).length; })"
                                  "</script></body>"))
    flags = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", f"--user-data-dir={tmp_path}/p"]
    dom = subprocess.run([chromium, *flags, "--virtual-time-budget=5000", "--dump-dom", probe.as_uri()],
                         capture_output=True, text=True, timeout=120)
    decoded = re.search(r'data-decoded="(\d+)"', dom.stdout)
    assert decoded, f"the page did not load: {dom.stderr[-800:]}"
    assert int(decoded.group(1)) == figures
    shot = tmp_path / "report.png"
    subprocess.run([chromium, *flags, "--window-size=1200,2000", f"--screenshot={shot}", path.as_uri()],
                   capture_output=True, timeout=120)
    import matplotlib.image

    pixels = matplotlib.image.imread(shot)
    assert pixels.shape[0] >= 1000 and len(np.unique(pixels.reshape(-1, pixels.shape[-1]), axis=0)) > 50, \
        "the screenshot shows text and figures, not a blank page"


# -- the parts alone ----------------------------------------------------------------------------------------------
def test_renamed_reordered_recommented_code_has_the_same_fingerprints():
    original = (
        "def f(x, n):\n    '''Doc.'''\n    total = 0\n    for i in range(n):\n        total += x[i] * 2  # twice\n"
        "    return total\n\n\ndef g(a):\n    out = []\n    for v in a:\n        out.append(v + 1.5)\n    return out\n")
    disguised = (
        "def g(values):\n    # add one and a half\n    res = []\n    for item in values:\n"
        "        res.append(item + 2.5)\n    return res\n\n\ndef f(arr, m):\n    s = 0\n    for j in range(m):\n"
        "        s += arr[j] * 3\n    return s\n")
    assert set(sim.fingerprints({"c": original})) == set(sim.fingerprints({"c": disguised}))
    different = "def f(x, n):\n    return sum(x[:n]) * 2\n\n\ndef g(a):\n    return list(np.asarray(a) + 1.5)\n"
    assert not set(sim.fingerprints({"c": original})) & set(sim.fingerprints({"c": different}))


def test_fingerprints_are_the_same_in_every_process():
    code = "import json\nfrom course.similarity import fingerprints\nprint(json.dumps(sorted(fingerprints({'c': %r}))))"
    src = ASSIGNMENT.reference_answers()["conv_forward"]
    runs = [subprocess.run([sys.executable, "-c", code % src], capture_output=True, text=True, check=True,
                           env={**os.environ, "PYTHONHASHSEED": seed}).stdout for seed in ("1", "2")]
    assert runs[0] == runs[1] and len(json.loads(runs[0])) > 10


def test_stubs_and_given_code_are_boilerplate():
    stubs = stub_answers(ASSIGNMENT)
    ignore = sim.boilerplate(ASSIGNMENT, stubs)
    docs = [sim.Document("a", dict(stubs)), sim.Document("b", dict(stubs))]
    pairs, info = sim.similar_pairs(docs, ignore)
    assert pairs == [] and info["too_small"] == ["a", "b"]
    assert all(not d.prints for d in docs)


def test_code_that_does_not_parse_is_still_compared():
    broken = "def f(x):\n    y = [v * 2 for v in x]\n    z = sum(y) / len(y)\n    return (z, y,\n"
    assert sim.fingerprints({"c": broken})


def _result(name: str, failed: dict[str, str] | set[str], every: list[str]) -> Result:
    """A result whose tests `failed` lost their points (with the cause given, by default wrong values)."""
    causes = failed if isinstance(failed, dict) else dict.fromkeys(failed, "wrong values")
    tests = []
    for t in every:
        sig = causes.get(t, "")
        cause, error = ("raised", sig.removeprefix("raised ")) if sig.startswith("raised ") else (sig, "")
        tests.append({"name": t, "part": "p", "points": 1.0, "hint": "", "score": 0.0 if t in causes else 1.0,
                      "passed": t not in causes, "message": "", "cause": cause, "error": error})
    return Result(name, "x", "ok", "", float(len(every) - len(causes)), float(len(every)), {}, tests)


def _pattern(*names: str, cause: str = "wrong values") -> frozenset[tuple[str, str]]:
    return frozenset((n, cause) for n in names)


def test_diagnosis_by_failed_tests():
    every = [f"t{i}" for i in range(10)]
    pats = dx.Patterns({"bug A": _pattern("t0", "t1"), "bug B": _pattern("t2", "t3", "t4"),
                        "bug C": _pattern("t0", "t1")}, _pattern(*every, cause="not implemented"))
    a = dx.diagnose(_result("s1", {"t0", "t1"}, every), pats)
    assert a.verdict == "explained" and a.bugs == ["bug A"] and a.ties == ["bug C"] and a.similarity == 1
    near = dx.diagnose(_result("s2", {"t2", "t3"}, every), pats)
    assert near.verdict == "explained" and near.bugs == ["bug B"] and near.similarity == pytest.approx(2 / 3)
    two = dx.diagnose(_result("s3", {"t0", "t1", "t2", "t3", "t4"}, every), pats)
    assert two.verdict == "explained" and set(two.bugs) in ({"bug A", "bug B"}, {"bug C", "bug B"})
    new = dx.diagnose(_result("s4", {"t8"}, every), pats)
    assert new.verdict == "unexplained"
    stubs = dx.diagnose(_result("s5", dict.fromkeys(set(every) - {"t9"}, "not implemented"), every), pats)
    assert stubs.verdict == "nothing done"
    assert dx.diagnose(_result("s6", set(), every), pats) is None
    assert dx.explained_counts([a, near, new], pats) == {"bug A": 1, "bug B": 1, "bug C": 1}


def test_diagnosis_never_explains_an_exception_timeout_or_stub_by_a_logic_bug():
    every = [f"t{i}" for i in range(10)]
    pats = dx.Patterns({"bug A": _pattern("t0", "t1"), "bug B": _pattern("t2", "t3"),
                        "bug R": _pattern("t5", cause="raised ValueError")}, _pattern(*every, cause="not implemented"))
    raised = dx.diagnose(_result("typeerror", {"t0": "raised TypeError", "t1": "raised TypeError"}, every), pats)
    assert raised.verdict == "raised" and raised.bugs == [] and raised.errors == {"raised TypeError": ["t0", "t1"]}
    both = dx.diagnose(_result("both", {"t0": "raised NameError", "t1": "raised NameError", "t2": "wrong values",
                                         "t3": "wrong values"}, every), pats)
    assert both.verdict == "raised" and both.bugs == ["bug B"] and both.errors == {"raised NameError": ["t0", "t1"]}
    slow = dx.diagnose(_result("slow", {"t2": "timed out", "t3": "timed out"}, every), pats)
    assert slow.verdict == "timed out" and slow.bugs == []
    died = dx.diagnose(_result("died", {"t0": "process died", "t1": "wrong values"}, every), pats)
    assert died.verdict == "process died" and died.errors == {"process died": ["t0"]}
    stub = dx.diagnose(_result("one stub", {"t4": "not implemented"}, every), pats)
    assert stub.verdict == "nothing done"
    half = dx.diagnose(_result("half", {"t0": "not implemented", "t2": "wrong values", "t3": "wrong values"}, every),
                       pats)
    assert half.verdict == "not implemented" and half.bugs == ["bug B"]
    same_raise = dx.diagnose(_result("raises like bug R", {"t5": "raised ValueError"}, every), pats)
    assert same_raise.verdict == "explained" and same_raise.bugs == ["bug R"], "a bug that raises the same is a match"
    assert dx.explained_counts([raised, both, slow, died, stub, half, same_raise], pats) == {
        "bug A": 0, "bug B": 0, "bug R": 1}


RENAMED_KEYWORD = """import numpy as np


def dense_param_count(in_shape, out_shape, use_bias=True):
    n_in, n_out = int(np.prod(in_shape)), int(np.prod(out_shape))
    return n_in * n_out + (n_out if use_bias else 0)


def conv_param_count(c_in, c_out, kh, kw, use_bias=True):
    return c_in * c_out * kh * kw + (c_out if use_bias else 0)
"""


@pytest.mark.parametrize(("cell", "code", "error"), [
    ("param_counts", RENAMED_KEYWORD, "raised TypeError"),  # bias= renamed: each param count test raises
    ("conv1d", "def conv1d(x, w, mode='full'):\n    return np.convolve(x, w, mode\n", "raised NameError"),  # syntax
])
def test_a_notebook_that_raises_is_diagnosed_as_raising_not_as_logic_bugs(cell, code, error, slot):
    """Graded in the sandbox, diagnosed with the catalogue's own patterns: the failures are the exception's (the
    issue's two param counts were 'explained' at 1.00 as two logic bugs; a syntax error as a numerical bug)."""
    result = grade_answers(ASSIGNMENT, {**ASSIGNMENT.reference_answers(), cell: code}, slot=slot)
    failed = {t["name"] for t in result.tests if not t["passed"]}
    assert failed and failed == {t["name"] for t in result.tests if t["part"] == cell}
    d = dx.diagnose(result, dx.patterns(ASSIGNMENT))
    assert d.verdict == "raised" and d.bugs == [] and d.errors == {error: sorted(failed)}, d
    assert dx.explained_counts([d], dx.patterns(ASSIGNMENT)) == dict.fromkeys(dx.patterns(ASSIGNMENT).mutants, 0)


def test_written_answers_and_late_penalties_beside_the_auto_scores(tmp_path, monkeypatch):
    """Scores of written answers as formgrader stores them in nbgrader's gradebook; total = auto - penalty + written."""
    import warnings

    from course.release import tool_env

    monkeypatch.setenv("PATH", tool_env()["PATH"])  # a new gradebook runs `alembic` by name

    from nbgrader.api import Gradebook

    from course.class_report import _written_section
    from course.nbgrader_bridge import written_scores

    db = f"sqlite:///{tmp_path / 'gradebook.db'}"
    first, second = (c.grade_id for c in ASSIGNMENT.cells_of("answer"))
    with Gradebook(db) as gb, warnings.catch_warnings():
        warnings.simplefilter("ignore")  # add_submission's own SAWarnings (nbgrader 0.9.6)
        gb.add_assignment(ASSIGNMENT.id)
        gb.add_notebook(ASSIGNMENT.id, ASSIGNMENT.id)
        for c in ASSIGNMENT.cells_of("answer"):
            gb.add_grade_cell(c.grade_id, ASSIGNMENT.id, ASSIGNMENT.id, max_score=c.points, cell_type="markdown")
        for student in ("ann", "<b>bob</b>"):
            gb.add_student(student)
            gb.add_submission(ASSIGNMENT.id, student)
        gb.find_grade(first, ASSIGNMENT.id, ASSIGNMENT.id, "ann").manual_score = 2.5
        gb.db.commit()
    found = written_scores(db, ASSIGNMENT)
    assert found == {"ann": {first: 2.5, second: None}, "<b>bob</b>": {first: None, second: None}}
    parts = {p: [0.0, pts] for p, pts in ASSIGNMENT.parts.items()}
    results = [Result("ann", ASSIGNMENT.id, "ok", "", 80.0, 100.0, parts, late_penalty=10.0),
               Result("<b>bob</b>", ASSIGNMENT.id, "ok", "", 60.0, 100.0, parts)]
    page, data = _written_section(ASSIGNMENT, results, found)
    ann = page.split("<td>ann</td>")[1].split("</tr>")[0]
    assert "<td class=n>72.5</td>" in ann and "<td class=n>10</td>" in ann and "not graded" in ann
    assert "&lt;b&gt;bob&lt;/b&gt;" in page and "<b>bob</b>" not in page
    assert data["late_penalty"] == {"ann": 10.0} and data["written"] == found


def test_the_report_reads_nbgrader_s_gradebook_by_default(tmp_path, monkeypatch):
    """`make report` passes no --db: the written answers come from nbgrader_config.py's gradebook once it exists."""
    from course.nbgrader_bridge import gradebook_url

    (tmp_path / "nbgrader_config.py").write_text('c = get_config()\nc.CourseDirectory.db_url = "sqlite:///gb.db"\n')
    monkeypatch.chdir(tmp_path)
    assert gradebook_url() is None
    (tmp_path / "gb.db").touch()
    assert gradebook_url() == "sqlite:///gb.db"
    assert gradebook_url("postgresql://grader@db/course") == "postgresql://grader@db/course"
