"""What the public checks share: a close-enough comparison and a success line."""

from __future__ import annotations

import numpy as np


class CheckFailed(AssertionError):
    pass


def close(label, got, expected, rtol=1e-6, atol=1e-9):
    """Fail with a readable message unless ``got`` has ``expected``'s shape and values."""
    expected = np.asarray(expected, dtype=np.float64)
    try:
        got_arr = np.asarray(got, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise CheckFailed(f"{label}: expected an array, got {type(got).__name__}") from exc
    if got_arr.shape != expected.shape:
        raise CheckFailed(f"{label}: shape {got_arr.shape}, expected {expected.shape}")
    bad = ~np.isclose(got_arr, expected, rtol=rtol, atol=atol)
    if bad.any():
        index = tuple(int(i) for i in np.argwhere(bad)[0])
        raise CheckFailed(f"{label}: at index {index} got {got_arr[index]!r}, expected {expected[index]!r}")


def same_keys(label, got, expected_keys):
    if not isinstance(got, dict):
        raise CheckFailed(f"{label}: expected a dict, got {type(got).__name__}")
    if set(got) != set(expected_keys):
        raise CheckFailed(f"{label}: keys {sorted(got)}, expected {sorted(expected_keys)}")


def unchanged(label, before, after):
    """``before`` is a deep copy taken before the call."""
    if isinstance(before, dict):
        for key in before:
            unchanged(f"{label}[{key!r}]", before[key], after[key])
    elif not np.array_equal(before, after):
        raise CheckFailed(f"{label} was modified in place; work on copies")


def raises(label, exc_type, fn, *args, **kwargs):
    try:
        fn(*args, **kwargs)
    except exc_type:
        return
    except NotImplementedError:
        raise
    except Exception as exc:  # noqa: BLE001
        raise CheckFailed(f"{label}: raised {type(exc).__name__}, expected {exc_type.__name__}") from exc
    raise CheckFailed(f"{label}: expected {exc_type.__name__}, nothing was raised")


def passed(name, quiet=False):
    if not quiet:
        print(f"\u2713 {name}: public checks passed (the hidden tests check much more)")


def tiny_network():
    """Parameters of a 2-3-1 network and gradients shaped like them, all small and fixed."""
    params = {
        "W1": np.array([[0.1, -0.2], [0.3, 0.4], [-0.5, 0.6]]),
        "b1": np.array([[0.01], [-0.02], [0.03]]),
        "W2": np.array([[0.7, -0.8, 0.9]]),
        "b2": np.array([[0.05]]),
    }
    grads = {
        "dW1": np.array([[1.0, -2.0], [0.5, 0.25], [-1.5, 3.0]]),
        "db1": np.array([[0.2], [-0.4], [0.6]]),
        "dW2": np.array([[-0.3, 0.1, 2.0]]),
        "db2": np.array([[1.0]]),
    }
    return params, grads
