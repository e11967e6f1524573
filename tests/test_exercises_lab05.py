"""Lab 05's exercise checks fail on unfinished and wrong answers and pass on right ones."""
import numpy as np
import pytest

from utils.exercises import lab05 as ex




def test_5_1():
    with pytest.raises(AssertionError, match="new v"):
        ex.check_5_1(lambda w, v, g, lr, gm: (w - lr * g, v))
    with pytest.raises(AssertionError, match="NEW velocity"):
        ex.check_5_1(lambda w, v, g, lr, gm: (w - v, gm * v + lr * g))
    ex.check_5_1(lambda w, v, g, lr, gm: (w - (gm * v + lr * g), gm * v + lr * g))


def test_5_2():
    with pytest.raises(AssertionError, match="gamma"):
        ex.check_5_2(lambda mu, L: (2 / (mu + L), 0.9))
    ex.check_5_2(lambda mu, L: (4 / (np.sqrt(L) + np.sqrt(mu)) ** 2,
                                ((np.sqrt(L) - np.sqrt(mu)) / (np.sqrt(L) + np.sqrt(mu))) ** 2))
