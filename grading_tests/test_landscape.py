"""Landscape: central-difference gradients and Hessians of the given functions against
torch.autograd, and the kind of a critical point against torch.linalg.eigvalsh.

The functions ``f`` the student's code differentiates are the student's own copies of the given
code, passed by reference: a handle the worker resolves to the object of the student's module
(never code or a pickle). The references differentiate the TRUE functions, written in torch. Points
stay where central differences are well conditioned: |x| <= 2 and steps whose truncation and
rounding errors are far below the tolerance (see compare.TOLERANCES "central_gradient" and
"central_hessian")."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from autograder.i18n import N_, _
from autograder.sandbox.client import Remote
from grading_tests.compare import check_array, describe, expect_raises, fail, fmt, lazy, short, type_name
from grading_tests.references import landscape as ref
from grading_tests.strategies import seeds

M = "landscape"
KINDS = ("saddle", "monkey_saddle", "rosenbrock", "quadratic")
LABELS = {"saddle": "saddle", "monkey_saddle": "monkey_saddle", "rosenbrock": "rosenbrock",
          "quadratic": "Quadratic(A, b)"}
# Steps besides the defaults; none is the default itself, so a step that ignores h shows.
GRADIENT_STEPS = st.sampled_from([1e-6, 2e-6, 5e-6, 1.5e-5])
HESSIAN_STEPS = st.sampled_from([3e-5, 5e-5, 2e-4, 3e-4])
TOLS = st.sampled_from([None, 1e-8, 1e-4, 1e-2, 0.5])  # None: the default, 1e-6
KINDS_OF_POINT = ("minimum", "maximum", "saddle", "degenerate")


@dataclass(frozen=True)
class Case:
    kind: str
    x: np.ndarray
    A: np.ndarray  # Quadratic's (n, n) A, not symmetric: its Hessian is (A + A.T) / 2
    b: np.ndarray


@st.composite
def cases(draw) -> Case:
    """A function and a point with |x| <= 2, a third of them near the function's critical point."""
    kind = draw(st.sampled_from(KINDS))
    n = 2 if kind in ("saddle", "monkey_saddle") else draw(st.integers(2, 5))
    rng = np.random.default_rng(draw(seeds))
    near = 10.0 ** -draw(st.sampled_from([0, 0, 2, 4]))
    x = rng.uniform(-2.0, 2.0, n) * near
    if kind == "rosenbrock":
        x = 1.0 + x / 2  # about its minimum at all ones, still within [0, 2]
    return Case(kind, x, rng.standard_normal((n, n)), rng.standard_normal(n))


def _mutants(target):
    from grading_tests.mutants import for_module

    return [m for m in for_module(M) if m.target == target]


def _context(case: Case, h: float | None) -> str:
    extra = {"A": case.A, "b": case.b} if case.kind == "quadratic" else {}
    return describe(f=LABELS[case.kind], x=case.x.tolist(), **extra, h="default" if h is None else h)


def _student_function(impl, case: Case, context: str):
    """The handle of the student's own given function (or Quadratic instance): it stays in the
    worker, which resolves it in the student's module; nothing of it runs here."""
    if case.kind == "quadratic":
        made = impl.landscape.Quadratic(case.A.copy(), case.b.copy())
    else:
        made = getattr(impl.landscape, case.kind).get()
    if not isinstance(made, Remote):
        fail(_("landscape.{LABELS} is {type_name}; the given code makes it a function of x "
                "(Quadratic(A, b): a callable object)")
             .format(LABELS=LABELS[case.kind], type_name=type_name(made)), context,
             "keep the given code of the stub as it is: the grader passes these functions as f")
    return made.handle


def _reference(case: Case, device: str):
    return ref.quadratic(case.A, case.b, device) if case.kind == "quadratic" else ref.GIVEN[case.kind]


def _diagnoses(target: str, case: Case, h: float | None) -> dict:
    """Each misconception's answer, computed here on the TRUE function (lazily)."""
    true_f = ref.as_numpy(_reference(case, "cpu"))
    step = {} if h is None else {"h": h}
    return {m.description: lazy(lambda m=m: m.func(true_f, case.x.copy(), **step)) for m in _mutants(target)}


def _check_x_unchanged(label: str, before: np.ndarray, after, context: str) -> None:
    """x comes back as it was sent: moving a coordinate and putting it back by arithmetic may
    round in the last digit (that passes); a coordinate left moved by a step does not."""
    check_array(_("{label}: x after the call").format(label=label), after, before, context=context,
                hint="perturb a copy (x + h * e_i), or put every entry back as it was (x[i] = old)")


def _gradient_test(impl, device, case: Case, h: float | None) -> None:
    context = _context(case, h)
    f = _student_function(impl, case, context)
    step = {} if h is None else {"h": h}
    got = impl.landscape.numerical_gradient(f, case.x.copy(), **step)
    expected = ref.gradient(_reference(case, device), case.x, device)
    check_array("numerical_gradient", got, expected, tol="central_gradient", context=context,
                diagnoses=_diagnoses("numerical_gradient", case, h), factors={"2": 2.0})


def _hessian_test(impl, device, case: Case, h: float | None) -> None:
    context = _context(case, h)
    f = _student_function(impl, case, context)
    step = {} if h is None else {"h": h}
    got = impl.landscape.numerical_hessian(f, case.x.copy(), **step)
    expected = ref.hessian(_reference(case, device), case.x, device)
    check_array("numerical_hessian", got, expected, tol="central_hessian", context=context,
                diagnoses=_diagnoses("numerical_hessian", case, h), factors={"2": 2.0, "4": 4.0})


# ----------------------------------------------------------------------------- numerical_gradient

GRADIENT_HINT = (N_("g[i] = (f(x + h*e_i) - f(x - h*e_i)) / (2*h), e_i the i-th unit vector: move ONE coordinate "
                 "at a time, both ways, and divide by 2h"))
GRADIENT_STEP_HINT = N_("g[i] = (f(x + h*e_i) - f(x - h*e_i)) / (2*h), e_i the i-th unit vector: move ONE "
                        "coordinate at a time, both ways, and divide by 2h; use the h you are given")


@pytest.mark.points(3)
@pytest.mark.exercise(M, "numerical_gradient")
@pytest.mark.hint(GRADIENT_HINT)
@given(case=cases())
def test_numerical_gradient_matches_torch_autograd_at_the_default_step(impl, device, case):
    _gradient_test(impl, device, case, None)


@pytest.mark.points(2)
@pytest.mark.exercise(M, "numerical_gradient")
@pytest.mark.hint(GRADIENT_STEP_HINT)
@given(case=cases(), h=GRADIENT_STEPS)
def test_numerical_gradient_matches_torch_autograd_for_other_steps(impl, device, case, h):
    _gradient_test(impl, device, case, h)


@pytest.mark.points(1)
@pytest.mark.exercise(M, "numerical_gradient")
@given(case=cases())
def test_numerical_gradient_leaves_x_unchanged(impl, case):
    context = _context(case, None)
    f = _student_function(impl, case, context)
    call = impl.landscape.numerical_gradient.inspect_call(f, case.x.copy())
    _check_x_unchanged("numerical_gradient", case.x, call.args[1], context)


# ----------------------------------------------------------------------------- numerical_hessian

HESSIAN_HINT = (N_("H[i, j] = (f(x + h e_i + h e_j) - f(x + h e_i - h e_j) - f(x - h e_i + h e_j) + "
                "f(x - h e_i - h e_j)) / (4 h**2) for EVERY pair i, j, the diagonal i == j included"))
HESSIAN_STEP_HINT = N_("H[i, j] = (f(x + h e_i + h e_j) - f(x + h e_i - h e_j) - f(x - h e_i + h e_j) + "
                       "f(x - h e_i - h e_j)) / (4 h**2) for EVERY pair i, j, the diagonal i == j included; "
                       "use the h you are given")


@pytest.mark.points(3)
@pytest.mark.exercise(M, "numerical_hessian")
@pytest.mark.hint(HESSIAN_HINT)
@given(case=cases())
def test_numerical_hessian_matches_torch_hessian_at_the_default_step(impl, device, case):
    _hessian_test(impl, device, case, None)


@pytest.mark.points(2)
@pytest.mark.exercise(M, "numerical_hessian")
@pytest.mark.hint(HESSIAN_STEP_HINT)
@given(case=cases(), h=HESSIAN_STEPS)
def test_numerical_hessian_matches_torch_hessian_for_other_steps(impl, device, case, h):
    _hessian_test(impl, device, case, h)


@pytest.mark.points(1)
@pytest.mark.exercise(M, "numerical_hessian")
@pytest.mark.hint("the formula is the same for (i, j) and (j, i): compute it for j >= i and set both "
                  "H[i, j] and H[j, i]")
@given(case=cases())
def test_numerical_hessian_is_symmetric(impl, case):
    context = _context(case, None)
    f = _student_function(impl, case, context)
    got = impl.landscape.numerical_hessian(f, case.x.copy())
    n = case.x.size
    if not isinstance(got, np.ndarray) or got.shape != (n, n):
        shape = got.shape if isinstance(got, np.ndarray) else type_name(got)
        fail(_("numerical_hessian: returned {shape}; expected an np.ndarray of shape ({n}, {n})")
             .format(shape=shape, n=n), context)
    # Symmetric up to the rounding of a differently ordered sum, relative to H's own size.
    check_array("numerical_hessian: H.T (H transposed)", got.T, got, tol="central_hessian", context=context)


@pytest.mark.points(1)
@pytest.mark.exercise(M, "numerical_hessian")
@given(case=cases())
def test_numerical_hessian_leaves_x_unchanged(impl, case):
    context = _context(case, None)
    f = _student_function(impl, case, context)
    call = impl.landscape.numerical_hessian.inspect_call(f, case.x.copy())
    _check_x_unchanged("numerical_hessian", case.x, call.args[1], context)


# ----------------------------------------------------------------------------- classify_critical_point


def _symmetric(rng: np.random.Generator, eigenvalues: np.ndarray) -> np.ndarray:
    """An exactly symmetric matrix with these eigenvalues, in a random orthonormal basis."""
    n = eigenvalues.size
    Q, _unused = np.linalg.qr(rng.standard_normal((n, n)))
    H = Q @ np.diag(eigenvalues) @ Q.T
    return (H + H.T) / 2


@st.composite
def clear_hessians(draw):
    """(H, tol): every eigenvalue at least 2 tol away from 0, of the signs of the drawn kind."""
    tol = draw(TOLS)
    limit = 1e-6 if tol is None else tol
    kind = draw(st.sampled_from(["minimum", "maximum", "saddle"]))
    n = draw(st.integers(1 if kind != "saddle" else 2, 5))
    rng = np.random.default_rng(draw(seeds))
    sizes = 10.0 ** rng.uniform(math.log10(2 * limit), 1.0, n)
    signs = {"minimum": np.ones(n), "maximum": -np.ones(n)}.get(kind)
    if signs is None:
        signs = rng.permutation(np.r_[1.0, -1.0, rng.choice([-1.0, 1.0], n - 2)])
    return _symmetric(rng, sizes * signs), tol


@st.composite
def flat_hessians(draw):
    """(H, tol): some eigenvalues within tol / 2 of 0 (one exactly 0), the others of one sign, of
    both or none: "degenerate" unless the others hold both signs ("saddle")."""
    tol = draw(TOLS)
    limit = 1e-6 if tol is None else tol
    n = draw(st.integers(1, 5))
    flat = draw(st.integers(1, n))
    rest = draw(st.sampled_from(["positive", "negative", "both"]) if n - flat >= 2 else
                st.sampled_from(["positive", "negative"]))
    rng = np.random.default_rng(draw(seeds))
    small = rng.uniform(-limit / 2, limit / 2, flat)
    small[0] = 0.0
    sizes = 10.0 ** rng.uniform(math.log10(2 * limit), 1.0, n - flat)
    signs = {"positive": 1.0, "negative": -1.0}.get(rest)
    others = sizes * (signs if signs is not None else np.r_[1.0, -1.0, rng.choice([-1.0, 1.0], n - flat - 2)])
    return _symmetric(rng, rng.permutation(np.r_[small, others])), tol


def _classify_test(impl, device, H: np.ndarray, tol: float | None) -> None:
    kwargs = {} if tol is None else {"tol": tol}
    context = describe(H=H.tolist() if H.size <= 9 else H, tol="default" if tol is None else tol)
    eig = ref.eigenvalues(H, device)
    expected = ref.classify(H, 1e-6 if tol is None else tol, device)
    got = impl.landscape.classify_critical_point(H.copy(), **kwargs)
    if not isinstance(got, str) or got not in KINDS_OF_POINT:
        fail(_("classify_critical_point: returned {value}; expected one of {join}")
             .format(value=short(got), join=', '.join(map(repr, KINDS_OF_POINT))), context)
    if got != expected:
        diagnosis = ""
        for m in _mutants("classify_critical_point"):
            try:
                answer = m.func(H.copy(), **kwargs)
            except Exception:  # noqa: BLE001 - a misconception that raises names nothing here
                continue
            if answer == got:
                diagnosis = m.description
                break
        fail(_("classify_critical_point: returned {got!r}, expected {expected!r}\n  the "
                "eigenvalues of H are {values}")
             .format(got=got, expected=expected, values=fmt(eig)), context,
             "take the eigenvalues of the symmetric H (np.linalg.eigvalsh): all > tol is a minimum, "
             "all < -tol a maximum, some > tol and some < -tol a saddle, anything else degenerate",
             diagnosis)


@pytest.mark.points(3)
@pytest.mark.exercise(M, "classify_critical_point")
@given(case=clear_hessians())
# Also an H larger than 256 x 256: its sizes must be compared by value (CPython shares one int
# object per value only up to 256, so `H.shape[0] is not H.shape[1]` holds below that).
@example(case=(np.diag(np.linspace(1.0, 2.0, 260)), None))
def test_classify_critical_point_matches_torch_eigvalsh_away_from_tol(impl, device, case):
    _classify_test(impl, device, *case)


@pytest.mark.points(2)
@pytest.mark.exercise(M, "classify_critical_point")
@given(case=flat_hessians())
# Also eigenvalues of exactly tol and -tol, on the diagonal of a diagonal H (eigvalsh gives them
# back exactly): "> tol" and "< -tol" are strict, so they count as zero.
@example(case=(np.diag([1e-2, 1.0]), 1e-2))
@example(case=(np.diag([-3.0, -1e-6]), None))
def test_classify_critical_point_counts_eigenvalues_within_tol_as_zero(impl, device, case):
    _classify_test(impl, device, *case)


@pytest.mark.points(1)
@pytest.mark.exercise(M, "classify_critical_point")
@pytest.mark.hint("check H.ndim == 2 and H.shape[0] == H.shape[1] first, and raise ValueError(\"H must be ...\")")
@given(n=st.integers(2, 4), seed=seeds)
def test_classify_critical_point_rejects_an_H_that_is_not_a_square_matrix(impl, n, seed):
    rng = np.random.default_rng(seed)
    square = _symmetric(rng, rng.uniform(1.0, 2.0, n))
    wide = np.concatenate([square, square[:, :1]], axis=1)
    for bad in (np.diag(square), square[:, :-1], wide, np.concatenate([square, square[:1]]),
                np.stack([square, square])):
        expect_raises(_("classify_critical_point(H of shape {shape})").format(shape=bad.shape),
                      lambda bad=bad: impl.landscape.classify_critical_point(bad.copy()),
                      context=describe(H=bad), mention="H")
