"""The course's tooling on top of the grader: notebook authoring, release and leak check, mutants, the example class,
the demo, Gradescope zips and nbgrader's gradebook. It uses `autograder`; the grader never uses it."""
