"""The checks of lab 03's exercises fail on unfinished and wrong answers and pass on correct ones."""
import numpy as np
import pytest

from utils.exercises import lab03
from utils.mlp import softmax


def _stub(*args, **kwargs):
    raise NotImplementedError("Exercise: your answer here")


# Exercise 3.1: misclassified images per true class
def per_class_errors(y_true, y_pred, n_classes=10):
    return np.bincount(y_true[y_true != y_pred], minlength=n_classes)


def per_class_errors_by_prediction(y_true, y_pred, n_classes=10):
    return np.bincount(y_pred[y_true != y_pred], minlength=n_classes)


def per_class_errors_no_minlength(y_true, y_pred, n_classes=10):
    return np.bincount(y_true[y_true != y_pred])


def per_class_correct(y_true, y_pred, n_classes=10):
    return np.bincount(y_true[y_true == y_pred], minlength=n_classes)


# Exercise 3.2: gradients of a tanh hidden layer
def tanh_gradients(params, X, Y_onehot, derivative=lambda F1: 1 - F1 ** 2, scale=None):
    F1 = np.tanh(X @ params["W1"].T + params["b1"])
    P = softmax(F1 @ params["W2"].T + params["b2"])
    dA2 = (P - Y_onehot) / (len(X) if scale is None else scale)
    dA1 = (dA2 @ params["W2"]) * derivative(F1)
    return {"W1": dA1.T @ X, "b1": dA1.sum(axis=0), "W2": dA2.T @ F1, "b2": dA2.sum(axis=0)}


def tanh_gradients_sigmoid_derivative(params, X, Y_onehot):
    return tanh_gradients(params, X, Y_onehot, derivative=lambda F1: F1 * (1 - F1))


def tanh_gradients_summed(params, X, Y_onehot):
    return tanh_gradients(params, X, Y_onehot, scale=1)


def tanh_gradients_transposed(params, X, Y_onehot):
    grads = tanh_gradients(params, X, Y_onehot)
    grads["W2"] = grads["W2"].T
    return grads


def tanh_gradients_none(params, X, Y_onehot):
    return None


def test_3_1_passes_on_reference():
    lab03.check_3_1(per_class_errors)


@pytest.mark.parametrize("answer", [_stub, per_class_errors_by_prediction, per_class_errors_no_minlength,
                                    per_class_correct, lambda *a, **k: None])
def test_3_1_fails_on_unfinished_or_wrong(answer):
    with pytest.raises(AssertionError, match="Exercise 3.1"):
        lab03.check_3_1(answer)


def test_3_1_explains_the_prediction_mix_up():
    with pytest.raises(AssertionError, match="TRUE class"):
        lab03.check_3_1(per_class_errors_by_prediction)


def test_3_1_unfinished_message():
    with pytest.raises(AssertionError, match="not finished"):
        lab03.check_3_1(_stub)


def test_3_2_passes_on_reference():
    lab03.check_3_2(tanh_gradients)


@pytest.mark.parametrize("answer", [_stub, tanh_gradients_sigmoid_derivative, tanh_gradients_summed,
                                    tanh_gradients_transposed, tanh_gradients_none])
def test_3_2_fails_on_unfinished_or_wrong(answer):
    with pytest.raises(AssertionError, match="Exercise 3.2"):
        lab03.check_3_2(answer)


def test_3_2_hints_at_the_missing_mean():
    with pytest.raises(AssertionError, match="N times too large"):
        lab03.check_3_2(tanh_gradients_summed)
