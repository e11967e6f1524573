"""Lab 07's exercise checks fail on unfinished and wrong answers and pass on right ones."""
import numpy as np
import pytest

from utils.exercises import lab07 as ex




def test_7_1():
    with pytest.raises(AssertionError, match="Lite0"):
        ex.check_7_1(lambda x: (x * 255 - 127) / 128)
    with pytest.raises(AssertionError, match="mean and std|mean_c"):
        ex.check_7_1(lambda x: (x - 0.45) / 0.226)
    ex.check_7_1(lambda x: (x - ex.MEAN) / ex.STD)


def test_7_2():
    with pytest.raises(AssertionError, match="smallest"):
        ex.check_7_2(lambda l, k: np.argsort(l)[:k])
    ex.check_7_2(lambda l, k: np.argsort(l)[::-1][:k])
