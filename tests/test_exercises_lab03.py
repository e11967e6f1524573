"""Lab 03's graded exercises: the references pass, unfinished, crashing and
plausibly wrong answers score 0 with a hint that names the slip.

Lab 04's tests import the helpers of this module."""
import ast
from pathlib import Path

import nbformat
import numpy as np
import pytest

from utils import mlp
from utils.exercises import Check, lab03, reference
from utils.regularise import sgd_step

LABS = Path(__file__).parents[1] / "labs"
LAB = LABS / "03_numpy_mlp.ipynb"


def hidden_cases(lab, exercise):
    """The keyword arguments of the check.run calls in the hidden tests of
    ``exercise``'s grade cell in ``lab``."""
    cell = next(c.source for c in nbformat.read(lab, as_version=4).cells
                if c.source.startswith(f'check = grade("{exercise}"'))
    hidden = cell.split("### BEGIN HIDDEN TESTS")[1].split("### END")[0]
    return [{k.arg: ast.literal_eval(k.value) for k in call.keywords}
            for call in ast.walk(ast.parse(hidden))
            if isinstance(call, ast.Call)]


def graded(exercise, answer, capsys, **case):
    """Grade ``answer`` on the visible cases (or ``case``); return
    (score, printed text)."""
    check = Check(exercise, answer)
    check.run(**case)
    return float(check.score), capsys.readouterr().out


def unfinished(*args, **kwargs):
    # YOUR CODE HERE
    raise NotImplementedError()


def crashing(*args, **kwargs):
    table = {}
    return table["W3"]


def check_reference(lab, table, exercise):
    """The reference passes the visible and every hidden case."""
    check = Check(exercise, reference(exercise))
    cases = hidden_cases(lab, exercise)
    assert cases, f"exercise {exercise} has no hidden case"
    assert check.run() and all(check.run(**case) for case in cases)
    assert check.score == table[exercise].points
    assert check.keep() is reference(exercise)


def check_unfinished(exercise, answer, capsys):
    """An unfinished answer scores 0, says so, and the lab goes on with
    the reference."""
    check = Check(exercise, answer)
    assert not check.run() and check.score == 0
    assert "not done yet" in capsys.readouterr().out
    assert check.keep() is reference(exercise)
    assert "uses the reference" in capsys.readouterr().out


def check_crash(exercise, answer, capsys):
    """A crash scores 0 and shows the student's line."""
    score, out = graded(exercise, answer, capsys)
    assert score == 0
    assert "KeyError" in out and 'return table["W3"]' in out


@pytest.mark.parametrize("exercise", sorted(lab03.EXERCISES))
def test_reference_passes_visible_and_hidden_cases(exercise):
    check_reference(LAB, lab03.EXERCISES, exercise)


@pytest.mark.parametrize("exercise", sorted(lab03.EXERCISES))
def test_stub_scores_zero_and_says_not_done(exercise, capsys):
    check_unfinished(exercise, unfinished, capsys)


@pytest.mark.parametrize("exercise", sorted(lab03.EXERCISES))
def test_crash_scores_zero_and_shows_the_line(exercise, capsys):
    check_crash(exercise, crashing, capsys)


# ----- 3.1 the forward pass
def _forward(hidden=mlp.sigmoid, bias=True, norm=mlp.softmax, cache_F1=True):
    def mlp_forward(params, X):
        b1, b2 = (params["b1"], params["b2"]) if bias else (0, 0)
        A1 = X @ params["W1"].T + b1
        F1 = hidden(A1)
        A2 = F1 @ params["W2"].T + b2
        P = norm(A2)
        return P, {"X": X, "F1": F1 if cache_F1 else A1, "A2": A2, "P": P}
    return mlp_forward


def _naive_softmax(A):
    return np.exp(A) / np.exp(A).sum(axis=1, keepdims=True)


def _column_softmax(A):
    E = np.exp(A - A.max(axis=0))
    return E / E.sum(axis=0)


def _float64_forward(params, X):
    return mlp.mlp_forward({k: v.astype(np.float64)
                            for k, v in params.items()}, X.astype(np.float64))


@pytest.mark.parametrize("answer, hint", [
    (_forward(bias=False), "the biases are missing"),
    (_forward(hidden=np.tanh), "uses tanh"),
    (_forward(hidden=lambda A: A), "the hidden activation is missing"),
    (_forward(norm=_column_softmax), "normalised the columns"),
    (_forward(norm=_naive_softmax), "maximum"),
    (_forward(cache_F1=False), "you stored A1"),
    (lambda params, X: mlp.mlp_forward(params, X)[0], "the pair (P, cache)"),
    (_float64_forward, "float32"),
])
def test_forward_slips_get_their_hint(answer, hint, capsys):
    score, out = graded("3.1", answer, capsys)
    assert score == 0 and hint in out, out


def test_forward_hidden_case_catches_what_the_visible_one_does(capsys):
    score, out = graded("3.1", _forward(bias=False), capsys,
                         **hidden_cases(LAB, "3.1")[0])
    assert score == 0 and "hidden cases" in out


# ----- 3.2 the backward pass
def _backward(sign=1, scale=None, derivative=True, transpose_W2=False,
              back_through_W2T=False):
    def mlp_backward(params, cache, Y_onehot):
        X, F1, P = cache["X"], cache["F1"], cache["P"]
        dA2 = sign * (P - Y_onehot) / (len(X) if scale is None else scale(X))
        W2 = params["W2"].T if back_through_W2T else params["W2"]
        dA1 = dA2 @ W2
        if derivative:
            dA1 = dA1 * F1 * (1 - F1)
        dW2 = F1.T @ dA2 if transpose_W2 else dA2.T @ F1
        return {"W1": dA1.T @ X, "b1": dA1.sum(axis=0), "W2": dW2,
                "b2": dA2.sum(axis=0)}
    return mlp_backward


def _backward_float64(params, cache, Y_onehot):
    return {k: v.astype(np.float64) for k, v in
            mlp.mlp_backward(params, cache, Y_onehot).items()}


@pytest.mark.parametrize("answer, hint", [
    (_backward(sign=-1), "its sign is flipped"),
    (_backward(scale=lambda X: 1), "times too large"),
    (_backward(scale=lambda X: len(X) ** 2), "times too small"),
    (_backward(transpose_W2=True), "transpose the product"),
    (_backward(derivative=False), "the slip is in the hidden layer"),
    (_backward_float64, "float64 gradients"),
])
def test_backward_slips_get_their_hint(answer, hint, capsys):
    score, out = graded("3.2", answer, capsys)
    assert score == 0 and hint in out, out


def test_backward_transposed_weight_is_caught_where_shapes_allow_it(capsys):
    # visible case: W2 is 4 x 5, so W2.T does not fit and the code crashes
    score, out = graded("3.2", _backward(back_through_W2T=True), capsys)
    assert score == 0 and "ValueError" in out
    # hidden case: W2 is square, the product runs and gives wrong numbers
    score, out = graded("3.2", _backward(back_through_W2T=True), capsys,
                         **hidden_cases(LAB, "3.2")[0])
    assert score == 0 and "dL/dW1 disagrees" in out
    assert "not W2.T" in out


def test_a_broken_reference_fails_its_own_check(monkeypatch, capsys):
    """A sign flipped in utils.mlp.mlp_backward is caught (issue 10)."""
    broken = _backward(sign=-1)
    monkeypatch.setattr(mlp, "mlp_backward", broken)
    check = Check("3.2", reference("3.2"))
    assert not check.run() and check.score == 0


# ----- 3.3 one epoch of minibatch SGD
def _epoch(shuffle=True, drop_last=False, labels_follow=True,
           loss_per_batch=False, in_place_shuffle=False, global_rng=False,
           pass_decay=True):
    def train_epoch(params, X, y, batch_size, learning_rate, rng,
                    weight_decay=0.0, step=sgd_step):
        n = len(X)
        if in_place_shuffle:
            rng.shuffle(X)
            order = np.arange(n)
        elif global_rng:
            order = np.random.permutation(n)
        else:
            order = rng.permutation(n) if shuffle else np.arange(n)
        total, means = 0.0, []
        stop = n - n % batch_size if drop_last else n
        for start in range(0, stop, batch_size):
            batch = order[start:start + batch_size]
            labels = y[batch] if labels_follow else y[start:start + batch_size]
            P, cache = mlp.mlp_forward(params, X[batch])
            loss = mlp.cross_entropy(cache["A2"], labels)
            total += loss * len(batch)
            means.append(loss)
            grads = mlp.mlp_backward(params, cache,
                                     mlp.one_hot(labels, P.shape[1], P.dtype))
            step(params, grads, learning_rate,
                 weight_decay if pass_decay else 0.0)
        return float(np.mean(means)) if loss_per_batch else total / n
    return train_epoch


@pytest.mark.parametrize("answer, hint", [
    (_epoch(shuffle=False), "visited in their stored order"),
    (_epoch(drop_last=True), "the last, partial batch was dropped"),
    (_epoch(labels_follow=False), "the labels were not"),
    (_epoch(loss_per_batch=True), "weight each batch's mean loss"),
    (_epoch(in_place_shuffle=True), "never shuffle the data in place"),
    (_epoch(global_rng=True), "not np.random"),
])
def test_epoch_slips_get_their_hint(answer, hint, capsys):
    score, out = graded("3.3", answer, capsys)
    assert score == 0 and hint in out, out


def test_epoch_must_pass_weight_decay_on(capsys):
    answer = _epoch(pass_decay=False)
    assert graded("3.3", answer, capsys)[0] == 3  # weight_decay 0: no sign
    score, out = graded("3.3", answer, capsys, **hidden_cases(LAB, "3.3")[0])
    assert score == 0 and "pass both on unchanged" in out


def test_epoch_must_give_step_all_four_arguments(capsys):
    def train_epoch(params, X, y, batch_size, learning_rate, rng,
                    weight_decay=0.0, step=sgd_step):
        order = rng.permutation(len(X))
        for start in range(0, len(X), batch_size):
            batch = order[start:start + batch_size]
            P, cache = mlp.mlp_forward(params, X[batch])
            step(params, mlp.mlp_backward(params, cache, mlp.one_hot(
                y[batch], P.shape[1], P.dtype)), learning_rate)
        return 0.0
    score, out = graded("3.3", train_epoch, capsys)
    assert score == 0 and "pass both on unchanged" in out


def test_epoch_without_partial_batch_passes_when_batches_divide(capsys):
    # 12 images in batches of 12: nothing to drop, the slip is invisible
    score, _ = graded("3.3", _epoch(drop_last=True), capsys, seed=331, n=12,
                       batch_size=12)
    assert score == 3


# ----- 3.4 errors per digit
@pytest.mark.parametrize("answer, hint", [
    (lambda t, p, n_classes=10: np.bincount(t[t != p]), "minlength"),
    (lambda t, p, n_classes=10: np.bincount(p[t != p], minlength=n_classes),
     "PREDICTED class"),
    (lambda t, p, n_classes=10: np.bincount(t[t == p], minlength=n_classes),
     "misclassified images per true class"),
    (lambda t, p, n_classes=10: np.bincount(t[t != p], minlength=n_classes)
     * 1.0, "return integers"),
    (lambda t, p, n_classes=10: None, "return the array of counts"),
])
def test_per_class_errors_slips_get_their_hint(answer, hint, capsys):
    score, out = graded("3.4", answer, capsys)
    assert score == 0 and hint in out, out
