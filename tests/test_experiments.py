"""The course's experiments run on the reference functions, and show what the course reports."""

from __future__ import annotations

import importlib.util

import numpy as np
import pytest
from matplotlib.figure import Figure

from autograder.student.course import experiments as ex
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
                                       opt.random_mini_batches, epochs=300)
    momentum, adam = runs
    assert adam.train_accuracy >= momentum.train_accuracy + 0.15, (momentum.train_accuracy, adam.train_accuracy)
    assert adam.train_accuracy > 0.85
    assert adam.costs[-1] < momentum.costs[-1] < momentum.costs[0] + 1e-9
    assert isinstance(ex.plot_decision_boundaries(runs, X, Y), Figure)
    assert len(ex.plot_losses(runs).axes[0].lines) == 2


def test_smaller_batches_learn_more_per_epoch_and_cost_more_time_per_epoch():
    """Batch vs mini-batch vs stochastic gradient descent with the solution's batches: per epoch,
    more steps give a lower cost; each epoch of batches of one takes far longer (wall time is
    compared only as an ordering with a wide margin, never against a number)."""
    opt = load("optimizers")
    runs, X, Y = ex.compare_batch_sizes(opt.random_mini_batches, batch_sizes=(None, 64, 1), epochs=40)
    whole, mini, single = runs
    assert [r.name.split(" ")[0] for r in runs] == ["batch", "mini-batch", "stochastic"]
    assert (whole.steps, mini.steps, single.steps) == (40, 40 * 5, 40 * 300)  # 300 examples, 5 batches of <= 64
    assert single.costs[-1] < mini.costs[-1] < whole.costs[-1] < whole.costs[0]
    assert len(whole.costs) == 40
    assert single.seconds_per_epoch > 5 * whole.seconds_per_epoch > 0
    fig = ex.plot_time_per_epoch(runs)
    assert len(fig.axes) == 3 and len(fig.axes[0].lines) == 3


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
    from autograder.authoring.stubs import leaks

    assert not leaks(SOLUTIONS.parent / "autograder" / "student" / "course", SOLUTIONS)


def test_the_experiments_start_from_the_students_initializer_when_given_one():
    opt, init = load("optimizers"), load("initialization")
    runs, _, _ = ex.compare_optimizers(opt.initialize_momentum, opt.update_parameters_with_momentum,
                                       opt.initialize_adam, opt.update_parameters_with_adam,
                                       opt.random_mini_batches, epochs=300,
                                       initialize_parameters=init.initialize_parameters_he)
    assert runs[1].train_accuracy > runs[0].train_accuracy


NOTEBOOK_RUN = """
import importlib.util, json, sys
spec = importlib.util.spec_from_file_location("solution", sys.argv[1])
solution = importlib.util.module_from_spec(spec)
spec.loader.exec_module(solution)
kernel = dict(vars(solution), display=lambda *args: None)  # the notebook's kernel, answered
for cell in json.load(open(sys.argv[2]))["cells"]:
    source = "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]
    if "course.experiments" in source:
        # Shorter runs: what is tested is that the cell passes the notebook's own functions.
        # IPython's magic lines (%matplotlib inline) are the kernel's, not Python.
        source = "\\n".join(line for line in source.splitlines() if not line.lstrip().startswith("%"))
        exec(source.replace("epochs=3000", "epochs=20").replace("iterations=10000", "iterations=200"), kernel)
        print("ran", sorted(name for name in ("runs",) if name in kernel))
"""


@pytest.mark.parametrize("assignment, topic", [("optimization", "optimizers"),
                                               ("regularization", "regularization")])
def test_the_notebooks_experiment_cells_run_on_the_notebooks_own_functions(tmp_path, assignment, topic):
    import subprocess
    import sys

    from autograder.authoring.notebooks import make_course

    # A course folder, as instructors make one: the helpers are written beside the notebooks
    # there (git keeps only the notebooks).
    make_course(tmp_path, SOLUTIONS.parent / "source", [assignment])
    folder = tmp_path / "source" / assignment
    assert (folder / "course" / "experiments.py").is_file()
    proc = subprocess.run([sys.executable, "-c", NOTEBOOK_RUN, str(SOLUTIONS / f"{topic}.py"),
                           str(folder / f"{topic}.ipynb")], cwd=folder, capture_output=True, text=True,
                          timeout=300)
    assert proc.returncode == 0 and "ran ['runs']" in proc.stdout, proc.stderr[-3000:]


def _made_up_runs():
    batch = ex.Run("batch gradient descent", {}, [0.7, 0.5], title="mini-batch gradient descent (batches of {batch})",
                   title_fields={"batch": 64}, steps=10, seconds_per_epoch=0.01)
    return [batch, ex.Run("no regularization", {}, [0.6, 0.4], title="no regularization")]


def test_the_plots_draw_their_words_in_chinese_with_a_cjk_font_and_no_missing_glyph(monkeypatch, caplog):
    """Looked up when drawn (not at import), with a CJK font first where Chinese is drawn."""
    import warnings

    from autograder.student.public_checks import _i18n

    if _i18n.cjk_font() is None:
        pytest.skip("no CJK font for matplotlib here (Debian: fonts-noto-cjk): the plots stay English")
    monkeypatch.setenv("AUTOGRADER_LANG", "zh")
    runs = _made_up_runs()
    caplog.set_level("INFO", logger="matplotlib.font_manager")
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # matplotlib's "Glyph ... missing from font(s)"
        fig = ex.plot_losses(runs)
        fig.canvas.draw()
        times = ex.plot_time_per_epoch(runs)
        times.canvas.draw()
    assert not [r for r in caplog.records if "not found" in r.getMessage()]  # no font-lookup spam
    ax = fig.axes[0]
    assert (ax.get_title(), ax.get_ylabel(), ax.get_xlabel()) == ("训练损失", "代价", "轮次（epoch）")
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["小批量梯度下降（批大小 64）", "无正则化"]
    assert ax.title.get_fontfamily()[0] == _i18n.cjk_font()
    assert [t.get_text() for t in times.axes[1].get_yticklabels()][0] == "小批量（批大小 64）"
    from autograder.student.course.feature_maps import EDGE_TITLES

    assert EDGE_TITLES[0] == "L1-特征图1（竖直边缘）"
    monkeypatch.setenv("AUTOGRADER_LANG", "en")  # the same objects, read again: English
    assert ex.plot_losses(runs).axes[0].get_title() == "Training loss" and runs[0].label.startswith("mini-batch")
    assert list(EDGE_TITLES) == ["L1-Map1 (vertical edges)", "L1-Map2 (horizontal edges)"]
