"""Grading a whole class: every submission in a process of its own (``child``), locally or on a
Dask cluster (``run``), results stored as they finish and resumed after a stop, and the class
report (``report``)."""
