"""utils.checks: relative error, check_close and the numerical Jacobian; and
lab 01's gradient_check, the one gradient checker every lab uses."""

import numpy as np
import pytest

from utils.checks import check_close, numerical_gradient, numerical_jacobian, rel_error
from utils.saved.lab01_softmax import gradient_check


def test_rel_error_values():
    assert rel_error(1.0, 1.0) == 0.0
    assert rel_error([1.0, 2.0], [1.0, 2.2]) == pytest.approx(0.2 / 4.2)
    assert rel_error(0.0, 0.0) == 0.0
    with pytest.raises(ValueError, match="equal shapes"):
        rel_error(np.zeros(2), np.zeros(3))


def test_check_close_prints_and_raises(capsys):
    check_close("x", 1.0, 1.0 + 1e-12, tol=1e-9)
    assert "x: rel. error 5.0e-13 (tolerance 1e-09)" in capsys.readouterr().out
    with pytest.raises(AssertionError, match="above the tolerance"):
        check_close("x", 1.0, 1.1, tol=1e-9)
    with pytest.raises(AssertionError):
        check_close("nan", np.nan, 1.0, tol=1e-9)


def _quadratic():
    rng = np.random.default_rng(0)
    A = rng.normal(size=(5, 5))
    x = rng.normal(size=5)
    return A, x, lambda v: float(v @ A @ v)


def test_gradient_check_passes_a_correct_gradient_and_keeps_params():
    A, x, loss = _quadratic()
    kept = x.copy()
    assert gradient_check(loss, x, (A + A.T) @ x, n_checks=10) < 1e-9
    assert np.array_equal(x, kept)


def test_gradient_check_catches_a_wrong_gradient():
    A, x, loss = _quadratic()
    assert gradient_check(loss, x, A @ x, n_checks=10) > 0.1


def test_numerical_gradient_restores_the_entry():
    x = np.array([1.0, 2.0])
    g = numerical_gradient(lambda: float((x**2).sum()), x, (1,))
    assert g == pytest.approx(4.0) and x.tolist() == [1.0, 2.0]


def test_numerical_jacobian_of_a_linear_map_is_exact():
    rng = np.random.default_rng(0)
    A = rng.normal(size=(3, 6))
    W = rng.normal(size=(2, 3))
    point = W.copy()
    # output (i, k) of W @ A depends only on row i of W, with coefficients
    # A[:, k]: row-major, the Jacobian is I (x) A^T
    J = numerical_jacobian(lambda M: (M @ A).reshape(-1), point, h=1.0)
    assert J.shape == (12, 6)
    assert rel_error(J, np.kron(np.eye(2), A.T)) < 1e-14
    assert np.array_equal(point, W), "the point must be left unchanged"


def test_numerical_jacobian_of_sin_is_diag_cos():
    x = np.linspace(-2.0, 2.0, 7)
    J = numerical_jacobian(np.sin, x)
    assert J.shape == (7, 7)
    assert rel_error(J, np.diag(np.cos(x))) < 1e-9


def test_numerical_jacobian_of_a_scalar_function_is_one_row():
    x = np.array([1.0, -2.0, 3.0])
    J = numerical_jacobian(lambda v: float(v @ v), x)
    assert J.shape == (1, 3)
    assert rel_error(J[0], 2 * x) < 1e-9
