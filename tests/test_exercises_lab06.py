"""Lab 06's exercise checks fail on unfinished and wrong answers and pass on right ones."""
import pytest

from utils.exercises import lab06 as ex




def test_6_1():
    with pytest.raises(AssertionError, match="should be"):
        ex.check_6_1(lambda n, k, s=1, p=0: n - k + 1)
    ex.check_6_1(lambda n, k, s=1, p=0: (n + 2 * p - k) // s + 1)


def test_6_2():
    with pytest.raises(AssertionError, match="biases"):
        ex.check_6_2(lambda ci, co, k: co * ci * k * k)
    with pytest.raises(AssertionError, match="parameters"):
        ex.check_6_2(lambda ci, co, k: co * (k * k + 1))
    ex.check_6_2(lambda ci, co, k: co * (ci * k * k + 1))
