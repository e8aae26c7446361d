"""What ships to students, copied beside their notebooks: the public checks
(``public_checks``) and the course helpers (``course``). Nothing here imports the grader;
each copy runs on its own in a student's Python."""
