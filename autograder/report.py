"""Report: Gradescope results.json, per-student feedback HTML and the gradebook CSV, all written atomically."""

from __future__ import annotations

import csv
import hashlib
import html
import io
import json
from pathlib import Path

from autograder import testing
from autograder.files import write_atomic
from autograder.grading import Result
from autograder.names import shown, student_folder

BASE_COLUMNS = ["student", "assignment", "score", "max_score", "status", "reason", "isolation", "seconds"]
# `score` is the raw score of the hidden suites; these come from timestamp.txt and, once `python -m course record` ran,
# from nbgrader's gradebook and late-submission plugin (blank: not recorded yet).
LATENESS_COLUMNS = ["timestamp", "duedate", "seconds_late", "late_penalty", "final_score"]


def hint_applies(test: dict) -> bool:
    """A failed test's hint is for the cause it failed by (a result recorded before causes were: always)."""
    cause = test.get("cause", "")
    return not cause or cause in test.get("hint_for", testing.HINTED)


def test_feedback(test: dict) -> str:
    if test["passed"] and test["score"] >= test["points"]:
        return "Passed."
    if test["passed"]:
        note = f" {test['message']}" if test["message"] else ""
        hint = f"\n{test['hint']}" if test["hint"] and hint_applies(test) else ""  # a weak student test's hint
        return f"Partly right: {test['score']:g} of {test['points']:g} points.{note}{hint}"
    message = test["message"] or "incorrect result"
    if hint_applies(test):
        return message + (f"\n{test['hint']}" if test["hint"] else "")
    cause = test.get("cause", "")
    if cause == testing.RAISED and test.get("error") == "NameError" and not test.get("where"):
        return f"{message}\n{NOT_DEFINED}"
    return f"{message}\n{CAUSE_SAYS.get(cause, '')}".rstrip()


NOT_DEFINED = ("Your notebook does not define this function when it is graded: was it renamed, or did its cell raise "
               "while loading (see the notes)? This test could not check your result.")
# What a failure that is not a wrong result means, in words (instead of the test's hint, which is for wrong results).
CAUSE_SAYS = {
    testing.NOT_IMPLEMENTED: "Not implemented yet: the function (or your test) still raises the released stub's "
                             "NotImplementedError.",
    testing.RAISED: "Your code raised an exception, so this test could not check your result: fix the error at the "
                    "line named first.",
    testing.TIMED_OUT: "Your function did not finish in time, so this test could not check your result: look for an "
                       "endless loop, or a loop that does far more work than the task needs.",
    testing.DIED: "Your notebook's process ended while this test ran (sys.exit, os._exit, a crash or a memory limit), "
                  "so this test could not check your result.",
    testing.FORBIDDEN: "Your code called a function this assignment forbids in its solutions.",
    testing.GRADER: "The grader had a problem with this test, not with your code: please tell the course staff.",
}


def gradescope_json(result: Result) -> dict:
    """Gradescope's autograder results schema (only keys of its specification at the top level); the kit's own
    record of the submission is under `extra_data.kit`, which Gradescope stores without showing it."""
    tests = [
        {
            "name": f"{t['part']}: {t['name'].removeprefix('test_').replace('_', ' ')}",
            "score": round(t["score"], 4),
            "max_score": t["points"],
            "status": "passed" if t["passed"] and t["score"] >= t["points"] else "failed",
            "output": test_feedback(t),
            "visibility": "visible",
        }
        for t in result.tests
    ]
    overall = result.reason or ("; ".join(result.notes[:5]) if result.notes else "")
    overall = "\n".join(x for x in (overall, result.misconception) if x)  # Gradescope shows no feedback page
    return {
        "score": result.score,
        "execution_time": round(result.seconds, 2),
        "output": overall,
        "visibility": "visible",
        "stdout_visibility": "hidden",
        "tests": tests,
        "extra_data": {"kit": result.to_json()},
    }


def results_text(result: Result) -> str:
    """The text of a submission's results.json."""
    return json.dumps(gradescope_json(result), indent=1) + "\n"


def write_results(out: Path, result: Result) -> str:
    """Write results.json and feedback.html of one submission; returns the sha256 of the results.json written."""
    folder = student_folder(out, result.student) / result.assignment
    text = results_text(result)
    write_atomic(folder / "results.json", text)
    write_atomic(folder / "feedback.html", feedback_html(result))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def parse_result(data: bytes) -> Result | None:
    try:
        return Result(**json.loads(data)["extra_data"]["kit"])
    except (ValueError, KeyError, TypeError):
        return None


FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")  # what makes a spreadsheet read a cell as a formula (OWASP)


def csv_text(text: str) -> str:
    """A text cell as OWASP's CSV-injection guidance asks: control characters escaped (no CR or LF splits a row),
    and a leading formula character neutralised by a single quote; the writer quotes every text cell."""
    text = shown(text)
    return "'" + text if text.startswith(FORMULA_PREFIXES) else text


class _Number(float):
    """A number cell: written unquoted (a negative score stays a number), formatted by `spec`."""

    def __new__(cls, value: float, spec: str = "g"):
        number = super().__new__(cls, value)
        number.spec = spec
        return number

    def __str__(self) -> str:
        return format(float(self), self.spec)


def gradebook_csv(results: list[Result]) -> str:
    parts = list(dict.fromkeys(p for r in results for p in r.parts))
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n", quoting=csv.QUOTE_NONNUMERIC)
    writer.writerow([csv_text(c) for c in BASE_COLUMNS + LATENESS_COLUMNS + parts])
    for r in sorted(results, key=lambda r: (r.assignment, r.student)):
        row = [csv_text(r.student), csv_text(r.assignment), _Number(r.score), _Number(r.max_score),
               csv_text(r.status), csv_text(r.reason), csv_text(r.isolation), _Number(r.seconds, ".2f")]
        writer.writerow(row + lateness_row(r) + [_Number(r.parts[p][0]) if p in r.parts else "" for p in parts])
    return buf.getvalue()


def lateness_row(r: Result) -> list:
    recorded = r.late_penalty is not None
    late = ("time unknown" if not r.timestamp else "" if r.seconds_late is None else _Number(r.seconds_late))
    return [csv_text(r.timestamp), csv_text(r.duedate), late,
            _Number(r.late_penalty) if recorded else "", _Number(r.final_score) if recorded else ""]


def _duration(seconds: float) -> str:
    days, rest = divmod(int(round(seconds)), 86400)
    hours, rest = divmod(rest, 3600)
    said = [f"{days} d"] * bool(days) + [f"{hours} h"] * bool(hours) + [f"{rest // 60} min"] * bool(rest // 60)
    return " ".join(said) or f"{rest} s"


def lateness_text(r: Result) -> str:
    """One sentence on when the notebook was handed in and what that cost (the feedback page's and TA's view)."""
    if not r.timestamp:
        return "Submission time unknown (no timestamp.txt from nbgrader collect): no late penalty."
    said = f"Submitted {r.timestamp}"
    if r.late_penalty is None:
        return said + "; lateness not recorded yet (python -m course record)."
    if r.seconds_late is None:
        return said + " (not a time nbgrader can read): no late penalty."
    if not r.duedate:
        return said + "; the assignment has no due date: no late penalty."
    if not r.seconds_late:
        return said + f", due {r.duedate} UTC: on time."
    return (said + f", due {r.duedate} UTC: {_duration(r.seconds_late)} late; late penalty {r.late_penalty:g} "
            f"point(s), score {r.score:g} → {r.final_score:g}.")


_STYLE = """body{font-family:system-ui,sans-serif;max-width:860px;margin:2em auto;color:#222}
table{border-collapse:collapse;width:100%}
td,th{border-bottom:1px solid #ddd;padding:.35em;text-align:left;vertical-align:top}
.pass{color:#176b2c}.fail{color:#a31515}.muted{color:#666;font-size:.9em}
pre{white-space:pre-wrap;background:#f6f6f6;padding:.5em}"""


def feedback_html(result: Result, written: str = "", total: tuple[float, float] | None = None) -> str:
    """The student's page. `written` (HTML) and `total` (score, max of the whole assignment) are added once the
    hand-graded answers are in (`python -m course feedback`); without them the heading shows the automatic score."""
    e = html.escape
    rows = []
    for t in result.tests:
        ok = t["passed"] and t["score"] >= t["points"]
        cls, mark = ("pass", "passed") if ok else ("fail", "partly" if t["passed"] else "failed")
        rows.append(
            f"<tr><td>{e(t['part'])}</td><td>{e(t['name'].removeprefix('test_').replace('_', ' '))}</td>"
            f"<td class={cls}>{mark}</td><td>{t['score']:g}/{t['points']:g}</td>"
            f"<td>{'' if ok else e(test_feedback(t)).replace(chr(10), '<br>')}</td></tr>"
        )
    parts = "".join(f"<tr><td>{e(p)}</td><td>{s:g} / {m:g}</td></tr>" for p, (s, m) in result.parts.items())
    notes = "".join(f"<li>{e(n)}</li>" for n in result.notes)
    status = f"<p class=fail><b>{e(result.status)}</b>: {e(result.reason)}</p>" if result.reason else ""
    if result.misconception:
        status += f"<h2>What your failures suggest</h2><p class=fail>{e(result.misconception)}</p>"
    output = (f"<h2>What your code printed while the notebook loaded</h2><pre>{e(result.output)}</pre>"
              if result.output.strip() else "")
    title = f"{e(result.assignment)} — {e(result.student)}"
    score, out_of = total or (result.final_score, result.max_score)
    return f"""<!doctype html><html><head><meta charset="utf-8"><title>{title}</title>
<style>{_STYLE}</style></head><body>
<h1>{e(result.assignment)}: {score:g} / {out_of:g}</h1>
<p class=muted>Student {e(result.student)}. Graded by the course's hidden tests;
a failed test says what went wrong and names a likely bug.</p>
<p>{e(lateness_text(result))}</p>
{status}{written}<h2>Parts</h2><table><tr><th>part</th><th>points</th></tr>{parts}</table>
<h2>Tests</h2><table><tr><th>part</th><th>test</th><th></th><th>points</th><th>feedback</th></tr>{''.join(rows)}</table>
{f'<h2>Notes</h2><ul>{notes}</ul>' if notes else ''}{output}
</body></html>
"""
