"""Early stopping: a Hypothesis state machine drives the student's EarlyStopping (living in the
worker) and a plain model of SPEC's rule with the same losses, and compares every answer."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)

from autograder.i18n import N_, _
from grading_tests.compare import describe, expect_raises, fail, short
from grading_tests.references.early_stopping import EarlyStoppingModel

M = "early_stopping"
# Multiples of 1/16: every difference of two losses and every best_loss - min_delta is exact in
# floating point, so `val_loss < best - min_delta` and `best - val_loss > min_delta` agree.
UNIT = 1 / 16
losses = st.integers(0, 48).map(lambda k: k * UNIT)
min_deltas = st.sampled_from([0.0, UNIT, 3 * UNIT])
patiences = st.integers(1, 4)

HINT = (N_("an improvement is val_loss < best_loss - min_delta (strictly less); it resets the count of calls "
        "without improvement to 0 and records best_loss and best_epoch (0-based index of the call); "
        "step returns True when that count reaches patience"))


def _is_bool(value):
    return isinstance(value, (bool, np.bool_))


def _number(value):
    if isinstance(value, np.ndarray) and value.ndim == 0:
        value = value[()]
    return value


def _diagnose(config, history, agrees):
    """The misconceptions whose class, replayed on the same losses, ends in the student's state."""
    from grading_tests.mutants import for_module

    found = []
    for mutant in for_module(M):
        try:
            instance = mutant.func(**config)
            returns = [instance.step(loss) for loss in history]
        except Exception:  # noqa: BLE001 - a mutant that cannot replay this is no diagnosis
            continue
        if agrees(instance, returns):
            found.append(mutant.description)
    # Several misconceptions can explain a short history: name them all.
    return " or ".join(found)


def make_machine(module):
    class EarlyStoppingMachine(RuleBasedStateMachine):
        """One EarlyStopping at a time; a new one only once training would have stopped (or more
        calls to the stopped one)."""

        def _new(self, patience, min_delta):
            self.model = EarlyStoppingModel(patience, min_delta)
            self.student = module.EarlyStopping(patience=patience, min_delta=min_delta)
            self.stopped = False
            self.history: list[float] = []
            self.returns: list[bool] = []
            self.config = dict(patience=patience, min_delta=min_delta)

        @initialize(patience=patiences, min_delta=min_deltas)
        def start(self, patience, min_delta):
            self._new(patience, min_delta)

        @precondition(lambda self: self.stopped)
        @rule(patience=patiences, min_delta=min_deltas)
        def restart(self, patience, min_delta):
            self._new(patience, min_delta)

        def _step(self, loss):
            self.history.append(loss)
            expected = self.model.step(loss)
            got = self.student.step(loss)
            context = describe(**self.config, losses=self.history)
            if not _is_bool(got):
                fail(_("step({loss}) returned {type} {value}; expected True or False")
                     .format(loss=loss, type=type(got).__name__, value=short(got)), context)
            if bool(got) != expected:
                calls = self.model.bad_steps
                diagnosis = _diagnose(self.config, self.history,
                                      lambda inst, rets: rets == [*self.returns, bool(got)])
                fail(_("step({loss}) returned {bool}, expected {expected}: after call {value} (0-based) "
                        "there have been {calls} call(s) in a row without an improvement of more than "
                        "min_delta = {config} below best_loss = {best_loss}, and patience is {config2}")
                     .format(loss=loss, bool=bool(got), expected=expected, value=len(self.history) - 1, calls=calls, config=self.config['min_delta'], best_loss=self.model.best_loss, config2=self.config['patience']), context, diagnosis=diagnosis)
            self.returns.append(expected)
            self.stopped = expected

        @precondition(lambda self: not self.stopped)
        @rule(loss=losses)
        def any_loss(self, loss):
            self._step(loss)

        @precondition(lambda self: not self.stopped)
        @rule()
        def diverged(self):
            # A diverged epoch's loss: never an improvement, not even on the first call (as
            # `inf < inf - min_delta` is False, so is `inf - inf > min_delta`): the calls without
            # an improvement may start before any best_loss is recorded.
            self._step(math.inf)

        @precondition(lambda self: self.stopped)
        @rule(loss=losses)
        def after_stopping(self, loss):
            # A caller may go on after a True: the rule holds on every call, so step stays True
            # while the calls in a row without an improvement are patience or more.
            self._step(loss)

        @precondition(lambda self: not self.stopped and math.isfinite(self.model.best_loss))
        @rule(offset=st.sampled_from([-1, 0, 1, 2]))
        def loss_near_the_threshold(self, offset):
            # Exactly best - min_delta (not an improvement), one unit below (an improvement), or
            # one or two units above: within min_delta of the best, or the best itself.
            self._step(self.model.best_loss - self.model.min_delta + offset * UNIT)

        @precondition(lambda self: not self.stopped and math.isfinite(self.model.best_loss))
        @rule(repeats=st.integers(1, 5))
        def plateau(self, repeats):
            for _unused in range(repeats):
                if self.stopped:
                    break
                self._step(self.model.best_loss)

        @invariant()
        def best_loss_and_best_epoch_agree(self):
            context = describe(**self.config, losses=self.history)
            best = _number(self.student.best_loss.get())
            if not isinstance(best, (int, float, np.integer, np.floating)) or isinstance(best, bool) \
                    or float(best) != self.model.best_loss:
                fail(_("best_loss is {value}, expected {best_loss} (math.inf before any improvement)")
                     .format(value=short(best), best_loss=self.model.best_loss),
                     context, diagnosis=_diagnose(self.config, self.history,
                                                  lambda inst, rets: rets == self.returns and inst.best_loss == best))
            epoch = _number(self.student.best_epoch.get())
            expected = self.model.best_epoch
            ok = epoch is None if expected is None else (
                isinstance(epoch, (int, np.integer)) and not isinstance(epoch, bool) and int(epoch) == expected)
            if not ok:
                fail(_("best_epoch is {value}, expected {expected!r} (None before any improvement, then "
                        "the 0-based index of the step call that gave best_loss)")
                     .format(value=short(epoch), expected=expected), context,
                     diagnosis=_diagnose(self.config, self.history,
                                         lambda inst, rets: rets == self.returns and inst.best_epoch == epoch))

    return EarlyStoppingMachine


@pytest.mark.points(6)
@pytest.mark.exercise(M, "EarlyStopping")
@pytest.mark.hint(HINT)
def test_early_stopping_agrees_with_the_rule_on_every_step(impl):
    machine = make_machine(impl.early_stopping)
    run_state_machine_as_test(machine, settings=settings(stateful_step_count=15, report_multiple_bugs=False))


@pytest.mark.points(1)
@pytest.mark.exercise(M, "EarlyStopping")
@pytest.mark.hint("patience counts calls without improvement, so it must be at least 1: raise ValueError otherwise")
@given(patience=st.integers(-3, 0))
def test_early_stopping_rejects_a_patience_below_one(impl, patience):
    expect_raises("EarlyStopping", lambda: impl.early_stopping.EarlyStopping(patience=patience),
                  context=describe(patience=patience), mention="patience")
