"""Saved code: weight decay and early stopping of lab 04.

Generated from ``labs/04_overfitting.ipynb`` by
``tools/save_code.py``: edit the lab's cells tagged ``save`` and run
``make saved``, never this file.
"""


from __future__ import annotations


import copy
import math
import numpy as np


SAVED_FROM = "labs/04_overfitting.ipynb"
__all__ = ["sgd_step", "EarlyStopping", "generalisation_gap"]


# labs/04_overfitting.ipynb, section "1 Two additions to the training loop"
def sgd_step(params, grads, learning_rate, weight_decay=0.0):
    """Take one SGD step in place, with L2 weight decay on the weights.

    Each weight matrix (key starting with "W") moves by
    -learning_rate * (grad + weight_decay * W), each bias by
    -learning_rate * grad.
    """
    for name, grad in grads.items():
        if weight_decay and name.startswith("W"):  # no work when it is 0
            grad = grad + weight_decay * params[name]
        params[name] -= learning_rate * grad


# labs/04_overfitting.ipynb, section "1 Two additions to the training loop"
class EarlyStopping:
    """Keep the weights of the best validation score; say when to stop."""

    def __init__(self, patience):
        self.patience = patience     # evaluations without a better score
        self.best_score = -math.inf  # the best validation score so far
        self.best_index = None       # its evaluation, counted from 0
        self.best_params = None      # a copy of the weights it had
        self.evaluations = 0         # evaluations seen so far

    def update(self, score, params):
        """Record one evaluation; return True when training should stop."""
        if score > self.best_score:
            self.best_score, self.best_index = score, self.evaluations
            self.best_params = copy.deepcopy(params)
        self.evaluations += 1
        return self.evaluations - 1 - self.best_index >= self.patience


# labs/04_overfitting.ipynb, section "2 Small versus large"
def generalisation_gap(history):
    """Return (gaps, widest): train - validation accuracy per evaluation
    and the step of the largest gap (the first one if tied)."""
    gaps = (np.asarray(history["train_accuracy"])
            - np.asarray(history["val_accuracy"]))
    return gaps, history["step"][int(np.argmax(gaps))]
