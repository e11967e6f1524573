"""Checks for the exercises of lab 08 (Greek letters in the embedding)."""
from __future__ import annotations

import numpy as np

from . import require, run_check


def check_8_1(pairwise_ssd) -> None:
    """Check Exercise 8.1: the SSD distance matrix between two sets of rows."""
    def body():
        rng = np.random.default_rng(81)
        a, b = rng.normal(size=(4, 6)), rng.normal(size=(3, 6))
        d = pairwise_ssd(a, b)
        require(d is not None, "pairwise_ssd returned None.")
        d = np.asarray(d, dtype=np.float64)
        require(d.shape == (4, 3), f"expected shape (4, 3): one row per row of a, one column per row of b; got {d.shape}.")
        expected = np.array([[((x - y) ** 2).sum() for y in b] for x in a])
        if np.allclose(d, np.sqrt(expected)):
            raise AssertionError("these are Euclidean distances; SSD does not take the square root.")
        require(np.allclose(d, expected), "values differ from sum((a_i - b_j)^2).")
        return "matches the SSD of every pair."
    run_check("8.1", body)


def check_8_2(knn_predict) -> None:
    """Check Exercise 8.2: k-NN majority vote with ties broken by the nearest neighbour."""
    def body():
        train = np.array([[0.0], [1.0], [2.0], [10.0], [11.0], [12.0], [3.0]])
        labels = np.array([0, 0, 0, 1, 1, 1, 1])
        queries = np.array([[0.4], [10.6], [2.6]])
        for k, expected in [(1, [0, 1, 1]), (3, [0, 1, 0]), (2, [0, 1, 1])]:
            got = knn_predict(train, labels, queries, k)
            require(got is not None, "knn_predict returned None.")
            got = np.asarray(got).tolist()
            require(got == expected, f"with k={k} expected {expected}, got {got}"
                    + (" (a tie between labels goes to the nearest neighbour's label)" if k == 2 else "."))
        return "majority votes and tie-breaks are right."
    run_check("8.2", body)
