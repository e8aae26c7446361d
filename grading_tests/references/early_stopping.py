"""The early_stopping topic's reference: a plain model of SPEC's rule (torch has no early stopping)."""

from __future__ import annotations

import math


class EarlyStoppingModel:
    """Improvement: val_loss < best_loss - min_delta. Stop: `patience` steps in a row without one."""

    def __init__(self, patience: int, min_delta: float) -> None:
        self.patience, self.min_delta = patience, min_delta
        self.best_loss, self.best_epoch = math.inf, None
        self.bad_steps, self.epoch = 0, 0

    def step(self, val_loss: float) -> bool:
        if val_loss < self.best_loss - self.min_delta:
            self.best_loss, self.best_epoch, self.bad_steps = val_loss, self.epoch, 0
        else:
            self.bad_steps += 1
        self.epoch += 1
        return self.bad_steps >= self.patience
