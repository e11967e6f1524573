"""Lab 04's graded exercises: plausibly wrong answers score 0 with a hint that
names the slip (what every exercise keeps is in
test_exercises_contract.py)."""
import copy

import numpy as np
import pytest

from exercise_contract import assert_caught, hidden_cases, own, passes
from utils import regularise

EarlyStopping = own(regularise.EarlyStopping)  # not the reference itself


# ----- 4.1 the SGD step with weight decay
def _step(decay_bias=False, use_lr=True, factor=1.0, sign=1.0):
    def sgd_step(params, grads, learning_rate, weight_decay=0.0):
        for name, grad in grads.items():
            if name.startswith("W") or decay_bias:
                grad = grad + sign * factor * weight_decay * params[name]
            if use_lr or not (name.startswith("W") or decay_bias):
                params[name] -= learning_rate * grad
            else:
                params[name] -= (learning_rate * grads[name]
                                 + weight_decay * params[name])
    return sgd_step


def _new_dict(params, grads, learning_rate, weight_decay=0.0):
    new = copy.deepcopy(params)
    _step()(new, grads, learning_rate, weight_decay)
    return new


def _upcast(params, grads, learning_rate, weight_decay=0.0):
    for name, grad in grads.items():
        params[name] = params[name] - np.float64(learning_rate) * (
            grad + (weight_decay * params[name] if name[0] == "W" else 0))
        params[name] = params[name].astype(np.float64)


def test_the_step_written_out_passes():
    assert passes("4.1", _step())


@pytest.mark.parametrize("answer, hint, case", [
    (_step(decay_bias=True), "The biases are decayed too", {}),
    (_step(factor=0.0), "The weights are not decayed", {}),
    (_step(sign=-1.0), "the wrong sign", {}),
    (_step(use_lr=False), "not multiplied by the learning rate", {}),
    (_step(factor=2.0), "twice too large", {}),
    (_step(factor=0.5), "half as large", {}),
    (_new_dict, "params did not change", {}),
    (_upcast, "update it in place", dict(seed=42, dtype="float32")),
])
def test_step_slips_get_their_hint(answer, hint, case):
    assert_caught("4.1", answer, hint, **case)


# ----- 4.2 early stopping
class _Stopping(EarlyStopping):
    """Early stopping written out, with the slips the tests below make."""

    def update(self, score, params):
        if self.better(score):
            self.best_score, self.best_index = score, self.evaluations
            self.best_params = self.stored(params)
        self.evaluations += 1
        return self.waited() >= self.patience

    def better(self, score):
        return score > self.best_score

    def stored(self, params):
        return copy.deepcopy(params)

    def waited(self):
        return self.evaluations - 1 - self.best_index


class _NoCopy(_Stopping):
    def stored(self, params):
        return params


class _LastTie(_Stopping):
    def better(self, score):
        return score >= self.best_score


class _OneLate(_Stopping):
    def waited(self):
        return super().waited() - 1


class _AgainstPrevious(_Stopping):
    """Counts falls against the previous score, not against the best."""

    def update(self, score, params):
        previous = getattr(self, "previous", -np.inf)
        self.worse = getattr(self, "worse", 0) + 1 if score <= previous else 0
        self.previous = score
        super().update(score, params)
        return self.worse >= self.patience


def test_early_stopping_written_out_passes():
    assert passes("4.2", _Stopping)


_STOPPING_SLIPS = [
    (_NoCopy, "store a copy"),
    (_LastTie, "compare with >, not >="),
    (_OneLate, "training must stop now"),
    (_AgainstPrevious, "not the best is no improvement"),
]


@pytest.mark.parametrize("answer, hint", _STOPPING_SLIPS)
def test_early_stopping_slips_get_their_hint(answer, hint):
    assert_caught("4.2", answer, hint)


@pytest.mark.parametrize("answer, hint", _STOPPING_SLIPS[:3])
def test_early_stopping_hidden_case_catches_the_same_slip(answer, hint):
    out = assert_caught("4.2", answer, hint, **hidden_cases("4.2")[0])
    assert "hidden cases" in out


# ----- 4.3 the generalisation gap
def _gap(flip=False, index=False, last=False):
    def generalisation_gap(history):
        gaps = (np.asarray(history["train_accuracy"])
                - np.asarray(history["val_accuracy"]))
        gaps = -gaps if flip else gaps
        where = (len(gaps) - 1 - int(np.argmax(gaps[::-1])) if last
                 else int(np.argmax(gaps)))
        return gaps, where if index else history["step"][where]
    return generalisation_gap


def test_the_gap_written_out_passes():
    assert passes("4.3", _gap())


@pytest.mark.parametrize("answer, hint", [
    (_gap(flip=True), "TRAINING minus validation"),
    (_gap(index=True), "return its step"),
    (_gap(last=True), "return the first"),
    (lambda history: history["train_accuracy"], "return the pair"),
])
def test_gap_slips_get_their_hint(answer, hint):
    assert_caught("4.3", answer, hint)
