"""Student answers for lab 02 (Jacobians of a layer, chain rule, deep backprop)."""

import numpy as np
from scipy.linalg import block_diag
from scipy.special import expit

from utils.saved.lab01_softmax import softmax
from utils.saved.lab02_jacobians import forward, layer_jacobians, sigmoid  # the notebook's names


# ------------------------------------------------------- 2.1 layer_jacobians
def layer_jacobians__wrong_column_major(W, b, v):
    """da/dW for W flattened column-major: kron(v^T, I) instead of kron(I, v^T)."""
    f = sigmoid(W @ v + b)
    n_out = len(b)
    return {
        "da/dW": np.kron(v[None, :], np.eye(n_out)),
        "da/db": np.eye(n_out),
        "da/dv": W.copy(),
        "df/da": np.diag(f * (1 - f)),
    }


def layer_jacobians__wrong_da_dv_transposed(W, b, v):
    """da/dv = W^T: rows and columns swapped."""
    f = sigmoid(W @ v + b)
    n_out = len(b)
    return {
        "da/dW": np.kron(np.eye(n_out), v[None, :]),
        "da/db": np.eye(n_out),
        "da/dv": W.T.copy(),
        "df/da": np.diag(f * (1 - f)),
    }


def layer_jacobians__wrong_df_da_vector(W, b, v):
    """df/da returned as the vector f(1 - f), not the diagonal matrix."""
    f = sigmoid(W @ v + b)
    n_out = len(b)
    return {
        "da/dW": np.kron(np.eye(n_out), v[None, :]),
        "da/db": np.eye(n_out),
        "da/dv": W.copy(),
        "df/da": f * (1 - f),
    }


def layer_jacobians__wrong_derivative_of_a(W, b, v):
    """sigma'(a) written as a (1 - a): the pre-activation instead of f."""
    a = W @ v + b
    n_out = len(b)
    return {
        "da/dW": np.kron(np.eye(n_out), v[None, :]),
        "da/db": np.eye(n_out),
        "da/dv": W.copy(),
        "df/da": np.diag(a * (1 - a)),
    }


def layer_jacobians__wrong_da_dW_tiled(W, b, v):
    """da/dW as v^T repeated per row, shape (n_out, n_in): not the Kronecker form."""
    f = sigmoid(W @ v + b)
    n_out = len(b)
    return {
        "da/dW": np.tile(v, (n_out, 1)),
        "da/db": np.eye(n_out),
        "da/dv": W.copy(),
        "df/da": np.diag(f * (1 - f)),
    }


def layer_jacobians__wrong_da_db_ones(W, b, v):
    """da/db as a matrix of ones: every bias moves every output."""
    f = sigmoid(W @ v + b)
    n_out = len(b)
    return {
        "da/dW": np.kron(np.eye(n_out), v[None, :]),
        "da/db": np.ones((n_out, n_out)),
        "da/dv": W.copy(),
        "df/da": np.diag(f * (1 - f)),
    }


def layer_jacobians__wrong_sigmoid_of_wv(W, b, v):
    """Forgets the bias inside the sigmoid: f = sigma(W v)."""
    f = sigmoid(W @ v)
    n_out = len(b)
    return {
        "da/dW": np.kron(np.eye(n_out), v[None, :]),
        "da/db": np.eye(n_out),
        "da/dv": W.copy(),
        "df/da": np.diag(f * (1 - f)),
    }


def layer_jacobians__wrong_delegates(W, b, v):
    """Calls the saved reference in utils."""
    from utils.saved.lab02_jacobians import layer_jacobians as reference

    return reference(W, b, v)


def layer_jacobians__right_loop_blocks(W, b, v):
    """Builds the row-major da/dW block by block in a loop over the outputs."""
    n_out, n_in = W.shape
    f = sigmoid(W @ v + b)
    da_dW = np.zeros((n_out, n_out * n_in))
    for i in range(n_out):
        da_dW[i, i * n_in : (i + 1) * n_in] = v
    return {
        "da/dW": da_dW,
        "da/db": np.identity(n_out),
        "da/dv": np.array(W),
        "df/da": np.diagflat(f * (1 - f)),
    }


def layer_jacobians__right_block_diag_expit(W, b, v):
    """scipy's block_diag of n_out copies of v^T and expit for the sigmoid."""
    n_out = W.shape[0]
    f = expit(W @ v + b)
    return {
        "df/da": np.diag(f - f**2),
        "da/dv": W + 0.0,
        "da/db": np.eye(n_out, dtype=float),
        "da/dW": block_diag(*[v[None, :]] * n_out),
    }


def layer_jacobians__right_einsum(W, b, v):
    """da/dW[i, (k, j)] = delta_ik v_j built with einsum and reshaped."""
    n_out, n_in = W.shape
    f = sigmoid(W @ v + b)
    eye = np.eye(n_out)
    return {
        "da/dW": np.einsum("ik,j->ikj", eye, v).reshape(n_out, n_out * n_in),
        "da/db": eye.copy(),
        "da/dv": W.copy(),
        "df/da": eye * (f * (1 - f)),
    }


# -------------------------------------------------- 2.2 dL_dW1_by_jacobians
def dL_dW1_by_jacobians__wrong_outer_product(W1, b1, W2, b2, x, y):
    """Skips the Jacobians: the backprop outer product (the spec asks for the chain)."""
    _, f1, _, y_hat = forward(W1, b1, W2, b2, x)
    return np.outer((W2.T @ (y_hat - y)) * f1 * (1 - f1), x)


def dL_dW1_by_jacobians__wrong_column_major_reshape(W1, b1, W2, b2, x, y):
    """Reshapes the row in Fortran order: not the order that built it."""
    _, f1, _, y_hat = forward(W1, b1, W2, b2, x)
    layer1 = layer_jacobians(W1, b1, x)
    layer2 = layer_jacobians(W2, b2, f1)
    dL_da1 = (y_hat - y)[None, :] @ layer2["da/dv"] @ layer1["df/da"]
    return (dL_da1 @ layer1["da/dW"]).reshape(W1.shape, order="F")


def dL_dW1_by_jacobians__wrong_sign(W1, b1, W2, b2, x, y):
    """Starts the chain from y - y_hat."""
    _, f1, _, y_hat = forward(W1, b1, W2, b2, x)
    layer1 = layer_jacobians(W1, b1, x)
    layer2 = layer_jacobians(W2, b2, f1)
    dL_da1 = (y - y_hat)[None, :] @ layer2["da/dv"] @ layer1["df/da"]
    return (dL_da1 @ layer1["da/dW"]).reshape(W1.shape)


def dL_dW1_by_jacobians__wrong_extra_output_sigmoid(W1, b1, W2, b2, x, y):
    """Chains layer 2's df/da too, though a softmax, not a sigmoid, follows a2."""
    _, f1, _, y_hat = forward(W1, b1, W2, b2, x)
    layer1 = layer_jacobians(W1, b1, x)
    layer2 = layer_jacobians(W2, b2, f1)
    dL_da1 = (y_hat - y)[None, :] @ layer2["df/da"] @ layer2["da/dv"] @ layer1["df/da"]
    return (dL_da1 @ layer1["da/dW"]).reshape(W1.shape)


def dL_dW1_by_jacobians__wrong_skips_sigmoid(W1, b1, W2, b2, x, y):
    """Forgets df1/da1 in the chain."""
    _, f1, _, y_hat = forward(W1, b1, W2, b2, x)
    layer1 = layer_jacobians(W1, b1, x)
    layer2 = layer_jacobians(W2, b2, f1)
    dL_da1 = (y_hat - y)[None, :] @ layer2["da/dv"]
    return (dL_da1 @ layer1["da/dW"]).reshape(W1.shape)


def dL_dW1_by_jacobians__wrong_hard_coded_shape(W1, b1, W2, b2, x, y):
    """Reshapes to (64, 784): only MNIST's network works."""
    _, f1, _, y_hat = forward(W1, b1, W2, b2, x)
    layer1 = layer_jacobians(W1, b1, x)
    layer2 = layer_jacobians(W2, b2, f1)
    dL_da1 = (y_hat - y)[None, :] @ layer2["da/dv"] @ layer1["df/da"]
    return (dL_da1 @ layer1["da/dW"]).reshape(64, 784)


def dL_dW1_by_jacobians__wrong_W2_not_from_jacobians(W1, b1, W2, b2, x, y):
    """Uses W2 itself for da2/df1 and builds df/da by hand: only da/dW is chained."""
    _, f1, _, y_hat = forward(W1, b1, W2, b2, x)
    layer1 = layer_jacobians(W1, b1, x)
    dL_da1 = (y_hat - y)[None, :] @ W2 @ np.diag(f1 * (1 - f1))
    return (dL_da1 @ layer1["da/dW"]).reshape(W1.shape)


def dL_dW1_by_jacobians__wrong_delegates(W1, b1, W2, b2, x, y):
    """Calls the saved reference in utils (which uses its own layer_jacobians)."""
    from utils.saved.lab02_jacobians import dL_dW1_by_jacobians as reference

    return reference(W1, b1, W2, b2, x, y)


def dL_dW1_by_jacobians__right_column_vectors(W1, b1, W2, b2, x, y):
    """The transposed chain, J^T ... g on column vectors, then reshape."""
    _, f1, _, y_hat = forward(W1, b1, W2, b2, x)
    J1 = layer_jacobians(W1, b1, x)
    J2 = layer_jacobians(W2, b2, f1)
    g = (y_hat - y)[:, None]  # (n_out, 1)
    g = J2["da/dv"].T @ g
    g = J1["df/da"].T @ g
    return (J1["da/dW"].T @ g).reshape(W1.shape)


def dL_dW1_by_jacobians__right_multi_dot(W1, b1, W2, b2, x, y):
    """np.linalg.multi_dot over the whole chain, 1-D start vector."""
    a1, f1, a2, y_hat = forward(W1, b1, W2, b2, x)
    first = layer_jacobians(W1, b1, x)
    second = layer_jacobians(W2, b2, f1)
    row = np.linalg.multi_dot(
        [(y_hat - y)[None, :], second["da/dv"], first["df/da"], first["da/dW"]]
    )
    hidden, n_in = W1.shape
    return row.reshape(hidden, n_in)


def dL_dW1_by_jacobians__right_one_d(W1, b1, W2, b2, x, y):
    """Chains with 1-D vectors (vector @ matrix) and ravel before reshaping."""
    out = forward(W1, b1, W2, b2, x)
    jac1, jac2 = layer_jacobians(W1, b1, x), layer_jacobians(W2, b2, out[1])
    dL_da2 = out[3] - y
    dL_df1 = dL_da2 @ jac2["da/dv"]
    dL_da1 = dL_df1 @ jac1["df/da"]
    return np.ravel(dL_da1 @ jac1["da/dW"]).reshape(np.shape(W1))


# ------------------------------------------------- 2.3 gradient_by_backprop
def gradient_by_backprop__wrong_no_transpose(weights, out, inputs, derivatives, i, j):
    """W_{l+1} delta instead of W_{l+1}^T delta."""
    delta = out * derivatives[-1]
    for layer in range(len(weights) - 1, 0, -1):
        delta = (weights[layer] @ delta) * derivatives[layer - 1]
    return delta[i] * inputs[0][j]


def gradient_by_backprop__wrong_includes_first_weights(weights, out, inputs, derivatives, i, j):
    """Loop runs down to layer 0: one matrix product too many."""
    delta = out * derivatives[-1]
    for layer in range(len(weights) - 1, -1, -1):
        delta = (weights[layer].T @ delta) * derivatives[layer - 1]
    return delta[i] * inputs[0][j]


def gradient_by_backprop__wrong_derivative_index(weights, out, inputs, derivatives, i, j):
    """Multiplies by derivatives[layer] instead of derivatives[layer - 1]."""
    delta = out * derivatives[-1]
    for layer in range(len(weights) - 1, 0, -1):
        delta = (weights[layer].T @ delta) * derivatives[layer]
    return delta[i] * inputs[0][j]


def gradient_by_backprop__wrong_input_of_layer_two(weights, out, inputs, derivatives, i, j):
    """Uses inputs[1] (f_1) as x instead of inputs[0]."""
    delta = out * derivatives[-1]
    for layer in range(len(weights) - 1, 0, -1):
        delta = (weights[layer].T @ delta) * derivatives[layer - 1]
    return delta[i] * inputs[1][j]


def gradient_by_backprop__wrong_swapped_indices(weights, out, inputs, derivatives, i, j):
    """delta[j] * x[i]: row and column of W_1 swapped."""
    delta = out * derivatives[-1]
    for layer in range(len(weights) - 1, 0, -1):
        delta = (weights[layer].T @ delta) * derivatives[layer - 1]
    return delta[j] * inputs[0][i]


def gradient_by_backprop__wrong_unrolled_first_step(weights, out, inputs, derivatives, i, j):
    """Unrolls the last layer's step by hand: a single-layer chain breaks."""
    delta = (weights[-1].T @ (out * derivatives[-1])) * derivatives[-2]
    for layer in range(len(weights) - 2, 0, -1):
        delta = (weights[layer].T @ delta) * derivatives[layer - 1]
    return delta[i] * inputs[0][j]


def gradient_by_backprop__wrong_no_output_derivative(weights, out, inputs, derivatives, i, j):
    """Starts from delta_N = out, forgetting sigma'_N."""
    delta = out
    for layer in range(len(weights) - 1, 0, -1):
        delta = (weights[layer].T @ delta) * derivatives[layer - 1]
    return delta[i] * inputs[0][j]


def gradient_by_backprop__wrong_sum_over_paths(weights, out, inputs, derivatives, i, j):
    """Recursion over every path (exponential), which the spec replaces."""
    last = len(weights) - 1

    def down(layer, unit):
        if layer == last:
            return out[unit] * derivatives[layer][unit]
        return derivatives[layer][unit] * sum(
            weights[layer + 1][k, unit] * down(layer + 1, k) for k in range(len(out))
        )

    return down(0, i) * inputs[0][j]


def gradient_by_backprop__wrong_delegates(weights, out, inputs, derivatives, i, j):
    """Calls the saved reference in utils."""
    from utils.saved.lab02_jacobians import gradient_by_backprop as reference

    return reference(weights, out, inputs, derivatives, i, j)


def gradient_by_backprop__right_zip_reversed(weights, out, inputs, derivatives, i, j):
    """Zips the reversed weights with the reversed derivatives, no indices."""
    delta = out * derivatives[-1]
    for W_next, d in zip(weights[:0:-1], derivatives[-2::-1]):
        delta = (W_next.T @ delta) * d
    return delta[i] * inputs[0][j]


def gradient_by_backprop__right_full_outer(weights, out, inputs, derivatives, i, j):
    """Carries delta as a row vector and reads entry (i, j) of the full dW_1."""
    delta = (out * derivatives[-1])[None, :]
    layer = len(weights) - 1
    while layer > 0:
        delta = (delta @ weights[layer]) * derivatives[layer - 1]
        layer -= 1
    return np.outer(delta[0], inputs[0])[i, j]


def gradient_by_backprop__right_forward_index(weights, out, inputs, derivatives, i, j):
    """Counts layers 1..N as in the notes and walks l = N-1 down to 1."""
    N = len(weights)
    delta = out * derivatives[N - 1]
    for l in reversed(range(1, N)):
        delta = np.dot(weights[l].T, delta) * derivatives[l - 1]
    return float(delta[i] * inputs[0][j])


ANSWERS = {
    "2.1": {
        "wrong": [
            layer_jacobians__wrong_column_major,
            layer_jacobians__wrong_da_dv_transposed,
            layer_jacobians__wrong_df_da_vector,
            layer_jacobians__wrong_derivative_of_a,
            layer_jacobians__wrong_da_dW_tiled,
            layer_jacobians__wrong_da_db_ones,
            layer_jacobians__wrong_sigmoid_of_wv,
            layer_jacobians__wrong_delegates,
        ],
        "right": [
            layer_jacobians__right_loop_blocks,
            layer_jacobians__right_block_diag_expit,
            layer_jacobians__right_einsum,
        ],
    },
    "2.2": {
        "wrong": [
            dL_dW1_by_jacobians__wrong_outer_product,
            dL_dW1_by_jacobians__wrong_column_major_reshape,
            dL_dW1_by_jacobians__wrong_sign,
            dL_dW1_by_jacobians__wrong_extra_output_sigmoid,
            dL_dW1_by_jacobians__wrong_skips_sigmoid,
            dL_dW1_by_jacobians__wrong_hard_coded_shape,
            dL_dW1_by_jacobians__wrong_W2_not_from_jacobians,
            dL_dW1_by_jacobians__wrong_delegates,
        ],
        "right": [
            dL_dW1_by_jacobians__right_column_vectors,
            dL_dW1_by_jacobians__right_multi_dot,
            dL_dW1_by_jacobians__right_one_d,
        ],
    },
    "2.3": {
        "wrong": [
            gradient_by_backprop__wrong_no_transpose,
            gradient_by_backprop__wrong_includes_first_weights,
            gradient_by_backprop__wrong_derivative_index,
            gradient_by_backprop__wrong_input_of_layer_two,
            gradient_by_backprop__wrong_swapped_indices,
            gradient_by_backprop__wrong_unrolled_first_step,
            gradient_by_backprop__wrong_no_output_derivative,
            gradient_by_backprop__wrong_sum_over_paths,
            gradient_by_backprop__wrong_delegates,
        ],
        "right": [
            gradient_by_backprop__right_zip_reversed,
            gradient_by_backprop__right_full_outer,
            gradient_by_backprop__right_forward_index,
        ],
    },
}


# ---------------------------------------------------- 2.4 dL_dW_by_jacobians
def _forward_inputs(weights, biases, x):
    """Forward pass of the L-layer network: each layer's input and y_hat."""
    inputs = [x]
    for W, b in zip(weights[:-1], biases[:-1]):
        inputs.append(sigmoid(W @ inputs[-1] + b))
    return inputs, softmax(weights[-1] @ inputs[-1] + biases[-1])


def dL_dW_by_jacobians__wrong_extra_output_sigmoid(weights, biases, x, y):
    """Chains df/da in the last layer too, though a softmax follows a_L."""
    inputs, y_hat = _forward_inputs(weights, biases, x)
    g = (y_hat - y)[None, :]
    dWs, dbs = [], []
    for l in range(len(weights) - 1, -1, -1):
        J = layer_jacobians(weights[l], biases[l], inputs[l])
        g = g @ J["df/da"]
        dWs.insert(0, (g @ J["da/dW"]).reshape(weights[l].shape))
        dbs.insert(0, (g @ J["da/db"]).reshape(biases[l].shape))
        g = g @ J["da/dv"]
    return dWs, dbs


def dL_dW_by_jacobians__wrong_sign(weights, biases, x, y):
    """Starts the chain from y - y_hat."""
    inputs, y_hat = _forward_inputs(weights, biases, x)
    g = (y - y_hat)[None, :]
    dWs, dbs = [], []
    for l in range(len(weights) - 1, -1, -1):
        J = layer_jacobians(weights[l], biases[l], inputs[l])
        if l < len(weights) - 1:
            g = g @ J["df/da"]
        dWs.insert(0, (g @ J["da/dW"]).reshape(weights[l].shape))
        dbs.insert(0, (g @ J["da/db"]).reshape(biases[l].shape))
        g = g @ J["da/dv"]
    return dWs, dbs


def dL_dW_by_jacobians__wrong_last_layer_first(weights, biases, x, y):
    """Appends while walking down: the lists come back last layer first."""
    inputs, y_hat = _forward_inputs(weights, biases, x)
    g = (y_hat - y)[None, :]
    dWs, dbs = [], []
    for l in range(len(weights) - 1, -1, -1):
        J = layer_jacobians(weights[l], biases[l], inputs[l])
        if l < len(weights) - 1:
            g = g @ J["df/da"]
        dWs.append((g @ J["da/dW"]).reshape(weights[l].shape))
        dbs.append((g @ J["da/db"]).reshape(biases[l].shape))
        g = g @ J["da/dv"]
    return dWs, dbs


def dL_dW_by_jacobians__wrong_keeps_preactivations(weights, biases, x, y):
    """Keeps a_l, not f_l = sigma(a_l), as the next layer's input."""
    inputs = [x]
    for W, b in zip(weights[:-1], biases[:-1]):
        a = W @ inputs[-1] + b
        inputs.append(a)
    y_hat = (
        softmax(weights[-1] @ sigmoid(inputs[-1]) + biases[-1])
        if len(weights) > 1
        else softmax(weights[-1] @ x + biases[-1])
    )
    g = (y_hat - y)[None, :]
    dWs, dbs = [], []
    for l in range(len(weights) - 1, -1, -1):
        J = layer_jacobians(weights[l], biases[l], inputs[l])
        if l < len(weights) - 1:
            g = g @ J["df/da"]
        dWs.insert(0, (g @ J["da/dW"]).reshape(weights[l].shape))
        dbs.insert(0, (g @ J["da/db"]).reshape(biases[l].shape))
        g = g @ J["da/dv"]
    return dWs, dbs


def dL_dW_by_jacobians__wrong_bias_skips_da_db(weights, biases, x, y):
    """Takes dL/db = dL/da directly instead of chaining layer_jacobians' da/db."""
    inputs, y_hat = _forward_inputs(weights, biases, x)
    g = (y_hat - y)[None, :]
    dWs, dbs = [], []
    for l in range(len(weights) - 1, -1, -1):
        J = layer_jacobians(weights[l], biases[l], inputs[l])
        if l < len(weights) - 1:
            g = g @ J["df/da"]
        dWs.insert(0, (g @ J["da/dW"]).reshape(weights[l].shape))
        dbs.insert(0, g[0].copy())
        g = g @ J["da/dv"]
    return dWs, dbs


def dL_dW_by_jacobians__wrong_output_found_by_width(weights, biases, x, y):
    """Treats any layer as wide as y as the softmax layer (skips its df/da)."""
    inputs, y_hat = _forward_inputs(weights, biases, x)
    g = (y_hat - y)[None, :]
    dWs, dbs = [], []
    for l in range(len(weights) - 1, -1, -1):
        J = layer_jacobians(weights[l], biases[l], inputs[l])
        if weights[l].shape[0] != len(y):
            g = g @ J["df/da"]
        dWs.insert(0, (g @ J["da/dW"]).reshape(weights[l].shape))
        dbs.insert(0, (g @ J["da/db"]).reshape(biases[l].shape))
        g = g @ J["da/dv"]
    return dWs, dbs


def dL_dW_by_jacobians__wrong_bias_row_shape(weights, biases, x, y):
    """Returns each bias gradient as a (1, n) row, not its bias's shape."""
    inputs, y_hat = _forward_inputs(weights, biases, x)
    g = (y_hat - y)[None, :]
    dWs, dbs = [], []
    for l in range(len(weights) - 1, -1, -1):
        J = layer_jacobians(weights[l], biases[l], inputs[l])
        if l < len(weights) - 1:
            g = g @ J["df/da"]
        dWs.insert(0, (g @ J["da/dW"]).reshape(weights[l].shape))
        dbs.insert(0, g @ J["da/db"])
        g = g @ J["da/dv"]
    return dWs, dbs


def dL_dW_by_jacobians__wrong_first_and_last_only(weights, biases, x, y):
    """Generalises 2.2 by using weights[0] and weights[-1]: middle layers ignored."""
    W1, b1, W2, b2 = weights[0], biases[0], weights[-1], biases[-1]
    if len(weights) == 1:
        y_hat = softmax(W1 @ x + b1)
        J = layer_jacobians(W1, b1, x)
        g = (y_hat - y)[None, :]
        return [(g @ J["da/dW"]).reshape(W1.shape)], [(g @ J["da/db"]).reshape(b1.shape)]
    _, f1, _, y_hat = forward(W1, b1, W2, b2, x)
    J1, J2 = layer_jacobians(W1, b1, x), layer_jacobians(W2, b2, f1)
    g2 = (y_hat - y)[None, :]
    g1 = g2 @ J2["da/dv"] @ J1["df/da"]
    dWs = [(g1 @ J1["da/dW"]).reshape(W1.shape)]
    dbs = [(g1 @ J1["da/db"]).reshape(b1.shape)]
    for W, b in zip(weights[1:-1], biases[1:-1]):
        dWs.append(np.zeros_like(W))
        dbs.append(np.zeros_like(b))
    dWs.append((g2 @ J2["da/dW"]).reshape(W2.shape))
    dbs.append((g2 @ J2["da/db"]).reshape(b2.shape))
    return dWs, dbs


def dL_dW_by_jacobians__right_column_vectors(weights, biases, x, y):
    """Transposed chain on column vectors: J^T g, walking down with a while loop."""
    L = len(weights)
    vs = [np.asarray(x, dtype=float)]
    for i in range(L - 1):
        vs.append(expit(weights[i] @ vs[i] + biases[i]))
    scores = weights[L - 1] @ vs[L - 1] + biases[L - 1]
    e = np.exp(scores - scores.max())
    g = (e / e.sum() - y)[:, None]  # dL/da_L as a column
    dWs, dbs = [None] * L, [None] * L
    l = L - 1
    while l >= 0:
        J = layer_jacobians(weights[l], biases[l], vs[l])
        if l != L - 1:
            g = J["df/da"].T @ g
        dWs[l] = (J["da/dW"].T @ g).reshape(np.shape(weights[l]))
        dbs[l] = (J["da/db"].T @ g).reshape(np.shape(biases[l]))
        g = J["da/dv"].T @ g
        l -= 1
    return dWs, dbs


def dL_dW_by_jacobians__right_recursive(weights, biases, x, y):
    """Recursion: each call runs its layer forward, gets dL/df back from above."""
    L = len(weights)

    def go(l, v):
        J = layer_jacobians(weights[l], biases[l], v)
        a = weights[l] @ v + biases[l]
        if l == L - 1:
            dL_da = (softmax(a) - y)[None, :]
            dWs, dbs = [], []
        else:
            dL_df, dWs, dbs = go(l + 1, sigmoid(a))
            dL_da = dL_df @ J["df/da"]
        dW = (dL_da @ J["da/dW"]).reshape(weights[l].shape)
        db = (dL_da @ J["da/db"]).reshape(biases[l].shape)
        return dL_da @ J["da/dv"], [dW] + dWs, [db] + dbs

    _, dWs, dbs = go(0, x)
    return dWs, dbs


def dL_dW_by_jacobians__right_one_d_reduce(weights, biases, x, y):
    """1-D row vectors, Jacobians gathered first, products with functools.reduce."""
    from functools import reduce

    L = len(weights)
    inputs = [x]
    for W, b in zip(weights[:-1], biases[:-1]):
        inputs.append(sigmoid(np.dot(W, inputs[-1]) + b))
    y_hat = softmax(np.dot(weights[-1], inputs[-1]) + biases[-1])
    jacs = [layer_jacobians(W, b, v) for W, b, v in zip(weights, biases, inputs)]
    grads_W, grads_b = [], []
    for l in range(L):
        # dL/da_l = (y_hat - y) da_L/df_{L-1} df_{L-1}/da_{L-1} ... df_l/da_l
        chain = [y_hat - y]
        for k in range(L - 1, l, -1):
            chain += [jacs[k]["da/dv"], jacs[k - 1]["df/da"]]
        dL_da = reduce(np.dot, chain)
        grads_W.append(np.dot(dL_da, jacs[l]["da/dW"]).reshape(weights[l].shape))
        grads_b.append(np.dot(dL_da, jacs[l]["da/db"]).reshape(biases[l].shape))
    return grads_W, grads_b


# --------------------------------------------------------- 2.5 batch_gradients
def _batch_forward(weights, biases, X):
    """Inputs of every layer (rows = images) and the softmax output."""
    Fs = [X]
    for W, b in zip(weights[:-1], biases[:-1]):
        Fs.append(sigmoid(Fs[-1] @ W.T + b))
    return Fs, softmax(Fs[-1] @ weights[-1].T + biases[-1])


def batch_gradients__wrong_sum_not_mean(weights, biases, X, Y):
    """Gradient of the summed loss: forgets to divide by N."""
    Fs, P = _batch_forward(weights, biases, X)
    D = P - Y
    dWs, dbs = [], []
    for l in range(len(weights) - 1, -1, -1):
        dWs.insert(0, D.T @ Fs[l])
        dbs.insert(0, D.sum(axis=0))
        if l > 0:
            D = (D @ weights[l]) * Fs[l] * (1 - Fs[l])
    return dWs, dbs


def batch_gradients__wrong_bias_not_averaged(weights, biases, X, Y):
    """Divides the weight gradients by N but sums the bias gradients."""
    Fs, P = _batch_forward(weights, biases, X)
    N = X.shape[0]
    D = P - Y
    dWs, dbs = [], []
    for l in range(len(weights) - 1, -1, -1):
        dWs.insert(0, D.T @ Fs[l] / N)
        dbs.insert(0, D.sum(axis=0))
        if l > 0:
            D = (D @ weights[l]) * Fs[l] * (1 - Fs[l])
    return dWs, dbs


def batch_gradients__wrong_reshape_not_transpose(weights, biases, X, Y):
    """F^T D reshaped to W's shape instead of transposed: right shape, wrong entries."""
    Fs, P = _batch_forward(weights, biases, X)
    D = (P - Y) / X.shape[0]
    dWs, dbs = [], []
    for l in range(len(weights) - 1, -1, -1):
        dWs.insert(0, (Fs[l].T @ D).reshape(weights[l].shape))
        dbs.insert(0, D.sum(axis=0))
        if l > 0:
            D = (D @ weights[l]) * Fs[l] * (1 - Fs[l])
    return dWs, dbs


def batch_gradients__wrong_softmax_over_batch(weights, biases, X, Y):
    """Hand-written softmax normalised down the columns (over the images)."""
    Fs = [X]
    for W, b in zip(weights[:-1], biases[:-1]):
        Fs.append(sigmoid(Fs[-1] @ W.T + b))
    A = Fs[-1] @ weights[-1].T + biases[-1]
    E = np.exp(A - A.max(axis=0))
    P = E / E.sum(axis=0)
    D = (P - Y) / X.shape[0]
    dWs, dbs = [], []
    for l in range(len(weights) - 1, -1, -1):
        dWs.insert(0, D.T @ Fs[l])
        dbs.insert(0, D.sum(axis=0))
        if l > 0:
            D = (D @ weights[l]) * Fs[l] * (1 - Fs[l])
    return dWs, dbs


def batch_gradients__wrong_loop_over_images(weights, biases, X, Y):
    """Correct mean, but a Python loop over the images (forbidden)."""
    N = X.shape[0]
    dWs = [np.zeros_like(W, dtype=float) for W in weights]
    dbs = [np.zeros_like(b, dtype=float) for b in biases]
    for n in range(N):
        fs = [X[n]]
        for W, b in zip(weights[:-1], biases[:-1]):
            fs.append(sigmoid(W @ fs[-1] + b))
        delta = softmax(weights[-1] @ fs[-1] + biases[-1]) - Y[n]
        for l in range(len(weights) - 1, -1, -1):
            dWs[l] += np.outer(delta, fs[l]) / N
            dbs[l] += delta / N
            if l > 0:
                delta = (weights[l].T @ delta) * fs[l] * (1 - fs[l])
    return dWs, dbs


def batch_gradients__wrong_jacobian_matrices(weights, biases, X, Y):
    """Right numbers, but through a stack of diagonal sigmoid Jacobians (N, n, n)."""
    Fs, P = _batch_forward(weights, biases, X)
    D = (P - Y) / X.shape[0]
    dWs, dbs = [], []
    for l in range(len(weights) - 1, -1, -1):
        dWs.insert(0, D.T @ Fs[l])
        dbs.insert(0, D.sum(axis=0))
        if l > 0:
            d = Fs[l] * (1 - Fs[l])
            jac = d[:, :, None] * np.eye(d.shape[1])  # df/da per image
            D = np.einsum("nj,njk->nk", D @ weights[l], jac)
    return dWs, dbs


def batch_gradients__wrong_reverses_input_lists(weights, biases, X, Y):
    """Reverses the caller's weights and biases lists in place to walk down."""
    Fs, P = _batch_forward(weights, biases, X)
    D = (P - Y) / X.shape[0]
    weights.reverse()
    biases.reverse()
    Fs.reverse()
    dWs, dbs = [], []
    for k, W in enumerate(weights):
        dWs.append(D.T @ Fs[k])
        dbs.append(D.sum(axis=0))
        if k < len(weights) - 1:
            D = (D @ W) * Fs[k] * (1 - Fs[k])
    return dWs[::-1], dbs[::-1]


def batch_gradients__wrong_sigmoid_on_output(weights, biases, X, Y):
    """Multiplies the output delta by sigma'(a_L) too, as if the last layer were sigmoid."""
    Fs, P = _batch_forward(weights, biases, X)
    a_L = Fs[-1] @ weights[-1].T + biases[-1]
    s = sigmoid(a_L)
    D = (P - Y) * s * (1 - s) / X.shape[0]
    dWs, dbs = [], []
    for l in range(len(weights) - 1, -1, -1):
        dWs.insert(0, D.T @ Fs[l])
        dbs.insert(0, D.sum(axis=0))
        if l > 0:
            D = (D @ weights[l]) * Fs[l] * (1 - Fs[l])
    return dWs, dbs


def batch_gradients__right_column_layout(weights, biases, X, Y):
    """Images as columns (n, N): W F + b[:, None], deltas W^T D, averaged at the end."""
    N = X.shape[0]
    cols = [X.T]
    for W, b in zip(weights[:-1], biases[:-1]):
        cols.append(expit(W @ cols[-1] + b[:, None]))
    S = weights[-1] @ cols[-1] + biases[-1][:, None]
    E = np.exp(S - S.max(axis=0, keepdims=True))
    D = E / E.sum(axis=0, keepdims=True) - Y.T  # (n_out, N)
    L = len(weights)
    dWs, dbs = [None] * L, [None] * L
    for l in reversed(range(L)):
        dWs[l] = (D @ cols[l].T) / N
        dbs[l] = D.mean(axis=1)
        if l:
            D = (weights[l].T @ D) * (cols[l] - cols[l] ** 2)
    return dWs, dbs


def batch_gradients__right_einsum_mean(weights, biases, X, Y):
    """Averages the per-image outer products with einsum and mean over axis 0."""
    from scipy.special import softmax as sp_softmax

    Fs = [np.asarray(X, dtype=float)]
    for W, b in zip(weights[:-1], biases[:-1]):
        Fs.append(sigmoid(np.einsum("ij,nj->ni", W, Fs[-1]) + b))
    D = sp_softmax(np.einsum("ij,nj->ni", weights[-1], Fs[-1]) + biases[-1], axis=1) - Y
    out_W, out_b = [], []
    for l in range(len(weights) - 1, -1, -1):
        out_W.append(np.einsum("ni,nj->ij", D, Fs[l]) / len(D))
        out_b.append(np.mean(D, axis=0))
        if l > 0:
            D = np.einsum("ni,ij->nj", D, weights[l]) * Fs[l] * (1.0 - Fs[l])
    return out_W[::-1], out_b[::-1]


def batch_gradients__right_recursive(weights, biases, X, Y):
    """Recursion over the layers, scaling by 1/N once at the start of backprop."""
    N = len(X)

    def go(l, F):
        A = np.matmul(F, weights[l].T) + biases[l]
        if l == len(weights) - 1:
            D = (softmax(A) - Y) * (1.0 / N)
            dWs, dbs = [], []
        else:
            G = sigmoid(A)
            dL_dG, dWs, dbs = go(l + 1, G)
            D = dL_dG * G * (1 - G)
        return D @ weights[l], [D.T @ F] + dWs, [D.sum(axis=0)] + dbs

    _, dWs, dbs = go(0, X)
    return dWs, dbs


ANSWERS["2.4"] = {
    "wrong": [
        dL_dW_by_jacobians__wrong_extra_output_sigmoid,
        dL_dW_by_jacobians__wrong_sign,
        dL_dW_by_jacobians__wrong_last_layer_first,
        dL_dW_by_jacobians__wrong_keeps_preactivations,
        dL_dW_by_jacobians__wrong_bias_skips_da_db,
        dL_dW_by_jacobians__wrong_output_found_by_width,
        dL_dW_by_jacobians__wrong_bias_row_shape,
        dL_dW_by_jacobians__wrong_first_and_last_only,
    ],
    "right": [
        dL_dW_by_jacobians__right_column_vectors,
        dL_dW_by_jacobians__right_recursive,
        dL_dW_by_jacobians__right_one_d_reduce,
    ],
}
ANSWERS["2.5"] = {
    "wrong": [
        batch_gradients__wrong_sum_not_mean,
        batch_gradients__wrong_bias_not_averaged,
        batch_gradients__wrong_reshape_not_transpose,
        batch_gradients__wrong_softmax_over_batch,
        batch_gradients__wrong_loop_over_images,
        batch_gradients__wrong_jacobian_matrices,
        batch_gradients__wrong_reverses_input_lists,
        batch_gradients__wrong_sigmoid_on_output,
    ],
    "right": [
        batch_gradients__right_column_layout,
        batch_gradients__right_einsum_mean,
        batch_gradients__right_recursive,
    ],
}
