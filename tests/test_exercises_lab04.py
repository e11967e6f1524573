"""Lab 04's graded exercises: the references pass, unfinished, crashing and
plausibly wrong answers score 0 with a hint that names the slip."""
import copy

import numpy as np
import pytest

from test_exercises_lab03 import (LABS, check_crash, check_reference,
                                  check_unfinished, crashing, graded,
                                  hidden_cases, unfinished)
from utils.exercises import lab04
from utils.regularise import EarlyStopping

LAB = LABS / "04_overfitting.ipynb"


class _StubStopping(EarlyStopping):
    """The student edition's class: the constructor is given, update not."""

    def update(self, score, params):
        return unfinished()


class _CrashingStopping(EarlyStopping):
    def update(self, score, params):
        return crashing()


@pytest.mark.parametrize("exercise", sorted(lab04.EXERCISES))
def test_reference_passes_visible_and_hidden_cases(exercise):
    check_reference(LAB, lab04.EXERCISES, exercise)


@pytest.mark.parametrize("exercise", sorted(lab04.EXERCISES))
def test_stub_scores_zero_and_says_not_done(exercise, capsys):
    answer = _StubStopping if exercise == "4.2" else unfinished
    check_unfinished(exercise, answer, capsys)


@pytest.mark.parametrize("exercise", sorted(lab04.EXERCISES))
def test_crash_scores_zero_and_shows_the_line(exercise, capsys):
    answer = _CrashingStopping if exercise == "4.2" else crashing
    check_crash(exercise, answer, capsys)


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


@pytest.mark.parametrize("answer, hint, case", [
    (_step(decay_bias=True), "the biases are decayed too", {}),
    (_step(factor=0.0), "the weights are not decayed", {}),
    (_step(sign=-1.0), "wrong sign", {}),
    (_step(use_lr=False), "not multiplied by the learning rate", {}),
    (_step(factor=2.0), "twice too large", {}),
    (_step(factor=0.5), "half as large", {}),
    (_new_dict, "params did not change", {}),
    (_upcast, "update it in place", dict(seed=42, dtype="float32")),
])
def test_step_slips_get_their_hint(answer, hint, case, capsys):
    score, out = graded("4.1", answer, capsys, **case)
    assert score == 0 and hint.lower() in out.lower(), out


# ----- 4.2 early stopping
class _NoCopy(EarlyStopping):
    def update(self, score, params):
        if score > self.best_score:
            self.best_score, self.best_index = score, self.evaluations
            self.best_params = params
        self.evaluations += 1
        return self.evaluations - 1 - self.best_index >= self.patience


class _LastTie(EarlyStopping):
    def update(self, score, params):
        if score >= self.best_score:
            self.best_score, self.best_index = score, self.evaluations
            self.best_params = copy.deepcopy(params)
        self.evaluations += 1
        return self.evaluations - 1 - self.best_index >= self.patience


class _OneLate(EarlyStopping):
    def update(self, score, params):
        if score > self.best_score:
            self.best_score, self.best_index = score, self.evaluations
            self.best_params = copy.deepcopy(params)
        self.evaluations += 1
        return self.evaluations - 1 - self.best_index > self.patience


class _AgainstPrevious(EarlyStopping):
    """Counts falls against the previous score, not against the best."""

    def update(self, score, params):
        previous = getattr(self, "previous", -np.inf)
        self.worse = getattr(self, "worse", 0) + 1 if score <= previous else 0
        self.previous = score
        if score > self.best_score:
            self.best_score, self.best_index = score, self.evaluations
            self.best_params = copy.deepcopy(params)
        self.evaluations += 1
        return self.worse >= self.patience


@pytest.mark.parametrize("answer, hint", [
    (_NoCopy, "store a copy"),
    (_LastTie, "compare with >, not >="),
    (_OneLate, "training must stop now"),
    (_AgainstPrevious, "not the best is no improvement"),
])
def test_early_stopping_slips_get_their_hint(answer, hint, capsys):
    score, out = graded("4.2", answer, capsys)
    assert score == 0 and hint in out, out


def test_early_stopping_hidden_cases_catch_the_same_slips(capsys):
    case = hidden_cases(LAB, "4.2")[0]
    for answer in (_NoCopy, _LastTie, _OneLate):
        score, out = graded("4.2", answer, capsys, **case)
        assert score == 0 and "hidden cases" in out, (answer, out)


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


@pytest.mark.parametrize("answer, hint", [
    (_gap(flip=True), "TRAINING minus validation"),
    (_gap(index=True), "return its step"),
    (_gap(last=True), "return the first"),
    (lambda history: history["train_accuracy"], "return the pair"),
])
def test_gap_slips_get_their_hint(answer, hint, capsys):
    score, out = graded("4.3", answer, capsys)
    assert score == 0 and hint in out, out
