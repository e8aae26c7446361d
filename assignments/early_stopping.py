# Generated from the reference solution by `autograder stubs`: fill in each YOUR CODE HERE.
"""Early stopping: stop training once the validation loss has stopped improving for a while."""

import math


class EarlyStopping:
    """Watch the validation loss, one ``step`` per epoch.

    An improvement is val_loss < best_loss - min_delta (strictly). It records best_loss and
    best_epoch (the 0-based index of that step call) and resets the count of calls without
    improvement. ``step`` returns True once `patience` calls in a row brought no improvement.

    Attributes:
    patience -- calls without improvement that stop training (>= 1, else ValueError)
    min_delta -- how much lower than best_loss a loss must be to count as an improvement
    best_loss -- the best loss so far, math.inf before the first step
    best_epoch -- the step index of best_loss, None before any improvement
    """

    def __init__(self, patience=5, min_delta=0.0):
        # YOUR CODE HERE
        raise NotImplementedError

    def step(self, val_loss):
        """Record one epoch's validation loss; return True when training should stop."""
        # YOUR CODE HERE
        raise NotImplementedError
