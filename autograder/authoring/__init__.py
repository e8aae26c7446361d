"""Instructor tooling, never imported while grading: stubs from the solutions (``stubs``),
notebooks from the stubs and the course text (``notebooks``, ``text/``), the student release
and its leak checks (``release``, ``answer_leaks``), the Gradescope bundle's scripts
(``gradescope/``), where a course folder is (``course_folder``) and the catalogs' extractor
for the hidden tests' messages (``i18n_extract``)."""
