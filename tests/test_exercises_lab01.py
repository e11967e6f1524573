"""Lab 01's exercise checks fail on unfinished and wrong answers and pass on right ones."""
import numpy as np
import pytest

from utils.exercises import lab01 as ex



def _softmax(o):
    e = np.exp(o - o.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


def _one_hot(y, k):
    return np.eye(k)[y]



def test_1_1():
    with pytest.raises(AssertionError, match="overflow|differ"):
        ex.check_1_1(lambda o: np.log(np.exp(o) / np.exp(o).sum(axis=1, keepdims=True)))
    with pytest.raises(AssertionError, match="None"):
        ex.check_1_1(lambda o: None)
    ex.check_1_1(lambda o: (o - o.max(1, keepdims=True)) - np.log(np.exp(o - o.max(1, keepdims=True)).sum(1, keepdims=True)))


def test_1_2():
    def summed(W, b, X, y):
        d = _softmax(X @ W + b) - _one_hot(y, W.shape[1])
        return X.T @ d, d.sum(0)

    def mean(W, b, X, y):
        dW, db = summed(W, b, X, y)
        return dW / len(X), db / len(X)

    with pytest.raises(AssertionError, match="SUM"):
        ex.check_1_2(summed)
    with pytest.raises(AssertionError, match="dW disagrees"):
        ex.check_1_2(lambda W, b, X, y: (-mean(W, b, X, y)[0], mean(W, b, X, y)[1]))
    ex.check_1_2(mean)


def test_1_3():
    with pytest.raises(AssertionError, match="shape"):
        ex.check_1_3(lambda P: np.eye(P.shape[1]))
    with pytest.raises(AssertionError, match="wrong"):
        ex.check_1_3(lambda P: P[:, :, None] * np.eye(P.shape[1]))
    ex.check_1_3(lambda P: P[:, :, None] * np.eye(P.shape[1]) - P[:, :, None] * P[:, None, :])
