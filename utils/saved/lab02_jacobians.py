"""Saved code: the Jacobians and chain rule of lab 02.

Generated from ``labs/02_jacobians.ipynb`` by
``tools/save_code.py``: edit the lab's cells tagged ``save`` and run
``make saved``, never this file.
"""


from __future__ import annotations


import numpy as np
from .lab01_softmax import softmax


SAVED_FROM = "labs/02_jacobians.ipynb"
__all__ = ["sigmoid", "forward", "layer_jacobians", "dL_dW1_by_jacobians",
           "gradient_by_backprop", "dL_dW_by_jacobians",
           "batch_gradients"]


# labs/02_jacobians.ipynb, section "1 The network, one image at a time"
def sigmoid(a):
    """Return the logistic function of a, written with tanh (no overflow)."""
    return 0.5 + 0.5 * np.tanh(0.5 * a)


# labs/02_jacobians.ipynb, section "1 The network, one image at a time"
def forward(W1, b1, W2, b2, x):
    """Return a1, f1, a2, y_hat of the network for one image x (784,)."""
    a1 = W1 @ x + b1
    f1 = sigmoid(a1)
    a2 = W2 @ f1 + b2
    return a1, f1, a2, softmax(a2)


# labs/02_jacobians.ipynb, section "2 The Jacobians of one layer"
def layer_jacobians(W, b, v):
    """Return the Jacobians of a = W v + b and f = sigmoid(a), in a dict."""
    f = sigmoid(W @ v + b)
    n_out = len(b)
    return {"da/dW": np.kron(np.eye(n_out), v[None, :]),  # row-major vec(W)
            "da/db": np.eye(n_out),
            "da/dv": W.copy(),
            "df/da": np.diag(f * (1 - f))}


# labs/02_jacobians.ipynb, section "3 Chain, then reshape back"
def dL_dW1_by_jacobians(W1, b1, W2, b2, x, y):
    """Return dL/dW1 in W1's shape for one image, by chaining Jacobians."""
    _, f1, _, y_hat = forward(W1, b1, W2, b2, x)
    layer1 = layer_jacobians(W1, b1, x)
    layer2 = layer_jacobians(W2, b2, f1)
    dL_da1 = (y_hat - y)[None, :] @ layer2["da/dv"] @ layer1["df/da"]
    return (dL_da1 @ layer1["da/dW"]).reshape(W1.shape)


# labs/02_jacobians.ipynb, section "6 Why backprop is cheap: it is a sum over paths, with memory"
def gradient_by_backprop(weights, out, inputs, derivatives, i, j):
    """Return d output / d W_first[i, j], carrying the gradient backwards
    one layer at a time."""
    delta = out * derivatives[-1]
    for layer in range(len(weights) - 1, 0, -1):
        delta = (weights[layer].T @ delta) * derivatives[layer - 1]
    return delta[i] * inputs[0][j]


# labs/02_jacobians.ipynb, section "7 One more layer: the chain through any depth"
def dL_dW_by_jacobians(weights, biases, x, y):
    """Return ([dL/dW_1, ...], [dL/db_1, ...]) for one image, by chaining
    the Jacobians of every layer."""
    inputs = [x]
    for W, b in zip(weights[:-1], biases[:-1]):
        inputs.append(sigmoid(W @ inputs[-1] + b))
    y_hat = softmax(weights[-1] @ inputs[-1] + biases[-1])
    jacobians = [layer_jacobians(W, b, v)
                 for W, b, v in zip(weights, biases, inputs)]
    row = (y_hat - y)[None, :]  # dL/da of the last layer, 1 x n_out
    dWs, dbs = [], []
    for layer in reversed(range(len(weights))):
        dWs.insert(0, (row @ jacobians[layer]["da/dW"])
                   .reshape(weights[layer].shape))
        dbs.insert(0, (row @ jacobians[layer]["da/db"]).reshape(-1))
        if layer > 0:
            below = jacobians[layer - 1]["df/da"]  # the sigmoid under it
            row = row @ jacobians[layer]["da/dv"] @ below
    return dWs, dbs


# labs/02_jacobians.ipynb, section "8 Backprop for a batch, and what explicit Jacobians cost"
def batch_gradients(weights, biases, X, Y):
    """Return ([dL/dW_1, ...], [dL/db_1, ...]) of the mean loss of a batch,
    by backprop with matrix products."""
    outputs = [X]
    for W, b in zip(weights[:-1], biases[:-1]):
        outputs.append(sigmoid(outputs[-1] @ W.T + b))
    P = softmax(outputs[-1] @ weights[-1].T + biases[-1])
    delta = (P - Y) / len(X)  # dL/dA of the last layer, one row per image
    dWs, dbs = [], []
    for layer in reversed(range(len(weights))):
        dWs.insert(0, delta.T @ outputs[layer])
        dbs.insert(0, delta.sum(axis=0))
        if layer > 0:
            F = outputs[layer]
            delta = (delta @ weights[layer]) * F * (1 - F)
    return dWs, dbs
