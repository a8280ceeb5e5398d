"""The class view: after a batch, one HTML report per assignment for the instructor (one file, figures inlined as
PNG data, readable offline) — score distribution, parts, tests and hints, diagnosis against the mutant catalogue,
status rows, and pairs of suspiciously similar submissions.

It reads what the batch wrote (`GRADED/<student>/<assignment>/results.json`, the same rows as `gradebook.csv`) and,
for the similarity check, the submitted notebooks. Of the hidden suites it shows test names and hints only, never a
failure message (a message may quote a value the suite computed) and never suite code.
"""

from __future__ import annotations

import base64
import html
import io
import json
import statistics
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from autograder import assignment as layout
from autograder.assignment import Assignment
from autograder.batch import trusted_results
from autograder.files import write_atomic
from autograder.grading import Result
from autograder.names import CLASS_REPORT
from autograder.report import hint_applies
from course import diagnosis as dx
from course import item_analysis as items
from course import similarity as sim
from course.attempts import ERROR, KILLED, attempted_parts, not_implemented, row_kind

TOP = 20  # tests and hints shown in the figures (the tables show all)
SHOWN_PAIRS = 30  # similar pairs shown side by side (the table lists all)


def graded_results(graded: Path) -> dict[str, list[Result]]:
    """The graded rows under `graded`, by assignment and student: only what the grader wrote and the batch's
    manifest vouches for, as in the gradebook and in nbgrader's record (read and verified once)."""
    rows: dict[str, list[Result]] = {}
    for (_, assignment), (r, _) in sorted(trusted_results(graded).items()):
        rows.setdefault(assignment, []).append(r)
    return rows


def quartiles(values: list[float]) -> tuple[float, float, float]:
    """First quartile, median, third quartile (inclusive method: the same as numpy's default percentiles)."""
    if len(values) < 2:
        v = values[0] if values else 0.0
        return v, v, v
    q1, q2, q3 = statistics.quantiles(values, n=4, method="inclusive")
    return q1, q2, q3


def _failed(t: dict) -> bool:
    return not (t["passed"] and t["score"] >= t["points"])


@dataclass
class Summary:
    """The report's numbers (also embedded in the page as JSON, so a test can check them against the gradebook)."""

    assignment: str
    max_score: float
    students: int
    ran: int  # rows whose hidden suite ran (not an error before any test)
    mean: float  # mean, median, quartiles: of every row (an error row counts 0), as in the gradebook
    median: float
    q1: float
    q3: float
    statuses: dict[str, int]
    parts: dict[str, dict]  # part -> points, mean, failure_rate (of all rows), and over the rows that attempted it
    tests: list[dict]  # name, part, points, attempted, failed, stubs, hint, sorted by failures
    hints: list[dict]  # hint, students, share (of the rows that attempted some part), tests
    attempted: dict = field(default_factory=dict)  # students, mean, median, q1, q3, min, max of the rows that tried
    groups: dict[str, int] = field(default_factory=dict)  # attempted / nothing done / error / timed out or killed

    def to_json(self) -> dict:
        return dict(self.__dict__)


def _stats(scores: list[float]) -> dict:
    q1, med, q3 = quartiles(scores)
    return {"students": len(scores), "mean": statistics.fmean(scores) if scores else 0.0, "median": med, "q1": q1,
            "q3": q3, "min": min(scores, default=0.0), "max": max(scores, default=0.0)}


def summarise(a: Assignment, results: list[Result]) -> Summary:
    scores = [r.score for r in results]
    q1, med, q3 = quartiles(scores)
    ran = [r for r in results if r.tests]
    tried = {r.student: attempted_parts(r) for r in results}
    attempted = [r for r in results if tried[r.student]]
    kinds = Counter(row_kind(r) for r in results)
    groups = {"attempted": len(attempted), "nothing done": kinds["ok"] - len(attempted), ERROR: kinds[ERROR],
              KILLED: kinds[KILLED]}
    parts = {}
    for part, points in a.parts.items():
        got = [r.parts.get(part, [0.0, points])[0] for r in results]
        mine = [r.parts.get(part, [0.0, points])[0] for r in results if part in tried[r.student]]
        parts[part] = {"points": points, "mean": statistics.fmean(got) if got else 0.0,
                       "failure_rate": sum(g < points - 1e-9 for g in got) / len(got) if got else 0.0,
                       "attempted": len(mine), "stubs": sum(1 for r in results if row_kind(r) == "ok" and r.tests
                                                            and part not in tried[r.student]),
                       "mean_attempted": statistics.fmean(mine) if mine else None,
                       "failure_rate_attempted": sum(g < points - 1e-9 for g in mine) / len(mine) if mine else None}
    tests: dict[str, dict] = {}
    hints: dict[str, dict] = {}
    for r in ran:
        seen_hints = set()
        for t in r.tests:
            row = tests.setdefault(t["name"], {"name": t["name"], "part": t["part"], "points": t["points"],
                                               "attempted": 0, "failed": 0, "stubs": 0, "hint": t["hint"]})
            if t["part"] not in tried[r.student]:  # a stub, an error or a killed process: not a misconception
                row["stubs"] += row_kind(r) == "ok" and not_implemented(t)
                continue
            row["attempted"] += 1
            if _failed(t):
                row["failed"] += 1
                if t["hint"] and hint_applies(t):  # the hints students were shown
                    h = hints.setdefault(t["hint"], {"hint": t["hint"], "students": 0, "tests": []})
                    if t["name"] not in h["tests"]:
                        h["tests"].append(t["name"])
                    seen_hints.add(t["hint"])
        for hint in seen_hints:
            hints[hint]["students"] += 1
    for h in hints.values():
        h["share"] = h["students"] / len(attempted)
    return Summary(
        a.id, a.max_score, len(results), len(ran), statistics.fmean(scores) if scores else 0.0, med, q1, q3,
        dict(sorted(Counter(r.status for r in results).items())), parts,
        sorted(tests.values(), key=lambda t: (-t["failed"], t["part"], t["name"])),
        sorted(hints.values(), key=lambda h: (-h["students"], h["hint"])),
        _stats([r.score for r in attempted]), groups,
    )


# -- figures ------------------------------------------------------------------------------------------------------
def _png(fig) -> str:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=90, bbox_inches="tight", metadata={"Software": None})
    import matplotlib.pyplot as plt

    plt.close(fig)
    return base64.b64encode(buf.getvalue()).decode()


def _img(data: str, alt: str) -> str:
    return f'<figure><img src="data:image/png;base64,{data}" alt="{html.escape(alt)}"></figure>'


def _figures(s: Summary, results: list[Result]) -> dict[str, str]:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    figs = {}
    fig, ax = plt.subplots(figsize=(7, 3.2))
    scores = [r.score for r in results if attempted_parts(r)]
    t = s.attempted
    ax.hist(scores, bins=min(20, max(5, len(set(scores)))), range=(0, s.max_score or 1), color="#7a9cc6",
            edgecolor="white")
    for x, style, label in ((t["q1"], ":", "quartiles"), (t["median"], "-", "median"), (t["q3"], ":", None)):
        ax.axvline(x, color="#a31515", linestyle=style, label=label)
    ax.set_xlabel(f"score (of {s.max_score:g})")
    ax.set_ylabel("students")
    ax.set_title(f"{s.assignment}: scores of the {t['students']} students who attempted "
                 f"({s.students - t['students']} rows apart)")
    ax.legend(loc="upper left", frameon=False)
    figs["scores"] = _img(_png(fig), "score distribution of the students who attempted, with median and quartiles")

    names = list(s.parts)
    fig, ax = plt.subplots(figsize=(7, 0.35 * len(names) + 1.2))
    y = range(len(names))
    ax.barh([i - 0.2 for i in y], [100 * (p["mean_attempted"] or 0) / p["points"] if p["points"] else 0
                                   for p in s.parts.values()],
            height=0.4, color="#7a9cc6", label="mean score (% of the part's points)")
    ax.barh([i + 0.2 for i in y], [100 * (p["failure_rate_attempted"] or 0) for p in s.parts.values()], height=0.4,
            color="#d98c5f", label="students below full points (%)")
    ax.set_yticks(list(y), names)
    ax.invert_yaxis()
    ax.set_xlim(0, 100)
    ax.legend(loc="lower center", bbox_to_anchor=(0.5, 1.0), ncol=2, fontsize=8, frameon=False)
    ax.set_title("parts, over the students who attempted each", pad=24)
    figs["parts"] = _img(_png(fig), "mean score and failure rate of each part")

    failing = [t for t in s.tests if t["failed"]][:TOP]
    if failing:
        fig, ax = plt.subplots(figsize=(7, 0.3 * len(failing) + 1.2))
        ax.barh(range(len(failing)), [t["failed"] for t in failing], color="#d98c5f")
        ax.set_yticks(range(len(failing)), [f"{t['part']}: {t['name'].removeprefix('test_')}"[:60] for t in failing],
                      fontsize=8)
        ax.invert_yaxis()
        ax.set_xlabel("students who failed it (of those who attempted its part)")
        ax.set_title("most failed tests")
        figs["tests"] = _img(_png(fig), "students failing each test")
    hints = s.hints[:TOP]
    if hints:
        fig, ax = plt.subplots(figsize=(7, 0.3 * len(hints) + 1.2))
        ax.barh(range(len(hints)), [100 * h["share"] for h in hints], color="#9b7ac6")
        ax.set_yticks(range(len(hints)), [_short(h["hint"]) for h in hints], fontsize=8)
        ax.invert_yaxis()
        ax.set_xlabel(f"students who got the hint (% of the {s.groups['attempted']} who attempted some part)")
        ax.set_title("misconceptions: the hints students got")
        figs["hints"] = _img(_png(fig), "share of students who got each hint")
    return figs


def _short(hint: str, n: int = 70) -> str:
    hint = hint.removeprefix("Possible reason: ")
    return hint if len(hint) <= n else hint[: n - 1] + "…"


# -- the page -----------------------------------------------------------------------------------------------------
_STYLE = """body{font-family:system-ui,sans-serif;max-width:1200px;margin:2em auto;color:#222;padding:0 1em}
table{border-collapse:collapse;margin:.5em 0 1.5em}td,th{border-bottom:1px solid #ddd;padding:.3em .5em;
text-align:left;vertical-align:top}td{overflow-wrap:anywhere}td.n,th.n{text-align:right;white-space:nowrap}.muted{color:#666;font-size:.9em}
figure{margin:1em 0}img{max-width:100%}.pair{display:grid;grid-template-columns:1fr 1fr;gap:1em}.pair>div{min-width:0}
pre{background:#f6f6f6;padding:.5em;overflow-x:auto;font-size:.8em;line-height:1.3}
mark{background:#ffe08a}h3{margin-top:1.5em}.bad{color:#a31515}"""


def _e(text) -> str:
    return html.escape(str(text))


def _pct(x: float) -> str:
    return f"{100 * x:.0f} %"


def _table(head: list[str], rows: list[list], numeric: set[int] = frozenset()) -> str:
    th = "".join(f"<th{' class=n' if i in numeric else ''}>{_e(h)}</th>" for i, h in enumerate(head))
    body = "".join("<tr>" + "".join(f"<td{' class=n' if i in numeric else ''}>{c}</td>" for i, c in enumerate(r))
                   + "</tr>" for r in rows)
    return f"<table><tr>{th}</tr>{body}</table>"


def _code(cells: dict[str, str], lines: dict[str, set[int]], order: list[str]) -> str:
    """The solution cells, shared lines marked; a cell without any is one line (the page stays small)."""
    out = []
    for gid in order:
        if gid not in cells:
            continue
        marked = lines.get(gid, set())
        source = cells[gid].splitlines()
        if not marked:
            out.append(f"<span class=muted># ── cell {_e(gid)}: nothing shared ({len(source)} lines)</span>")
            continue
        out.append(f"<span class=muted># ── cell {_e(gid)}</span>")
        for no, line in enumerate(source, 1):
            out.append(f"<mark>{_e(line)}</mark>" if no in marked else _e(line))
    return "<pre>" + "\n".join(out) + "</pre>"


def _similarity_section(a: Assignment, submitted: Path | None, workers: int = 1) -> tuple[str, dict]:
    if submitted is None or not submitted.is_dir():
        return ("<p class=muted>Not run: no folder of submitted notebooks was given (<code>--submitted DIR</code>)."
                "</p>"), {"pairs": []}
    from course.release import stub_answers

    docs = sim.read_documents(a, submitted)
    pairs, info = sim.similar_pairs(docs, sim.boilerplate(a, stub_answers(a)), workers=workers)
    intro = (f"<p>{info['compared']} of {info['submissions']} readable submissions compared on the solution cells "
             f"only (released stubs and given code removed: {info['boilerplate']} fingerprints; a folder graded as an "
             f"error for holding several notebooks is compared notebook by notebook). Each function is read as a "
             f"canonical syntax tree: names, numbers and strings normalised, comments, docstrings and dead code "
             f"dropped, loops that build a list, an array or a sum read as the comprehension they equal, temporaries "
             f"and the submission's own helpers inlined; each function is fingerprinted on "
             f"its own (order does not matter), k-grams of {info['k']} tokens winnowed with a window of "
             f"{info['window']}; fingerprints found in more than {info['common']} submissions are ignored as common "
             f"({info['ignored_common']}). A pair is listed when the shared fingerprints make up at least "
             f"<b>{_pct(info['threshold'])}</b> of the smaller submission's (and number at least "
             f"{info['min_shared']}). Highlighted: lines of shared "
             f"fingerprints.</p>")
    if info["too_small"]:
        intro += (f"<p class=muted>Too little own code to compare (fewer than {sim.MIN_FINGERPRINTS} fingerprints): "
                  f"{_e(', '.join(info['too_small']))}.</p>")
    if not pairs:
        return intro + "<p>No pair above the threshold.</p>", {"pairs": []}
    rows = [[_e(p.a.label), _e(p.b.label), _pct(p.score), f"{_pct(p.containment[0])} / {_pct(p.containment[1])}",
             p.shared] for p in pairs]
    body = [intro, _table(["student", "student", "similarity", "containment (each)", "shared fingerprints"], rows,
                          {2, 3, 4})]
    order = list(a.solution_ids)
    if len(pairs) > SHOWN_PAIRS:
        body.append(f"<p class=muted>The {SHOWN_PAIRS} most similar pairs side by side:</p>")
    for p in pairs[:SHOWN_PAIRS]:
        body.append(f"<h3>{_e(p.a.label)} ↔ {_e(p.b.label)}: {_pct(p.score)}</h3><div class=pair>"
                    f"<div><b>{_e(p.a.label)}</b>{_code(p.a.cells, p.lines_a, order)}</div>"
                    f"<div><b>{_e(p.b.label)}</b>{_code(p.b.cells, p.lines_b, order)}</div></div>")
    data = {"pairs": [{"a": p.a.student, "b": p.b.student, "score": round(p.score, 4)} for p in pairs],
            "threshold": info["threshold"]}
    return "".join(body), data


def _num(x: float | None, fmt: str = ".2f") -> str:
    return "—" if x is None else format(x, fmt)


def _items_section(a: Assignment, results: list[Result]) -> tuple[str, dict]:
    test_items, part_items = items.analyse(results, a.parts)
    head = ["part", "test", "attempted", "difficulty", "discrimination r", "upper − lower 27 %", "flag"]

    def row(i: items.Item, named: bool) -> list:
        flag = f"<span class=bad>{_e('; '.join(i.flags))}</span>" if i.flags else ""
        return ([_e(i.part)] + ([_e(i.name)] if named else []) +
                [i.attempted, _num(i.difficulty), _num(i.discrimination), _num(i.upper_lower), flag])

    flagged = [i for i in part_items + test_items if i.flags]
    fix = ("<ul>" + "".join(f"<li>{_e(i.part if i.name == i.part else f'{i.part}: {i.name}')} — "
                            f"{_e('; '.join(i.flags))}</li>" for i in flagged) + "</ul>") if flagged else "<p>None.</p>"
    body = (f"<p>Over the students who attempted each part (a stub, an error row or a killed process is not an "
            f"attempt). <b>Difficulty</b>: the share who earned the test in full (a part: the mean fraction of its "
            f"points). <b>Discrimination</b>: the point-biserial correlation of passing with the rest of the score, "
            f"and the difficulty in the upper 27 % minus in the lower 27 % of the class. Below "
            f"{items.MIN_ATTEMPTS} attempts an item gets no flag.</p>"
            f"<h3>Tests to fix</h3>{fix}<h3>Parts</h3>"
            + _table([h for h in head if h != "test"], [row(i, False) for i in part_items], {1, 2, 3, 4})
            + "<h3>Tests</h3>" + _table(head, [row(i, True) for i in test_items], {2, 3, 4, 5}))
    return body, {"tests": [i.to_json() for i in test_items], "parts": [i.to_json() for i in part_items]}


def _written_section(a: Assignment, results: list[Result], written: dict[str, dict[str, float | None]] | None
                     ) -> tuple[str, dict]:
    answers = {c.grade_id: c.points for c in a.cells_of("answer")}
    late = {r.student: r.late_penalty for r in results if r.late_penalty is not None}
    said = ""
    if written is None and answers:
        said = ("<p class=muted>Written answers: nbgrader's gradebook was not read (<code>python -m course report "
                "--db sqlite:///gradebook.db</code> reads formgrader's grades).</p>")
        answers = {}
    if not late:
        said += "<p class=muted>No late penalty recorded (<code>python -m course record</code> records them).</p>"
    if not answers and not late:
        return said, {}
    written = written or {}
    head = ["student", "auto score", "late penalty"] + [f"{g} (of {p:g})" for g, p in answers.items()] + ["total"]
    rows = []
    for r in results:
        mine = written.get(r.student, {})
        got = [mine.get(g) for g in answers]
        total = max(0.0, r.score - (r.late_penalty or 0.0)) + sum(v for v in got if v is not None)
        rows.append([_e(r.student), f"{r.score:g}", _num(r.late_penalty, "g") if r.late_penalty is not None
                     else "<span class=muted>not recorded</span>"]
                    + [_num(v, "g") if v is not None else "<span class=muted>not graded</span>" for v in got]
                    + [f"{total:g}"])
    graded = {g: [written[s][g] for s in written if written[s].get(g) is not None] for g in answers}
    means = "".join(f"<li>{_e(g)}: {len(v)} graded, mean {statistics.fmean(v):.2f} of {answers[g]:g}</li>"
                    for g, v in graded.items() if v)
    body = (said + "<p>Written answers as graded in formgrader (nbgrader's gradebook), late penalties as nbgrader's "
            "plugin set them (<code>python -m course record</code>); total = auto score − penalty + written, as "
            "<code>nbgrader export</code> sums them.</p>" + (f"<ul>{means}</ul>" if means else "")
            + _table(head, rows, set(range(1, len(head)))))
    return body, {"written": written, "late_penalty": late}


def _diagnosis_section(a: Assignment, results: list[Result]) -> tuple[str, dict]:
    from course.mutation import catalogue

    if not catalogue(a):
        return "<p class=muted>This assignment has no mutant catalogue yet.</p>", {"students": {}}
    pats = dx.patterns(a)
    if not pats.mutants:
        return ("<p class=muted>No patterns of the catalogue's bugs yet: run <code>python -m course misconceptions "
                f"{_e(a.id)}</code>.</p>"), {"students": {}}
    found = [d for r in results if (d := dx.diagnose(r, pats)) is not None]
    counts = dx.explained_counts(found, pats)
    by_student = {r.student: r for r in results}
    rows = []
    for d in sorted(found, key=lambda d: (d.verdict != "explained", d.verdict, d.student)):
        bug = _e(" + ".join(d.bugs)) if d.bugs else "—"
        if d.ties:
            bug += f" <span class=muted>(equally: {_e('; '.join(d.ties))})</span>"
        if d.errors:  # failures no catalogued bug explains: said as what they are
            said = "; ".join(f"{sig}: {', '.join(tests)}" for sig, tests in d.errors.items())
            bug = (f"{bug}<br>" if d.bugs else "") + f"<span class=bad>{_e(said)}</span>"
        verdict = (f"<span class=bad>{_e(d.verdict)}</span>" if d.verdict not in ("explained", "nothing done")
                   else _e(d.verdict))
        loading = [n for n in by_student[d.student].notes if "while loading" in n]
        if loading:  # a cell that did not load fails every test of its functions: say so beside the match
            bug += f"<br><span class=muted>{_e(loading[0][:160])}</span>"
        rows.append([_e(d.student), f"{d.score:g}", len(d.failed), verdict, bug, f"{d.similarity:.2f}"])
    unexplained = [d for d in found if d.verdict == "unexplained"]
    body = [
        f"<p>Each failing submission's failed tests, with how each failed (wrong values or shape, the exception "
        f"raised, a timeout, a dead process, a stub), against each catalogued bug's (the mutant graded in the sandbox: "
        f"<code>misconceptions.json</code>), by Jaccard similarity; below {dx.THRESHOLD:g} a submission is "
        f"unexplained. An exception, timeout, dead process or stub that no matched bug shares is never explained by a "
        f"logic bug: the verdict names it. {len(found)} of {len(results)} submissions failed some test; catalogue: "
        f"{len(pats.mutants)} bugs.</p>",
        _table(["student", "score", "failed tests", "verdict", "best-matching catalogued bug", "similarity"], rows,
               {1, 2, 5}),
        "<h3>How many submissions each catalogued bug explains</h3>",
        _table(["catalogued bug", "submissions"], [[_e(n), c] for n, c in sorted(counts.items(), key=lambda x: -x[1])],
               {1}),
        "<h3>Unexplained: candidates for new mutants</h3>",
        ("<ul>" + "".join(f"<li>{_e(d.student)} ({d.score:g} points; failed "
                          f"{_e(', '.join(sorted(name for name, _ in d.failed)))})</li>" for d in unexplained)
         + "</ul>")
        if unexplained else ("<p>None: every failing submission matches a catalogued bug or the stubs, or failed by "
                             "a cause its verdict names.</p>"),
    ]
    data = {"students": {d.student: {"verdict": d.verdict, "bugs": d.bugs, "ties": d.ties,
                                     "similarity": round(d.similarity, 4), "errors": d.errors} for d in found},
            "explained": counts}
    return "".join(body), data


def report(a: Assignment, results: list[Result], graded: Path, submitted: Path | None = None, *,
           workers: int = 2, written: dict[str, dict[str, float | None]] | None = None) -> tuple[str, dict]:
    """The HTML report of assignment `a` from its graded rows `results` (read from `graded`), and its numbers;
    `written`: the written answers' scores from nbgrader's gradebook (student -> grade_id -> score or None)."""
    s = summarise(a, results)
    figs = _figures(s, results)
    diag_html, diag = _diagnosis_section(a, results)
    sim_html, simdata = _similarity_section(a, submitted, workers)
    items_html, itemdata = _items_section(a, results)
    written_html, writtendata = _written_section(a, results, written)
    status_rows = [[_e(r.student), _e(r.status), _e(r.reason), _e(r.isolation)]
                   for r in results if r.status != "ok" or r.reason]
    isolation = Counter(r.isolation for r in results)
    part_rows = [[_e(p), f"{v['points']:g}", v["attempted"], v["stubs"], _num(v["mean_attempted"]),
                  _pct(v["failure_rate_attempted"]) if v["failure_rate_attempted"] is not None else "—",
                  f"{v['mean']:.2f}"] for p, v in s.parts.items()]
    test_rows = [[_e(t["part"]), _e(t["name"]), t["attempted"], t["failed"],
                  _pct(t["failed"] / t["attempted"]) if t["attempted"] else "—", t["stubs"], _e(t["hint"])]
                 for t in s.tests]
    hint_rows = [[_e(h["hint"]), h["students"], _pct(h["share"]), _e(", ".join(h["tests"]))] for h in s.hints]
    status_counts = ", ".join(f"{n} {k}" for k, n in s.statuses.items())
    groups = ", ".join(f"{n} {k}" for k, n in s.groups.items())
    t = s.attempted
    data = {"summary": s.to_json(), "diagnosis": diag, "similarity": simdata, "items": itemdata,
            "written": writtendata}
    embedded = json.dumps(data, sort_keys=True).replace("</", "<\\/")  # valid JSON that cannot end the script
    page = f"""<!doctype html><html lang=en><head><meta charset="utf-8">
<title>Class report: {_e(a.id)}</title><style>{_STYLE}</style></head><body>
<h1>Class report: {_e(a.id)}</h1>
<p class=muted>From {_e(graded)} ({s.students} gradebook rows: {_e(status_counts)}). For the instructor: it names
students; do not share it with the class.</p>
<h2>Scores</h2>
<p>{_e(groups)}. The statistics are over the students who attempted at least one part; a notebook left as the released
stubs (nothing done), an error row (nothing graded: the reason is under <a href="#status">Status</a>) and a row whose
process timed out or was killed (endless loops, hostile notebooks) are counted apart. The gradebook's own numbers
(every row, an error row counting 0) are on the second line.</p>
{_table(["students", "mean", "median", "first quartile", "third quartile", "min", "max", "max score"],
        [[f"{t['students']} attempted", f"{t['mean']:.2f}", f"{t['median']:g}", f"{t['q1']:g}", f"{t['q3']:g}",
          f"{t['min']:g}", f"{t['max']:g}", f"{s.max_score:g}"],
         [f"{s.students} rows", f"{s.mean:.2f}", f"{s.median:g}", f"{s.q1:g}", f"{s.q3:g}",
          f"{min(r.score for r in results):g}", f"{max(r.score for r in results):g}", f"{s.max_score:g}"]],
        set(range(1, 8)))}
{figs['scores']}
<h2>Parts</h2>
<p class=muted>Over the students who attempted each part (stubs: ok rows that left it as released); failure rate: the
share of them below the part's full points. Last column: the mean over every row, an error row counting 0.</p>
{_table(["part", "points", "attempted", "stubs", "mean", "failure rate", "mean (every row)"], part_rows,
        {1, 2, 3, 4, 5, 6})}
{figs['parts']}
<h2>Tests</h2>
<p class=muted>How many of the students who attempted each test's part failed it, most failed first; stubs apart.</p>
{figs.get('tests', '')}
{_table(["part", "test", "attempted", "failed", "share", "stubs", "hint"], test_rows, {2, 3, 4, 5})}
<h2>Hints: which misconception, how often</h2>
<p class=muted>Each student counted once per hint, of the {s.groups['attempted']} who attempted some part: what to
re-explain.</p>
{figs.get('hints', '')}
{_table(["hint", "students", "share", "tests"], hint_rows, {1, 2}) if hint_rows else '<p>No hint given.</p>'}
<h2>Item analysis: which tests work</h2>
{items_html}
<h2>Written answers and late penalties</h2>
{written_html}
<h2>Diagnosis against the mutant catalogue</h2>
{diag_html}
<h2 id=status>Status: errors, timeouts, crashes</h2>
{_table(["student", "status", "reason", "isolation"], status_rows) if status_rows else '<p>Every row ok.</p>'}
<p><b>Isolation in force:</b></p><ul>{''.join(f'<li>{_e(k or "(not recorded)")}: {n} rows</li>'
                                             for k, n in isolation.items())}</ul>
<h2>Similar submissions</h2>
{sim_html}
<script type="application/json" id="class-data">{embedded}</script>
</body></html>
"""
    return page, data


def write_reports(graded: Path, submitted: Path | None = None, out: Path | None = None,
                  assignments: list[Assignment] | None = None, *, workers: int = 2,
                  db_url: str | None = None) -> list[Path]:
    """One report per assignment graded into `graded`: `out` (a file, for one assignment) or the folder `out`
    (default: `graded`) gets `class_report_<id>.html`; `db_url`: nbgrader's gradebook, for the written answers'
    scores. Returns the paths written."""
    rows = graded_results(graded)
    known = {a.id: a for a in layout.find()}
    chosen = assignments or [known[i] for i in rows if i in known]
    if not any(a.id in rows for a in chosen):
        raise ValueError(f"nothing graded under {graded} that its manifest vouches for "
                         "(expected <student>/<assignment>/results.json written by `grade`)")
    written = []
    for a in chosen:
        if a.id not in rows:
            print(f"class report of {a.id}: skipped, no graded submission under {graded}")
            continue
        start = time.monotonic()
        manual = None
        if db_url is not None:
            from course.nbgrader_bridge import written_scores

            manual = written_scores(db_url, a)
        page, _ = report(a, rows[a.id], graded, submitted, workers=workers, written=manual)
        if out is not None and out.suffix == ".html" and len(chosen) == 1:
            path = out
        else:
            path = (out or graded) / CLASS_REPORT.format(a.id)
        write_atomic(path, page)
        written.append(path)
        print(f"class report of {a.id}: {path} ({time.monotonic() - start:.1f} s)")
    return written
