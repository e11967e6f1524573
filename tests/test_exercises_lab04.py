"""Lab 04's graded exercises: plausibly wrong answers score 0 with a hint that
names the slip (what every exercise keeps is in
test_exercises_contract.py)."""

import copy

import numpy as np
import pytest
from exercise_contract import assert_caught, hidden_cases, own, passes

from utils.saved import lab04_regularise as regularise

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
                params[name] -= learning_rate * grads[name] + weight_decay * params[name]

    return sgd_step


def _new_dict(params, grads, learning_rate, weight_decay=0.0):
    new = copy.deepcopy(params)
    _step()(new, grads, learning_rate, weight_decay)
    return new


def _upcast(params, grads, learning_rate, weight_decay=0.0):
    for name, grad in grads.items():
        params[name] = params[name] - np.float64(learning_rate) * (
            grad + (weight_decay * params[name] if name[0] == "W" else 0)
        )
        params[name] = params[name].astype(np.float64)


def test_the_step_written_out_passes():
    assert passes("4.1", _step())


@pytest.mark.parametrize(
    "answer, hint, case",
    [
        (_step(decay_bias=True), "The biases are decayed too", {}),
        (_step(factor=0.0), "The weights are not decayed", {}),
        (_step(sign=-1.0), "the wrong sign", {}),
        (_step(use_lr=False), "not multiplied by the learning rate", {}),
        (_step(factor=2.0), "twice too large", {}),
        (_step(factor=0.5), "half as large", {}),
        (_new_dict, "params did not change", {}),
        (_upcast, "update it in place", dict(seed=42, dtype="float32")),
    ],
)
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
        gaps = np.asarray(history["train_accuracy"]) - np.asarray(history["val_accuracy"])
        gaps = -gaps if flip else gaps
        where = len(gaps) - 1 - int(np.argmax(gaps[::-1])) if last else int(np.argmax(gaps))
        return gaps, where if index else history["step"][where]

    return generalisation_gap


def test_the_gap_written_out_passes():
    assert passes("4.3", _gap())


@pytest.mark.parametrize(
    "answer, hint",
    [
        (_gap(flip=True), "TRAINING minus validation"),
        (_gap(index=True), "return its step"),
        (_gap(last=True), "return the first"),
        (lambda history: history["train_accuracy"], "return the pair"),
    ],
)
def test_gap_slips_get_their_hint(answer, hint):
    assert_caught("4.3", answer, hint)


# ----- 4.4 the learning curve
def _curve(shuffle=False, retrain=False, best=False, flip=False, by_index=False, backwards=False):
    def learning_curve(sizes, x, y, fit, reuse):
        curve = {}
        for n in sizes:
            if n in reuse and not retrain:
                curve[n] = reuse[n]
            elif shuffle:
                pick = np.random.default_rng(0).permutation(len(y))[:n]
                curve[n] = fit(x[pick], y[pick])
            else:
                curve[n] = fit(x[:n], y[:n])
        final = []
        for h in curve.values():
            steps, val = np.array(h["step"]), h["val_accuracy"]
            half = len(steps) // 2 if by_index else np.flatnonzero(2 * steps <= steps[-1])[-1]
            train = max(h["train_accuracy"]) if best else h["train_accuracy"][-1]
            last = max(val) if best else val[-1]
            gap = (last - train) if flip else (train - last)
            late = (val[half] - val[-1]) if backwards else (val[-1] - val[half])
            final.append([train, last, gap, late])
        return curve, np.array(final)

    return learning_curve


def test_the_learning_curve_written_out_passes():
    assert passes("4.4", _curve())


@pytest.mark.parametrize(
    "answer, hint",
    [
        (_curve(shuffle=True), "is not the first"),
        (_curve(retrain=True), "which are in reuse"),
        (_curve(best=True), "LAST evaluation"),
        (_curve(flip=True), "TRAINING minus validation"),
        (_curve(by_index=True), "by its step"),
        (_curve(backwards=True), "not the other way round"),
        (
            lambda sizes, x, y, fit, reuse: {n: fit(x[:n], y[:n]) for n in sizes},
            "which are in reuse",
        ),
    ],
)
def test_learning_curve_slips_get_their_hint(answer, hint):
    assert_caught("4.4", answer, hint)


def test_learning_curve_runs_the_sizes_in_the_order_given():
    def learning_curve(sizes, x, y, fit, reuse):
        return _curve()(sorted(sizes), x, y, fit, reuse)

    case = next(case for case in hidden_cases("4.4") if case.get("shuffled"))
    assert_caught("4.4", learning_curve, "do not sort them", **case)


# ----- 4.5 inverted dropout
def _dropout(
    scale="inverse",
    draw="random",
    on_eval="identity",
    check_keep=True,
    cast=True,
    rng_source="given",
):
    def dropout(H, keep, rng, train=True):
        if check_keep and not 0 < keep <= 1:
            raise ValueError("keep")
        if not train:
            return (H, None) if on_eval == "identity" else (H * keep, None)
        gen = rng if rng_source == "given" else np.random
        shape = H.shape if draw == "random" else (1, H.shape[1])
        kept = gen.random(shape) < (keep if draw != "drop" else 1 - keep)
        kept = np.broadcast_to(kept, H.shape)
        mask = {"inverse": kept / keep, "none": kept * 1.0, "times": kept * keep}[scale]
        mask = mask.astype(H.dtype) if cast else mask
        return H * mask, mask

    return dropout


def _dropout_draws_at_eval(H, keep, rng, train=True):
    mask = _dropout()(H, keep, rng)[1]
    return (H, None) if not train else (H * mask, mask)


def test_dropout_written_out_passes():
    assert passes("4.5", _dropout())


@pytest.mark.parametrize(
    "answer, hint, case",
    [
        (_dropout(scale="none"), "scales the kept units by 1/keep", {}),
        (_dropout(scale="times"), "divide them by keep", {}),
        (_dropout(draw="drop"), "not of dropping it", {}),
        (_dropout(draw="column"), "repeats along one axis", {}),
        (_dropout(on_eval="scaled"), "dropout is the identity", {}),
        (_dropout(check_keep=False), "should raise a ValueError", {}),
        (_dropout(cast=False), "give it H's dtype", {}),
        (_dropout(rng_source="global"), "draw from rng", {}),
        (
            lambda H, keep, rng, train=True: _dropout()(H, keep, rng, train=True),
            "dropout is the identity",
            {},
        ),
    ],
)
def test_dropout_slips_get_their_hint(answer, hint, case):
    assert_caught("4.5", answer, hint, **case)


def test_dropout_keeps_each_unit_independently():
    def dropout(H, keep, rng, train=True):  # exactly keep * size units kept
        if not 0 < keep <= 1:
            raise ValueError("keep")
        if not train:
            return H, None
        flat = np.zeros(H.size, dtype=H.dtype)
        flat[rng.permutation(H.size)[: round(keep * H.size)]] = 1 / keep
        mask = flat.reshape(H.shape)
        return H * mask, mask

    assert_caught("4.5", dropout, "not kept independently")


def test_dropout_eval_draws_nothing():
    def draws(H, keep, rng, train=True):
        rng.random()
        return _dropout()(H, keep, rng, train)

    assert_caught("4.5", draws, "nothing is drawn")


# ----- 4.6 the gradients through dropout
def _through(
    mask_back=True,
    sig_on="F1",
    w2_on="thinned",
    twice=False,
    mean=True,
    calls=1,
    on_pre=False,
    shift="row",
):
    def dropout_gradients(params, X, Y_onehot, drop):
        A1 = X @ params["W1"].T + params["b1"]
        F1 = 0.5 + 0.5 * np.tanh(0.5 * A1)
        thinned, mask = drop(A1 if on_pre else F1)
        if on_pre:
            thinned = 0.5 + 0.5 * np.tanh(0.5 * thinned)
        for _ in range(calls - 1):
            mask = drop(F1)[1]
        A2 = thinned @ params["W2"].T + params["b2"]
        top = {"row": A2.max(axis=1, keepdims=True), "batch": A2.max(), "none": 0}[shift]
        P = np.exp(A2 - top)
        P /= P.sum(axis=1, keepdims=True)
        dA2 = (P - Y_onehot) / (len(X) if mean else 1)
        back = dA2 @ params["W2"]
        if mask_back:
            back = back * mask * (mask if twice else 1)
        S = {"F1": F1, "thinned": thinned}[sig_on]
        dA1 = back * S * (1 - S)
        kept = {"F1": F1, "thinned": thinned}[w2_on]
        return {"W1": dA1.T @ X, "b1": dA1.sum(axis=0), "W2": dA2.T @ kept, "b2": dA2.sum(axis=0)}

    return dropout_gradients


def test_dropout_gradients_written_out_passes():
    assert passes("4.6", _through())


@pytest.mark.parametrize(
    "answer, hint",
    [
        (_through(mask_back=False), "multiply it by the mask on the way back"),
        (_through(sig_on="thinned"), "BEFORE dropout"),
        (_through(w2_on="F1"), "output layer saw the thinned"),
        (_through(twice=True), "applied twice"),
        (_through(mean=False), "divide by N"),
        (_through(calls=2), "call it once per batch"),
        (_through(on_pre=True), "pre-activations A1"),
        (_through(shift="none"), "the softmax overflows"),
        (_through(shift="batch"), "subtract each ROW's largest logit"),
    ],
)
def test_dropout_gradients_slips_get_their_hint(answer, hint):
    assert_caught("4.6", answer, hint)
