"""Lab 02's exercise checks fail on unfinished and wrong answers and pass on right ones."""
import numpy as np
import pytest

from utils.exercises import lab02 as ex



def _sigmoid(a):
    return 1 / (1 + np.exp(-a))


def _softmax(a):
    e = np.exp(a - a.max(-1, keepdims=True))
    return e / e.sum(-1, keepdims=True)


def _dW1(X, Y, W1, b1, W2, b2, keep_sigmoid=True):
    F1 = _sigmoid(X @ W1.T + b1)
    d1 = (_softmax(F1 @ W2.T + b2) - Y) @ W2
    return ((d1 * F1 * (1 - F1)) if keep_sigmoid else d1).T @ X



def test_2_1():
    with pytest.raises(AssertionError, match="column-major"):
        ex.check_2_1(lambda v, n: np.kron(v[None, :], np.eye(n)))
    with pytest.raises(AssertionError, match="shape"):
        ex.check_2_1(lambda v, n: np.eye(n))
    ex.check_2_1(lambda v, n: np.kron(np.eye(n), v[None, :]))


def test_2_2():
    with pytest.raises(AssertionError, match="sigmoid derivative"):
        ex.check_2_2(lambda *a: _dW1(*a, keep_sigmoid=False))
    with pytest.raises(AssertionError, match="MEAN"):
        ex.check_2_2(lambda X, *a: _dW1(X, *a) / len(X))
    ex.check_2_2(_dW1)
