"""Grading a whole class: every submission in a grading process apart from the batch
(``child``, a warm one per slot), locally or on a
Dask cluster (``run``), results stored as they finish and resumed after a stop, and the class
report (``report``)."""
