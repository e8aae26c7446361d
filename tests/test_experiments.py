"""The course's experiments run on the reference functions, and show what the course reports."""

from __future__ import annotations

import importlib.util

import numpy as np
import pytest
from matplotlib.figure import Figure

from autograder.course import experiments as ex
from tests.conftest import SOLUTIONS


def load(topic):
    path = SOLUTIONS / f"{topic}.py"
    if not path.exists():
        pytest.skip(f"no {topic} solution yet")
    spec = importlib.util.spec_from_file_location(f"reference_{topic}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_two_moons_are_balanced_and_reproducible():
    X, Y = ex.make_moons(200, 0.1, np.random.default_rng(0))
    X2, _ = ex.make_moons(200, 0.1, np.random.default_rng(0))
    assert X.shape == (2, 200) and Y.shape == (1, 200) and Y.sum() == 100
    assert np.array_equal(X, X2)


def test_adam_clearly_beats_momentum_at_equal_epochs():
    opt = load("optimizers")
    runs, X, Y = ex.compare_optimizers(opt.initialize_momentum, opt.update_parameters_with_momentum,
                                       opt.initialize_adam, opt.update_parameters_with_adam,
                                       epochs=300, random_mini_batches=opt.random_mini_batches)
    momentum, adam = runs
    assert adam.train_accuracy >= momentum.train_accuracy + 0.15, (momentum.train_accuracy, adam.train_accuracy)
    assert adam.train_accuracy > 0.85
    assert adam.costs[-1] < momentum.costs[-1] < momentum.costs[0] + 1e-9
    assert isinstance(ex.plot_decision_boundaries(runs, X, Y), Figure)
    assert len(ex.plot_losses(runs).axes[0].lines) == 2


def test_dropout_and_l2_generalise_on_two_moons():
    reg = load("regularization")
    runs, train, test = ex.compare_regularization(
        reg.forward_propagation, reg.compute_cost, reg.compute_cost_with_regularization,
        reg.backward_propagation_with_regularization, reg.forward_propagation_with_dropout,
        reg.backward_propagation_with_dropout, iterations=1500, cost_every=100)
    assert [r.name.split(" ")[0] for r in runs] == ["no", "L2", "dropout"]
    for run in runs:
        assert run.train_accuracy > 0.85 and run.test_accuracy > 0.8, run
        assert run.costs[-1] < run.costs[0]
    fig = ex.plot_decision_boundaries(runs, *train)
    assert len(fig.axes) == 3 and "test" in fig.axes[2].get_title()


def test_experiments_hold_no_exercise_solution():
    from autograder.stubs import leaks

    assert not leaks(SOLUTIONS.parent / "autograder" / "course", SOLUTIONS)
