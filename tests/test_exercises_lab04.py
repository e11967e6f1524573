"""Lab 04's exercise checks fail on unfinished and wrong answers and pass on right ones."""
import numpy as np
import pytest

from utils.exercises import lab04 as ex




def test_4_1():
    def zero_based(t, v):
        g = np.asarray(t) - np.asarray(v)
        return g, int(np.argmax(g))

    with pytest.raises(AssertionError, match="0-based"):
        ex.check_4_1(zero_based)
    with pytest.raises(AssertionError, match="train - validation"):
        ex.check_4_1(lambda t, v: (np.asarray(v) - np.asarray(t), 3))
    ex.check_4_1(lambda t, v: (np.asarray(t) - np.asarray(v), int(np.argmax(np.asarray(t) - np.asarray(v))) + 1))


def _stop(losses, patience):
    best, best_epoch = float("inf"), 0
    for epoch, loss in enumerate(losses, start=1):
        if loss < best:
            best, best_epoch = loss, epoch
        elif epoch - best_epoch >= patience:
            return epoch
    return len(losses)


def test_4_2():
    with pytest.raises(AssertionError, match="should be"):
        ex.check_4_2(lambda losses, patience: int(np.argmin(losses)) + 1)
    ex.check_4_2(_stop)
