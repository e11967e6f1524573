"""Lab 03's graded exercises: plausibly wrong answers score 0 with a hint that
names the slip (what every exercise keeps is in
test_exercises_contract.py)."""

import numpy as np
import pytest
from exercise_contract import (
    assert_caught,
    assert_clause_caught,
    hidden_cases,
    own,
    passes,
    results,
    said,
)

from utils.exercises import Check, reference
from utils.saved import lab03_mlp as mlp
from utils.saved.lab01_softmax import one_hot, softmax
from utils.saved.lab02_jacobians import sigmoid
from utils.saved.lab04_regularise import sgd_step

# the reference passes, compiled anew: wrong answers built on them are not
# calls of the reference (which the graders refuse)
_MLP_FORWARD, _MLP_BACKWARD = own(mlp.mlp_forward), own(mlp.mlp_backward)


# ----- 3.1 the forward pass
def _forward(hidden=sigmoid, bias=True, norm=softmax, cache_F1=True):
    def mlp_forward(params, X):
        if X.ndim != 2 or X.shape[1] != params["W1"].shape[1]:  # given
            raise ValueError(
                f"X must have shape (N, {params['W1'].shape[1]}) "
                f"(one flattened image per row), got {X.shape}."
            )
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
    return _MLP_FORWARD({k: v.astype(np.float64) for k, v in params.items()}, X.astype(np.float64))


def test_the_forward_pass_written_out_passes():
    assert passes("3.1", _forward())


@pytest.mark.parametrize(
    "answer, hint",
    [
        (_forward(bias=False), "the biases are missing"),
        (_forward(hidden=np.tanh), "uses tanh"),
        (_forward(hidden=lambda A: A), "the hidden activation is missing"),
        (_forward(norm=_column_softmax), "normalised the columns"),
        (_forward(norm=_naive_softmax), "maximum"),
        (_forward(cache_F1=False), "you stored A1"),
        (lambda params, X: _MLP_FORWARD(params, X)[0], "the pair (P, cache)"),
    ],
)
def test_forward_slips_get_their_hint(answer, hint):
    assert_caught("3.1", answer, hint)


def test_a_float64_forward_pass_loses_the_dtype_clause():
    assert_clause_caught("3.1", _float64_forward, "float32 stays float32", "keep the inputs' dtype")


def test_forward_hidden_case_catches_what_the_visible_one_does():
    out = assert_caught(
        "3.1", _forward(bias=False), "the biases are missing", **hidden_cases("3.1")[0]
    )
    assert "hidden cases" in out


# ----- 3.2 the backward pass
def _backward(sign=1, scale=None, derivative=True, transpose_W2=False, back_through_W2T=False):
    def mlp_backward(params, cache, Y_onehot):
        X, F1, P = cache["X"], cache["F1"], cache["P"]
        if Y_onehot.shape != P.shape:  # given with the stub
            raise ValueError(
                f"Y_onehot must have the shape of the "
                f"probabilities {P.shape}, got {Y_onehot.shape}."
            )
        dA2 = sign * (P - Y_onehot) / (len(X) if scale is None else scale(X))
        W2 = params["W2"].T if back_through_W2T else params["W2"]
        dA1 = dA2 @ W2
        if derivative:
            dA1 = dA1 * F1 * (1 - F1)
        dW2 = F1.T @ dA2 if transpose_W2 else dA2.T @ F1
        return {"W1": dA1.T @ X, "b1": dA1.sum(axis=0), "W2": dW2, "b2": dA2.sum(axis=0)}

    return mlp_backward


def _backward_float64(params, cache, Y_onehot):
    return {k: v.astype(np.float64) for k, v in _MLP_BACKWARD(params, cache, Y_onehot).items()}


def test_the_backward_pass_written_out_passes():
    assert passes("3.2", _backward())


@pytest.mark.parametrize(
    "answer, hint",
    [
        (_backward(sign=-1), "its sign is flipped"),
        (_backward(scale=lambda X: 1), "times too large"),
        (_backward(scale=lambda X: len(X) ** 2), "times too small"),
        (_backward(transpose_W2=True), "transpose the product"),
        (_backward(derivative=False), "the slip is in the hidden layer"),
    ],
)
def test_backward_slips_get_their_hint(answer, hint):
    assert_caught("3.2", answer, hint)


def test_float64_weight_gradients_lose_the_dtype_clause_only():
    out = assert_clause_caught(
        "3.2", _backward_float64, "float32 stays float32", "keep the inputs' dtype"
    )
    check = Check("3.2", _backward_float64)
    said(check, {})
    assert check.passed == [True], out


def test_float64_bias_gradients_keep_every_point():
    """A harmless dtype: ``ones @ dA`` gives float64 bias gradients, which the
    in-place update casts back; the spec fixes the dtype of the weights'."""

    def mlp_backward(params, cache, Y_onehot):
        grads = _backward()(params, cache, Y_onehot)
        ones = np.ones(len(cache["X"]))
        dA2 = (cache["P"] - Y_onehot) / len(cache["X"])
        dA1 = (dA2 @ params["W2"]) * cache["F1"] * (1 - cache["F1"])
        return dict(grads, b1=ones @ dA1, b2=ones @ dA2)

    assert passes("3.2", mlp_backward)


def test_a_second_forward_pass_loses_the_cache_clause():
    def mlp_backward(params, cache, Y_onehot):
        fresh = _MLP_FORWARD(params, cache["X"])[1]
        return _backward()(params, dict(cache, F1=fresh["F1"]), Y_onehot)

    assert_clause_caught("3.2", mlp_backward, "uses the cache only", "a second forward pass")


def test_a_loop_over_images_loses_the_loop_clause():
    def per_class_errors(y_true, y_pred, n_classes=10):
        counts = np.zeros(n_classes, dtype=int)
        for t, p in zip(y_true, y_pred):
            counts[t] += t != p
        return counts

    assert_clause_caught(
        "3.6", per_class_errors, "no loop over images", "loops over the images in Python"
    )


def test_backward_transposed_weight_is_caught_where_shapes_allow_it():
    # visible case: W2 is 4 x 5, so W2.T does not fit and the code crashes
    check = Check("3.2", _backward(back_through_W2T=True))
    out = said(check, {})
    assert check.score == 0 and "your code raised ValueError" in out, out
    # hidden case: W2 is square, the product runs and gives wrong numbers
    out = assert_caught(
        "3.2", _backward(back_through_W2T=True), "dL/dW1 disagrees", **hidden_cases("3.2")[0]
    )
    assert "not W2.T" in out, out


def test_a_broken_reference_fails_its_own_check(monkeypatch):
    """A sign flipped in utils.saved.lab03_mlp.mlp_backward is caught (issue 10)."""
    monkeypatch.setattr(mlp, "mlp_backward", _backward(sign=-1))
    assert_caught("3.2", reference("3.2"), "its sign is flipped")


# ----- 3.3 one epoch of minibatch SGD
def _epoch(
    shuffle=True,
    drop_last=False,
    labels_follow=True,
    loss_per_batch=False,
    in_place_shuffle=False,
    global_rng=False,
    pass_decay=True,
):
    def train_epoch(params, X, y, batch_size, learning_rate, rng, weight_decay=0.0, step=sgd_step):
        n = len(X)
        if len(y) != n:  # the checks given with the stub
            raise ValueError(f"X has {n} images but y has {len(y)} labels.")
        if not 1 <= batch_size <= n:
            raise ValueError(
                f"batch_size must be between 1 and the training-set size {n}, got {batch_size}."
            )
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
            batch = order[start : start + batch_size]
            labels = y[batch] if labels_follow else y[start : start + batch_size]
            P, cache = mlp.mlp_forward(params, X[batch])
            loss = mlp.mean_cross_entropy(cache["A2"], labels)
            total += loss * len(batch)
            means.append(loss)
            grads = mlp.mlp_backward(params, cache, one_hot(labels, P.shape[1], P.dtype))
            step(params, grads, learning_rate, weight_decay if pass_decay else 0.0)
        return float(np.mean(means)) if loss_per_batch else total / n

    return train_epoch


def test_the_epoch_written_out_passes():
    assert passes("3.3", _epoch())


@pytest.mark.parametrize(
    "answer, hint",
    [
        (_epoch(shuffle=False), "visited in their stored order"),
        (_epoch(drop_last=True), "the last, partial batch was dropped"),
        (_epoch(labels_follow=False), "the labels were not"),
        (_epoch(loss_per_batch=True), "weight each batch's mean loss"),
        (_epoch(in_place_shuffle=True), "never shuffle the data in place"),
        (_epoch(global_rng=True), "not np.random"),
    ],
)
def test_epoch_slips_get_their_hint(answer, hint):
    assert_caught("3.3", answer, hint)


def test_epoch_must_pass_weight_decay_on():
    answer = _epoch(pass_decay=False)
    visible, *_ = results("3.3", answer)
    assert visible  # the visible case has weight_decay 0: no sign of the slip
    assert_caught("3.3", answer, "pass both on unchanged", **hidden_cases("3.3")[0])


def test_epoch_must_give_step_all_four_arguments():
    def train_epoch(params, X, y, batch_size, learning_rate, rng, weight_decay=0.0, step=sgd_step):
        order = rng.permutation(len(X))
        for start in range(0, len(X), batch_size):
            batch = order[start : start + batch_size]
            P, cache = mlp.mlp_forward(params, X[batch])
            step(
                params,
                mlp.mlp_backward(params, cache, one_hot(y[batch], P.shape[1], P.dtype)),
                learning_rate,
            )
        return 0.0

    assert_caught("3.3", train_epoch, "pass both on unchanged")


def test_epoch_without_partial_batch_passes_when_batches_divide():
    # 12 images in batches of 12: nothing to drop, the slip is invisible
    check = Check("3.3", _epoch(drop_last=True))
    out = said(check, dict(seed=331, n=12, batch_size=12))
    assert check.score == check.spec.points, out


# ----- 3.6 errors per digit
@pytest.mark.parametrize(
    "answer, hint",
    [
        (lambda t, p, n_classes=10: np.bincount(t[t != p]), "minlength"),
        (lambda t, p, n_classes=10: np.bincount(p[t != p], minlength=n_classes), "PREDICTED class"),
        (
            lambda t, p, n_classes=10: np.bincount(t[t == p], minlength=n_classes),
            "misclassified images per true class",
        ),
        (
            lambda t, p, n_classes=10: np.bincount(t[t != p], minlength=n_classes) * 1.0,
            "return integers",
        ),
        (lambda t, p, n_classes=10: None, "return a NumPy array of counts"),
        (lambda t, p, n_classes=10: [0] * n_classes, "not a list"),
    ],
)
def test_per_class_errors_slips_get_their_hint(answer, hint):
    assert_caught("3.6", answer, hint)


# ----- 3.4 loss and accuracy of a network
def _evaluate(loss="logits", accuracy="fraction", swap=False):
    def evaluate(params, X, y):
        P, cache = _MLP_FORWARD(params, X)
        if loss == "logits":
            value = mlp.mean_cross_entropy(cache["A2"], y)
        elif loss == "log P":
            value = float(-np.mean(np.log(P[np.arange(len(y)), y])))
        else:  # summed
            value = mlp.mean_cross_entropy(cache["A2"], y) * len(y)
        hits = P.argmax(axis=1) == y
        rate = {
            "fraction": np.mean(hits),
            "count": np.sum(hits),
            "error": 1 - np.mean(hits),
            "axis 0": np.mean(P.argmax(axis=0)[y % P.shape[1]] == y),
        }[accuracy]
        return (float(rate), value) if swap else (value, float(rate))

    return evaluate


def test_evaluate_written_out_passes():
    assert passes("3.4", _evaluate())


@pytest.mark.parametrize(
    "answer, hint",
    [
        (_evaluate(loss="sum"), "times too large"),
        (_evaluate(accuracy="count"), "is a count"),
        (_evaluate(accuracy="error"), "error rate"),
        (_evaluate(accuracy="axis 0"), "axis=1"),
        (_evaluate(swap=True), "wrong order"),
        (lambda params, X, y: (np.zeros(len(y)), 0.5), "not arrays"),
    ],
)
def test_evaluate_slips_get_their_hint(answer, hint):
    assert_caught("3.4", answer, hint)


def test_evaluate_with_log_of_P_loses_the_finite_loss_clause():
    assert passes("3.4", _evaluate(loss="log P")) is False
    assert_clause_caught(
        "3.4", _evaluate(loss="log P"), "a finite loss for sure wrong guesses", "underflows to inf"
    )


def test_evaluate_must_return_python_floats():
    def evaluate(params, X, y):  # NumPy scalars in the network's dtype
        P, cache = _MLP_FORWARD(params, X)
        A2 = cache["A2"]
        shifted = A2 - A2.max(axis=1, keepdims=True)
        log_p = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
        return (
            -log_p[np.arange(len(y)), y].mean(),
            (P.argmax(axis=1) == y).astype(A2.dtype).mean(),
        )

    assert_clause_caught(
        "3.4",
        evaluate,
        "Python floats for a float32 network",
        "return Python floats, got (float32, float32)",
    )
    assert_caught(
        "3.4",
        lambda params, X, y: tuple(np.asarray(v) for v in _evaluate()(params, X, y)),
        "return Python floats, got (ndarray, ndarray)",
    )


def test_evaluate_may_not_loop_over_the_images():
    def evaluate(params, X, y):
        total, correct = 0.0, 0
        for x, label in zip(X, y):
            P, cache = _MLP_FORWARD(params, x[None, :])
            total += mlp.mean_cross_entropy(cache["A2"], np.array([label]))
            correct += int(P[0].argmax() == label)
        return total / len(y), correct / len(y)

    assert_clause_caught("3.4", evaluate, "no loop over images", "loops over the images")


# ----- 3.5 the learning-rate schedule
_LEARNING_RATES = own(mlp.learning_rates)


def _rates(formula, check=True):
    def learning_rates(initial_rate, decay, epochs):
        if check:
            if not (np.isfinite(initial_rate) and initial_rate > 0):
                raise ValueError(f"initial_rate {initial_rate}")
            if not 0 < decay <= 1:
                raise ValueError(f"decay {decay}")
            if epochs < 1 or epochs != int(epochs):
                raise ValueError(f"epochs {epochs}")
        return formula(float(initial_rate), decay, int(epochs))

    return learning_rates


def test_learning_rates_written_out_passes():
    assert passes("3.5", _rates(lambda r, d, n: r * d ** np.arange(n)))
    assert passes(
        "3.5",
        _rates(  # a running product is also right
            lambda r, d, n: r * np.cumprod(np.r_[1.0, np.full(n - 1, d)])
        ),
    )


@pytest.mark.parametrize(
    "answer, hint",
    [
        (_rates(lambda r, d, n: r * d ** np.arange(1, n + 1)), "already uses the decayed rate"),
        (_rates(lambda r, d, n: r * d ** np.arange(n + 1)), "epochs 0 to"),
        (_rates(lambda r, d, n: r * (1 - d) ** np.arange(n)), "1 - decay"),
        (_rates(lambda r, d, n: r * np.exp(-d * np.arange(n))), "exp(-decay t)"),
        (_rates(lambda r, d, n: r / (1 + d * np.arange(n))), "1/t decay"),
        (_rates(lambda r, d, n: r - (1 - d) * r * np.arange(n)), "a fixed FACTOR"),
        (_rates(lambda r, d, n: list(r * d ** np.arange(n))), "not a list"),
        (_rates(lambda r, d, n: np.full(n, r)), "multiplied by decay"),
    ],
)
def test_learning_rates_slips_get_their_hint(answer, hint):
    assert_caught("3.5", answer, hint)


@pytest.mark.parametrize(
    "answer, hint",
    [
        (_rates(lambda r, d, n: r * d ** np.arange(n), check=False), "did not raise ValueError"),
        (lambda r, d, n: _LEARNING_RATES(r, min(d, 1.0), n), "refuse decay = 1.05"),
    ],
)
def test_learning_rates_must_refuse_bad_settings(answer, hint):
    assert_clause_caught("3.5", answer, "bad settings refused", hint)


def test_learning_rates_may_not_loop_over_epochs():
    def learning_rates(initial_rate, decay, epochs):
        rates = []
        for t in range(int(epochs)):
            rates.append(initial_rate * decay**t)
        return np.array(rates)

    assert_clause_caught("3.5", learning_rates, "no loop over epochs", "loops over the epochs")


# ----- 3.7 the most confused pairs
def _confused(diagonal=False, swap=False, ascending=False, zeros=False, stable=True, limit=True):
    def most_confused(y_true, y_pred, k=3, n_classes=10):
        first, second = (y_pred, y_true) if swap else (y_true, y_pred)
        pairs = np.bincount(first * n_classes + second, minlength=n_classes**2)
        if not diagonal:
            pairs[:: n_classes + 1] = 0
        order = np.argsort(-pairs, kind="stable" if stable else "quicksort")
        order = order[:k] if limit else order[: k + 1]
        found = [
            (int(c // n_classes), int(c % n_classes), int(pairs[c]))
            for c in order
            if zeros or pairs[c] > 0
        ]
        return found[::-1] if ascending else found

    return most_confused


def _ties_reversed(y_true, y_pred, k=3, n_classes=10):
    """Ties in decreasing order of the true class (the spec: increasing)."""
    everything = _confused()(y_true, y_pred, n_classes**2, n_classes)
    return sorted(everything, key=lambda t: (-t[2], -t[0], -t[1]))[:k]


def test_most_confused_written_out_passes():
    assert passes("3.7", _confused())


@pytest.mark.parametrize(
    "answer, hint",
    [
        (_confused(diagonal=True), "leave the diagonal out"),
        (_confused(swap=True), "the pairs are (predicted, true)"),
        (_confused(limit=False), "return at most k"),
        (
            lambda t, p, k=3, n_classes=10: _ties_reversed(t, p, k, n_classes),
            "increasing order of the true class",
        ),
        (
            lambda t, p, k=3, n_classes=10: np.array(_confused()(t, p, k, n_classes)),
            "return a list",
        ),
    ],
)
def test_most_confused_slips_get_their_hint(answer, hint):
    assert_caught("3.7", answer, hint)


def test_most_confused_must_return_python_ints():
    def most_confused(y_true, y_pred, k=3, n_classes=10):
        return [tuple(np.int64(v) for v in t) for t in _confused()(y_true, y_pred, k, n_classes)]

    assert_caught("3.7", most_confused, "hold int64 values")


def test_most_confused_must_code_pairs_with_n_classes():
    # 13 classes: true * 10 + predicted gives two pairs the same code
    case = next(case for case in hidden_cases("3.7") if case["n_classes"] > 10)

    def most_confused(y_true, y_pred, k=3, n_classes=10):
        return _confused()(y_true, y_pred, k, 10)

    assert_caught("3.7", most_confused, "coded as true * 10 + predicted", **case)


def test_most_confused_most_frequent_first():
    # the visible case's top three tie; the first hidden case's do not
    assert_caught("3.7", _confused(ascending=True), "decreasing order", **hidden_cases("3.7")[0])


def test_most_confused_must_leave_out_pairs_that_never_occur():
    # 30 images, 5 classes, k = 40: fewer than k pairs occur
    assert_caught("3.7", _confused(zeros=True), "never occur", **hidden_cases("3.7")[1])


def test_most_confused_may_not_call_count_confusions():
    from utils.plots import count_confusions

    def most_confused(y_true, y_pred, k=3, n_classes=10):
        counts = count_confusions(y_true, y_pred, n_classes)
        np.fill_diagonal(counts, 0)
        order = np.argsort(-counts, axis=None, kind="stable")[:k]
        return [
            (int(c) // n_classes, int(c) % n_classes, int(counts.flat[c]))
            for c in order
            if counts.flat[c]
        ]

    check = Check("3.7", most_confused)
    out = said(check, {})
    assert check.score == 0, out
