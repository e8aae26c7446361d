"""Misconceptions about early stopping that the state-machine property must catch."""

import math

from grading_tests.mutants import mutant


@mutant("EarlyStopping", "an equal loss counted as an improvement (<= instead of <)")
class EarlyStoppingLessOrEqual:
    def __init__(self, patience=5, min_delta=0.0):
        if patience < 1:
            raise ValueError("patience must be at least 1")
        self.patience, self.min_delta = patience, min_delta
        self.best_loss, self.best_epoch, self.counter, self.epoch = math.inf, None, 0, 0

    def step(self, val_loss):
        if val_loss <= self.best_loss - self.min_delta:
            self.best_loss, self.best_epoch, self.counter = val_loss, self.epoch, 0
        else:
            self.counter += 1
        self.epoch += 1
        return self.counter >= self.patience


@mutant("EarlyStopping", "a counter that never resets after an improvement")
class EarlyStoppingNoReset:
    def __init__(self, patience=5, min_delta=0.0):
        if patience < 1:
            raise ValueError("patience must be at least 1")
        self.patience, self.min_delta = patience, min_delta
        self.best_loss, self.best_epoch, self.counter, self.epoch = math.inf, None, 0, 0

    def step(self, val_loss):
        if val_loss < self.best_loss - self.min_delta:
            self.best_loss, self.best_epoch = val_loss, self.epoch
        else:
            self.counter += 1
        self.epoch += 1
        return self.counter >= self.patience


@mutant("EarlyStopping", "stopping one call late (counter > patience)")
class EarlyStoppingOneLate:
    def __init__(self, patience=5, min_delta=0.0):
        if patience < 1:
            raise ValueError("patience must be at least 1")
        self.patience, self.min_delta = patience, min_delta
        self.best_loss, self.best_epoch, self.counter, self.epoch = math.inf, None, 0, 0

    def step(self, val_loss):
        if val_loss < self.best_loss - self.min_delta:
            self.best_loss, self.best_epoch, self.counter = val_loss, self.epoch, 0
        else:
            self.counter += 1
        self.epoch += 1
        return self.counter > self.patience


@mutant("EarlyStopping", "stopping one call early (counter >= patience - 1)")
class EarlyStoppingOneEarly:
    def __init__(self, patience=5, min_delta=0.0):
        if patience < 1:
            raise ValueError("patience must be at least 1")
        self.patience, self.min_delta = patience, min_delta
        self.best_loss, self.best_epoch, self.counter, self.epoch = math.inf, None, 0, 0

    def step(self, val_loss):
        if val_loss < self.best_loss - self.min_delta:
            self.best_loss, self.best_epoch, self.counter = val_loss, self.epoch, 0
        else:
            self.counter += 1
        self.epoch += 1
        return self.counter >= self.patience - 1


@mutant("EarlyStopping", "min_delta ignored")
class EarlyStoppingNoMinDelta:
    def __init__(self, patience=5, min_delta=0.0):
        if patience < 1:
            raise ValueError("patience must be at least 1")
        self.patience, self.min_delta = patience, min_delta
        self.best_loss, self.best_epoch, self.counter, self.epoch = math.inf, None, 0, 0

    def step(self, val_loss):
        if val_loss < self.best_loss:
            self.best_loss, self.best_epoch, self.counter = val_loss, self.epoch, 0
        else:
            self.counter += 1
        self.epoch += 1
        return self.counter >= self.patience


@mutant("EarlyStopping", "best_epoch counted from 1")
class EarlyStoppingOneBasedEpoch:
    def __init__(self, patience=5, min_delta=0.0):
        if patience < 1:
            raise ValueError("patience must be at least 1")
        self.patience, self.min_delta = patience, min_delta
        self.best_loss, self.best_epoch, self.counter, self.epoch = math.inf, None, 0, 0

    def step(self, val_loss):
        self.epoch += 1
        if val_loss < self.best_loss - self.min_delta:
            self.best_loss, self.best_epoch, self.counter = val_loss, self.epoch, 0
        else:
            self.counter += 1
        return self.counter >= self.patience


@mutant("EarlyStopping", "best_loss updated by every loss below it, even within min_delta")
class EarlyStoppingBestWithinDelta:
    def __init__(self, patience=5, min_delta=0.0):
        if patience < 1:
            raise ValueError("patience must be at least 1")
        self.patience, self.min_delta = patience, min_delta
        self.best_loss, self.best_epoch, self.counter, self.epoch = math.inf, None, 0, 0

    def step(self, val_loss):
        if val_loss < self.best_loss - self.min_delta:
            self.best_epoch, self.counter = self.epoch, 0
        else:
            self.counter += 1
        self.best_loss = min(self.best_loss, val_loss)
        self.epoch += 1
        return self.counter >= self.patience


@mutant("EarlyStopping", "no check that patience >= 1")
class EarlyStoppingNoCheck:
    def __init__(self, patience=5, min_delta=0.0):
        self.patience, self.min_delta = patience, min_delta
        self.best_loss, self.best_epoch, self.counter, self.epoch = math.inf, None, 0, 0

    def step(self, val_loss):
        if val_loss < self.best_loss - self.min_delta:
            self.best_loss, self.best_epoch, self.counter = val_loss, self.epoch, 0
        else:
            self.counter += 1
        self.epoch += 1
        return self.counter >= self.patience
