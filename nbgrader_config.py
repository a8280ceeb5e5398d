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
# (course/autograded_notebook.py): `nbgrader generate_feedback` drops it.
c.GenerateFeedback.preprocessors = [
    "nbgrader.preprocessors.GetGrades",
    "nbconvert.preprocessors.TagRemovePreprocessor",
    "nbconvert.preprocessors.CSSHTMLHeaderPreprocessor",
]
c.TagRemovePreprocessor.enabled = True
c.TagRemovePreprocessor.remove_cell_tags = ["kit-grader-only"]

# Late submissions. `make autograde` (python -m course record) applies this through nbgrader's own
# AssignLatePenalties, exactly as `nbgrader autograde` would. Due dates live in the gradebook
# (`nbgrader db assignment add <id> --duedate "2026-03-02 23:59 Europe/Amsterdam"`), per-student extensions in
# extensions.csv, submission times in the timestamp.txt that `nbgrader collect` / `zip_collect` leave.
# 'none' records the lateness without a penalty, 'zero' gives a late notebook no points; for anything else name a
# subclass of nbgrader.plugins.LateSubmissionPlugin in a module of this folder, e.g. "late.PerHour" (README).
c.AssignLatePenalties.plugin_class = "nbgrader.plugins.LateSubmissionPlugin"
c.LateSubmissionPlugin.penalty_method = "none"
