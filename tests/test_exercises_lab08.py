"""Lab 08's exercise checks fail on unfinished and wrong answers and pass on right ones."""
import numpy as np
import pytest

from utils.exercises import lab08 as ex



def _ssd(a, b):
    return ((a[:, None, :] - b[None, :, :]) ** 2).sum(2)


def _knn(train, labels, queries, k, tie_to_nearest=True):
    order = np.argsort(_ssd(queries, train), axis=1)[:, :k]
    out = []
    for neighbours in labels[order]:
        votes = np.bincount(neighbours)
        winners = np.flatnonzero(votes == votes.max())
        out.append(next(l for l in neighbours if l in winners) if tie_to_nearest else winners[0])
    return np.array(out)



def test_8_1():
    with pytest.raises(AssertionError, match="Euclidean"):
        ex.check_8_1(lambda a, b: np.sqrt(_ssd(a, b)))
    with pytest.raises(AssertionError, match="shape"):
        ex.check_8_1(lambda a, b: _ssd(b, a))
    ex.check_8_1(_ssd)


def test_8_2():
    with pytest.raises(AssertionError, match="tie"):
        ex.check_8_2(lambda *a: _knn(*a, tie_to_nearest=False))
    ex.check_8_2(_knn)
