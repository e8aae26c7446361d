"""One module per ``autograder`` sub-command."""
