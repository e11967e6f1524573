"""The graded exercises of lab 03 (a two-layer perceptron in NumPy).

Each test builds its own seeded networks and data (never those of the
notebook), calls the student's answer and compares it with an independent
computation: SciPy's sigmoid and softmax for the forward pass, centred
finite differences for the backward pass, and an epoch replayed with the
reference functions for the training loop.
"""
from __future__ import annotations

import numpy as np
from scipy.special import expit, softmax

from ..checks import numerical_gradient, rel_error
from ..saved.lab03_mlp import cross_entropy, mlp_backward, mlp_forward, one_hot
from ..saved.lab04_regularise import sgd_step
from . import Clause, Spec, loop_free, require


def _network(rng, n_in, hidden, n_out, std=0.5, dtype=np.float64):
    """Random weights AND biases (zero biases would hide a missing one)."""
    return {"W1": rng.normal(0, std, (hidden, n_in)).astype(dtype),
            "b1": rng.normal(0, std, hidden).astype(dtype),
            "W2": rng.normal(0, std, (n_out, hidden)).astype(dtype),
            "b2": rng.normal(0, std, n_out).astype(dtype)}


def _pair(result, what):
    require(isinstance(result, tuple) and len(result) == 2,
            f"return the pair {what}, got {type(result).__name__}.")
    return result


def test_mlp_forward(answer, seed=30, n=6, n_in=8, hidden=5, n_out=3) -> str:
    """mlp_forward(params, X) -> (P, cache) on a random network."""
    rng = np.random.default_rng(seed)
    params = _network(rng, n_in, hidden, n_out)
    X = rng.random((n, n_in))
    P, cache = _pair(answer(params, X), "(P, cache)")
    P = np.asarray(P)
    require(P.shape == (n, n_out),
            f"P must have shape (N, K) = {(n, n_out)} for {n} images and "
            f"{n_out} classes, got {P.shape}.")
    A1 = X @ params["W1"].T + params["b1"]
    A2 = expit(A1) @ params["W2"].T + params["b2"]
    expected = softmax(A2, axis=1)
    by_column = np.allclose(P.sum(axis=0), 1) and n > 1
    require(np.allclose(P.sum(axis=1), 1),
            "each row of P (one image) must sum to 1"
            + (": you normalised the columns; take the softmax over the "
               "classes, axis=1." if by_column else "."))
    if rel_error(P, expected) > 1e-10:
        slips = [  # (what a plausible slip computes, its hint)
            (softmax(expit(X @ params["W1"].T) @ params["W2"].T, axis=1),
             "the biases are missing: A1 = X W1^T + b1, A2 = F1 W2^T + b2"),
            (softmax(np.tanh(A1) @ params["W2"].T + params["b2"], axis=1),
             "the hidden layer uses tanh: it is the sigmoid"),
            (softmax(np.maximum(A1, 0) @ params["W2"].T + params["b2"],
                     axis=1), "the hidden layer uses ReLU: it is the sigmoid"),
            (softmax(A1 @ params["W2"].T + params["b2"], axis=1),
             "the hidden activation is missing: F1 = sigmoid(A1)"),
        ]
        hints = [hint for value, hint in slips if rel_error(P, value) < 1e-8]
        require(False, f"P differs from softmax(sigmoid(X W1^T + b1) W2^T "
                f"+ b2) (rel. error {rel_error(P, expected):.1e})"
                + (f": {hints[0]}." if hints else "."))
    require(isinstance(cache, dict)
            and {"X", "F1", "A2", "P"} <= set(cache),
            "cache must be a dict with the keys 'X', 'F1', 'A2' and 'P' "
            "(mlp_backward and the loss read them).")
    for key, value, hint in [
            ("X", X, "the images"),
            ("F1", expit(A1), "the hidden activations sigmoid(A1)"),
            ("A2", A2, "the logits (before the softmax)"),
            ("P", expected, "the probabilities")]:
        got = np.asarray(cache[key])
        require(got.shape == value.shape and rel_error(got, value) < 1e-10,
                f"cache['{key}'] must be {hint}, shape {value.shape}"
                + (": you stored A1, before the sigmoid" if key == "F1"
                   and got.shape == A1.shape and rel_error(got, A1) < 1e-10
                   else "")
                + (": you stored P, after the softmax" if key == "A2"
                   and got.shape == A2.shape
                   and rel_error(got, expected) < 1e-10 else "") + ".")
    # activations and logits near +-1000, the scale of a diverging run
    lift = 1000 + 2000 * np.abs(params["W2"]).sum()  # every logit >= 1000
    _no_overflow(answer, dict(params, W1=params["W1"] * 2000,
                              W2=params["W2"] * 2000, b2=params["b2"] + lift),
                 X, "activations and logits near +-1000",
                 "exp overflows (or 0/0). Call sigmoid and softmax from the "
                 "cell above: neither overflows (softmax subtracts each row's "
                 "maximum)")
    # every hidden unit far below 0: exp(-A1) overflows in 1 / (1 + exp(-A1))
    _no_overflow(answer, dict(params, b1=params["b1"] - 5000), X,
                 "activations near -5000", "1 / (1 + exp(-a)) overflows. Call "
                 "sigmoid from the cell above (0.5 + 0.5 tanh(a / 2) never "
                 "overflows)")
    return (f"P and cache right ({n} images, {n_in}-{hidden}-{n_out}), "
            "also for big logits.")


def _refuses(call, needle: str, what: str) -> None:
    """``call()`` raises ValueError whose message says ``needle``."""
    try:
        call()
    except ValueError as err:
        require(needle in str(err), f"{what} raised ValueError({str(err)!r}); "
                f"the check written for you says {needle!r}: keep it as "
                "given.")
        return
    require(False, f"{what} did not raise ValueError: keep the check on "
            "the shapes written for you.")


def _input_checks_forward(answer) -> str:
    """The shape check given with the stub, kept (a clear error)."""
    rng = np.random.default_rng(3)
    params = _network(rng, 4, 3, 2)
    _refuses(lambda: answer(params, rng.random((5, 6))),
             "X must have shape (N, 4)", "X with 6 columns for a 4-input net")
    _refuses(lambda: answer(params, rng.random(4)),
             "X must have shape (N, 4)", "a 1-D X")
    return "a clear ValueError for an X of the wrong shape"


def _input_checks_backward(answer) -> str:
    """The shape check given with the stub, kept (a clear error)."""
    rng = np.random.default_rng(3)
    params = _network(rng, 4, 3, 2)
    cache = mlp_forward(params, rng.random((5, 4)))[1]
    _refuses(lambda: answer(params, cache, np.eye(3)[[0, 1, 2, 0, 1]]),
             "Y_onehot must have the shape of the probabilities (5, 2)",
             "Y_onehot with 3 columns for 2 classes")
    return "a clear ValueError for a Y_onehot of the wrong shape"


def _input_checks_epoch(answer) -> str:
    """The argument checks given with the stub, kept (clear errors)."""
    rng = np.random.default_rng(3)
    params = _network(rng, 4, 3, 2)
    X = rng.random((6, 4))
    _refuses(lambda: answer(params, X, np.zeros(5, int), 2, 0.1,
                            np.random.default_rng(0)),
             "X has 6 images but y has 5 labels", "5 labels for 6 images")
    for size in (0, 7):
        _refuses(lambda: answer(params, X, np.zeros(6, int), size, 0.1,
                                np.random.default_rng(0)),
                 "batch_size must be between 1 and the training-set size 6",
                 f"batch_size={size} for 6 images")
    return "clear errors for mismatched labels and batch sizes"


def _float32_epoch(answer) -> str:
    """The spec's one_hot in the dtype of P: float32 training stays float32."""
    rng = np.random.default_rng(3)
    params = _network(rng, 4, 3, 2, dtype=np.float32)
    X = rng.random((10, 4), dtype=np.float32)
    dtypes = set()

    def step(params, grads, learning_rate, weight_decay=0.0):
        dtypes.update(str(np.asarray(g).dtype) for g in grads.values())
        sgd_step(params, grads, learning_rate, weight_decay)

    answer(params, X, np.zeros(10, int), 4, 0.1,  # class 1 absent
           np.random.default_rng(0), step=step)
    require(dtypes, "no step was taken.")
    require(dtypes == {"float32"}, f"float32 training produced gradients in "
            f"{sorted(dtypes)}: make the one-hot labels in the dtype of P, "
            "one_hot(labels, K, P.dtype), so that nothing runs in float64.")
    return "float32 in, float32 gradients (with a class absent from y)"


def _float32_forward(answer) -> str:
    """The spec's "keep the dtype of X", for float32 images and weights."""
    rng = np.random.default_rng(3)
    params = _network(rng, 4, 3, 2, dtype=np.float32)
    P = np.asarray(answer(params, rng.random((5, 4), dtype=np.float32))[0])
    require(P.dtype == np.float32,
            f"float32 images and weights gave P in {P.dtype}: keep the "
            "inputs' dtype (float64 arrays make training twice as slow).")
    return "float32 in, float32 out"


def _no_overflow(answer, params, X, inputs: str, hint: str) -> None:
    """``answer(params, X)`` raises no overflow and gives the right P."""
    F1 = expit(X @ params["W1"].T + params["b1"])
    expected = softmax(F1 @ params["W2"].T + params["b2"], axis=1)
    try:
        with np.errstate(over="raise", invalid="raise"):
            P = np.asarray(answer(params, X)[0])
    except FloatingPointError as err:
        raise AssertionError(f"with {inputs} NumPy reports '{err}': "
                             f"{hint}.") from None
    require(np.all(np.isfinite(P))
            and np.allclose(P, expected, rtol=1e-8, atol=1e-12),
            f"with {inputs}, P is not finite or wrong: call sigmoid and "
            "softmax from the cell above.")


def _loss(params, X, y):
    return cross_entropy(mlp_forward(params, X)[1]["A2"], y)


def test_mlp_backward(answer, seed=31, n=7, n_in=6, hidden=5,
                      n_out=4) -> str:
    """mlp_backward(params, cache, Y) against centred finite differences."""
    rng = np.random.default_rng(seed)
    params = _network(rng, n_in, hidden, n_out)
    X = rng.random((n, n_in))
    y = rng.integers(0, n_out, n)
    Y = np.eye(n_out)[y]
    cache = mlp_forward(params, X)[1]
    given = {k: v.copy() for k, v in cache.items()}
    grads = answer(params, given, Y)
    changed = [k for k in cache if not np.array_equal(given[k], cache[k])]
    require(not changed, f"mlp_backward changed the cache's {changed} in "
            "place (the loss still reads them): compute dA2 = (P - Y) / N "
            "as a new array.")
    require(isinstance(grads, dict) and set(grads) >= set(params),
            "return a dict with the keys 'W1', 'b1', 'W2', 'b2'.")
    right = []
    for name in ("W2", "b2", "W1", "b1"):  # from the output back
        value = params[name]
        grad = np.asarray(grads[name], dtype=np.float64)
        require(grad.shape != value.shape[::-1] or grad.ndim < 2
                or value.shape[0] == value.shape[1],
                f"dL/d{name} has shape {grad.shape}, {name} has "
                f"{value.shape}: a gradient has its parameter's shape; "
                "transpose the product (dA.T @ input, not input.T @ dA).")
        require(grad.shape == value.shape,
                f"dL/d{name} must have the shape of {name}, {value.shape}, "
                f"got {grad.shape}.")
        numeric = np.zeros_like(value)
        for index in np.ndindex(value.shape):
            numeric[index] = numerical_gradient(
                lambda: _loss(params, X, y), value, index, h=1e-6)
        error = rel_error(grad, numeric)
        if error <= 1e-6:
            right.append(name)
            continue
        if rel_error(-grad, numeric) <= 1e-6:
            hint = ("its sign is flipped: dL/dA2 = (P - Y) / N, not "
                    "(Y - P) / N")
        elif rel_error(grad / n, numeric) <= 1e-6:
            hint = (f"it is N = {n} times too large: the loss is a MEAN "
                    "over the batch, so divide dL/dA2 by N")
        elif rel_error(grad * n, numeric) <= 1e-6:
            hint = (f"it is N = {n} times too small: divide by the batch "
                    "size once, not twice")
        elif {"W2", "b2"} <= set(right):
            hint = ("dL/dW2 and dL/db2 are right, so the slip is in the "
                    "hidden layer: dF1 = dA2 @ W2 (not W2.T), then "
                    "dA1 = dF1 * F1 * (1 - F1)")
        elif "b2" in right:
            hint = "dL/db2 is right, so look at dW2 = dA2.T @ F1"
        else:
            hint = "start from dL/dA2 = (P - Y) / N"
        require(False, f"dL/d{name} disagrees with centred finite "
                f"differences (rel. error {error:.1e}, tolerance 1e-06): "
                f"{hint}.")
    return (f"4 gradients = finite differences ({n} images, "
            f"{n_in}-{hidden}-{n_out}).")


def _replay(params, X, y, batch_size, learning_rate, weight_decay, seed,
            epochs=2, shuffle=True, labels_follow=True, drop_last=False,
            loss_per_batch=False, loss_after_step=False):
    """Train ``epochs`` epochs the reference way, or with one slip."""
    params = {k: v.copy() for k, v in params.items()}
    rng, n, losses = np.random.default_rng(seed), len(X), []
    for _ in range(epochs):
        order = rng.permutation(n) if shuffle else np.arange(n)
        total, batch_losses = 0.0, []
        for start in range(0, n, batch_size):
            batch = order[start:start + batch_size]
            if drop_last and len(batch) < batch_size:
                break
            labels = y[batch] if labels_follow else y[start:start + batch_size]
            cache = mlp_forward(params, X[batch])[1]
            loss = cross_entropy(cache["A2"], labels)
            grads = mlp_backward(params, cache,
                                 one_hot(labels, params["b2"].size, X.dtype))
            sgd_step(params, grads, learning_rate, weight_decay)
            if loss_after_step:
                loss = cross_entropy(mlp_forward(params, X[batch])[1]["A2"],
                                     labels)
            total += loss * len(batch)
            batch_losses.append(loss)
        losses.append(np.mean(batch_losses) if loss_per_batch
                      else total / n)
    return params, losses


def test_train_epoch(answer, seed=32, n=37, batch_size=8, weight_decay=0.0,
                     learning_rate=0.5, n_in=6, hidden=5, n_out=3) -> str:
    """Two epochs of train_epoch against a replay with the reference code."""
    rng = np.random.default_rng(seed)
    start = _network(rng, n_in, hidden, n_out)
    X = rng.random((n, n_in))
    y = rng.integers(0, n_out, n)
    X_stored, y_stored = X.copy(), y.copy()
    calls = []

    def step(params, grads, learning_rate, weight_decay=None):
        calls.append((learning_rate, weight_decay))
        sgd_step(params, grads, learning_rate, weight_decay or 0.0)

    params = {k: v.copy() for k, v in start.items()}
    epoch_rng = np.random.default_rng(seed + 1)
    decay = {"weight_decay": weight_decay} if weight_decay else {}  # default 0
    losses = [answer(params, X, y, batch_size, learning_rate, epoch_rng,
                     step=step, **decay) for _ in range(2)]
    require(np.array_equal(X, X_stored) and np.array_equal(y, y_stored),
            "train_epoch changed X or y: pick the batches with an index "
            "array (X[batch], y[batch]); never shuffle the data in place.")
    require(all(isinstance(loss, (float, np.floating)) for loss in losses),
            f"return the epoch's mean loss as a float, got {losses[0]!r}.")
    per_epoch = -(-n // batch_size)
    if len(calls) != 2 * per_epoch:
        dropped = n % batch_size and len(calls) == 2 * (n // batch_size)
        require(False, f"{n} images in batches of {batch_size} make "
                f"{per_epoch} steps per epoch, your two epochs took "
                f"{len(calls)}"
                + (": the last, partial batch was dropped. range(0, n, "
                   "batch_size) includes it; order[start:start + "
                   "batch_size] slices it." if dropped else
                   ": call step once per batch."))
    require(all(rate == learning_rate and decay == weight_decay
                for rate, decay in calls),
            f"step was called with (learning_rate, weight_decay) = "
            f"{calls[0]}, expected {(learning_rate, weight_decay)}: pass "
            "both on unchanged.")
    args = (start, X, y, batch_size, learning_rate, weight_decay, seed + 1)
    right, right_losses = _replay(*args)
    if not all(rel_error(params[k], right[k]) < 1e-9 for k in right):
        slips = [
            (dict(shuffle=False), "the images were visited in their stored "
             "order: shuffle them, order = rng.permutation(len(X)), at the "
             "start of every epoch"),
            (dict(labels_follow=False), "the images were shuffled but the "
             "labels were not: index both with the same order"),
        ]
        hints = [hint for slip, hint in slips
                 if all(rel_error(params[k], v) < 1e-9
                        for k, v in _replay(*args, **slip)[0].items())]
        require(False, "after two epochs the weights differ from a replay "
                "that draws order = rng.permutation(len(X)) once per epoch "
                "(the only use of rng) and steps on order[0:B], "
                "order[B:2B], ...: "
                + (hints[0] if hints else "draw the order from the rng "
                   "argument (not np.random), then per batch: forward, "
                   "loss, backward, step(params, grads, learning_rate, "
                   "weight_decay)")
                + ".")
    if rel_error(np.array(losses), np.array(right_losses)) > 1e-9:
        slips = [
            (dict(loss_per_batch=True), "you averaged the batch means, so "
             "the smaller last batch counts as much as a full one: weight "
             "each batch's mean loss by its size and divide by len(X)"),
            (dict(loss_after_step=True), "you measured each batch's loss "
             "after its step: use the loss of the forward pass, before the "
             "update"),
        ]
        hints = [hint for slip, hint in slips
                 if rel_error(np.array(losses),
                              np.array(_replay(*args, **slip)[1])) < 1e-9]
        require(False, f"the returned losses {np.round(losses, 5).tolist()} "
                f"should be {np.round(right_losses, 5).tolist()}, the mean "
                "over all images of the epoch, each counted once"
                + (f": {hints[0]}." if hints else "."))
    return f"2 epochs of {n} images in batches of {batch_size} are right."


def test_per_class_errors(answer, seed=39, n=60, n_classes=10) -> str:
    """per_class_errors(y_true, y_pred, n_classes) on random labels."""
    rng = np.random.default_rng(seed)
    y_true = rng.integers(0, n_classes - 1, n)  # the last class: no images
    y_pred = y_true.copy()
    wrong = rng.random(n) < 0.3
    y_pred[wrong] = rng.integers(0, n_classes, wrong.sum())
    expected = np.zeros(n_classes, dtype=int)
    for true, predicted in zip(y_true, y_pred):
        if true != predicted:
            expected[true] += 1
    classes = {} if n_classes == 10 else {"n_classes": n_classes}  # default 10
    got = answer(y_true, y_pred, **classes)
    require(isinstance(got, np.ndarray),
            f"return a NumPy array of counts, not a {type(got).__name__}.")
    require(got.shape == (n_classes,),
            f"one count per class: expected shape ({n_classes},), got "
            f"{got.shape}. Did you pass minlength=n_classes?")
    by_prediction = np.bincount(y_pred[y_true != y_pred],
                                minlength=n_classes)
    require(not np.array_equal(got, by_prediction)
            or np.array_equal(got, expected),
            "you counted the errors by PREDICTED class; count them by the "
            "TRUE class.")
    require(np.array_equal(got, expected),
            f"expected {expected.tolist()} misclassified images per true "
            f"class, got {got.tolist()}.")
    require(np.issubdtype(got.dtype, np.integer),
            f"counts are whole numbers: return integers, not {got.dtype}.")
    return f"{int(expected.sum())} errors counted by true class."


def test_evaluate(answer, seed=34, n=40, n_in=6, hidden=5, n_out=4) -> str:
    """evaluate(params, X, y) -> (loss, accuracy) on a random network."""
    rng = np.random.default_rng(seed)
    params = _network(rng, n_in, hidden, n_out, std=1.5)
    X = rng.random((n, n_in))
    A2 = expit(X @ params["W1"].T + params["b1"]) @ params["W2"].T \
        + params["b2"]
    # labels: the network's own guess for about half the images, so that
    # the accuracy is neither 0 nor 1
    y = np.where(rng.random(n) < 0.5, A2.argmax(axis=1),
                 rng.integers(0, n_out, n))
    log_P = A2 - A2.max(axis=1, keepdims=True)
    log_P -= np.log(np.exp(log_P).sum(axis=1, keepdims=True))
    loss = float(-log_P[np.arange(n), y].mean())
    accuracy = float(np.mean(A2.argmax(axis=1) == y))
    got = _pair(answer(params, X, y), "(loss, accuracy)")
    require(all(np.ndim(v) == 0 for v in got),
            "return two numbers (loss, accuracy), not arrays: the loss is "
            "the MEAN over the images, the accuracy one fraction.")
    _python_floats(got)
    got_loss, got_accuracy = (float(v) for v in got)
    require(not (np.isclose(got_loss, accuracy)
                 and np.isclose(got_accuracy, loss)),
            "the pair is in the wrong order: return (loss, accuracy).")
    if not np.isclose(got_accuracy, accuracy, rtol=0, atol=1e-12):
        by_column = float(np.mean(A2.argmax(axis=0)[y % n_out] == y))
        require(not np.isclose(got_accuracy, accuracy * n),
                f"the accuracy {got_accuracy:g} is a count: divide by the "
                f"number of images ({n}) to get the fraction correct.")
        require(not np.isclose(got_accuracy, 1 - accuracy),
                "you returned the error rate: the accuracy is the fraction "
                "of images whose most probable class IS the label.")
        require(False, f"the accuracy should be {accuracy:.4f}, got "
                f"{got_accuracy:.4f}: take the most probable class of each "
                "image, the argmax over the classes (axis=1), and compare "
                "it with y" + (" (you took it over the images, axis=0)"
                               if np.isclose(got_accuracy, by_column)
                               else "") + ".")
    require(not np.isclose(got_loss, loss * n),
            f"the loss is {n} times too large: it is the MEAN cross-entropy "
            "over the images, not the sum.")
    require(np.isclose(got_loss, loss, rtol=1e-9, atol=0),
            f"the loss should be the mean cross-entropy {loss:.6f}, got "
            f"{got_loss:.6f}: cross_entropy(cache['A2'], y) of the "
            "forward pass.")
    return f"loss and accuracy of {n} images right ({accuracy:.2f} correct)."


def _python_floats(got) -> None:
    """The spec's "a pair of Python floats" (np.float64 is one; not
    np.float32, nor a 0-d array)."""
    names = [type(v).__name__ for v in got]
    require(all(isinstance(v, float) for v in got),
            f"return Python floats, got ({names[0]}, {names[1]}): convert "
            "each number with float(...), so that the pair prints and "
            "compares like plain numbers whatever the network's dtype.")


def _float32_network(answer) -> str:
    """A float32 network still gives a pair of Python floats."""
    rng = np.random.default_rng(35)
    params = _network(rng, 5, 4, 3, std=1.5, dtype=np.float32)
    X = rng.random((30, 5)).astype(np.float32)
    y = rng.integers(0, 3, 30)
    got = _pair(answer(params, X, y), "(loss, accuracy)")
    _python_floats(got)
    A2 = expit(X.astype(np.float64) @ params["W1"].T.astype(np.float64)
               + params["b1"]) @ params["W2"].T.astype(np.float64) \
        + params["b2"]
    log_P = A2 - A2.max(axis=1, keepdims=True)
    log_P -= np.log(np.exp(log_P).sum(axis=1, keepdims=True))
    loss = float(-log_P[np.arange(30), y].mean())
    require(np.isclose(got[0], loss, rtol=1e-4, atol=0)
            and np.isclose(got[1], np.mean(A2.argmax(axis=1) == y),
                           rtol=0, atol=1.01 / 30),  # a float32 near-tie
            f"on a float32 network the pair should be about ({loss:.5f}, "
            f"{np.mean(A2.argmax(axis=1) == y):.4f}), got {got}.")
    return "a float32 network gives two Python floats"


def _evaluate_on(answer, n, seed=3):
    """``answer(params, X, y)`` on ``n`` images of a small network."""
    rng = np.random.default_rng(seed)
    return answer(_network(rng, 4, 3, 2), rng.random((n, 4)),
                  rng.integers(0, 2, n))


def _confident_and_wrong(answer) -> str:
    """The spec's "from the logits": a sure wrong guess gives a finite loss."""
    params = {"W1": np.zeros((2, 3)), "b1": np.zeros(2),
              "W2": np.zeros((3, 2)), "b2": np.array([0.0, 900.0, -900.0])}
    X, y = np.ones((4, 3)), np.array([0, 1, 2, 1])
    with np.errstate(all="ignore"):
        loss, accuracy = (float(v) for v in answer(params, X, y))
    require(np.isfinite(loss) and np.isclose(loss, 675.0, rtol=1e-9),
            f"with logits (0, 900, -900) and labels 0, 1, 2, 1 the mean loss "
            f"is (900 + 0 + 1800 + 0) / 4 = 675, got {loss}: -log P "
            "underflows to inf. Compute the loss from the logits with "
            "cross_entropy(cache['A2'], y) (log-sum-exp).")
    require(accuracy == 0.5, f"accuracy should be 0.5, got {accuracy}.")
    return "a confident wrong guess gives a large finite loss"


def _rates_expected(initial_rate, decay, epochs):
    """The rate of each epoch, multiplied by decay once per epoch."""
    rates, rate = [], float(initial_rate)
    for _ in range(epochs):
        rates.append(rate)
        rate *= decay
    return np.array(rates)


def test_learning_rates(answer, initial_rate=2.0, decay=0.97,
                        epochs=30) -> str:
    """learning_rates(initial_rate, decay, epochs) against a running
    product."""
    expected = _rates_expected(initial_rate, decay, epochs)
    got = answer(initial_rate, decay, epochs)
    require(isinstance(got, np.ndarray),
            f"return a NumPy array of rates, not a {type(got).__name__}.")
    require(got.ndim == 1, f"return one rate per epoch, a 1-D array; got "
            f"shape {got.shape}.")
    require(len(got) == epochs or len(got) != epochs + 1,
            f"{epochs} epochs need {epochs} rates, got {epochs + 1}: "
            "epochs 0 to epochs - 1.")
    require(len(got) == epochs,
            f"one rate per epoch: expected {epochs} rates, got {len(got)}.")
    require(np.issubdtype(got.dtype, np.floating),
            f"rates are real numbers: return floats, not {got.dtype}.")
    if not np.allclose(got, expected, rtol=1e-12, atol=0):
        slips = [
            (expected * decay, "the first epoch already uses the decayed "
             "rate: epoch 0 trains with the initial rate, the first "
             "multiplication comes after it"),
            (initial_rate * (1 - decay) ** np.arange(epochs),
             f"each epoch multiplies the rate by {1 - decay:g} = 1 - decay: "
             "decay IS the factor"),
            (initial_rate * np.exp(-decay * np.arange(epochs)),
             "exp(-decay t) is another schedule: multiply by decay itself "
             "after every epoch"),
            (initial_rate / (1 + decay * np.arange(epochs)),
             "that is 1/t decay: multiply by decay after every epoch"),
            (initial_rate - (1 - decay) * initial_rate * np.arange(epochs),
             "the rate falls by a fixed amount each epoch: it falls by a "
             "fixed FACTOR, decay"),
        ]
        hints = [hint for value, hint in slips
                 if np.allclose(got, value, rtol=1e-9, atol=0)]
        require(False, f"the rates {np.round(got[:4], 5).tolist()}... "
                f"should be {np.round(expected[:4], 5).tolist()}..."
                + (f": {hints[0]}." if hints else
                   ": the first epoch uses initial_rate, and the rate is "
                   "multiplied by decay after every epoch."))
    return (f"{epochs} rates from {initial_rate:g}, x{decay:g} per epoch, "
            "right.")


def _refuses_settings(answer) -> str:
    """The spec's refusals: a clear ValueError that names the setting."""
    cases = [((0.0, 0.97, 10), "initial_rate"),
             ((-1.0, 0.97, 10), "initial_rate"),
             ((float("nan"), 0.97, 10), "initial_rate"),
             ((float("inf"), 0.97, 10), "initial_rate"),
             ((1.0, 0.0, 10), "decay"), ((1.0, -0.5, 10), "decay"),
             ((1.0, 1.05, 10), "decay"), ((1.0, float("nan"), 10), "decay"),
             ((1.0, 0.97, 0), "epochs"), ((1.0, 0.97, -3), "epochs"),
             ((1.0, 0.97, 2.5), "epochs")]
    names = ("initial_rate", "decay", "epochs")
    for args, name in cases:
        try:
            answer(*args)
        except ValueError as err:
            require(name in str(err), f"learning_rates{args} raised "
                    f"ValueError({str(err)!r}): name the setting that is "
                    f"wrong, {name!r}, in the message.")
            continue
        except Exception as err:  # noqa: BLE001 - any other error is wrong
            require(False, f"learning_rates{args} raised "
                    f"{type(err).__name__}: raise ValueError naming "
                    f"{name!r}.")
        require(False, f"learning_rates{args} did not raise ValueError: "
                f"refuse {name} = {args[names.index(name)]} before "
                "computing anything.")
    for args in [(1e-3, 1.0, 1), (5.0, 0.5, 3), (1.0, 1.0, 4.0)]:
        try:
            got = answer(*args)
        except ValueError as err:
            require(False, f"learning_rates{args} raised ValueError("
                    f"{str(err)!r}), but these settings are allowed "
                    "(decay 1 is a constant rate; epochs may be a whole "
                    "float).")
        require(np.allclose(got, _rates_expected(*args[:2], int(args[2]))),
                f"learning_rates{args} gave {np.asarray(got).tolist()}.")
    return "bad settings refused with their name, good ones accepted"


def _expected_confusions(y_true, y_pred, k, n_classes):
    """The k most frequent (true, predicted) pairs, counted one by one."""
    counts = {}
    for true, predicted in zip(y_true.tolist(), y_pred.tolist()):
        if true != predicted:
            counts[true, predicted] = counts.get((true, predicted), 0) + 1
    ranked = sorted(counts.items(), key=lambda item: (-item[1], item[0]))
    return [(t, p, c) for (t, p), c in ranked[:k]]


def test_most_confused(answer, seed=43, n=300, k=3, n_classes=10,
                       accuracy=0.6) -> str:
    """most_confused(y_true, y_pred, k, n_classes) on random labels."""
    rng = np.random.default_rng(seed)
    y_true = rng.integers(0, n_classes, n)
    y_pred = y_true.copy()
    wrong = rng.random(n) > accuracy
    # mistakes drawn from a few favourite wrong classes: some pairs repeat
    y_pred[wrong] = (y_true[wrong] + rng.integers(1, 4, wrong.sum())) \
        % n_classes
    expected = _expected_confusions(y_true, y_pred, k, n_classes)
    options = ({} if k == 3 else {"k": k}) | (  # the defaults: k 3, 10 classes
        {} if n_classes == 10 else {"n_classes": n_classes})
    got = answer(y_true, y_pred, **options)
    require(isinstance(got, list), f"return a list of (true, predicted, "
            f"count) triples, not a {type(got).__name__}.")
    require(all(isinstance(t, tuple) and len(t) == 3 for t in got),
            "every entry must be a triple (true, predicted, count).")
    kinds = sorted({type(v).__name__ for t in got for v in t
                    if not isinstance(v, int) or isinstance(v, bool)})
    require(not kinds, f"the triples hold {', '.join(kinds)} values: the "
            "spec asks for Python ints, convert each number with int(...).")
    if n_classes > 10 and got != expected:
        # the slip of coding the pairs as true * 10 + predicted
        codes = y_true * 10 + y_pred
        tens = sorted(((c // 10, c % 10, int(m)) for c, m in zip(
            *np.unique(codes[codes % 11 != 0], return_counts=True))),
            key=lambda t: (-t[2], t[0], t[1]))[:k]
        require(got != tens, f"with {n_classes} classes the pairs were "
                "coded as true * 10 + predicted, so different pairs share "
                "a code: code them with n_classes, true * n_classes + "
                "predicted (and decode with divmod by n_classes).")
    require(not any(c == 0 for _, _, c in got),
            "leave out pairs that never occur (count 0).")
    require(not any(t == p for t, p, _ in got),
            "a pair with true == predicted is a CORRECT answer, not a "
            "confusion: leave the diagonal out.")
    require(got == expected or got != _expected_confusions(
        y_pred, y_true, k, n_classes),
            "the pairs are (predicted, true): each triple is (true, "
            "predicted, count), the rows of the confusion matrix being the "
            "true classes.")
    require(len(got) == len(expected),
            f"expected the {len(expected)} most frequent confusions, got "
            f"{len(got)}" + (f": return at most k = {k}"
                             if len(got) > k else "") + ".")
    counts = [c for _, _, c in got]
    require(counts == sorted(counts, reverse=True),
            f"the counts {counts} must come in decreasing order: the most "
            "frequent confusion first.")
    require([c for _, _, c in expected] == counts,
            f"the counts should be {[c for _, _, c in expected]}, got "
            f"{counts}: count each (true, predicted) pair over all images "
            "and keep the largest.")
    require(got == expected,
            f"expected {expected}, got {got}: pairs with the same count "
            "come in increasing order of the true class, then of the "
            "predicted class.")
    return (f"the {len(expected)} most frequent confusions of {n} images "
            f"and {n_classes} classes right.")


def _forward_on(answer, n, seed=3):
    """``answer(params, X)`` on ``n`` images of a small network."""
    rng = np.random.default_rng(seed)
    return answer(_network(rng, 4, 3, 2), rng.random((n, 4)))


def _backward_on(answer, n, seed=3, dtype=np.float64, forget_first=False):
    """``answer(params, cache, Y)`` on ``n`` images of a small network;
    ``forget_first``: W1 and b1 are NaN (the cache holds all it needs)."""
    rng = np.random.default_rng(seed)
    params = _network(rng, 4, 3, 2, dtype=dtype)
    X = rng.random((n, 4)).astype(dtype)
    cache = mlp_forward(params, X)[1]
    Y = np.eye(2, dtype=dtype)[rng.integers(0, 2, n)]
    if forget_first:
        params = dict(params, W1=np.full_like(params["W1"], np.nan),
                      b1=np.full_like(params["b1"], np.nan))
    return answer(params, cache, Y)


def _cache_only(answer) -> str:
    """The spec's "use the cache only": W1 and b1 are not needed."""
    grads = _backward_on(answer, 5, forget_first=True)
    expected = _backward_on(answer, 5)
    bad = [k for k in expected
           if not np.allclose(grads[k], expected[k], equal_nan=True)]
    require(not bad, f"with params['W1'] and params['b1'] set to NaN the "
            f"gradients {bad} changed: a second forward pass. Take F1 and P "
            "from the cache: the backward pass needs only W2.")
    return "W1 and b1 are not read: the cache is used"


def _float32_weights(answer) -> str:
    """The spec's dtype clause, for the weight gradients (their cost)."""
    grads = _backward_on(answer, 5, dtype=np.float32)
    wide = [k for k in ("W1", "W2") if np.asarray(grads[k]).dtype != np.float32]
    require(not wide, f"float32 inputs gave {wide} in float64: keep the "
            "inputs' dtype (float64 products cost twice as much).")
    return "float32 weights get float32 gradients"


EXERCISES = {
    "3.1": Spec("mlp_forward", points=3, test=test_mlp_forward,
                reference="utils.saved.lab03_mlp:mlp_forward",
                clauses=(Clause("no loop over images", lambda answer: loop_free(
                    lambda n: _forward_on(answer, n), "image")),
                         Clause("float32 stays float32", _float32_forward),
                         Clause("the shape check kept", _input_checks_forward))),
    "3.2": Spec("mlp_backward", points=4, test=test_mlp_backward,
                reference="utils.saved.lab03_mlp:mlp_backward",
                clauses=(Clause("no loop over images", lambda answer: loop_free(
                    lambda n: _backward_on(answer, n), "image")),
                         Clause("uses the cache only", _cache_only),
                         Clause("float32 stays float32", _float32_weights),
                         Clause("the shape check kept", _input_checks_backward))),
    "3.3": Spec("train_epoch", points=3, test=test_train_epoch,
                reference="utils.saved.lab03_mlp:train_epoch",
                clauses=(Clause("float32 stays float32", _float32_epoch),
                         Clause("the argument checks kept", _input_checks_epoch))),
    "3.4": Spec("evaluate", points=1, test=test_evaluate,
                reference="utils.saved.lab03_mlp:evaluate",
                clauses=(Clause("a finite loss for sure wrong guesses",
                                _confident_and_wrong),
                         Clause("Python floats for a float32 network",
                                _float32_network),
                         Clause("no loop over images", lambda answer:
                                loop_free(lambda n: _evaluate_on(answer, n),
                                          "image")))),
    "3.5": Spec("learning_rates", points=2, test=test_learning_rates,
                reference="utils.saved.lab03_mlp:learning_rates",
                clauses=(Clause("bad settings refused", _refuses_settings),
                         Clause("no loop over epochs", lambda answer:
                                loop_free(lambda n: answer(1.0, 0.9, n),
                                          "epoch")))),
    "3.6": Spec("per_class_errors", points=1, test=test_per_class_errors,
                reference="utils.saved.lab03_mlp:per_class_errors",
                clauses=(Clause("no loop over images", lambda answer: loop_free(
                    lambda n: answer(np.arange(n) % 3, np.zeros(n, int), 3),
                    "image")),)),
    "3.7": Spec("most_confused", points=3, test=test_most_confused,
                reference="utils.saved.lab03_mlp:most_confused",
                replaces=("utils.plots:confusion_matrix",),
                clauses=(Clause("no loop over images", lambda answer: loop_free(
                    lambda n: answer(np.arange(n) % 3, np.zeros(n, int), 2,
                                     3), "image")),)),
}
