"""Saddle points and the Hessian: gradients and Hessians by central differences, and what kind
of critical point the eigenvalues of a Hessian say it is.

``x`` is a float64 point of shape ``(n,)``; ``f`` is a function of such a point that returns a
float (one of the given ``saddle``, ``monkey_saddle``, ``rosenbrock`` or a ``Quadratic``).
``H`` is an ``(n, n)`` Hessian.
"""

import numpy as np


def saddle(x):
    """f(x) = x[0]**2 - x[1]**2: curves up along x[0], down along x[1]; a saddle point at 0."""
    return float(x[0] ** 2 - x[1] ** 2)


def monkey_saddle(x):
    """f(x) = x[0]**3 - 3*x[0]*x[1]**2: three valleys meet at 0, where the Hessian is zero."""
    return float(x[0] ** 3 - 3 * x[0] * x[1] ** 2)


def rosenbrock(x):
    """f(x) = sum(100*(x[i+1] - x[i]**2)**2 + (1 - x[i])**2): a curved valley, minimum at all ones."""
    x = np.asarray(x, dtype=np.float64)
    return float(np.sum(100.0 * (x[1:] - x[:-1] ** 2) ** 2 + (1.0 - x[:-1]) ** 2))


class Quadratic:
    """f(x) = 0.5 * x @ A @ x + b @ x for an (n, n) A and an (n,) b.

    Its gradient is (A + A.T) / 2 @ x + b and its Hessian (A + A.T) / 2, the same everywhere.
    """

    def __init__(self, A, b):
        self.A = np.array(A, dtype=np.float64)
        self.b = np.array(b, dtype=np.float64)

    def __call__(self, x):
        x = np.asarray(x, dtype=np.float64)
        return float(0.5 * x @ self.A @ x + self.b @ x)


def numerical_gradient(f, x, h=1e-5):
    """The gradient of f at x by central differences, one coordinate at a time:

        g[i] = (f(x + h*e_i) - f(x - h*e_i)) / (2*h)

    where e_i is the i-th unit vector. x itself is left unchanged.

    Arguments:
    f -- function of an (n,) float64 array, returning a float
    x -- (n,) float64 array, the point
    h -- step size

    Returns:
    g -- (n,) float64 array
    """
    ### BEGIN SOLUTION
    point = np.array(x, dtype=np.float64)
    g = np.zeros(point.shape)
    for i in range(point.size):
        e = np.zeros(point.shape)
        e[i] = h
        g[i] = (f(point + e) - f(point - e)) / (2 * h)
    return g
    ### END SOLUTION


def numerical_hessian(f, x, h=1e-4):
    """The Hessian of f at x by central differences in pairs of coordinates:

        H[i, j] = (f(x + h e_i + h e_j) - f(x + h e_i - h e_j)
                   - f(x - h e_i + h e_j) + f(x - h e_i - h e_j)) / (4 h**2)

    (for i == j the same formula, with steps of 2h along e_i). H is symmetric: H[j, i] = H[i, j].
    x itself is left unchanged.

    Arguments:
    f -- function of an (n,) float64 array, returning a float
    x -- (n,) float64 array, the point
    h -- step size

    Returns:
    H -- (n, n) float64 array
    """
    ### BEGIN SOLUTION
    point = np.array(x, dtype=np.float64)
    n = point.size
    steps = np.eye(n) * h
    H = np.zeros((n, n))
    for i in range(n):
        for j in range(i, n):
            ei, ej = steps[i], steps[j]
            total = (f(point + ei + ej) - f(point + ei - ej)
                     - f(point - ei + ej) + f(point - ei - ej))
            H[i, j] = H[j, i] = total / (4 * h * h)
    return H
    ### END SOLUTION


def classify_critical_point(H, tol=1e-6):
    """What kind of critical point a Hessian H describes, from its eigenvalues (H is symmetric):

        "minimum"    every eigenvalue > tol
        "maximum"    every eigenvalue < -tol
        "saddle"     some eigenvalue > tol and some < -tol
        "degenerate" otherwise (an eigenvalue within [-tol, tol] decides nothing)

    Arguments:
    H -- (n, n) array, the Hessian at a point where the gradient is zero
    tol -- eigenvalues within [-tol, tol] count as zero

    Returns:
    kind -- one of "minimum", "maximum", "saddle", "degenerate"

    Raises:
    ValueError -- when H is not a square 2-D array
    """
    ### BEGIN SOLUTION
    H = np.asarray(H, dtype=np.float64)
    if H.ndim != 2 or H.shape[0] != H.shape[1]:
        raise ValueError(f"H must be a square 2-D array, got shape {H.shape}")
    eigenvalues = np.linalg.eigvalsh(H)
    positive = eigenvalues > tol
    negative = eigenvalues < -tol
    if positive.all():
        return "minimum"
    if negative.all():
        return "maximum"
    if positive.any() and negative.any():
        return "saddle"
    return "degenerate"
    ### END SOLUTION
