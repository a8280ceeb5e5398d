#!/bin/sh
# The student's set-up: a virtual environment cnn-env/ with requirements.txt, and nbgrader's instructor
# extensions (Formgrader, Create Assignment, Assignment List, courses) disabled: only Validate stays.
set -e
cd "$(dirname "$0")"
"${PYTHON:-python3}" -m venv cnn-env
cnn-env/bin/python -m pip install -q -r requirements.txt
cnn-env/bin/jupyter labextension disable --level=sys_prefix @jupyter/nbgrader:formgrader
cnn-env/bin/jupyter labextension disable --level=sys_prefix @jupyter/nbgrader:assignment-list
cnn-env/bin/jupyter labextension disable --level=sys_prefix @jupyter/nbgrader:course-list
cnn-env/bin/jupyter labextension disable --level=sys_prefix @jupyter/nbgrader:create-assignment
cnn-env/bin/jupyter server extension disable --sys-prefix nbgrader.server_extensions.formgrader
cnn-env/bin/jupyter server extension disable --sys-prefix nbgrader.server_extensions.assignment_list
cnn-env/bin/jupyter server extension disable --sys-prefix nbgrader.server_extensions.course_list
echo "ready: cnn-env/bin/jupyter lab"
