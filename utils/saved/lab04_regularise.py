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
__all__ = ["sgd_step", "EarlyStopping", "generalisation_gap", "learning_curve",
           "dropout", "dropout_gradients"]


# labs/04_overfitting.ipynb, section "1 Two additions to the training loop"
def sgd_step(params, grads, learning_rate, weight_decay=0.0):
    """Take one SGD step in place on the loss plus (weight_decay / 2)
    times the squared norm of every weight matrix (key starting with "W");
    the biases are not penalised."""
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


# labs/04_overfitting.ipynb, section "3 The learning curve"
def learning_curve(sizes, x, y, fit, reuse):
    """Return ({n: history}, final): train (or reuse) one run per size on
    the first n images; final has a row per size with the last training
    accuracy, validation accuracy, gap and validation gain after half-way.
    """
    curve = {}
    for n in sizes:
        if n in reuse:
            curve[n] = reuse[n]
        else:
            curve[n] = fit(x[:n], y[:n])
    final = []
    for history in curve.values():
        steps, val = np.array(history["step"]), history["val_accuracy"]
        half = np.flatnonzero(2 * steps <= steps[-1])[-1]
        gap = generalisation_gap(history)[0][-1]
        final.append([history["train_accuracy"][-1], val[-1], gap,
                      val[-1] - val[half]])
    return curve, np.array(final)


# labs/04_overfitting.ipynb, section "4 Remedies for the small set"
def dropout(H, keep, rng, train=True):
    """Inverted dropout: return (out, mask) in training, (H, None) at
    evaluation; kept units are scaled so that out equals H on average."""
    if not 0 < keep <= 1:
        raise ValueError(f"keep must be in (0, 1], got {keep}")
    if not train:
        return H, None                 # every unit, no scaling
    kept = rng.random(H.shape) < keep  # True with probability keep
    mask = (kept / keep).astype(H.dtype)  # 1 / keep or 0: E[mask] = 1
    return H * mask, mask


# labs/04_overfitting.ipynb, section "4 Remedies for the small set"
def dropout_gradients(params, X, Y_onehot, drop):
    """Return the gradients {W1, b1, W2, b2} of the mean cross-entropy of
    the network whose hidden activations pass through drop."""
    A1 = X @ params["W1"].T + params["b1"]  # (N, H)
    F1 = 0.5 + 0.5 * np.tanh(0.5 * A1)      # the sigmoid, overflow-free
    thinned, mask = drop(F1)                # this batch's thinned network
    A2 = thinned @ params["W2"].T + params["b2"]             # (N, K)
    P = np.exp(A2 - A2.max(axis=1, keepdims=True))  # a stable softmax
    P /= P.sum(axis=1, keepdims=True)
    dA2 = (P - Y_onehot) / len(X)           # the mean over the batch
    dthinned = dA2 @ params["W2"]           # (N, H)
    dA1 = dthinned * mask * F1 * (1 - F1)   # back through dropout, sigmoid
    return {"W1": dA1.T @ X, "b1": dA1.sum(axis=0),
            "W2": dA2.T @ thinned, "b2": dA2.sum(axis=0)}
