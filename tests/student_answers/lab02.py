"""Student answers for lab 02 (Jacobians of a layer, chain rule, deep backprop)."""
import numpy as np
from scipy.linalg import block_diag
from scipy.special import expit

from utils.jacobians import forward, layer_jacobians, sigmoid  # the notebook's names


# ------------------------------------------------------- 2.1 layer_jacobians
def layer_jacobians__wrong_column_major(W, b, v):
    """da/dW for W flattened column-major: kron(v^T, I) instead of kron(I, v^T)."""
    f = sigmoid(W @ v + b)
    n_out = len(b)
    return {"da/dW": np.kron(v[None, :], np.eye(n_out)),
            "da/db": np.eye(n_out),
            "da/dv": W.copy(),
            "df/da": np.diag(f * (1 - f))}


def layer_jacobians__wrong_da_dv_transposed(W, b, v):
    """da/dv = W^T: rows and columns swapped."""
    f = sigmoid(W @ v + b)
    n_out = len(b)
    return {"da/dW": np.kron(np.eye(n_out), v[None, :]),
            "da/db": np.eye(n_out),
            "da/dv": W.T.copy(),
            "df/da": np.diag(f * (1 - f))}


def layer_jacobians__wrong_df_da_vector(W, b, v):
    """df/da returned as the vector f(1 - f), not the diagonal matrix."""
    f = sigmoid(W @ v + b)
    n_out = len(b)
    return {"da/dW": np.kron(np.eye(n_out), v[None, :]),
            "da/db": np.eye(n_out),
            "da/dv": W.copy(),
            "df/da": f * (1 - f)}


def layer_jacobians__wrong_derivative_of_a(W, b, v):
    """sigma'(a) written as a (1 - a): the pre-activation instead of f."""
    a = W @ v + b
    n_out = len(b)
    return {"da/dW": np.kron(np.eye(n_out), v[None, :]),
            "da/db": np.eye(n_out),
            "da/dv": W.copy(),
            "df/da": np.diag(a * (1 - a))}


def layer_jacobians__wrong_da_dW_tiled(W, b, v):
    """da/dW as v^T repeated per row, shape (n_out, n_in): not the Kronecker form."""
    f = sigmoid(W @ v + b)
    n_out = len(b)
    return {"da/dW": np.tile(v, (n_out, 1)),
            "da/db": np.eye(n_out),
            "da/dv": W.copy(),
            "df/da": np.diag(f * (1 - f))}


def layer_jacobians__wrong_da_db_ones(W, b, v):
    """da/db as a matrix of ones: every bias moves every output."""
    f = sigmoid(W @ v + b)
    n_out = len(b)
    return {"da/dW": np.kron(np.eye(n_out), v[None, :]),
            "da/db": np.ones((n_out, n_out)),
            "da/dv": W.copy(),
            "df/da": np.diag(f * (1 - f))}


def layer_jacobians__wrong_sigmoid_of_wv(W, b, v):
    """Forgets the bias inside the sigmoid: f = sigma(W v)."""
    f = sigmoid(W @ v)
    n_out = len(b)
    return {"da/dW": np.kron(np.eye(n_out), v[None, :]),
            "da/db": np.eye(n_out),
            "da/dv": W.copy(),
            "df/da": np.diag(f * (1 - f))}


def layer_jacobians__wrong_delegates(W, b, v):
    """Calls the saved reference in utils."""
    from utils.jacobians import layer_jacobians as reference
    return reference(W, b, v)


def layer_jacobians__right_loop_blocks(W, b, v):
    """Builds the row-major da/dW block by block in a loop over the outputs."""
    n_out, n_in = W.shape
    f = sigmoid(W @ v + b)
    da_dW = np.zeros((n_out, n_out * n_in))
    for i in range(n_out):
        da_dW[i, i * n_in:(i + 1) * n_in] = v
    return {"da/dW": da_dW, "da/db": np.identity(n_out),
            "da/dv": np.array(W), "df/da": np.diagflat(f * (1 - f))}


def layer_jacobians__right_block_diag_expit(W, b, v):
    """scipy's block_diag of n_out copies of v^T and expit for the sigmoid."""
    n_out = W.shape[0]
    f = expit(W @ v + b)
    return {"df/da": np.diag(f - f ** 2),
            "da/dv": W + 0.0,
            "da/db": np.eye(n_out, dtype=float),
            "da/dW": block_diag(*[v[None, :]] * n_out)}


def layer_jacobians__right_einsum(W, b, v):
    """da/dW[i, (k, j)] = delta_ik v_j built with einsum and reshaped."""
    n_out, n_in = W.shape
    f = sigmoid(W @ v + b)
    eye = np.eye(n_out)
    return {"da/dW": np.einsum("ik,j->ikj", eye, v).reshape(n_out, n_out * n_in),
            "da/db": eye.copy(),
            "da/dv": W.copy(),
            "df/da": eye * (f * (1 - f))}


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
    dL_da1 = ((y_hat - y)[None, :] @ layer2["df/da"] @ layer2["da/dv"]
              @ layer1["df/da"])
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
    from utils.jacobians import dL_dW1_by_jacobians as reference
    return reference(W1, b1, W2, b2, x, y)


def dL_dW1_by_jacobians__right_column_vectors(W1, b1, W2, b2, x, y):
    """The transposed chain, J^T ... g on column vectors, then reshape."""
    _, f1, _, y_hat = forward(W1, b1, W2, b2, x)
    J1 = layer_jacobians(W1, b1, x)
    J2 = layer_jacobians(W2, b2, f1)
    g = (y_hat - y)[:, None]                       # (n_out, 1)
    g = J2["da/dv"].T @ g
    g = J1["df/da"].T @ g
    return (J1["da/dW"].T @ g).reshape(W1.shape)


def dL_dW1_by_jacobians__right_multi_dot(W1, b1, W2, b2, x, y):
    """np.linalg.multi_dot over the whole chain, 1-D start vector."""
    a1, f1, a2, y_hat = forward(W1, b1, W2, b2, x)
    first = layer_jacobians(W1, b1, x)
    second = layer_jacobians(W2, b2, f1)
    row = np.linalg.multi_dot([(y_hat - y)[None, :], second["da/dv"],
                               first["df/da"], first["da/dW"]])
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


def gradient_by_backprop__wrong_includes_first_weights(weights, out, inputs,
                                                       derivatives, i, j):
    """Loop runs down to layer 0: one matrix product too many."""
    delta = out * derivatives[-1]
    for layer in range(len(weights) - 1, -1, -1):
        delta = (weights[layer].T @ delta) * derivatives[layer - 1]
    return delta[i] * inputs[0][j]


def gradient_by_backprop__wrong_derivative_index(weights, out, inputs, derivatives,
                                                 i, j):
    """Multiplies by derivatives[layer] instead of derivatives[layer - 1]."""
    delta = out * derivatives[-1]
    for layer in range(len(weights) - 1, 0, -1):
        delta = (weights[layer].T @ delta) * derivatives[layer]
    return delta[i] * inputs[0][j]


def gradient_by_backprop__wrong_input_of_layer_two(weights, out, inputs, derivatives,
                                                   i, j):
    """Uses inputs[1] (f_1) as x instead of inputs[0]."""
    delta = out * derivatives[-1]
    for layer in range(len(weights) - 1, 0, -1):
        delta = (weights[layer].T @ delta) * derivatives[layer - 1]
    return delta[i] * inputs[1][j]


def gradient_by_backprop__wrong_swapped_indices(weights, out, inputs, derivatives,
                                                i, j):
    """delta[j] * x[i]: row and column of W_1 swapped."""
    delta = out * derivatives[-1]
    for layer in range(len(weights) - 1, 0, -1):
        delta = (weights[layer].T @ delta) * derivatives[layer - 1]
    return delta[j] * inputs[0][i]


def gradient_by_backprop__wrong_unrolled_first_step(weights, out, inputs,
                                                    derivatives, i, j):
    """Unrolls the last layer's step by hand: a single-layer chain breaks."""
    delta = (weights[-1].T @ (out * derivatives[-1])) * derivatives[-2]
    for layer in range(len(weights) - 2, 0, -1):
        delta = (weights[layer].T @ delta) * derivatives[layer - 1]
    return delta[i] * inputs[0][j]


def gradient_by_backprop__wrong_no_output_derivative(weights, out, inputs,
                                                     derivatives, i, j):
    """Starts from delta_N = out, forgetting sigma'_N."""
    delta = out
    for layer in range(len(weights) - 1, 0, -1):
        delta = (weights[layer].T @ delta) * derivatives[layer - 1]
    return delta[i] * inputs[0][j]


def gradient_by_backprop__wrong_sum_over_paths(weights, out, inputs, derivatives,
                                               i, j):
    """Recursion over every path (exponential), which the spec replaces."""
    last = len(weights) - 1

    def down(layer, unit):
        if layer == last:
            return out[unit] * derivatives[layer][unit]
        return derivatives[layer][unit] * sum(
            weights[layer + 1][k, unit] * down(layer + 1, k) for k in range(len(out)))
    return down(0, i) * inputs[0][j]


def gradient_by_backprop__wrong_delegates(weights, out, inputs, derivatives, i, j):
    """Calls the saved reference in utils."""
    from utils.jacobians import gradient_by_backprop as reference
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


def gradient_by_backprop__right_forward_index(weights, out, inputs, derivatives,
                                              i, j):
    """Counts layers 1..N as in the notes and walks l = N-1 down to 1."""
    N = len(weights)
    delta = out * derivatives[N - 1]
    for l in reversed(range(1, N)):  # noqa: E741
        delta = np.dot(weights[l].T, delta) * derivatives[l - 1]
    return float(delta[i] * inputs[0][j])


ANSWERS = {
    "2.1": {"wrong": [layer_jacobians__wrong_column_major,
                      layer_jacobians__wrong_da_dv_transposed,
                      layer_jacobians__wrong_df_da_vector,
                      layer_jacobians__wrong_derivative_of_a,
                      layer_jacobians__wrong_da_dW_tiled,
                      layer_jacobians__wrong_da_db_ones,
                      layer_jacobians__wrong_sigmoid_of_wv,
                      layer_jacobians__wrong_delegates],
            "right": [layer_jacobians__right_loop_blocks,
                      layer_jacobians__right_block_diag_expit,
                      layer_jacobians__right_einsum]},
    "2.2": {"wrong": [dL_dW1_by_jacobians__wrong_outer_product,
                      dL_dW1_by_jacobians__wrong_column_major_reshape,
                      dL_dW1_by_jacobians__wrong_sign,
                      dL_dW1_by_jacobians__wrong_extra_output_sigmoid,
                      dL_dW1_by_jacobians__wrong_skips_sigmoid,
                      dL_dW1_by_jacobians__wrong_hard_coded_shape,
                      dL_dW1_by_jacobians__wrong_W2_not_from_jacobians,
                      dL_dW1_by_jacobians__wrong_delegates],
            "right": [dL_dW1_by_jacobians__right_column_vectors,
                      dL_dW1_by_jacobians__right_multi_dot,
                      dL_dW1_by_jacobians__right_one_d]},
    "2.3": {"wrong": [gradient_by_backprop__wrong_no_transpose,
                      gradient_by_backprop__wrong_includes_first_weights,
                      gradient_by_backprop__wrong_derivative_index,
                      gradient_by_backprop__wrong_input_of_layer_two,
                      gradient_by_backprop__wrong_swapped_indices,
                      gradient_by_backprop__wrong_unrolled_first_step,
                      gradient_by_backprop__wrong_no_output_derivative,
                      gradient_by_backprop__wrong_sum_over_paths,
                      gradient_by_backprop__wrong_delegates],
            "right": [gradient_by_backprop__right_zip_reversed,
                      gradient_by_backprop__right_full_outer,
                      gradient_by_backprop__right_forward_index]},
}
