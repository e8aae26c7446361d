"""The course's experiments on a generated two-moons dataset: momentum vs Adam, dropout vs L2.

Every exercise function (optimizer steps, mini-batches, regularized passes, and the initializer
if you pass one) is an ARGUMENT, so the same experiment runs the student's code or a reference.
This file is released to students: it holds a plain network (the course gives it too) and plots,
and no exercise's solution (the release grades each of its functions as every exercise to prove it).
"""

# ruff: noqa: UP031 - "W%d" keys keep these lines distinct from the exercises' solutions
from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from matplotlib.figure import Figure

try:  # in the grader's package
    from ..public_checks._i18n import N_, chart_fonts, chart_text
except ImportError:  # the copy beside the notebooks, next to their public_checks/ (same language)
    from public_checks._i18n import N_, chart_fonts, chart_text  # type: ignore[no-redef]

__all__ = [
    "make_moons", "split", "starting_parameters", "Run", "momentum_optimizer", "adam_optimizer",
    "train_minibatch", "gradient_descent_optimizer", "compare_batch_sizes", "plot_time_per_epoch",
    "compare_optimizers", "compare_regularization", "plot_decision_boundaries", "plot_losses",
]


# ---------------------------------------------------------------------- data


def make_moons(n_samples: int = 300, noise: float = 0.2, rng: np.random.Generator | None = None):
    """Two interleaving half circles with Gaussian noise: X (2, m), Y (1, m) in {0, 1}."""
    rng = np.random.default_rng(3) if rng is None else rng
    n_top = n_samples // 2
    n_bottom = n_samples - n_top
    angle_top = rng.uniform(0, np.pi, n_top)
    angle_bottom = rng.uniform(0, np.pi, n_bottom)
    top = np.stack([np.cos(angle_top), np.sin(angle_top)])
    bottom = np.stack([1 - np.cos(angle_bottom), 0.5 - np.sin(angle_bottom)])
    points = np.concatenate([top, bottom], axis=1) + rng.normal(0.0, noise, (2, n_samples))
    labels = np.concatenate([np.zeros(n_top), np.ones(n_bottom)])[None, :]
    order = rng.permutation(n_samples)
    return points[:, order], labels[:, order]


def split(X, Y, test_fraction: float = 0.3):
    """First columns for training, the rest for testing (the data come shuffled)."""
    cut = int(round(X.shape[1] * (1 - test_fraction)))
    return (X[:, :cut], Y[:, :cut]), (X[:, cut:], Y[:, cut:])


# ---------------------------------------------------------------------- a plain network


def starting_parameters(layer_sizes, *, rng: np.random.Generator) -> dict[str, np.ndarray]:
    """The experiments' own start when no initializer is passed in: uniform weights of variance
    2 / fan_in and biases of 0.01 (NOT the He initialization of ``initialization.py``, which draws
    normal weights and zero biases: the exercise is yours). ``rng`` is keyword-only: this is
    no drop-in initializer."""
    start = {}
    for depth in range(1, len(layer_sizes)):
        fan_in, fan_out = layer_sizes[depth - 1], layer_sizes[depth]
        bound = (6.0 / fan_in) ** 0.5
        start["W%d" % depth] = rng.uniform(-bound, bound, size=(fan_out, fan_in))
        start["b%d" % depth] = np.full((fan_out, 1), 0.01)
    return start


def _forward(weights, inputs):
    """ReLU hidden layers, sigmoid output; returns the output and each layer's activations."""
    depth = len(weights) // 2
    activations = [inputs]
    for layer in range(1, depth + 1):
        pre = weights["W%d" % layer] @ activations[-1] + weights["b%d" % layer]
        activations.append(1.0 / (1.0 + np.exp(-pre)) if layer == depth else np.maximum(pre, 0.0))
    return activations[-1], activations


def _cross_entropy(probabilities, labels):
    clipped = np.clip(probabilities, 1e-12, 1 - 1e-12)
    return float(-np.mean(labels * np.log(clipped) + (1 - labels) * np.log(1 - clipped)))


def _gradients(weights, activations, labels):
    """Gradients of the mean cross-entropy for the network of ``_forward``."""
    depth = len(weights) // 2
    count = labels.shape[1]
    grads = {}
    delta = (activations[-1] - labels) / count
    for layer in range(depth, 0, -1):
        grads["dW%d" % layer] = delta @ activations[layer - 1].T
        grads["db%d" % layer] = delta.sum(axis=1, keepdims=True)
        if layer > 1:
            delta = (weights["W%d" % layer].T @ delta) * (activations[layer - 1] > 0)
    return grads


def predict(weights, inputs, forward: Callable | None = None):
    """0/1 predictions (1, m); ``forward(X, parameters) -> (A, cache)`` if given, else the plain net."""
    output = forward(inputs, weights)[0] if forward is not None else _forward(weights, inputs)[0]
    return (output > 0.5).astype(np.float64)


def accuracy(weights, inputs, labels, forward: Callable | None = None) -> float:
    return float(np.mean(predict(weights, inputs, forward) == labels))


# ---------------------------------------------------------------------- optimizers


@dataclass
class Optimizer:
    """``init(parameters) -> state``; ``step(parameters, gradients, state, t) -> (parameters, state)``."""

    name: str
    init: Callable[[dict], Any]
    step: Callable[[dict, dict, Any, int], tuple[dict, Any]]
    title: str = ""  # the name as a message with {placeholders} (for ``Run.label``)
    title_fields: dict[str, Any] = field(default_factory=dict)


def momentum_optimizer(initialize_momentum, update_parameters_with_momentum, beta=0.9,
                       learning_rate=0.0007) -> Optimizer:
    def step(params, grads, state, t):
        return update_parameters_with_momentum(params, grads, state, beta, learning_rate)

    return Optimizer(f"momentum (beta={beta})", initialize_momentum, step,
                     N_("momentum (beta={beta})"), {"beta": beta})


def adam_optimizer(initialize_adam, update_parameters_with_adam, learning_rate=0.0007,
                   beta1=0.9, beta2=0.999, epsilon=1e-8) -> Optimizer:
    def step(params, grads, state, t):
        new_params, v, s = update_parameters_with_adam(params, grads, state[0], state[1], t,
                                                       learning_rate, beta1, beta2, epsilon)
        return new_params, (v, s)

    return Optimizer("Adam", initialize_adam, step)


def gradient_descent_optimizer(learning_rate=0.05) -> Optimizer:
    """Plain gradient descent, W <- W - learning_rate * dW: no state (given, not an exercise)."""
    def step(params, grads, state, t):
        return {name: value - learning_rate * grads["d" + name] for name, value in params.items()}, state

    return Optimizer(f"gradient descent (lr={learning_rate})", lambda params: None, step,
                     N_("gradient descent (lr={learning_rate})"), {"learning_rate": learning_rate})


@dataclass
class Run:
    """One trained network: its parameters, the loss curve and its accuracies; for mini-batch
    training also the steps it took and the wall time one epoch took on average. ``name`` stays
    English; ``label`` is the name in the notebooks' language (what the plots draw)."""

    name: str
    parameters: dict[str, np.ndarray]
    costs: list[float] = field(default_factory=list)
    cost_every: int = 1
    train_accuracy: float = 0.0
    test_accuracy: float | None = None
    forward: Callable | None = None
    steps: int = 0
    seconds_per_epoch: float = 0.0
    title: str = ""  # ``name`` as a message with {placeholders}, translated by ``label``
    title_fields: dict[str, Any] = field(default_factory=dict)

    @property
    def label(self) -> str:
        """The run's name in the language the plots draw in (looked up now, not at import)."""
        return chart_text(self.title).format(**self.title_fields) if self.title else self.name


def train_minibatch(X, Y, optimizer: Optimizer, random_mini_batches: Callable, layer_sizes=(2, 5, 2, 1),
                    epochs=10000, mini_batch_size=64, seed=1, cost_every=100,
                    initialize_parameters: Callable | None = None) -> Run:
    """Mini-batch training of the plain network, cut by ``random_mini_batches(X, Y, size, rng)``,
    from ``initialize_parameters(layer_sizes, rng)`` (default: ``starting_parameters``)."""
    rng = np.random.default_rng(seed)
    sizes = [X.shape[0], *layer_sizes[1:]]
    params = (initialize_parameters(sizes, rng) if initialize_parameters
              else starting_parameters(sizes, rng=rng))
    state = optimizer.init(params)
    t = 0
    costs = []
    started = time.perf_counter()
    for epoch in range(epochs):
        total = 0.0
        for xb, yb in random_mini_batches(X, Y, mini_batch_size, rng):
            output, activations = _forward(params, xb)
            total += _cross_entropy(output, yb) * xb.shape[1]
            t += 1
            params, state = optimizer.step(params, _gradients(params, activations, yb), state, t)
        if epoch % cost_every == 0:
            costs.append(total / X.shape[1])
    seconds = (time.perf_counter() - started) / max(epochs, 1)
    return Run(optimizer.name, params, costs, cost_every, accuracy(params, X, Y), steps=t,
               seconds_per_epoch=seconds, title=optimizer.title, title_fields=dict(optimizer.title_fields))


def compare_batch_sizes(random_mini_batches, batch_sizes: Sequence[int | None] = (None, 64, 1), epochs=300,
                        learning_rate=0.05, n_samples=300, noise=0.2, seed=1,
                        initialize_parameters: Callable | None = None) -> tuple[list[Run], Any, Any]:
    """Batch vs mini-batch vs stochastic gradient descent: the same 2-5-2-1 network, data and
    plain gradient descent, with the batches cut by your ``random_mini_batches``; ``None`` in
    ``batch_sizes`` is the whole training set (batch gradient descent), 1 is stochastic gradient
    descent. Each run records its cost per epoch, its steps and its wall time per epoch.
    Returns ``(runs, X, Y)``."""
    X, Y = make_moons(n_samples, noise, np.random.default_rng(seed + 2))
    runs = []
    for size in batch_sizes:
        batch = X.shape[1] if size is None else min(int(size), X.shape[1])
        whole = batch == X.shape[1]
        run = train_minibatch(X, Y, gradient_descent_optimizer(learning_rate), random_mini_batches,
                              epochs=epochs, mini_batch_size=batch, seed=seed, cost_every=1,
                              initialize_parameters=initialize_parameters)
        run.title = (N_("batch gradient descent") if whole else
                     N_("stochastic gradient descent (batches of 1)") if batch == 1 else
                     N_("mini-batch gradient descent (batches of {batch})"))
        run.title_fields = {"batch": batch}
        run.name = run.title.format(batch=batch)
        runs.append(run)
    return runs, X, Y


# The shorter names the bar charts of plot_time_per_epoch draw, by a batch-size run's title.
SHORT_TITLES = {
    "batch gradient descent": N_("batch"),
    "stochastic gradient descent (batches of 1)": N_("stochastic (batch 1)"),
    "mini-batch gradient descent (batches of {batch})": N_("mini-batch (batch {batch})"),
}


def _short(run: Run) -> str:
    short = SHORT_TITLES.get(run.title)
    if short is None:
        return run.label.replace(" gradient descent", "").replace("batches of ", "batch ")
    return chart_text(short).format(**run.title_fields)


def plot_time_per_epoch(runs: list[Run]) -> Figure:
    """Of each run: the cost against wall time (epochs times the time one took), the wall time
    per epoch and the steps per epoch."""
    fig = Figure(figsize=(12, 3.8))
    curve, left, right = fig.subplots(1, 3, width_ratios=(1.4, 1, 1))
    names = [_short(run) for run in runs]
    for run, name in zip(runs, names):
        seconds = (np.arange(len(run.costs)) + 1) * run.cost_every * run.seconds_per_epoch
        curve.plot(seconds, run.costs, label=name)
    curve.set_xscale("log")
    curve.set_xlabel(chart_text(N_("wall time (s)")))
    curve.set_ylabel(chart_text(N_("cost")))
    curve.set_title(chart_text(N_("Cost against time")))
    curve.legend(fontsize="small", loc="upper right")
    epochs = [max(len(run.costs) * run.cost_every, 1) for run in runs]
    left.barh(names, [run.seconds_per_epoch * 1000 for run in runs])
    left.set_xlabel(chart_text(N_("milliseconds per epoch")))
    right.barh(names, [run.steps / n for run, n in zip(runs, epochs)])
    right.set_xlabel(chart_text(N_("steps per epoch")))
    right.set_xscale("log")
    right.set_yticklabels([])
    chart_fonts(fig)
    fig.tight_layout()
    return fig  # drawn, never shown


def compare_optimizers(initialize_momentum, update_parameters_with_momentum, initialize_adam,
                       update_parameters_with_adam, random_mini_batches, epochs=10000,
                       learning_rate=0.0007, beta=0.9, n_samples=300, noise=0.2, seed=1,
                       initialize_parameters: Callable | None = None) -> tuple[list[Run], Any, Any]:
    """The course's experiment: the same 2-5-2-1 network, data and batches (your
    ``random_mini_batches``), trained with momentum and with Adam for the same number of epochs.
    Returns ``(runs, X, Y)``."""
    X, Y = make_moons(n_samples, noise, np.random.default_rng(seed + 2))
    optimizers = [
        momentum_optimizer(initialize_momentum, update_parameters_with_momentum, beta, learning_rate),
        adam_optimizer(initialize_adam, update_parameters_with_adam, learning_rate),
    ]
    runs = [train_minibatch(X, Y, optimizer, random_mini_batches, epochs=epochs, seed=seed,
                            initialize_parameters=initialize_parameters) for optimizer in optimizers]
    return runs, X, Y


# ---------------------------------------------------------------------- regularization


def _train_full_batch(title, X, Y, Xt, Yt, forward, cost, backward, iterations, learning_rate,
                      seed, cost_every, evaluate_forward, initialize_parameters) -> Run:
    rng = np.random.default_rng(seed)
    sizes = [X.shape[0], 20, 3, 1]
    params = (initialize_parameters(sizes, rng) if initialize_parameters
              else starting_parameters(sizes, rng=rng))
    costs = []
    for i in range(iterations):
        output, cache = forward(X, params, rng)
        if i % cost_every == 0:
            costs.append(float(cost(output, Y, params)))
        grads = backward(X, Y, cache)
        params = {key: value - learning_rate * grads["d" + key] for key, value in params.items()}
    message, fields = title
    return Run(message.format(**fields), params, costs, cost_every, accuracy(params, X, Y, evaluate_forward),
               accuracy(params, Xt, Yt, evaluate_forward), evaluate_forward, title=message, title_fields=fields)


def compare_regularization(forward_propagation, compute_cost, compute_cost_with_regularization,
                           backward_propagation_with_regularization, forward_propagation_with_dropout,
                           backward_propagation_with_dropout, iterations=30000, learning_rate=0.3,
                           lambd=0.7, keep_prob=0.86, n_samples=300, noise=0.3, seed=1,
                           cost_every=1000, initialize_parameters: Callable | None = None,
                           ) -> tuple[list[Run], tuple, tuple]:
    """The course's experiment: a 2-20-3-1 network trained by full-batch gradient descent
    without regularization, with L2 (``lambd``) and with dropout (``keep_prob``).
    ``initialize_parameters(layer_sizes, rng)``: the start (default: ``starting_parameters``).
    Returns ``(runs, (X_train, Y_train), (X_test, Y_test))``."""
    X, Y = make_moons(n_samples, noise, np.random.default_rng(seed + 2))
    (Xtr, Ytr), (Xte, Yte) = split(X, Y)

    def plain_backward(X_, Y_, cache):
        return backward_propagation_with_regularization(X_, Y_, cache, 0.0)

    runs = [
        _train_full_batch((N_("no regularization"), {}), Xtr, Ytr, Xte, Yte,
                          lambda X_, p, rng: forward_propagation(X_, p),
                          lambda A, Y_, p: compute_cost(A, Y_), plain_backward,
                          iterations, learning_rate, seed, cost_every, forward_propagation,
                          initialize_parameters),
        _train_full_batch((N_("L2 (lambda={lambd})"), {"lambd": lambd}), Xtr, Ytr, Xte, Yte,
                          lambda X_, p, rng: forward_propagation(X_, p),
                          lambda A, Y_, p: compute_cost_with_regularization(A, Y_, p, lambd),
                          lambda X_, Y_, cache: backward_propagation_with_regularization(X_, Y_, cache, lambd),
                          iterations, learning_rate, seed, cost_every, forward_propagation,
                          initialize_parameters),
        _train_full_batch((N_("dropout (keep_prob={keep_prob})"), {"keep_prob": keep_prob}), Xtr, Ytr, Xte, Yte,
                          lambda X_, p, rng: forward_propagation_with_dropout(X_, p, keep_prob, rng),
                          lambda A, Y_, p: compute_cost(A, Y_),
                          lambda X_, Y_, cache: backward_propagation_with_dropout(X_, Y_, cache, keep_prob),
                          iterations, learning_rate, seed, cost_every, forward_propagation,
                          initialize_parameters),
    ]
    return runs, (Xtr, Ytr), (Xte, Yte)


# ---------------------------------------------------------------------- plots


def plot_decision_boundaries(runs: list[Run], X, Y, resolution: int = 200) -> Figure:
    """One panel per run: its predicted class over the plane, with the data on top."""
    fig = Figure(figsize=(4.5 * len(runs), 4))
    axes = fig.subplots(1, len(runs), squeeze=False)[0]
    pad = 0.5
    xs = np.linspace(X[0].min() - pad, X[0].max() + pad, resolution)
    ys = np.linspace(X[1].min() - pad, X[1].max() + pad, resolution)
    grid_x, grid_y = np.meshgrid(xs, ys)
    grid = np.stack([grid_x.ravel(), grid_y.ravel()])
    for ax, run in zip(axes, runs):
        classes = predict(run.parameters, grid, run.forward).reshape(grid_x.shape)
        ax.contourf(grid_x, grid_y, classes, levels=[-0.5, 0.5, 1.5], cmap="Spectral", alpha=0.6)
        ax.scatter(X[0], X[1], c=Y[0], cmap="Spectral", s=12, edgecolors="k", linewidths=0.3)
        title = run.label + "\n" + chart_text(N_("train accuracy {train:.2f}")).format(train=run.train_accuracy)
        if run.test_accuracy is not None:
            title += chart_text(N_(", test {test:.2f}")).format(test=run.test_accuracy)
        ax.set_title(title)
        ax.set(xticks=[], yticks=[])
    chart_fonts(fig)
    fig.tight_layout()
    return fig  # drawn, never shown


def plot_losses(runs: list[Run], xlabel: str | None = None) -> Figure:
    """The loss curves of the runs on one Axes; ``xlabel``: what the x axis counts (default: epochs)."""
    fig = Figure(figsize=(6, 4))
    ax = fig.subplots()
    for run in runs:
        ax.plot(np.arange(len(run.costs)) * run.cost_every, run.costs, label=run.label)
    ax.set_xlabel(chart_text(N_("epoch")) if xlabel is None else xlabel)
    ax.set_ylabel(chart_text(N_("cost")))
    ax.set_title(chart_text(N_("Training loss")))
    ax.legend()
    chart_fonts(fig)
    fig.tight_layout()
    return fig  # drawn, never shown
