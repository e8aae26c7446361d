"""The grading engine, in the order a grading runs:

1. load (``submission``, ``notebook_module``, ``staging``): the student's files read without
   trusting them, static checks in the grader, a private copy;
2. sandbox (``autograder.sandbox``): the workers that alone run the student's code;
3. properties (``pipeline``): the hidden Hypothesis tests of ``grading_tests/``, run by pytest
   with the fixtures this engine's plugin hands them, within the ``budget``;
4. score (``pipeline`` into ``autograder.results``): one record per property, an ``Outcome``
   each, and a reproducer (``reproduce``) for what failed.

Nothing here imports ``autograder.authoring`` (instructor tooling) or ``autograder.student``.
"""
