"""nbgrader integration: auto scores into nbgrader's gradebook, feedback where `release_feedback` looks for it."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path


def _results(graded: Path):
    """The results the grader wrote under `graded` and that nobody changed since (the batch's manifest vouches)."""
    from autograder.batch import trusted_results

    for (student, assignment), (result, _) in sorted(trusted_results(graded).items()):
        yield graded / student / assignment, result


def record_scores(graded: Path, db_url: str = "sqlite:///gradebook.db") -> Iterator[str]:
    """Set the auto score of each check cell (`check_<part>`) to the hidden suite's score of that part.

    formgrader and `nbgrader export` then show them beside manually graded answers. The assignment must be in the
    gradebook (`make release` puts it there); students and submissions are created when missing.
    """
    from nbgrader.api import Gradebook, MissingEntry

    with Gradebook(db_url) as gb:
        for _, r in _results(graded):
            try:
                gb.find_assignment(r.assignment)
            except MissingEntry:
                yield f"skip {r.student}/{r.assignment}: assignment not in the gradebook (run `make release`)"
                continue
            gb.update_or_create_student(r.student)
            try:
                gb.find_submission(r.assignment, r.student)
            except MissingEntry:
                gb.add_submission(r.assignment, r.student)
            for part, (score, _max) in r.parts.items():
                try:
                    grade = gb.find_grade(f"check_{part}", r.assignment, r.assignment, r.student)
                except MissingEntry:
                    yield f"warn {r.student}/{r.assignment}: no grade cell check_{part}"
                    continue
                grade.auto_score = float(score)
            gb.db.commit()
            yield f"recorded {r.student}/{r.assignment}: {r.score:g}/{r.max_score:g}"


def release_feedback(graded: Path, out: Path, submitted: Path = Path("submitted")) -> Iterator[str]:
    """Copy each feedback page to `out/<student>/<assignment>/<assignment>.html`, nbgrader's feedback layout,
    with the `timestamp.txt` and `submission_secret.txt` that `nbgrader release_feedback` needs."""
    for folder, r in _results(graded):
        dest = out / r.student / r.assignment
        dest.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(folder / "feedback.html", dest / f"{r.assignment}.html")
        missing = []
        for name in ("timestamp.txt", "submission_secret.txt"):
            src = submitted / r.student / r.assignment / name
            if src.exists():
                shutil.copyfile(src, dest / name)
            else:
                missing.append(name)
        note = f" (no {', '.join(missing)}: not collected by nbgrader)" if missing else ""
        yield f"feedback {dest / (r.assignment + '.html')}{note}"
