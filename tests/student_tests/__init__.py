"""Tests a careful student writes from the released notebook's text alone (not from the grader's wheats and chaffs).

Each module is named for its assignment and defines that assignment's judged tests under their notebook names; a
function's source is what the student's solution cell holds (numpy only, no helper of the notebook).
`tests/test_judged_claims.py` grades them with the real judge: testing exactly the stated claim earns full points.
"""
