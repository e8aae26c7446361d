"""Public checks for landscape.py: small polynomials whose gradients and Hessians are worked out by
hand (central differences are exact, or off by a known h**2 term, for them), and Hessians whose
eigenvalues can be read off."""

import numpy as np

from ._common import CheckFailed, close, passed, raises, unchanged
from ._i18n import _


def _x_squared_minus_y_squared(x):
    return x[0] ** 2 - x[1] ** 2


def _cubic(x):  # x0**3 + x0*x1: gradient (3 x0**2 + x1, x0)
    return x[0] ** 3 + x[0] * x[1]


def _x_cubed(x):
    return x[0] ** 3


def _product(x):  # x0*x1*x2: Hessian [[0, x2, x1], [x2, 0, x0], [x1, x0, 0]]
    return x[0] * x[1] * x[2]


def _x_to_the_fourth(x):
    return x[0] ** 4


def check_numerical_gradient(numerical_gradient, quiet=False):
    x = np.array([1.0, 2.0])
    close(
        _("numerical_gradient of x0**2 - x1**2 at (1, 2)"),
        numerical_gradient(_x_squared_minus_y_squared, x),
        [2.0, -4.0],
        rtol=1e-6,
        atol=1e-8,
    )
    unchanged("x", np.array([1.0, 2.0]), x)
    x = np.array([1.0, -1.0])
    close(
        _("numerical_gradient of x0**3 + x0*x1 at (1, -1)"),
        numerical_gradient(_cubic, x),
        [2.0, 1.0],
        rtol=1e-6,
        atol=1e-8,
    )
    unchanged("x", np.array([1.0, -1.0]), x)
    # With h = 0.1 central differences of x**3 at 2 give 12 + h**2 = 12.01 (forward ones 12.61).
    close(
        _("numerical_gradient of x0**3 at 2 with h=0.1 (exactly 12.01 with central differences)"),
        numerical_gradient(_x_cubed, np.array([2.0]), h=0.1),
        [12.01],
        rtol=1e-9,
    )
    passed("numerical_gradient", quiet)


def check_numerical_hessian(numerical_hessian, quiet=False):
    x = np.array([1.0, 2.0])
    close(
        _("numerical_hessian of x0**2 - x1**2 at (1, 2)"),
        numerical_hessian(_x_squared_minus_y_squared, x),
        [[2.0, 0.0], [0.0, -2.0]],
        rtol=1e-5,
        atol=1e-5,
    )
    unchanged("x", np.array([1.0, 2.0]), x)
    x = np.array([1.0, 2.0, 3.0])
    H = numerical_hessian(_product, x)
    close(
        _("numerical_hessian of x0*x1*x2 at (1, 2, 3)"),
        H,
        [[0.0, 3.0, 2.0], [3.0, 0.0, 1.0], [2.0, 1.0, 0.0]],
        rtol=1e-5,
        atol=1e-5,
    )
    unchanged("x", np.array([1.0, 2.0, 3.0]), x)
    if not np.allclose(H, np.transpose(H), rtol=1e-6, atol=1e-6):
        raise CheckFailed(_("numerical_hessian: H is not symmetric; H[j, i] must equal H[i, j]"))
    # ((1.2)**4 - 2 + (0.8)**4) / (4 * 0.1**2) = 12.08: steps of 2h on the diagonal.
    close(
        _("numerical_hessian of x0**4 at 1 with h=0.1 (exactly 12.08 with the formula)"),
        numerical_hessian(_x_to_the_fourth, np.array([1.0]), h=0.1),
        [[12.08]],
        rtol=1e-9,
    )
    passed("numerical_hessian", quiet)


def _kind(label, got, expected):
    if got != expected:
        raise CheckFailed(
            _("classify_critical_point({label}): got {got!r}, expected {expected!r}").format(
                label=label, got=got, expected=expected
            )
        )


def check_classify_critical_point(classify_critical_point, quiet=False):
    _kind("diag(1, 2)", classify_critical_point(np.diag([1.0, 2.0])), "minimum")
    _kind("diag(-1, -3)", classify_critical_point(np.diag([-1.0, -3.0])), "maximum")
    # Eigenvalues 3 and -1: a saddle, though both diagonal entries are positive.
    _kind("[[1, 2], [2, 1]]", classify_critical_point(np.array([[1.0, 2.0], [2.0, 1.0]])), "saddle")
    _kind("diag(0, 1)", classify_critical_point(np.diag([0.0, 1.0])), "degenerate")
    _kind(_("diag(1e-7, 1), tol 1e-6"), classify_critical_point(np.diag([1e-7, 1.0])), "degenerate")
    _kind("diag(-1, 0, 2)", classify_critical_point(np.diag([-1.0, 0.0, 2.0])), "saddle")
    _kind(_("diag(0.3, 1) with tol=0.5"), classify_critical_point(np.diag([0.3, 1.0]), tol=0.5), "degenerate")
    for shape in ((3,), (2, 3)):
        raises(
            _("classify_critical_point(H of shape {shape})").format(shape=shape),
            ValueError,
            classify_critical_point,
            np.ones(shape),
        )
    try:
        classify_critical_point(np.ones((2, 3)))
    except ValueError as exc:
        if "H" not in str(exc):
            raise CheckFailed(
                _("classify_critical_point: the ValueError should name H; it says {message!r}").format(
                    message=str(exc)
                )
            ) from None
    passed("classify_critical_point", quiet)
