"""Public checks for regularization.py: a 1-2-1-1 network on two examples, small enough to
work every gradient out by hand, and the dropout masks' shapes and scaling."""

import copy
import math

import numpy as np

from ._common import CheckFailed, close, passed, raises, same_keys, shape_is, unchanged
from ._i18n import _

GRADIENT_KEYS = ["dZ3", "dW3", "db3", "dA2", "dZ2", "dW2", "db2", "dA1", "dZ1", "dW1", "db1"]
X = np.array([[1.0, 2.0]])
Y = np.array([[1.0, 0.0]])
S = 1 / (1 + math.exp(-0.5))  # sigmoid(0.5); sigmoid(-0.5) = 1 - S


def _network():
    """W1 (2, 1), W2 (1, 2), W3 (1, 1) and non-zero biases (they must not be regularized)."""
    return {
        "W1": np.array([[1.0], [-1.0]]),
        "b1": np.array([[0.5], [0.5]]),
        "W2": np.array([[1.0, 2.0]]),
        "b2": np.array([[-2.0]]),
        "W3": np.array([[2.0]]),
        "b3": np.array([[-0.5]]),
    }


def _forward_cache():
    """(Z1, A1, W1, b1, Z2, A2, W2, b2, Z3, A3, W3, b3) of the network above on X, by hand:
    Z1 = W1 X + b1, Z2 = W2 A1 + b2 = [-0.5, 0.5], Z3 = W3 A2 + b3 = [-0.5, 0.5]."""
    p = _network()
    Z1 = np.array([[1.5, 2.5], [-0.5, -1.5]])
    A1 = np.array([[1.5, 2.5], [0.0, 0.0]])
    Z2, A2 = np.array([[-0.5, 0.5]]), np.array([[0.0, 0.5]])
    Z3, A3 = np.array([[-0.5, 0.5]]), np.array([[1 - S, S]])
    return (Z1, A1, p["W1"], p["b1"], Z2, A2, p["W2"], p["b2"], Z3, A3, p["W3"], p["b3"])


def _gradients(label, got, expected):
    same_keys(label, got, GRADIENT_KEYS)
    for key, value in expected.items():
        close(f"{label}[{key!r}]", got[key], value)


def check_compute_cost_with_regularization(compute_cost_with_regularization, quiet=False):
    params = _network()
    before = copy.deepcopy(params)
    A3 = np.array([[0.5, 0.5]])
    # Cross-entropy of 0.5 against either label: ln 2. ||W1||^2 + ||W2||^2 + ||W3||^2 = 2 + 5 + 4 = 11.
    cost = compute_cost_with_regularization(A3, Y, params, 0.1)
    close(
        _(
            "compute_cost_with_regularization(A3=[[0.5, 0.5]], Y=[[1, 0]], the 1-2-1-1 network, "
            "lambd=0.1) (penalty lambd / (2m) * 11 = 0.275, biases not included)"
        ),
        cost,
        math.log(2) + 0.1 / 4 * 11,
    )
    close(
        _("compute_cost_with_regularization with lambd=0 (the plain cross-entropy)"),
        compute_cost_with_regularization(A3, Y, params, 0.0),
        math.log(2),
    )
    unchanged(_("parameters"), before, params)
    passed("compute_cost_with_regularization", quiet)


def check_backward_propagation_with_regularization(backward_propagation_with_regularization, quiet=False):
    cache = _forward_cache()
    before = copy.deepcopy(cache)
    grads = backward_propagation_with_regularization(X, Y, cache, 0.1)
    # dZ3 = A3 - Y = [-S, S]; dA2 = W3.T dZ3; dZ2 = dA2 * (A2 > 0); dWl = dZl A(l-1).T / m + lambd/m Wl.
    _gradients(
        _("gradients with lambd=0.1 (dWl gains lambd/m * Wl = 0.05 * Wl, dbl gains nothing)"),
        grads,
        {
            "dZ3": [[-S, S]],
            "dW3": [[S / 4 + 0.1]],
            "db3": [[0.0]],
            "dA2": [[-2 * S, 2 * S]],
            "dZ2": [[0.0, 2 * S]],
            "dW2": [[2.5 * S + 0.05, 0.1]],
            "db2": [[S]],
            "dA1": [[0.0, 2 * S], [0.0, 4 * S]],
            "dZ1": [[0.0, 2 * S], [0.0, 0.0]],
            "dW1": [[2 * S + 0.05], [-0.05]],
            "db1": [[S], [0.0]],
        },
    )
    for i, (a, b) in enumerate(zip(before, cache)):
        unchanged(_("cache[{i}]").format(i=i), a, b)
    passed("backward_propagation_with_regularization", quiet)


def _dropout_cache():
    """(Z1, D1, A1, W1, b1, Z2, D2, A2, W2, b2, Z3, A3, W3, b3) with keep_prob 0.5, by hand:
    A1 = relu(Z1) * D1 / 0.5, Z2 = W2 A1 - 4 = [-1, 1], A2 = relu(Z2) * D2 / 0.5, Z3 = 0.5 A2 - 0.5."""
    W1, b1 = np.array([[1.0], [-1.0]]), np.array([[0.5], [0.5]])
    W2, b2 = np.array([[1.0, 2.0]]), np.array([[-4.0]])
    W3, b3 = np.array([[0.5]]), np.array([[-0.5]])
    Z1, D1 = np.array([[1.5, 2.5], [-0.5, -1.5]]), np.array([[1.0, 1.0], [1.0, 0.0]])
    A1 = np.array([[3.0, 5.0], [0.0, 0.0]])
    Z2, D2, A2 = np.array([[-1.0, 1.0]]), np.array([[1.0, 1.0]]), np.array([[0.0, 2.0]])
    Z3, A3 = np.array([[-0.5, 0.5]]), np.array([[1 - S, S]])
    return (Z1, D1, A1, W1, b1, Z2, D2, A2, W2, b2, Z3, A3, W3, b3)


def check_backward_propagation_with_dropout(backward_propagation_with_dropout, quiet=False):
    cache = _dropout_cache()
    before = copy.deepcopy(cache)
    # Six calls on the same cache: new masks drawn in the backward pass match the cached ones
    # in one call by luck (the masks are small), in six calls practically never.
    for _attempt in range(6):
        grads = backward_propagation_with_dropout(X, Y, cache, 0.5)
        _check_dropout_gradients(grads)
    for i, (a, b) in enumerate(zip(before, cache)):
        unchanged(_("cache[{i}]").format(i=i), a, b)
    passed("backward_propagation_with_dropout", quiet)


def _check_dropout_gradients(grads):
    # dA2 = W3.T dZ3 * D2 / 0.5; dA1 = W2.T dZ2 * D1 / 0.5: the cached masks, not new ones.
    _gradients(
        _("gradients with keep_prob=0.5 (reuse the cached masks D1, D2 and divide by keep_prob)"),
        grads,
        {
            "dZ3": [[-S, S]],
            "dW3": [[S]],
            "db3": [[0.0]],
            "dA2": [[-S, S]],
            "dZ2": [[0.0, S]],
            "dW2": [[2.5 * S, 0.0]],
            "db2": [[S / 2]],
            "dA1": [[0.0, 2 * S], [0.0, 0.0]],
            "dZ1": [[0.0, 2 * S], [0.0, 0.0]],
            "dW1": [[2 * S], [0.0]],
            "db1": [[S], [0.0]],
        },
    )


def check_forward_propagation_with_dropout(forward_propagation_with_dropout, quiet=False):
    rng = np.random.default_rng(0)
    Xb = rng.normal(size=(3, 400))
    params = {
        "W1": rng.normal(size=(5, 3)),
        "b1": rng.normal(size=(5, 1)),
        "W2": rng.normal(size=(4, 5)),
        "b2": rng.normal(size=(4, 1)),
        "W3": rng.normal(size=(1, 4)),
        "b3": rng.normal(size=(1, 1)),
    }
    before = copy.deepcopy(params)
    result = forward_propagation_with_dropout(Xb, params, keep_prob=0.8, rng=np.random.default_rng(1))
    if not isinstance(result, tuple) or len(result) != 2 or len(result[1]) != 14:
        raise CheckFailed(
            _(
                "forward_propagation_with_dropout must return (A3, cache) with the 14 entries (Z1, D1, "
                "A1, W1, b1, Z2, D2, A2, W2, b2, Z3, A3, W3, b3)"
            )
        )
    A3, (Z1, D1, A1, _unused, _unused, Z2, D2, A2, _unused, _unused, Z3, cached_A3, _unused, _unused) = result
    unchanged(_("parameters"), before, params)
    shape_is(_("A3 for X of shape (3, 400)"), A3, (1, 400))
    for name, mask, shape in (("D1", D1, (5, 400)), ("D2", D2, (4, 400))):
        shape_is(name, mask, shape, _("One mask entry per unit and per example."))
        if not np.isin(mask, (0.0, 1.0)).all():
            raise CheckFailed(_("{name} must hold only 0 (dropped) and 1 (kept)").format(name=name))
        kept = float(np.mean(mask))
        if abs(kept - 0.8) > 0.05:
            raise CheckFailed(
                _(
                    "with keep_prob=0.8, {name} keeps {kept:.0%} of the units, expected about 80% (keep "
                    "a unit when the random number is below keep_prob)"
                ).format(name=name, kept=kept)
            )
        if all(np.array_equal(mask[:, 0], mask[:, j]) for j in range(1, mask.shape[1])):
            raise CheckFailed(
                _("every example got the same {name} column: draw one mask entry per unit AND example").format(
                    name=name
                )
            )
    close("Z1 = W1 X + b1", Z1, params["W1"] @ Xb + params["b1"])
    close(
        _("A1 = relu(Z1) * D1 / keep_prob (inverted dropout scales the kept units)"),
        A1,
        np.maximum(Z1, 0) * D1 / 0.8,
    )
    close("Z2 = W2 A1 + b2", Z2, params["W2"] @ A1 + params["b2"])
    close("A2 = relu(Z2) * D2 / keep_prob", A2, np.maximum(Z2, 0) * D2 / 0.8)
    close("Z3 = W3 A2 + b3", Z3, params["W3"] @ A2 + params["b3"])
    close(_("A3 = sigmoid(Z3) (no dropout on the output)"), A3, 1 / (1 + np.exp(-Z3)))
    close("cache's A3", cached_A3, A3)
    again = forward_propagation_with_dropout(Xb, params, keep_prob=0.8, rng=np.random.default_rng(1))
    close(_("D1 drawn again with np.random.default_rng(1) (draw the masks from rng)"), again[1][1], D1)
    full, cache = forward_propagation_with_dropout(Xb, params, keep_prob=1.0, rng=np.random.default_rng(2))
    close(_("D1 with keep_prob=1 (nothing dropped)"), cache[1], np.ones((5, 400)))
    close(_("A1 with keep_prob=1"), cache[2], np.maximum(params["W1"] @ Xb + params["b1"], 0))
    passed("forward_propagation_with_dropout", quiet)


def check_dropout_forward(dropout_forward, quiet=False):
    A = np.arange(1.0, 2001.0).reshape(40, 50)
    before = A.copy()
    result = dropout_forward(A, 0.8, rng=np.random.default_rng(0))
    if not isinstance(result, tuple) or len(result) != 2:
        raise CheckFailed(_("dropout_forward must return a tuple (out, mask)"))
    out, mask = result
    unchanged("A", before, A)
    shape_is(_("mask for A of shape (40, 50)"), mask, (40, 50))
    if not np.isin(mask, (0.0, 1.0)).all():
        raise CheckFailed(_("the mask must hold only 0 (dropped) and 1 (kept)"))
    kept = float(np.mean(mask))
    if abs(kept - 0.8) > 0.05:
        raise CheckFailed(
            _(
                "with keep_prob=0.8 the mask keeps {kept:.0%} of the entries, expected about 80% (keep "
                "an entry when the random number is below keep_prob)"
            ).format(kept=kept)
        )
    close(_("out = A * mask / keep_prob for A of shape (40, 50), keep_prob=0.8"), out, A * mask / 0.8)
    close(
        _("the mask drawn again with np.random.default_rng(0) (use rng)"),
        dropout_forward(A, 0.8, rng=np.random.default_rng(0))[1],
        mask,
    )
    close(
        _("out with keep_prob=1 (nothing dropped)"), dropout_forward(A, 1.0, rng=np.random.default_rng(0))[0], A
    )
    raises("dropout_forward(A, keep_prob=0)", ValueError, dropout_forward, A, 0.0)
    raises("dropout_forward(A, keep_prob=1.5)", ValueError, dropout_forward, A, 1.5)
    passed("dropout_forward", quiet)


def check_dropout_backward(dropout_backward, quiet=False):
    dout = np.array([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]])
    mask = np.array([[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]])
    before = dout.copy()
    close(
        _(
            "dropout_backward(dout=[[1, 2], [3, 4], [5, 6]], mask=[[1, 0], [0, 1], [1, 1]], "
            "keep_prob=0.5) (dout * mask / keep_prob)"
        ),
        dropout_backward(dout, mask, 0.5),
        [[2.0, 0.0], [0.0, 8.0], [10.0, 12.0]],
    )
    unchanged(_("dout"), before, dout)
    passed("dropout_backward", quiet)
