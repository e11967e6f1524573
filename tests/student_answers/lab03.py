"""Student answers for lab 03 (a NumPy MLP: forward, backward, SGD epoch, errors)."""

import math
import numbers

import numpy as np
from scipy.special import logsumexp

from utils.plots import count_confusions
from utils.saved.lab01_softmax import one_hot, softmax
from utils.saved.lab02_jacobians import sigmoid
from utils.saved.lab03_mlp import mean_cross_entropy, mlp_backward, mlp_forward
from utils.saved.lab04_regularise import sgd_step


def _check_X(params, X):
    """The shape check the notebook writes for the student (kept in every answer)."""
    if X.ndim != 2 or X.shape[1] != params["W1"].shape[1]:
        raise ValueError(
            f"X must have shape (N, {params['W1'].shape[1]}) "
            f"(one flattened image per row), got {X.shape}."
        )


def _check_Y(Y_onehot, P):
    """The shape check of exercise 3.2, as written in the notebook."""
    if Y_onehot.shape != P.shape:
        raise ValueError(
            f"Y_onehot must have the shape of the "
            f"probabilities {P.shape}, got {Y_onehot.shape}: "
            "one row per image, one column per class."
        )


def _check_epoch(X, y, batch_size):
    """The argument checks of exercise 3.3, as written in the notebook."""
    n = len(X)
    if len(y) != n:
        raise ValueError(f"X has {n} images but y has {len(y)} labels.")
    if not 1 <= batch_size <= n:
        raise ValueError(
            f"batch_size must be between 1 and the training-set size {n}, got {batch_size}."
        )


# ------------------------------------------------------------ 3.1 mlp_forward
def mlp_forward__wrong_column_layout(params, X):
    """Computes with images as columns and never transposes back: P is (K, N)."""
    _check_X(params, X)
    A1 = params["W1"] @ X.T + params["b1"][:, None]
    F1 = sigmoid(A1)
    A2 = params["W2"] @ F1 + params["b2"][:, None]
    P = softmax(A2)
    return P, {"X": X, "F1": F1, "A2": A2, "P": P}


def mlp_forward__wrong_naive_sigmoid(params, X):
    """1 / (1 + exp(-A)): overflows (with a warning) for A < -88 in float32."""
    _check_X(params, X)
    F1 = 1 / (1 + np.exp(-(X @ params["W1"].T + params["b1"])))
    A2 = F1 @ params["W2"].T + params["b2"]
    P = softmax(A2)
    return P, {"X": X, "F1": F1, "A2": A2, "P": P}


def mlp_forward__wrong_unshifted_softmax(params, X):
    """Its own softmax without the max shift: nan for logits near 1000."""
    _check_X(params, X)
    F1 = sigmoid(X @ params["W1"].T + params["b1"])
    A2 = F1 @ params["W2"].T + params["b2"]
    E = np.exp(A2)
    P = E / E.sum(axis=1, keepdims=True)
    return P, {"X": X, "F1": F1, "A2": A2, "P": P}


def mlp_forward__wrong_softmax_over_batch(params, X):
    """Normalises the probabilities over the images (axis 0), not the classes."""
    _check_X(params, X)
    F1 = sigmoid(X @ params["W1"].T + params["b1"])
    A2 = F1 @ params["W2"].T + params["b2"]
    E = np.exp(A2 - A2.max(axis=0, keepdims=True))
    P = E / E.sum(axis=0, keepdims=True)
    return P, {"X": X, "F1": F1, "A2": A2, "P": P}


def mlp_forward__wrong_cache_preactivation(params, X):
    """Stores the pre-activations A1 under "F1" in the cache."""
    _check_X(params, X)
    A1 = X @ params["W1"].T + params["b1"]
    A2 = sigmoid(A1) @ params["W2"].T + params["b2"]
    P = softmax(A2)
    return P, {"X": X, "F1": A1, "A2": A2, "P": P}


def mlp_forward__wrong_float64(params, X):
    """Casts X to float64 'to be safe': float32 training silently becomes float64."""
    _check_X(params, X)
    X64 = X.astype(np.float64)
    F1 = sigmoid(X64 @ params["W1"].T.astype(np.float64) + params["b1"])
    A2 = F1 @ params["W2"].T.astype(np.float64) + params["b2"]
    P = softmax(A2)
    return P, {"X": X, "F1": F1, "A2": A2, "P": P}


def mlp_forward__wrong_relu(params, X):
    """ReLU hidden layer instead of the sigmoid of the lab."""
    _check_X(params, X)
    F1 = np.maximum(X @ params["W1"].T + params["b1"], 0)
    A2 = F1 @ params["W2"].T + params["b2"]
    P = softmax(A2)
    return P, {"X": X, "F1": F1, "A2": A2, "P": P}


def mlp_forward__wrong_no_output_bias(params, X):
    """Forgets b2 in the logits."""
    _check_X(params, X)
    F1 = sigmoid(X @ params["W1"].T + params["b1"])
    A2 = F1 @ params["W2"].T
    P = softmax(A2)
    return P, {"X": X, "F1": F1, "A2": A2, "P": P}


def mlp_forward__wrong_loop_over_images(params, X):
    """Right numbers, one image at a time in a Python loop (the spec forbids it)."""
    _check_X(params, X)
    rows_F1, rows_A2 = [], []
    for x in X:
        f1 = sigmoid(params["W1"] @ x + params["b1"])
        rows_F1.append(f1)
        rows_A2.append(params["W2"] @ f1 + params["b2"])
    F1, A2 = np.array(rows_F1), np.array(rows_A2)
    P = softmax(A2)
    return P, {"X": X, "F1": F1, "A2": A2, "P": P}


def mlp_forward__wrong_delegates(params, X):
    """Calls the saved reference in utils."""
    from utils.saved.lab03_mlp import mlp_forward as reference

    return reference(params, X)


def mlp_forward__right_einsum(params, X):
    """Both layers with np.einsum."""
    _check_X(params, X)
    F1 = sigmoid(np.einsum("nd,hd->nh", X, params["W1"]) + params["b1"])
    A2 = np.einsum("nh,kh->nk", F1, params["W2"]) + params["b2"]
    P = softmax(A2)
    return P, dict(X=X, F1=F1, A2=A2, P=P)


def mlp_forward__right_transposed_products(params, X):
    """(W X^T + b[:, None])^T: column layout inside, rows on the way out."""
    _check_X(params, X)
    F1 = sigmoid((params["W1"] @ X.T + params["b1"][:, None]).T)
    A2 = (params["W2"] @ F1.T).T + params["b2"]
    cache = {"X": X, "F1": F1, "A2": A2}
    cache["P"] = softmax(A2)
    return cache["P"], cache


def mlp_forward__right_np_dot(params, X):
    """np.dot and np.add, names unpacked from the dict first."""
    _check_X(params, X)
    W1, b1, W2, b2 = (params[k] for k in ("W1", "b1", "W2", "b2"))
    F1 = sigmoid(np.add(np.dot(X, W1.T), b1))
    A2 = np.add(np.dot(F1, W2.T), b2)
    P = softmax(A2)
    return P, {"P": P, "A2": A2, "F1": F1, "X": X}


# ----------------------------------------------------------- 3.2 mlp_backward
def mlp_backward__wrong_no_mean(params, cache, Y_onehot):
    """Forgets the 1/N: the gradients of the summed loss."""
    X, F1, P = cache["X"], cache["F1"], cache["P"]
    _check_Y(Y_onehot, P)
    dA2 = P - Y_onehot
    dA1 = (dA2 @ params["W2"]) * F1 * (1 - F1)
    return {"W1": dA1.T @ X, "b1": dA1.sum(axis=0), "W2": dA2.T @ F1, "b2": dA2.sum(axis=0)}


def mlp_backward__wrong_sign(params, cache, Y_onehot):
    """Y - P instead of P - Y."""
    X, F1, P = cache["X"], cache["F1"], cache["P"]
    _check_Y(Y_onehot, P)
    dA2 = (Y_onehot - P) / len(X)
    dA1 = (dA2 @ params["W2"]) * F1 * (1 - F1)
    return {"W1": dA1.T @ X, "b1": dA1.sum(axis=0), "W2": dA2.T @ F1, "b2": dA2.sum(axis=0)}


def mlp_backward__wrong_transposed_weights(params, cache, Y_onehot):
    """F1^T dA2 and X^T dA1: the transposes of dW2 and dW1."""
    X, F1, P = cache["X"], cache["F1"], cache["P"]
    _check_Y(Y_onehot, P)
    dA2 = (P - Y_onehot) / len(X)
    dA1 = (dA2 @ params["W2"]) * F1 * (1 - F1)
    return {"W1": X.T @ dA1, "b1": dA1.sum(axis=0), "W2": F1.T @ dA2, "b2": dA2.sum(axis=0)}


def mlp_backward__wrong_sigmoid_derivative(params, cache, Y_onehot):
    """sigma'(a) taken as 1 - f: a factor F1 missing."""
    X, F1, P = cache["X"], cache["F1"], cache["P"]
    _check_Y(Y_onehot, P)
    dA2 = (P - Y_onehot) / len(X)
    dA1 = (dA2 @ params["W2"]) * (1 - F1)
    return {"W1": dA1.T @ X, "b1": dA1.sum(axis=0), "W2": dA2.T @ F1, "b2": dA2.sum(axis=0)}


def mlp_backward__wrong_bias_axis(params, cache, Y_onehot):
    """Biases summed over the classes (axis 1) instead of over the images."""
    X, F1, P = cache["X"], cache["F1"], cache["P"]
    _check_Y(Y_onehot, P)
    dA2 = (P - Y_onehot) / len(X)
    dA1 = (dA2 @ params["W2"]) * F1 * (1 - F1)
    return {"W1": dA1.T @ X, "b1": dA1.sum(axis=1), "W2": dA2.T @ F1, "b2": dA2.sum(axis=1)}


def mlp_backward__wrong_bias_mean(params, cache, Y_onehot):
    """Biases averaged after the 1/N already applied: divided by N twice."""
    X, F1, P = cache["X"], cache["F1"], cache["P"]
    _check_Y(Y_onehot, P)
    dA2 = (P - Y_onehot) / len(X)
    dA1 = (dA2 @ params["W2"]) * F1 * (1 - F1)
    return {"W1": dA1.T @ X, "b1": dA1.mean(axis=0), "W2": dA2.T @ F1, "b2": dA2.mean(axis=0)}


def mlp_backward__wrong_float64(params, cache, Y_onehot):
    """Converts every gradient to float64: float32 parameters get float64 steps."""
    X, F1, P = cache["X"], cache["F1"], cache["P"]
    _check_Y(Y_onehot, P)
    dA2 = (P - Y_onehot) / len(X)
    dA1 = (dA2 @ params["W2"]) * F1 * (1 - F1)
    grads = {"W1": dA1.T @ X, "b1": dA1.sum(axis=0), "W2": dA2.T @ F1, "b2": dA2.sum(axis=0)}
    return {name: np.asarray(g, dtype=float) for name, g in grads.items()}


def mlp_backward__wrong_W1_from_hidden(params, cache, Y_onehot):
    """dW1 = dA1^T F1: multiplies by the layer's output, not its input X."""
    X, F1, P = cache["X"], cache["F1"], cache["P"]
    _check_Y(Y_onehot, P)
    dA2 = (P - Y_onehot) / len(X)
    dA1 = (dA2 @ params["W2"]) * F1 * (1 - F1)
    return {"W1": dA1.T @ F1, "b1": dA1.sum(axis=0), "W2": dA2.T @ F1, "b2": dA2.sum(axis=0)}


def mlp_backward__wrong_second_forward(params, cache, Y_onehot):
    """Runs mlp_forward again instead of using the cache."""
    X = cache["X"]
    _check_Y(Y_onehot, cache["P"])
    P, fresh = mlp_forward(params, X)
    F1 = fresh["F1"]
    dA2 = (P - Y_onehot) / len(X)
    dA1 = (dA2 @ params["W2"]) * F1 * (1 - F1)
    return {"W1": dA1.T @ X, "b1": dA1.sum(axis=0), "W2": dA2.T @ F1, "b2": dA2.sum(axis=0)}


def mlp_backward__wrong_loop_over_images(params, cache, Y_onehot):
    """Right values from per-image outer products in a Python loop."""
    X, F1, P = cache["X"], cache["F1"], cache["P"]
    _check_Y(Y_onehot, P)
    N = len(X)
    grads = {name: np.zeros_like(value) for name, value in params.items()}
    for x, f1, p, y in zip(X, F1, P, Y_onehot):
        da2 = (p - y) / N
        da1 = (params["W2"].T @ da2) * f1 * (1 - f1)
        grads["W2"] += np.outer(da2, f1)
        grads["b2"] += da2
        grads["W1"] += np.outer(da1, x)
        grads["b1"] += da1
    return grads


def mlp_backward__wrong_delegates(params, cache, Y_onehot):
    """Calls the saved reference in utils."""
    from utils.saved.lab03_mlp import mlp_backward as reference

    return reference(params, cache, Y_onehot)


def mlp_backward__right_einsum(params, cache, Y_onehot):
    """All four gradients with np.einsum."""
    X, F1, P = cache["X"], cache["F1"], cache["P"]
    _check_Y(Y_onehot, P)
    dA2 = (P - Y_onehot) / X.shape[0]
    dA1 = np.einsum("nk,kh->nh", dA2, params["W2"]) * (F1 - F1**2)
    return {
        "W2": np.einsum("nk,nh->kh", dA2, F1),
        "b2": np.einsum("nk->k", dA2),
        "W1": np.einsum("nh,nd->hd", dA1, X),
        "b1": np.einsum("nh->h", dA1),
    }


def mlp_backward__right_ones_vector(params, cache, Y_onehot):
    """Bias gradients as 1^T dA, with a ones vector in the gradient's dtype."""
    X, F1, P = cache["X"], cache["F1"], cache["P"]
    _check_Y(Y_onehot, P)
    dA2 = (P - Y_onehot) * (1.0 / len(X))
    ones = np.ones(len(X), dtype=dA2.dtype)
    dA1 = dA2 @ params["W2"] * F1 * (1 - F1)
    return {"W1": dA1.T @ X, "b1": ones @ dA1, "W2": dA2.T @ F1, "b2": ones @ dA2}


def mlp_backward__right_divide_at_end(params, cache, Y_onehot):
    """Gradients of the summed loss first, every one divided by N at the end."""
    X, F1, P = cache["X"], cache["F1"], cache["P"]
    _check_Y(Y_onehot, P)
    delta2 = P - Y_onehot
    delta1 = (delta2 @ params["W2"]) * F1 * (1 - F1)
    summed = {"W1": delta1.T @ X, "b1": delta1.sum(0), "W2": delta2.T @ F1, "b2": delta2.sum(0)}
    n = len(X)
    return {name: g / n for name, g in summed.items()}


# ------------------------------------------------------------ 3.3 train_epoch
def train_epoch__wrong_no_shuffle(
    params, X, y, batch_size, learning_rate, rng, weight_decay=0.0, step=sgd_step
):
    """Visits the images in their stored order: no shuffle."""
    _check_epoch(X, y, batch_size)
    n, total = len(X), 0.0
    for start in range(0, n, batch_size):
        batch = np.arange(start, min(start + batch_size, n))
        P, cache = mlp_forward(params, X[batch])
        total += mean_cross_entropy(cache["A2"], y[batch]) * len(batch)
        grads = mlp_backward(params, cache, one_hot(y[batch], P.shape[1], P.dtype))
        step(params, grads, learning_rate, weight_decay)
    return total / n


def train_epoch__wrong_labels_shuffled_apart(
    params, X, y, batch_size, learning_rate, rng, weight_decay=0.0, step=sgd_step
):
    """Draws one permutation for X and another for y: labels leave their images."""
    _check_epoch(X, y, batch_size)
    n, total = len(X), 0.0
    X_shuffled, y_shuffled = X[rng.permutation(n)], y[rng.permutation(n)]
    for start in range(0, n, batch_size):
        xb, yb = X_shuffled[start : start + batch_size], y_shuffled[start : start + batch_size]
        P, cache = mlp_forward(params, xb)
        total += mean_cross_entropy(cache["A2"], yb) * len(yb)
        grads = mlp_backward(params, cache, one_hot(yb, P.shape[1], P.dtype))
        step(params, grads, learning_rate, weight_decay)
    return total / n


def train_epoch__wrong_drops_last_batch(
    params, X, y, batch_size, learning_rate, rng, weight_decay=0.0, step=sgd_step
):
    """n // batch_size full batches only: the partial last batch is skipped."""
    _check_epoch(X, y, batch_size)
    n = len(X)
    order = rng.permutation(n)
    total, seen = 0.0, 0
    for b in range(n // batch_size):
        batch = order[b * batch_size : (b + 1) * batch_size]
        P, cache = mlp_forward(params, X[batch])
        total += mean_cross_entropy(cache["A2"], y[batch]) * len(batch)
        seen += len(batch)
        grads = mlp_backward(params, cache, one_hot(y[batch], P.shape[1], P.dtype))
        step(params, grads, learning_rate, weight_decay)
    return total / seen


def train_epoch__wrong_mean_of_batch_losses(
    params, X, y, batch_size, learning_rate, rng, weight_decay=0.0, step=sgd_step
):
    """Averages the batch losses: a small last batch weighs as much as a full one."""
    _check_epoch(X, y, batch_size)
    n = len(X)
    order = rng.permutation(n)
    losses = []
    for start in range(0, n, batch_size):
        batch = order[start : start + batch_size]
        P, cache = mlp_forward(params, X[batch])
        losses.append(mean_cross_entropy(cache["A2"], y[batch]))
        grads = mlp_backward(params, cache, one_hot(y[batch], P.shape[1], P.dtype))
        step(params, grads, learning_rate, weight_decay)
    return float(np.mean(losses))


def train_epoch__wrong_loss_after_step(
    params, X, y, batch_size, learning_rate, rng, weight_decay=0.0, step=sgd_step
):
    """Records each batch's loss after its step (a second forward pass)."""
    _check_epoch(X, y, batch_size)
    n = len(X)
    order = rng.permutation(n)
    total = 0.0
    for start in range(0, n, batch_size):
        batch = order[start : start + batch_size]
        P, cache = mlp_forward(params, X[batch])
        grads = mlp_backward(params, cache, one_hot(y[batch], P.shape[1], P.dtype))
        step(params, grads, learning_rate, weight_decay)
        _, after = mlp_forward(params, X[batch])
        total += mean_cross_entropy(after["A2"], y[batch]) * len(batch)
    return total / n


def train_epoch__wrong_ten_classes(
    params, X, y, batch_size, learning_rate, rng, weight_decay=0.0, step=sgd_step
):
    """one_hot with its defaults: 10 classes, whatever the network's output size."""
    _check_epoch(X, y, batch_size)
    n = len(X)
    order = rng.permutation(n)
    total = 0.0
    for start in range(0, n, batch_size):
        batch = order[start : start + batch_size]
        P, cache = mlp_forward(params, X[batch])
        total += mean_cross_entropy(cache["A2"], y[batch]) * len(batch)
        grads = mlp_backward(params, cache, one_hot(y[batch]))
        step(params, grads, learning_rate, weight_decay)
    return total / n


def train_epoch__wrong_drops_weight_decay(
    params, X, y, batch_size, learning_rate, rng, weight_decay=0.0, step=sgd_step
):
    """Calls step(params, grads, learning_rate): weight_decay never reaches it."""
    _check_epoch(X, y, batch_size)
    n = len(X)
    order = rng.permutation(n)
    total = 0.0
    for start in range(0, n, batch_size):
        batch = order[start : start + batch_size]
        P, cache = mlp_forward(params, X[batch])
        total += mean_cross_entropy(cache["A2"], y[batch]) * len(batch)
        grads = mlp_backward(params, cache, one_hot(y[batch], P.shape[1], P.dtype))
        step(params, grads, learning_rate)
    return total / n


def train_epoch__wrong_ignores_step_argument(
    params, X, y, batch_size, learning_rate, rng, weight_decay=0.0, step=sgd_step
):
    """Always calls sgd_step itself, ignoring the step passed in."""
    _check_epoch(X, y, batch_size)
    n = len(X)
    order = rng.permutation(n)
    total = 0.0
    for start in range(0, n, batch_size):
        batch = order[start : start + batch_size]
        P, cache = mlp_forward(params, X[batch])
        total += mean_cross_entropy(cache["A2"], y[batch]) * len(batch)
        grads = mlp_backward(params, cache, one_hot(y[batch], P.shape[1], P.dtype))
        sgd_step(params, grads, learning_rate, weight_decay)
    return total / n


def train_epoch__wrong_shuffles_inputs(
    params, X, y, batch_size, learning_rate, rng, weight_decay=0.0, step=sgd_step
):
    """Shuffles X and y in place (same batches, but the caller's data is reordered)."""
    _check_epoch(X, y, batch_size)
    n = len(X)
    order = rng.permutation(n)
    X[:], y[:] = X[order], y[order]
    total = 0.0
    for start in range(0, n, batch_size):
        xb, yb = X[start : start + batch_size], y[start : start + batch_size]
        P, cache = mlp_forward(params, xb)
        total += mean_cross_entropy(cache["A2"], yb) * len(yb)
        grads = mlp_backward(params, cache, one_hot(yb, P.shape[1], P.dtype))
        step(params, grads, learning_rate, weight_decay)
    return total / n


def train_epoch__wrong_array_split(
    params, X, y, batch_size, learning_rate, rng, weight_decay=0.0, step=sgd_step
):
    """np.array_split into ceil(n / B) pieces: equal-ish sizes, not B, B, ..., rest."""
    _check_epoch(X, y, batch_size)
    n = len(X)
    order = rng.permutation(n)
    total = 0.0
    for batch in np.array_split(order, -(-n // batch_size)):
        P, cache = mlp_forward(params, X[batch])
        total += mean_cross_entropy(cache["A2"], y[batch]) * len(batch)
        grads = mlp_backward(params, cache, one_hot(y[batch], P.shape[1], P.dtype))
        step(params, grads, learning_rate, weight_decay)
    return total / n


def train_epoch__wrong_with_replacement(
    params, X, y, batch_size, learning_rate, rng, weight_decay=0.0, step=sgd_step
):
    """rng.integers(n, size=n): images drawn with replacement, some never seen."""
    _check_epoch(X, y, batch_size)
    n = len(X)
    order = rng.integers(n, size=n)
    total = 0.0
    for start in range(0, n, batch_size):
        batch = order[start : start + batch_size]
        P, cache = mlp_forward(params, X[batch])
        total += mean_cross_entropy(cache["A2"], y[batch]) * len(batch)
        grads = mlp_backward(params, cache, one_hot(y[batch], P.shape[1], P.dtype))
        step(params, grads, learning_rate, weight_decay)
    return total / n


def train_epoch__wrong_batch_off_by_one(
    params, X, y, batch_size, learning_rate, rng, weight_decay=0.0, step=sgd_step
):
    """order[start:start + batch_size - 1]: one image of every batch is skipped."""
    _check_epoch(X, y, batch_size)
    n = len(X)
    order = rng.permutation(n)
    total, seen = 0.0, 0
    for start in range(0, n, batch_size):
        batch = order[start : start + batch_size - 1]
        if len(batch) == 0:
            continue
        P, cache = mlp_forward(params, X[batch])
        total += mean_cross_entropy(cache["A2"], y[batch]) * len(batch)
        seen += len(batch)
        grads = mlp_backward(params, cache, one_hot(y[batch], P.shape[1], P.dtype))
        step(params, grads, learning_rate, weight_decay)
    return total / max(seen, 1)


def train_epoch__wrong_delegates(
    params, X, y, batch_size, learning_rate, rng, weight_decay=0.0, step=sgd_step
):
    """Calls the saved reference in utils."""
    from utils.saved.lab03_mlp import train_epoch as reference

    return reference(
        params, X, y, batch_size, learning_rate, rng, weight_decay=weight_decay, step=step
    )


def train_epoch__right_shuffle_arange(
    params, X, y, batch_size, learning_rate, rng, weight_decay=0.0, step=sgd_step
):
    """rng.shuffle(np.arange(n)): the same draw as rng.permutation(n)."""
    _check_epoch(X, y, batch_size)
    n = len(X)
    order = np.arange(n)
    rng.shuffle(order)
    total = 0.0
    for start in range(0, n, batch_size):
        idx = order[start : start + batch_size]
        xb, yb = X[idx], y[idx]
        P, cache = mlp_forward(params, xb)
        total += mean_cross_entropy(cache["A2"], yb) * len(idx)
        step(
            params,
            mlp_backward(params, cache, one_hot(yb, P.shape[1], P.dtype)),
            learning_rate,
            weight_decay,
        )
    return total / n


def train_epoch__right_np_split(
    params, X, y, batch_size, learning_rate, rng, weight_decay=0.0, step=sgd_step
):
    """np.split at B, 2B, ...: batches of B and a smaller rest; np.average by size."""
    _check_epoch(X, y, batch_size)
    n = len(X)
    losses, sizes = [], []
    for batch in np.split(rng.permutation(n), range(batch_size, n, batch_size)):
        P, cache = mlp_forward(params, X[batch])
        losses.append(mean_cross_entropy(cache["A2"], y[batch]))
        sizes.append(len(batch))
        grads = mlp_backward(params, cache, one_hot(y[batch], n_classes=P.shape[1], dtype=P.dtype))
        step(params, grads, learning_rate, weight_decay)
    return float(np.average(losses, weights=sizes))


def train_epoch__right_while_loop(
    params, X, y, batch_size, learning_rate, rng, weight_decay=0.0, step=sgd_step
):
    """A while loop over start positions; the per-image loss summed then divided."""
    _check_epoch(X, y, batch_size)
    n = len(X)
    order = rng.permutation(n)
    start, summed = 0, 0.0
    while start < n:
        batch = order[start : min(n, start + batch_size)]
        start += batch_size
        P, cache = mlp_forward(params, X[batch])
        summed += len(batch) * mean_cross_entropy(cache["A2"], y[batch])
        K = cache["P"].shape[1]
        grads = mlp_backward(params, cache, one_hot(y[batch], K, cache["P"].dtype))
        step(params, grads, learning_rate, weight_decay)
    return summed / n


# ------------------------------------------------------- 3.4 per_class_errors
def per_class_errors__wrong_by_predicted_class(y_true, y_pred, n_classes=10):
    """Counts the errors under the predicted class, not the true class."""
    return np.bincount(y_pred[y_true != y_pred], minlength=n_classes)


def per_class_errors__wrong_no_minlength(y_true, y_pred, n_classes=10):
    """No minlength: the array stops at the largest class with an error."""
    return np.bincount(y_true[y_true != y_pred])


def per_class_errors__wrong_counts_correct(y_true, y_pred, n_classes=10):
    """Counts the correctly classified images instead of the errors."""
    return np.bincount(y_true[y_true == y_pred], minlength=n_classes)


def per_class_errors__wrong_float_weights(y_true, y_pred, n_classes=10):
    """bincount with boolean weights: right counts, but a float64 array."""
    return np.bincount(y_true, weights=y_true != y_pred, minlength=n_classes)


def per_class_errors__wrong_python_list(y_true, y_pred, n_classes=10):
    """Right counts returned as a Python list."""
    return np.bincount(y_true[y_true != y_pred], minlength=n_classes).tolist()


def per_class_errors__wrong_loop_over_images(y_true, y_pred, n_classes=10):
    """Right counts from a Python loop over the images (the spec forbids it)."""
    counts = np.zeros(n_classes, dtype=int)
    for t, p in zip(y_true, y_pred):
        if t != p:
            counts[t] += 1
    return counts


def per_class_errors__wrong_default_ten(y_true, y_pred, n_classes=10):
    """minlength=10 hard-coded: ignores n_classes."""
    return np.bincount(y_true[y_true != y_pred], minlength=10)


def per_class_errors__wrong_delegates(y_true, y_pred, n_classes=10):
    """Calls the saved reference in utils."""
    from utils.saved.lab03_mlp import per_class_errors as reference

    return reference(y_true, y_pred, n_classes)


def per_class_errors__right_add_at(y_true, y_pred, n_classes=10):
    """np.add.at on a zero integer array."""
    counts = np.zeros(n_classes, dtype=np.int64)
    np.add.at(counts, y_true[y_pred != y_true], 1)
    return counts


def per_class_errors__right_loop_over_classes(y_true, y_pred, n_classes=10):
    """A loop over the classes (not the images), each a vectorised count."""
    return np.array([np.sum((y_true == k) & (y_pred != k)) for k in range(n_classes)])


def per_class_errors__right_totals_minus_correct(y_true, y_pred, n_classes=10):
    """Images per class minus correct ones per class, both by bincount."""
    return np.bincount(y_true, minlength=n_classes) - np.bincount(
        y_true[y_true == y_pred], minlength=n_classes
    )


def per_class_errors__right_count_confusions(y_true, y_pred, n_classes=10):
    """Row sums minus the diagonal of the confusion matrix from utils.plots."""
    counts = count_confusions(y_true, y_pred, n_classes)
    return counts.sum(axis=1) - np.diag(counts)


ANSWERS = {
    "3.1": {
        "wrong": [
            mlp_forward__wrong_column_layout,
            mlp_forward__wrong_naive_sigmoid,
            mlp_forward__wrong_unshifted_softmax,
            mlp_forward__wrong_softmax_over_batch,
            mlp_forward__wrong_cache_preactivation,
            mlp_forward__wrong_float64,
            mlp_forward__wrong_relu,
            mlp_forward__wrong_no_output_bias,
            mlp_forward__wrong_loop_over_images,
            mlp_forward__wrong_delegates,
        ],
        "right": [
            mlp_forward__right_einsum,
            mlp_forward__right_transposed_products,
            mlp_forward__right_np_dot,
        ],
    },
    "3.2": {
        "wrong": [
            mlp_backward__wrong_no_mean,
            mlp_backward__wrong_sign,
            mlp_backward__wrong_transposed_weights,
            mlp_backward__wrong_sigmoid_derivative,
            mlp_backward__wrong_bias_axis,
            mlp_backward__wrong_bias_mean,
            mlp_backward__wrong_float64,
            mlp_backward__wrong_W1_from_hidden,
            mlp_backward__wrong_second_forward,
            mlp_backward__wrong_loop_over_images,
            mlp_backward__wrong_delegates,
        ],
        "right": [
            mlp_backward__right_einsum,
            mlp_backward__right_ones_vector,
            mlp_backward__right_divide_at_end,
        ],
    },
    "3.3": {
        "wrong": [
            train_epoch__wrong_no_shuffle,
            train_epoch__wrong_labels_shuffled_apart,
            train_epoch__wrong_drops_last_batch,
            train_epoch__wrong_mean_of_batch_losses,
            train_epoch__wrong_loss_after_step,
            train_epoch__wrong_ten_classes,
            train_epoch__wrong_drops_weight_decay,
            train_epoch__wrong_ignores_step_argument,
            train_epoch__wrong_shuffles_inputs,
            train_epoch__wrong_array_split,
            train_epoch__wrong_with_replacement,
            train_epoch__wrong_batch_off_by_one,
            train_epoch__wrong_delegates,
        ],
        "right": [
            train_epoch__right_shuffle_arange,
            train_epoch__right_np_split,
            train_epoch__right_while_loop,
        ],
    },
    "3.6": {
        "wrong": [
            per_class_errors__wrong_by_predicted_class,
            per_class_errors__wrong_no_minlength,
            per_class_errors__wrong_counts_correct,
            per_class_errors__wrong_float_weights,
            per_class_errors__wrong_python_list,
            per_class_errors__wrong_loop_over_images,
            per_class_errors__wrong_default_ten,
            per_class_errors__wrong_delegates,
        ],
        "right": [
            per_class_errors__right_add_at,
            per_class_errors__right_loop_over_classes,
            per_class_errors__right_totals_minus_correct,
            per_class_errors__right_count_confusions,
        ],
    },
}


# --------------------------------------------------------------- 3.4 evaluate
def evaluate__wrong_log_of_P(params, X, y):
    """-mean(log P[label]): infinite when a label's probability rounds to 0."""
    P, cache = mlp_forward(params, X)
    with np.errstate(divide="ignore"):
        loss = -np.mean(np.log(P[np.arange(len(y)), y]))
    accuracy = np.mean(P.argmax(axis=1) == y)
    return float(loss), float(accuracy)


def evaluate__wrong_clipped_log(params, X, y):
    """log of P clipped at 1e-12: finite, but capped near 27.6 per image."""
    P, cache = mlp_forward(params, X)
    picked = np.clip(P[np.arange(len(y)), y], 1e-12, 1.0)
    loss = -np.mean(np.log(picked))
    accuracy = np.mean(P.argmax(axis=1) == y)
    return float(loss), float(accuracy)


def evaluate__wrong_unshifted_logsumexp(params, X, y):
    """log(sum(exp(A2))) without the max shift: overflows to inf for big logits."""
    P, cache = mlp_forward(params, X)
    A2 = cache["A2"]
    with np.errstate(over="ignore"):
        log_norm = np.log(np.exp(A2).sum(axis=1))
    loss = np.mean(log_norm - A2[np.arange(len(y)), y])
    accuracy = np.mean(P.argmax(axis=1) == y)
    return float(loss), float(accuracy)


def evaluate__wrong_entropy_of_P(params, X, y):
    """Feeds the probabilities P (not the logits) to mean_cross_entropy."""
    P, cache = mlp_forward(params, X)
    loss = mean_cross_entropy(P, y)
    accuracy = np.mean(P.argmax(axis=1) == y)
    return float(loss), float(accuracy)


def evaluate__wrong_summed_loss(params, X, y):
    """Total cross-entropy over the images instead of the mean."""
    P, cache = mlp_forward(params, X)
    loss = mean_cross_entropy(cache["A2"], y) * len(y)
    accuracy = np.mean(P.argmax(axis=1) == y)
    return float(loss), float(accuracy)


def evaluate__wrong_error_rate(params, X, y):
    """Returns the fraction of mistakes (1 - accuracy) as the accuracy."""
    P, cache = mlp_forward(params, X)
    loss = mean_cross_entropy(cache["A2"], y)
    return loss, float(np.mean(P.argmax(axis=1) != y))


def evaluate__wrong_float32_scalars(params, X, y):
    """Own log-softmax in the network's float32, returned as np.float32 scalars."""
    P, cache = mlp_forward(params, X)
    A2 = cache["A2"]
    shifted = A2 - A2.max(axis=1, keepdims=True)
    log_p = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    loss = -log_p[np.arange(len(y)), y].mean()
    accuracy = (P.argmax(axis=1) == y).astype(A2.dtype).mean()
    return loss, accuracy


def evaluate__wrong_loop_over_images(params, X, y):
    """Right numbers, one image at a time in a Python loop (the spec forbids it)."""
    total, correct = 0.0, 0
    for x, label in zip(X, y):
        P, cache = mlp_forward(params, x[None, :])
        total += mean_cross_entropy(cache["A2"], np.array([label]))
        correct += int(P[0].argmax() == label)
    return total / len(y), correct / len(y)


def evaluate__right_scipy_logsumexp(params, X, y):
    """scipy.special.logsumexp of the logits minus the label's logit."""
    _, cache = mlp_forward(params, X)
    A2 = cache["A2"].astype(np.float64)
    label_logit = np.take_along_axis(A2, np.asarray(y)[:, None], axis=1)[:, 0]
    loss = float(np.mean(logsumexp(A2, axis=1) - label_logit))
    accuracy = np.count_nonzero(A2.argmax(axis=1) == y) / len(y)
    return loss, float(accuracy)


def evaluate__right_one_hot_log_softmax(params, X, y):
    """Log-softmax of the logits, picked out by a one-hot product."""
    P, cache = mlp_forward(params, X)
    A2 = cache["A2"]
    m = A2.max(axis=1, keepdims=True)
    log_soft = A2 - m - np.log(np.sum(np.exp(A2 - m), axis=1, keepdims=True))
    Y = one_hot(y, A2.shape[1], np.float64)
    loss = -(Y * log_soft).sum() / len(y)
    hits = (np.argmax(P, axis=1) == y).sum()
    return float(loss), float(hits) / len(y)


def evaluate__right_helper(params, X, y):
    """The lab's mean_cross_entropy on the logits; accuracy as a mean of booleans."""
    P, cache = mlp_forward(params, X)
    return mean_cross_entropy(cache["A2"], y), float((P.argmax(1) == y).mean())


# --------------------------------------------------------- 3.5 learning_rates
def _is_number(x):
    """A real number (Python or NumPy), not a bool or a string."""
    return isinstance(x, numbers.Real) and not isinstance(x, (bool, np.bool_))


def _check_decay_epochs(decay, epochs):
    """The spec's checks of decay and epochs, as a student would write them."""
    if not _is_number(decay) or not 0 < decay <= 1:
        raise ValueError(f"decay must be in (0, 1], got {decay!r}.")
    if not _is_number(epochs) or not math.isfinite(epochs) or epochs < 1 or int(epochs) != epochs:
        raise ValueError(f"epochs must be a whole number of at least 1, got {epochs!r}.")


def _check_rates_loose(initial_rate, decay, epochs):
    """A student's checks that only test the sign of initial_rate (nan/inf pass)."""
    if not _is_number(initial_rate) or initial_rate <= 0:
        raise ValueError(f"initial_rate must be above 0, got {initial_rate!r}.")
    _check_decay_epochs(decay, epochs)


def _check_rates(initial_rate, decay, epochs):
    """The full checks of the spec, as a student would write them."""
    if not _is_number(initial_rate) or not math.isfinite(initial_rate) or initial_rate <= 0:
        raise ValueError(f"initial_rate must be a finite number above 0, got {initial_rate!r}.")
    _check_decay_epochs(decay, epochs)


def learning_rates__wrong_decayed_first_epoch(initial_rate, decay, epochs):
    """decay ** (t + 1): the first epoch already runs at the decayed rate."""
    _check_rates(initial_rate, decay, epochs)
    t = np.arange(1, int(epochs) + 1)
    return initial_rate * decay ** t.astype(float)


def learning_rates__wrong_nan_passes(initial_rate, decay, epochs):
    """Only checks initial_rate <= 0: nan and inf rates are accepted."""
    _check_rates_loose(initial_rate, decay, epochs)
    return initial_rate * float(decay) ** np.arange(int(epochs))


def _check_rate(initial_rate):
    """The spec's check of initial_rate."""
    if not _is_number(initial_rate) or not math.isfinite(initial_rate) or initial_rate <= 0:
        raise ValueError(f"initial_rate must be a finite number above 0, got {initial_rate!r}.")


def _check_epochs(epochs):
    """The spec's check of epochs."""
    if not _is_number(epochs) or not math.isfinite(epochs) or epochs < 1 or int(epochs) != epochs:
        raise ValueError(f"epochs must be a whole number of at least 1, got {epochs!r}.")


def learning_rates__wrong_allows_growth(initial_rate, decay, epochs):
    """Checks decay > 0 only: a decay above 1 is accepted."""
    _check_rate(initial_rate)
    if not _is_number(decay) or not decay > 0:
        raise ValueError(f"decay must be above 0, got {decay!r}.")
    _check_epochs(epochs)
    return initial_rate * float(decay) ** np.arange(int(epochs))


def learning_rates__wrong_refuses_constant(initial_rate, decay, epochs):
    """0 < decay < 1: the constant schedule (decay = 1) is refused."""
    _check_rate(initial_rate)
    if not _is_number(decay) or not 0 < decay < 1:
        raise ValueError(f"decay must be strictly between 0 and 1, got {decay!r}.")
    _check_epochs(epochs)
    return initial_rate * float(decay) ** np.arange(int(epochs))


def learning_rates__wrong_truncates_epochs(initial_rate, decay, epochs):
    """int(epochs) without a wholeness check: 4.5 epochs quietly becomes 4."""
    _check_rate(initial_rate)
    if not _is_number(decay) or not 0 < decay <= 1:
        raise ValueError(f"decay must be in (0, 1], got {decay!r}.")
    if not _is_number(epochs) or not math.isfinite(epochs) or int(epochs) < 1:
        raise ValueError(f"epochs must be at least 1, got {epochs!r}.")
    return initial_rate * float(decay) ** np.arange(int(epochs))


def learning_rates__wrong_rejects_whole_float(initial_rate, decay, epochs):
    """isinstance(epochs, int): refuses 4.0 (and NumPy integers)."""
    _check_rate(initial_rate)
    if not _is_number(decay) or not 0 < decay <= 1:
        raise ValueError(f"decay must be in (0, 1], got {decay!r}.")
    if not isinstance(epochs, int) or isinstance(epochs, bool) or epochs < 1:
        raise ValueError(f"epochs must be an int of at least 1, got {epochs!r}.")
    return initial_rate * float(decay) ** np.arange(epochs)


def learning_rates__wrong_int_dtype(initial_rate, decay, epochs):
    """np.full(epochs, initial_rate) * decay ** t: integer array for rate 1, decay 1."""
    _check_rates(initial_rate, decay, epochs)
    t = np.arange(int(epochs))
    return np.full(int(epochs), initial_rate) * decay**t


def learning_rates__wrong_python_loop(initial_rate, decay, epochs):
    """Right rates, multiplied epoch by epoch in a Python loop (the spec forbids it)."""
    _check_rates(initial_rate, decay, epochs)
    rates, rate = [], float(initial_rate)
    for _ in range(int(epochs)):
        rates.append(rate)
        rate *= decay
    return np.array(rates)


def learning_rates__right_cumprod(initial_rate, decay, epochs):
    """Cumulative product of [eta0, d, d, ...]; checks with math and numbers."""

    def real(x):
        return isinstance(x, numbers.Real) and not isinstance(x, (bool, np.bool_))

    if not real(initial_rate) or not math.isfinite(initial_rate) or initial_rate <= 0:
        raise ValueError(f"initial_rate must be a finite number above 0, got {initial_rate!r}.")
    if not real(decay) or not (0 < decay <= 1):
        raise ValueError(f"decay must lie in (0, 1], got {decay!r}.")
    if (
        not real(epochs)
        or not math.isfinite(epochs)
        or not float(epochs).is_integer()
        or epochs < 1
    ):
        raise ValueError(f"epochs must be a whole number >= 1, got {epochs!r}.")
    factors = np.full(int(epochs), float(decay))
    factors[0] = float(initial_rate)
    return np.cumprod(factors)


def learning_rates__right_exp_log(initial_rate, decay, epochs):
    """exp(log eta0 + t log d), checks written as positive conditions."""
    ok_rate = _is_number(initial_rate) and np.isfinite(initial_rate) and initial_rate > 0
    if not ok_rate:
        raise ValueError(f"initial_rate: expected a finite number > 0, got {initial_rate!r}")
    ok_decay = _is_number(decay) and 0 < decay <= 1
    if not ok_decay:
        raise ValueError(f"decay: expected 0 < decay <= 1, got {decay!r}")
    ok_epochs = (
        _is_number(epochs) and np.isfinite(epochs) and epochs >= 1 and np.floor(epochs) == epochs
    )
    if not ok_epochs:
        raise ValueError(f"epochs: expected a whole number >= 1, got {epochs!r}")
    t = np.arange(int(epochs), dtype=np.float64)
    return np.exp(np.log(float(initial_rate)) + t * np.log(float(decay)))


def learning_rates__right_power(initial_rate, decay, epochs):
    """np.power of a float decay over a float range of epochs."""
    _check_rates(initial_rate, decay, epochs)
    return float(initial_rate) * np.power(float(decay), np.arange(float(int(epochs))))


# ---------------------------------------------------------- 3.7 most_confused
def _pair_counts(y_true, y_pred, n_classes):
    """Counts of all K^2 (true, predicted) pairs, coded as true * K + predicted."""
    codes = np.asarray(y_true, dtype=np.int64) * n_classes + np.asarray(y_pred, dtype=np.int64)
    return np.bincount(codes, minlength=n_classes * n_classes)


def most_confused__wrong_keeps_diagonal(y_true, y_pred, k=3, n_classes=10):
    """Forgets to zero the diagonal: correct predictions count as confusions."""
    counts = _pair_counts(y_true, y_pred, n_classes)
    order = np.argsort(-counts, kind="stable")[:k]
    return [
        (int(c // n_classes), int(c % n_classes), int(counts[c])) for c in order if counts[c] > 0
    ]


def most_confused__wrong_reversed_ties(y_true, y_pred, k=3, n_classes=10):
    """argsort(counts)[::-1]: ties come out in decreasing order of the pair."""
    counts = _pair_counts(y_true, y_pred, n_classes)
    counts[:: n_classes + 1] = 0
    order = np.argsort(counts, kind="stable")[::-1][:k]
    return [
        (int(c // n_classes), int(c % n_classes), int(counts[c])) for c in order if counts[c] > 0
    ]


def most_confused__wrong_swapped_code(y_true, y_pred, k=3, n_classes=10):
    """Codes pred * K + true but decodes as (true, pred): pairs come out transposed."""
    codes = np.asarray(y_pred, dtype=np.int64) * n_classes + np.asarray(y_true, dtype=np.int64)
    counts = np.bincount(codes, minlength=n_classes * n_classes)
    counts[:: n_classes + 1] = 0
    order = np.argsort(-counts, kind="stable")[:k]
    return [
        (int(c // n_classes), int(c % n_classes), int(counts[c])) for c in order if counts[c] > 0
    ]


def most_confused__wrong_keeps_zero_counts(y_true, y_pred, k=3, n_classes=10):
    """Always returns k pairs, padding with pairs that never occur (count 0)."""
    counts = _pair_counts(y_true, y_pred, n_classes)
    counts[:: n_classes + 1] = 0
    counts[:: n_classes + 1] = -1  # keep the diagonal out of the list
    order = np.argsort(-counts, kind="stable")[:k]
    return [(int(c // n_classes), int(c % n_classes), int(counts[c])) for c in order]


def most_confused__wrong_hardcoded_ten(y_true, y_pred, k=3, n_classes=10):
    """Codes true * 10 + predicted whatever n_classes: pairs collide above 10 classes."""
    counts = _pair_counts(y_true, y_pred, 10)
    counts[::11] = 0
    order = np.argsort(-counts, kind="stable")[:k]
    return [(int(c // 10), int(c % 10), int(counts[c])) for c in order if counts[c] > 0]


def most_confused__wrong_numpy_ints(y_true, y_pred, k=3, n_classes=10):
    """Right pairs, but the triples hold np.int64 values, not Python ints."""
    counts = _pair_counts(y_true, y_pred, n_classes)
    np.fill_diagonal(counts.reshape(n_classes, n_classes), 0)
    order = np.argsort(-counts, kind="stable")[:k]
    true, pred = np.divmod(order, n_classes)
    return [(t, p, counts[c]) for t, p, c in zip(true, pred, order) if counts[c] > 0]


def most_confused__wrong_ties_by_predicted(y_true, y_pred, k=3, n_classes=10):
    """Ties broken by the predicted class first, then the true class."""
    counts = _pair_counts(y_true, y_pred, n_classes).reshape(n_classes, n_classes)
    np.fill_diagonal(counts, 0)
    flat_by_pred = counts.T.ravel()  # index p * K + t
    order = np.argsort(-flat_by_pred, kind="stable")[:k]
    return [
        (int(c % n_classes), int(c // n_classes), int(flat_by_pred[c]))
        for c in order
        if flat_by_pred[c] > 0
    ]


def most_confused__wrong_loop_over_images(y_true, y_pred, k=3, n_classes=10):
    """Right list, counted one image at a time in a Python loop (the spec forbids it)."""
    counts = np.zeros((n_classes, n_classes), dtype=np.int64)
    for t, p in zip(y_true, y_pred):
        if t != p:
            counts[t, p] += 1
    flat = counts.ravel()
    order = np.argsort(-flat, kind="stable")[:k]
    return [(int(c // n_classes), int(c % n_classes), int(flat[c])) for c in order if flat[c] > 0]


def most_confused__right_unique_lexsort(y_true, y_pred, k=3, n_classes=10):
    """np.unique of the off-diagonal codes with counts, then lexsort(code, -count)."""
    y_true = np.asarray(y_true).astype(np.int64)
    y_pred = np.asarray(y_pred).astype(np.int64)
    off = y_true != y_pred
    codes, counts = np.unique(y_true[off] * n_classes + y_pred[off], return_counts=True)
    order = np.lexsort((codes, -counts))[:k]
    return [(int(codes[i]) // n_classes, int(codes[i]) % n_classes, int(counts[i])) for i in order]


def most_confused__right_add_at_sorted(y_true, y_pred, k=3, n_classes=10):
    """np.add.at on a K x K matrix; sorted() over the nonzero pairs (not the images)."""
    C = np.zeros((n_classes, n_classes), dtype=np.int64)
    np.add.at(C, (np.asarray(y_true), np.asarray(y_pred)), 1)
    np.fill_diagonal(C, 0)
    rows, cols = np.nonzero(C)
    triples = [(int(t), int(p), int(C[t, p])) for t, p in zip(rows, cols)]
    return sorted(triples, key=lambda tpc: (-tpc[2], tpc[0], tpc[1]))[:k]


def most_confused__right_bincount_stable(y_true, y_pred, k=3, n_classes=10):
    """bincount of the codes, stable argsort of minus the counts, divmod back."""
    codes = np.asarray(y_true, dtype=np.int64) * n_classes + np.asarray(y_pred, dtype=np.int64)
    counts = np.bincount(codes, minlength=n_classes**2)
    counts[np.arange(n_classes) * (n_classes + 1)] = 0
    best = np.argsort(-counts, kind="stable")[:k]
    best = best[counts[best] > 0]
    return [(*divmod(int(c), n_classes), int(counts[c])) for c in best]


ANSWERS["3.4"] = {
    "wrong": [
        evaluate__wrong_log_of_P,
        evaluate__wrong_clipped_log,
        evaluate__wrong_unshifted_logsumexp,
        evaluate__wrong_entropy_of_P,
        evaluate__wrong_summed_loss,
        evaluate__wrong_error_rate,
        evaluate__wrong_float32_scalars,
        evaluate__wrong_loop_over_images,
    ],
    "right": [
        evaluate__right_scipy_logsumexp,
        evaluate__right_one_hot_log_softmax,
        evaluate__right_helper,
    ],
}
ANSWERS["3.5"] = {
    "wrong": [
        learning_rates__wrong_decayed_first_epoch,
        learning_rates__wrong_nan_passes,
        learning_rates__wrong_allows_growth,
        learning_rates__wrong_refuses_constant,
        learning_rates__wrong_truncates_epochs,
        learning_rates__wrong_rejects_whole_float,
        learning_rates__wrong_int_dtype,
        learning_rates__wrong_python_loop,
    ],
    "right": [
        learning_rates__right_cumprod,
        learning_rates__right_exp_log,
        learning_rates__right_power,
    ],
}
ANSWERS["3.7"] = {
    "wrong": [
        most_confused__wrong_keeps_diagonal,
        most_confused__wrong_reversed_ties,
        most_confused__wrong_swapped_code,
        most_confused__wrong_keeps_zero_counts,
        most_confused__wrong_hardcoded_ten,
        most_confused__wrong_numpy_ints,
        most_confused__wrong_ties_by_predicted,
        most_confused__wrong_loop_over_images,
    ],
    "right": [
        most_confused__right_unique_lexsort,
        most_confused__right_add_at_sorted,
        most_confused__right_bincount_stable,
    ],
}
