"""Where the student's code runs, and nothing else does: the jail (``jail``: namespaces, no
network, read-only file system, private folders hidden, resource limits), the worker process
(``worker``, with its torch and pyplot actions), the protocol of the pipe between it and the
grader (``protocol``), the grader's side of that pipe with remote handles (``client``), whose
fault an exception is (``blame``) and the jailed Jupyter kernel (``kernel_jail``)."""
