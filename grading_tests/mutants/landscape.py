"""Misconceptions about central differences and critical points that the properties must catch.
Each is pasted alone after the solution module (tests/test_mutants.py): no helper of this file."""

import numpy as np

from grading_tests.mutants import mutant

# ----------------------------------------------------------------------------- numerical_gradient


@mutant("numerical_gradient", "forward differences (f(x + h e_i) - f(x)) / h instead of central ones")
def gradient_forward(f, x, h=1e-5):
    x = np.array(x, dtype=np.float64)
    g = np.zeros(x.shape)
    for i in range(x.size):
        e = np.zeros(x.shape)
        e[i] = h
        g[i] = (f(x + e) - f(x)) / h
    return g


@mutant("numerical_gradient", "the central difference divided by h instead of 2h")
def gradient_over_h(f, x, h=1e-5):
    x = np.array(x, dtype=np.float64)
    g = np.zeros(x.shape)
    for i in range(x.size):
        e = np.zeros(x.shape)
        e[i] = h
        g[i] = (f(x + e) - f(x - e)) / h
    return g


@mutant("numerical_gradient", "every coordinate moved at once (x + h * ones), one directional derivative for all")
def gradient_all_coordinates(f, x, h=1e-5):
    x = np.array(x, dtype=np.float64)
    slope = (f(x + h) - f(x - h)) / (2 * h)
    return np.full(x.shape, slope)


@mutant("numerical_gradient", "x moved in place for each coordinate and never moved back")
def gradient_in_place(f, x, h=1e-5):
    g = np.zeros(x.shape)
    for i in range(x.size):
        x[i] += h
        up = f(x)
        x[i] -= 2 * h
        down = f(x)
        g[i] = (up - down) / (2 * h)
    return g


@mutant("numerical_gradient", "the step h ignored: always 1e-5")
def gradient_fixed_step(f, x, h=1e-5):
    x = np.array(x, dtype=np.float64)
    g = np.zeros(x.shape)
    for i in range(x.size):
        e = np.zeros(x.shape)
        e[i] = 1e-5
        g[i] = (f(x + e) - f(x - e)) / (2 * h)
    return g


# ----------------------------------------------------------------------------- numerical_hessian


@mutant("numerical_hessian", "divided by 2h**2 instead of 4h**2")
def hessian_two_h_squared(f, x, h=1e-4):
    x = np.array(x, dtype=np.float64)
    E = np.eye(x.size) * h
    H = np.zeros((x.size, x.size))
    for i in range(x.size):
        for j in range(x.size):
            H[i, j] = (f(x + E[i] + E[j]) - f(x + E[i] - E[j]) - f(x - E[i] + E[j]) + f(x - E[i] - E[j])) / (2 * h**2)
    return H


@mutant("numerical_hessian", "divided by h**2 instead of 4h**2")
def hessian_h_squared(f, x, h=1e-4):
    x = np.array(x, dtype=np.float64)
    E = np.eye(x.size) * h
    H = np.zeros((x.size, x.size))
    for i in range(x.size):
        for j in range(x.size):
            H[i, j] = (f(x + E[i] + E[j]) - f(x + E[i] - E[j]) - f(x - E[i] + E[j]) + f(x - E[i] - E[j])) / h**2
    return H


@mutant("numerical_hessian", "only the upper triangle filled in (H[j, i] left at 0)")
def hessian_upper_triangle(f, x, h=1e-4):
    x = np.array(x, dtype=np.float64)
    E = np.eye(x.size) * h
    H = np.zeros((x.size, x.size))
    for i in range(x.size):
        for j in range(i, x.size):
            H[i, j] = (f(x + E[i] + E[j]) - f(x + E[i] - E[j]) - f(x - E[i] + E[j]) + f(x - E[i] - E[j])) / (4 * h**2)
    return H


@mutant("numerical_hessian", "the diagonal from (f(x + h e_i) - 2 f(x) + f(x - h e_i)) over 4h**2, a quarter of it")
def hessian_diagonal_quarter(f, x, h=1e-4):
    x = np.array(x, dtype=np.float64)
    E = np.eye(x.size) * h
    H = np.zeros((x.size, x.size))
    for i in range(x.size):
        for j in range(x.size):
            if i == j:
                H[i, i] = (f(x + E[i]) - 2 * f(x) + f(x - E[i])) / (4 * h**2)
            else:
                H[i, j] = (f(x + E[i] + E[j]) - f(x + E[i] - E[j]) - f(x - E[i] + E[j]) + f(x - E[i] - E[j])) / (4 * h**2)
    return H


@mutant("numerical_hessian", "x moved in place for each pair of coordinates and never moved back")
def hessian_in_place(f, x, h=1e-4):
    H = np.zeros((x.size, x.size))
    for i in range(x.size):
        for j in range(x.size):
            x[i] += h
            x[j] += h
            a = f(x)
            x[j] -= 2 * h
            b = f(x)
            x[i] -= 2 * h
            d = f(x)
            x[j] += 2 * h
            c = f(x)
            H[i, j] = (a - b - c + d) / (4 * h**2)
    return H


# ----------------------------------------------------------------------------- classify_critical_point


@mutant("classify_critical_point", "signs compared with 0 instead of with tol")
def classify_against_zero(H, tol=1e-6):
    H = np.asarray(H, dtype=np.float64)
    if H.ndim != 2 or H.shape[0] != H.shape[1]:
        raise ValueError(f"H must be a square 2-D array, got shape {H.shape}")
    eig = np.linalg.eigvalsh(H)
    if np.all(eig > 0):
        return "minimum"
    if np.all(eig < 0):
        return "maximum"
    return "saddle" if np.any(eig > 0) and np.any(eig < 0) else "degenerate"


@mutant("classify_critical_point", "every point that is neither a minimum nor a maximum called a saddle")
def classify_no_degenerate(H, tol=1e-6):
    H = np.asarray(H, dtype=np.float64)
    if H.ndim != 2 or H.shape[0] != H.shape[1]:
        raise ValueError(f"H must be a square 2-D array, got shape {H.shape}")
    eig = np.linalg.eigvalsh(H)
    if np.all(eig > tol):
        return "minimum"
    if np.all(eig < -tol):
        return "maximum"
    return "saddle"


@mutant("classify_critical_point", "an eigenvalue within tol counted as negative (saddle for 0 and a positive one)")
def classify_zero_as_negative(H, tol=1e-6):
    H = np.asarray(H, dtype=np.float64)
    if H.ndim != 2 or H.shape[0] != H.shape[1]:
        raise ValueError(f"H must be a square 2-D array, got shape {H.shape}")
    eig = np.linalg.eigvalsh(H)
    if np.all(eig > tol):
        return "minimum"
    if np.all(eig < -tol):
        return "maximum"
    return "saddle" if np.any(eig > tol) and np.any(eig <= tol) else "degenerate"


@mutant("classify_critical_point", "the signs of the diagonal of H instead of its eigenvalues")
def classify_diagonal(H, tol=1e-6):
    H = np.asarray(H, dtype=np.float64)
    if H.ndim != 2 or H.shape[0] != H.shape[1]:
        raise ValueError(f"H must be a square 2-D array, got shape {H.shape}")
    d = np.diag(H)
    if np.all(d > tol):
        return "minimum"
    if np.all(d < -tol):
        return "maximum"
    return "saddle" if np.any(d > tol) and np.any(d < -tol) else "degenerate"


@mutant("classify_critical_point", "np.linalg.eigvals taken as sorted: only its first and last values looked at")
def classify_unsorted(H, tol=1e-6):
    H = np.asarray(H, dtype=np.float64)
    if H.ndim != 2 or H.shape[0] != H.shape[1]:
        raise ValueError(f"H must be a square 2-D array, got shape {H.shape}")
    eig = np.real(np.linalg.eigvals(H))
    smallest, largest = eig[0], eig[-1]
    if smallest > tol:
        return "minimum"
    if largest < -tol:
        return "maximum"
    return "saddle" if largest > tol and smallest < -tol else "degenerate"


@mutant("classify_critical_point", "tol ignored: always 1e-6")
def classify_fixed_tol(H, tol=1e-6):
    H = np.asarray(H, dtype=np.float64)
    if H.ndim != 2 or H.shape[0] != H.shape[1]:
        raise ValueError(f"H must be a square 2-D array, got shape {H.shape}")
    eig = np.linalg.eigvalsh(H)
    if np.all(eig > 1e-6):
        return "minimum"
    if np.all(eig < -1e-6):
        return "maximum"
    return "saddle" if np.any(eig > 1e-6) and np.any(eig < -1e-6) else "degenerate"


@mutant("classify_critical_point", "no check of H's shape (eigvalsh's own error, or a stack of matrices accepted)")
def classify_no_check(H, tol=1e-6):
    eig = np.linalg.eigvalsh(np.asarray(H, dtype=np.float64))
    if np.all(eig > tol):
        return "minimum"
    if np.all(eig < -tol):
        return "maximum"
    return "saddle" if np.any(eig > tol) and np.any(eig < -tol) else "degenerate"
