"""Public checks for early_stopping.py: short sequences of validation losses, each step's
answer worked out by hand."""

import math

from ._common import CheckFailed, passed, raises
from ._i18n import _


def _steps(stopper, losses, expected, label):
    for epoch, (loss, want) in enumerate(zip(losses, expected)):
        got = stopper.step(loss)
        if got is not want and got != want:
            raise CheckFailed(
                _(
                    "{label}: step({loss}) at epoch {epoch} returned {got!r}, expected {want!r} (losses "
                    "so far {losses})"
                ).format(label=label, loss=loss, epoch=epoch, got=got, want=want, losses=losses[: epoch + 1])
            )


def _best(stopper, loss, epoch, label):
    if stopper.best_loss != loss or stopper.best_epoch != epoch:
        raise CheckFailed(
            _(
                "{label}: best_loss={best_loss!r}, best_epoch={best_epoch!r}; expected "
                "best_loss={loss!r}, best_epoch={epoch!r} (epochs count from 0)"
            ).format(
                label=label, best_loss=stopper.best_loss, best_epoch=stopper.best_epoch, loss=loss, epoch=epoch
            )
        )


def check_EarlyStopping(EarlyStopping, quiet=False):
    fresh = EarlyStopping(patience=2)
    if fresh.best_loss != math.inf or fresh.best_epoch is not None:
        raise CheckFailed(
            _(
                "a new EarlyStopping must start with best_loss=inf and best_epoch=None, got "
                "{best_loss!r} and {best_epoch!r}"
            ).format(best_loss=fresh.best_loss, best_epoch=fresh.best_epoch)
        )
    label = _("EarlyStopping(patience=2) on losses [1.0, 0.5, 0.5, 0.6]")
    # 0.5 equal to the best is no improvement: two calls without one stop at epoch 3.
    _steps(fresh, [1.0, 0.5, 0.5, 0.6], [False, False, False, True], label)
    _best(fresh, 0.5, 1, label)
    label = _("EarlyStopping(patience=2) on losses [1.0, 1.1, 0.9, 1.0, 1.2]")
    # The improvement at epoch 2 resets the count.
    stopper = EarlyStopping(patience=2)
    _steps(stopper, [1.0, 1.1, 0.9, 1.0, 1.2], [False, False, False, False, True], label)
    _best(stopper, 0.9, 2, label)
    label = _("EarlyStopping(patience=1, min_delta=0.1) on losses [1.0, 0.95]")
    # 0.95 is not below 1.0 - 0.1: no improvement, and best_loss stays 1.0.
    stopper = EarlyStopping(patience=1, min_delta=0.1)
    _steps(stopper, [1.0, 0.95], [False, True], label)
    _best(stopper, 1.0, 0, label)
    raises("EarlyStopping(patience=0)", ValueError, EarlyStopping, patience=0)
    passed("EarlyStopping", quiet)
