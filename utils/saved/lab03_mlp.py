"""Saved code: the NumPy two-layer perceptron of lab 03.

Generated from ``labs/03_numpy_mlp.ipynb`` by
``tools/save_code.py``: edit the lab's cells tagged ``save`` and run
``make saved``, never this file.
"""


from __future__ import annotations


import numpy as np
from .lab01_softmax import one_hot, softmax
from .lab02_jacobians import sigmoid


SAVED_FROM = "labs/03_numpy_mlp.ipynb"
__all__ = ["init_mlp", "mean_cross_entropy", "mlp_forward", "mlp_backward",
           "plain_sgd_step", "train_epoch", "evaluate",
           "learning_rates", "per_class_errors", "most_confused"]


# labs/03_numpy_mlp.ipynb, section "1 The forward pass"
def init_mlp(hidden_width, rng, n_in=784, n_out=10, std=0.1,
             dtype=np.float32):
    """Return the parameters {W1, b1, W2, b2}: N(0, std^2) weights, zero
    biases."""
    if int(hidden_width) < 1:
        raise ValueError(f"hidden_width must be at least 1, got "
                         f"{hidden_width}.")
    return {
        "W1": (std * rng.standard_normal((hidden_width, n_in))
               ).astype(dtype),                     # (H, 784)
        "b1": np.zeros(hidden_width, dtype=dtype),  # (H,)
        "W2": (std * rng.standard_normal((n_out, hidden_width))
               ).astype(dtype),                     # (10, H)
        "b2": np.zeros(n_out, dtype=dtype),         # (10,)
    }


# labs/03_numpy_mlp.ipynb, section "1 The forward pass"
def mean_cross_entropy(A, y):
    """Return the mean cross-entropy of logits A (N, K) for labels y (N,),
    via log-sum-exp."""
    shifted = A - A.max(axis=1, keepdims=True)
    log_norm = np.log(np.exp(shifted).sum(axis=1))
    return float(np.mean(log_norm - shifted[np.arange(len(y)), y]))


# labs/03_numpy_mlp.ipynb, section "1 The forward pass"
def mlp_forward(params, X):
    """Return (P, cache): class probabilities P (N, K) of images X (N, D)
    and what the backward pass needs."""
    if X.ndim != 2 or X.shape[1] != params["W1"].shape[1]:
        raise ValueError(f"X must have shape (N, {params['W1'].shape[1]}) "
                         f"(one flattened image per row), got {X.shape}.")
    A1 = X @ params["W1"].T + params["b1"]   # (N, H)  pre-activations
    F1 = sigmoid(A1)                         # (N, H)  hidden activations
    A2 = F1 @ params["W2"].T + params["b2"]  # (N, K)  logits
    P = softmax(A2)                          # (N, K)  probabilities
    return P, {"X": X, "F1": F1, "A2": A2, "P": P}


# labs/03_numpy_mlp.ipynb, section "2 The backward pass"
def mlp_backward(params, cache, Y_onehot):
    """Return the gradients {W1, b1, W2, b2} of the MEAN cross-entropy
    over the batch."""
    X, F1, P = cache["X"], cache["F1"], cache["P"]
    if Y_onehot.shape != P.shape:
        raise ValueError(f"Y_onehot must have the shape of the "
                         f"probabilities {P.shape}, got {Y_onehot.shape}: "
                         "one row per image, one column per class.")
    dA2 = (P - Y_onehot) / len(X)  # (N, K) dL/dA2, 1/N for the mean
    dF1 = dA2 @ params["W2"]       # (N, H) back through W2
    dA1 = dF1 * F1 * (1 - F1)      # (N, H) sigmoid' = f (1 - f)
    return {
        "W1": dA1.T @ X,           # (H, D)
        "b1": dA1.sum(axis=0),     # (H,)
        "W2": dA2.T @ F1,          # (K, H)
        "b2": dA2.sum(axis=0),     # (K,)
    }


# labs/03_numpy_mlp.ipynb, section "3 Minibatch SGD"
def plain_sgd_step(params, grads, learning_rate, weight_decay=0.0):
    """Take one SGD step in place: every parameter moves by -learning_rate
    times its gradient. It has no weight decay, and refuses one."""
    if weight_decay:
        raise ValueError(f"plain_sgd_step has no weight decay, got "
                         f"weight_decay={weight_decay}: pass a step with "
                         "weight decay (lab 04's sgd_step) as step.")
    for name, grad in grads.items():
        params[name] -= learning_rate * grad


# labs/03_numpy_mlp.ipynb, section "3 Minibatch SGD"
def train_epoch(params, X, y, batch_size, learning_rate, rng,
                weight_decay=0.0, step=plain_sgd_step):
    """Train one epoch of minibatch SGD in place; return its mean loss.

    The images are visited in the order rng.permutation(len(X)), in
    batches of batch_size (the last may be smaller); every batch ends with
    step(params, grads, learning_rate, weight_decay). The loss is the mean
    over all images, each counted once, before its batch's step.
    """
    n = len(X)
    if len(y) != n:
        raise ValueError(f"X has {n} images but y has {len(y)} labels.")
    if not 1 <= batch_size <= n:
        raise ValueError(f"batch_size must be between 1 and the "
                         f"training-set size {n}, got {batch_size}.")
    order = rng.permutation(n)              # a new shuffle every epoch
    total_loss = 0.0
    for start in range(0, n, batch_size):   # the last batch may be smaller
        batch = order[start:start + batch_size]
        P, cache = mlp_forward(params, X[batch])
        total_loss += mean_cross_entropy(cache["A2"], y[batch]) * len(batch)
        Y_batch = one_hot(y[batch], P.shape[1], P.dtype)
        grads = mlp_backward(params, cache, Y_batch)
        step(params, grads, learning_rate, weight_decay)
    return total_loss / n


# labs/03_numpy_mlp.ipynb, section "3 Minibatch SGD"
def evaluate(params, X, y):
    """Return (mean cross-entropy, accuracy) of the network on X and y."""
    P, cache = mlp_forward(params, X)
    loss = mean_cross_entropy(cache["A2"], y)   # log-sum-exp of the logits
    accuracy = float(np.mean(P.argmax(axis=1) == y))
    return loss, accuracy


# labs/03_numpy_mlp.ipynb, section "4 Training: constant learning rate versus decay"
def learning_rates(initial_rate, decay, epochs):
    """Return the learning rate of every epoch: initial_rate, multiplied by
    decay after every epoch."""
    if not (np.isfinite(initial_rate) and initial_rate > 0):
        raise ValueError(f"initial_rate must be a finite number above 0, "
                         f"got {initial_rate}.")
    if not 0 < decay <= 1:
        raise ValueError(f"decay must be in (0, 1], got {decay}.")
    if epochs < 1 or epochs != int(epochs):
        raise ValueError(f"epochs must be a whole number >= 1, got {epochs}.")
    t = np.arange(int(epochs), dtype=np.float64)   # epochs 0, 1, ...
    return initial_rate * decay ** t               # one factor per epoch


# labs/03_numpy_mlp.ipynb, section "6 Results"
def per_class_errors(y_true, y_pred, n_classes=10):
    """Return, for each true class, how many of its images were
    misclassified."""
    wrong = y_true != y_pred                        # misclassified images
    return np.bincount(y_true[wrong], minlength=n_classes)


# labs/03_numpy_mlp.ipynb, section "6 Results"
def most_confused(y_true, y_pred, k=3, n_classes=10):
    """Return the k most frequent (true, predicted, count) confusions."""
    codes = y_true * n_classes + y_pred             # one integer per pair
    pairs = np.bincount(codes)                      # count of every code
    pairs[::n_classes + 1] = 0                      # the diagonal is right
    order = np.argsort(-pairs, kind="stable")[:k]   # ties: smaller code
    return [(*divmod(int(c), n_classes), int(pairs[c]))
            for c in order if pairs[c] > 0]
