"""nbgrader settings for the course. Hidden suites, wheats, chaffs and solutions live outside `assignments/`,
so nothing nbgrader copies beside a source notebook can leak them."""

import os

c = get_config()  # noqa: F821 — provided by nbgrader

c.CourseDirectory.course_id = "5LSL0-cnn"
c.CourseDirectory.root = os.path.dirname(os.path.abspath(__file__))
c.CourseDirectory.source_directory = "assignments"
c.CourseDirectory.release_directory = "release"
c.CourseDirectory.submitted_directory = "submitted"
c.CourseDirectory.autograded_directory = "autograded"
c.CourseDirectory.feedback_directory = "feedback"
c.CourseDirectory.db_url = "sqlite:///gradebook.db"
# Only notebooks are released: no data file or helper that sits beside a source notebook.
c.CourseDirectory.include = ["*.ipynb"]
c.CourseDirectory.ignore = [".ipynb_checkpoints", "*.pyc", "__pycache__", "*.py", "*.npz", "*.json"]

c.ClearSolutions.code_stub = {"python": "# YOUR CODE HERE\nraise NotImplementedError()"}
c.ClearSolutions.text_stub = "YOUR ANSWER HERE"
c.ClearOutput.enabled = True

# When nbgrader itself executes notebooks (validate, autograde for comparison): generous but bounded.
c.Execute.timeout = 120
c.Execute.interrupt_on_timeout = True
# Validate checks that nobody edited a locked cell's checksum.
c.Validator.ignore_checksums = False
# Feedback shows visible checks only; the hidden suites are never inside the notebook.
# The autograded notebooks carry each written answer's rubric for graders, in a cell tagged kit-grader-only
# (course/autograded_notebook.py): `nbgrader generate_feedback` drops it. (Not TagRemovePreprocessor's own settings:
# formgrader renders its pages with that preprocessor, and the graders would lose the rubric.)
c.GenerateFeedback.preprocessors = [
    "nbgrader.preprocessors.GetGrades",
    "course.autograded_notebook.DropGraderOnly",
    "nbconvert.preprocessors.CSSHTMLHeaderPreprocessor",
]

# Late submissions. `make autograde` (python -m course record) applies this through nbgrader's own
# AssignLatePenalties, exactly as `nbgrader autograde` would. Due dates live in the gradebook
# (`nbgrader db assignment add <id> --duedate "2026-03-02 23:59 Europe/Amsterdam"`), per-student extensions in
# extensions.csv, submission times in the timestamp.txt that `nbgrader collect` / `zip_collect` leave.
# 'none' records the lateness without a penalty, 'zero' gives a late notebook no points; for anything else name a
# subclass of nbgrader.plugins.LateSubmissionPlugin in a module of this folder, e.g. "late.PerHour" (README).
c.AssignLatePenalties.plugin_class = "nbgrader.plugins.LateSubmissionPlugin"
c.LateSubmissionPlugin.penalty_method = "none"

# Feedback before the due date (`make watch`, `python -m course watch`): each submission that `nbgrader submit` puts in
# the exchange (c.Exchange.root, default /usr/local/share/nbgrader/exchange) is graded in the sandbox and its page
# published for `nbgrader fetch_feedback`. The grade itself stays nbgrader's: the last submission before the due date,
# collected and graded with `make autograde`. Due dates and extensions are the gradebook's and extensions.csv's.
c.Watch.feedback_per_day = 3  # graded submissions per student, assignment and day; the rest: "feedback tomorrow"
c.Watch.timezone = "Europe/Amsterdam"  # where a day begins
c.Watch.after_due_date = False  # no feedback on what is received after the student's due date
c.Watch.check_owner = True  # grade only a folder owned by the user it names (off where every student is jovyan)
c.Watch.workers = 2  # grading processes; c.Watch.scheduler = "tcp://head:8786" grades on a Dask cluster instead
c.Watch.interval = 3.0  # seconds between scans of the inbound folder
c.Watch.state_directory = "watched"  # the watcher's journal (what it decided and published)
