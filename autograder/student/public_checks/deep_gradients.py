"""Public checks for deep_gradients.py: a fixed 2-2-1 network with each activation (values worked
out once, by hand and with torch autograd), the unknown-activation error, and norms in layer order."""

import copy

import numpy as np

from ._common import CheckFailed, close, passed, raises, sibling, unchanged
from ._i18n import _

# Z1 = W1 @ X + b1 = [[1, -2, 0.5], [-1.5, -0.5, 1.5]]: no entry at the ReLU kink.
X = np.array([[1.0, -2.0, 0.5], [2.0, 1.0, -1.0]])
Y = np.array([[1.0, 0.0, 1.0]])
PARAMETERS = {
    "W1": np.array([[1.0, 0.0], [0.0, -1.0]]),
    "b1": np.array([[0.0], [0.5]]),
    "W2": np.array([[1.0, -1.0]]),
    "b2": np.array([[0.0]]),
}
# With relu: A1 = [[1, 0, 0.5], [0, 0, 1.5]], Z2 = [1, 0, -1], AL = sigmoid(Z2).
AL = {
    "relu": [[0.731058578630, 0.5, 0.268941421370]],
    "sigmoid": [[0.633818391171, 0.435772370671, 0.451375377253]],
    "tanh": [[0.841141016364, 0.377091817489, 0.391018957137]],
}
GRADIENTS = {
    "relu": {
        "dW1": [[-0.211490236895, 0.064391911963], [0.121843096438, -0.243686192877]],
        "db1": [[-0.333333333333], [0.243686192877]],
        "dW2": [[-0.211490236895, -0.365529289315]],
        "db2": [[-0.166666666667]],
    },
    "sigmoid": {
        "dW1": [[-0.075988897579, 0.010230259503], [0.100114548445, -0.025001388414]],
        "db1": [[-0.051723731121], [0.011343992996]],
        "dW2": [[-0.185750460769, -0.116940189367]],
        "db2": [[-0.159677953635]],
    },
    "tanh": {
        "dW1": [[-0.119822091084, 0.124046738135], [0.225618780559, -0.116398725472]],
        "db1": [[-0.173002203230], [-0.052603071522]],
        "dW2": [[-0.255311191397, -0.193895931520]],
        "db2": [[-0.130249403003]],
    },
}


def _pair(label, result):
    if not isinstance(result, (tuple, list)) or len(result) != 2:
        raise CheckFailed(
            _("{label}: expected a pair (AL, caches), got {type}").format(
                label=label, type=type(result).__name__
            )
        )
    return result


def check_deep_forward(deep_forward, quiet=False):
    for activation, expected in AL.items():
        x, params = X.copy(), copy.deepcopy(PARAMETERS)
        output, _unused = _pair("deep_forward", deep_forward(x, params, activation))
        close(_("AL with activation={activation!r}").format(activation=activation), output, expected, rtol=1e-8)
        unchanged("X", X, x)
        if set(params) != set(PARAMETERS):
            raise CheckFailed(
                _("deep_forward added keys to parameters: {keys}").format(
                    keys=sorted(set(params) - set(PARAMETERS))
                )
            )
        unchanged(_("parameters"), PARAMETERS, params)
    raises(_("deep_forward with activation='softmax'"), ValueError, deep_forward, X, PARAMETERS, "softmax")
    passed("deep_forward", quiet)


def check_deep_backward(deep_backward, quiet=False):
    """Runs your deep_forward (the one defined beside deep_backward) first: its caches are
    deep_backward's input."""
    forward = sibling(deep_backward, "deep_forward")
    for activation, expected in GRADIENTS.items():
        output, caches = _pair("deep_forward", forward(X.copy(), copy.deepcopy(PARAMETERS), activation))
        close(
            _("deep_forward's AL with activation={activation!r} (check deep_forward first)").format(
                activation=activation
            ),
            output,
            AL[activation],
            rtol=1e-8,
        )
        given = np.array(output, dtype=np.float64)
        grads = deep_backward(given, Y.copy(), caches, activation)
        unchanged(_("AL"), np.asarray(output, dtype=np.float64), given)
        if not isinstance(grads, dict):
            raise CheckFailed(
                _("deep_backward: expected a dict of gradients, got {type}").format(type=type(grads).__name__)
            )
        for key, value in expected.items():
            if key not in grads:
                raise CheckFailed(_("deep_backward: key {key!r} is missing").format(key=key))
            close(
                _("{key} with activation={activation!r}").format(key=key, activation=activation),
                grads[key],
                value,
                rtol=1e-8,
            )
    output, caches = _pair("deep_forward", forward(X.copy(), copy.deepcopy(PARAMETERS), "relu"))
    raises(
        _("deep_backward with activation='softmax'"), ValueError, deep_backward, output, Y, caches, "softmax"
    )
    passed("deep_backward", quiet)


def check_gradient_norms(gradient_norms, quiet=False):
    grads = {
        "dW1": np.array([[3.0, 4.0]]),
        "db1": np.array([[7.0]]),
        "dW2": np.array([[2.0, 0.0, 1.0], [0.0, 2.0, 0.0]]),
        "db2": np.array([[0.5], [0.5]]),
    }
    norms = gradient_norms(copy.deepcopy(grads))
    if not isinstance(norms, (list, tuple)):
        raise CheckFailed(
            _("gradient_norms: expected a list of floats, got {type}").format(type=type(norms).__name__)
        )
    close(_("gradient_norms (||dW1||_F = 5, ||dW2||_F = 3; biases not counted)"), norms, [5.0, 3.0])
    # Eleven 1x1 layers, dWl = [[l]]: the norms must come out 1, 2, ..., 11 (dW10 after dW9).
    deep = {}
    for l in range(1, 12):
        deep[f"dW{l}"], deep[f"db{l}"] = np.array([[float(l)]]), np.array([[0.0]])
    close(
        _("gradient_norms of an 11-layer network (layer order, not sorted keys)"),
        gradient_norms(deep),
        [float(l) for l in range(1, 12)],
    )
    passed("gradient_norms", quiet)
