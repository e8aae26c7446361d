"""The grading engine, in the order a grading runs (``pipeline.grade_submission``):

1. load (``submission``, ``notebook_module``, ``staging``): the student's files read without
   trusting them, static checks here in the grader, a private copy;
2. sandbox (``autograder.sandbox``): the workers that alone run the student's code, started
   by the submission when a property first calls it;
3. properties (``properties``): the hidden Hypothesis tests of ``grading_tests/``, run by pytest
   with the plugin that hands them the submission, keeps the ``budget`` and records each
   property with its verdict (``verdict``: the ``Outcome``, the feedback, the misconception)
   and a reproducer (``reproduce``);
4. score (``score``): the records of one submission, topic by topic.

Nothing here imports ``autograder.authoring`` (instructor tooling) or ``autograder.student``.
"""
