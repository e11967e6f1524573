"""Saved code: the embedding and k-NN of lab 08.

Generated from ``labs/08_greek_embedding.ipynb`` by
``tools/save_code.py``: edit the lab's cells tagged ``save`` and run
``make saved``, never this file.
"""


from __future__ import annotations


import numpy as np
import torch
from scipy.stats import norm
from torch.nn import functional as F


SAVED_FROM = "labs/08_greek_embedding.ipynb"
__all__ = ["embed", "ssd_matrix", "knn_predict", "loo_knn_predictions",
           "wilson_interval", "with_interval", "confusion_matrix",
           "layer_features", "l2_normalise", "read_among_others",
           "select_method_and_k", "knn_with_doubt"]


# labs/08_greek_embedding.ipynb, section "2 The embedding and the SSD distance table"
def embed(model, batch):
    """The hidden layer (N, embed_dim) of model for images (N, 28, 28)."""
    model.eval()
    where = next(model.parameters()).device
    x = torch.as_tensor(np.asarray(batch, dtype=np.float32))[:, None]
    with torch.no_grad():
        return model.embed(x.to(where)).cpu().numpy()


# labs/08_greek_embedding.ipynb, section "2 The embedding and the SSD distance table"
def ssd_matrix(a, b):
    """Sums of squared differences (n, m) between rows of a and of b."""
    squares = (a ** 2).sum(axis=1)[:, None] + (b ** 2).sum(axis=1)[None, :]
    return np.maximum(squares - 2 * a @ b.T, 0)


# labs/08_greek_embedding.ipynb, section "3 Nearest neighbours, judged by leave-one-out"
def knn_predict(distances, train_labels, k):
    """k-NN labels (q,) from distances (q, n); ties go to the nearest."""
    nearest = np.argsort(distances, axis=1)[:, :k]
    predictions = []
    for neighbours in train_labels[nearest]:
        votes = np.bincount(neighbours)
        tied = np.flatnonzero(votes == votes.max())
        predictions.append(next(c for c in neighbours if c in tied))
    return np.array(predictions)


# labs/08_greek_embedding.ipynb, section "3 Nearest neighbours, judged by leave-one-out"
def loo_knn_predictions(features, labels, k):
    """Leave-one-out k-NN predictions (n,): each row among the others."""
    distances = ssd_matrix(features, features)
    np.fill_diagonal(distances, np.inf)
    return knn_predict(distances, labels, k)


# labs/08_greek_embedding.ipynb, section "3 Nearest neighbours, judged by leave-one-out"
def wilson_interval(right, n, confidence=0.95):
    """(low, high): the Wilson interval of right successes out of n."""
    z = norm.ppf(1 - (1 - confidence) / 2)
    p_hat = right / n
    a = 1 + z ** 2 / n
    b = 2 * p_hat + z ** 2 / n
    root = np.sqrt(b ** 2 - 4 * a * p_hat ** 2)
    return float((b - root) / (2 * a)), float((b + root) / (2 * a))


# labs/08_greek_embedding.ipynb, section "3 Nearest neighbours, judged by leave-one-out"
def with_interval(accuracy, n, confidence=0.95):
    """An accuracy measured on n items and its Wilson interval, as text:
    "0.917 [0.65, 0.99]" (95 % by default)."""
    low, high = wilson_interval(round(accuracy * n), n, confidence)
    return f"{accuracy:.3f} [{low:.2f}, {high:.2f}]"


# labs/08_greek_embedding.ipynb, section "4 Which letters get confused?"
def confusion_matrix(truth, predicted, n_classes):
    """Counts (n_classes, n_classes): row = true label, column = read."""
    counts = np.zeros((n_classes, n_classes), dtype=np.int64)
    np.add.at(counts, (truth, predicted), 1)
    return counts


# labs/08_greek_embedding.ipynb, section "8 Letters from writers it never saw"
@torch.no_grad()
def layer_features(model, batch, layer="embed"):
    """Activations (N, d) of a DigitNet's layer for images (N, 28, 28):
    "conv1" (10 x 12 x 12 after pooling), "conv2" (20 x 4 x 4), "embed"
    (the hidden layer) or "digits" (the ten log-probabilities)."""
    layers = ("conv1", "conv2", "embed", "digits")
    if layer not in layers:
        raise ValueError(f"unknown layer {layer!r}; choose one of {layers}.")
    model.eval()
    where = next(model.parameters()).device
    x = torch.as_tensor(np.asarray(batch, dtype=np.float32))[:, None]
    x = F.relu(F.max_pool2d(model.conv1(x.to(where)), 2))
    if layer != "conv1":
        x = F.relu(F.max_pool2d(model.conv2(x), 2))
    if layer in ("embed", "digits"):
        x = F.relu(model.fc1(x.flatten(1)))
    if layer == "digits":
        x = F.log_softmax(model.fc2(x), dim=1)
    return x.flatten(1).cpu().numpy()


# labs/08_greek_embedding.ipynb, section "8 Letters from writers it never saw"
def l2_normalise(rows):
    """Rows (N, d) scaled to length 1 (all-zero rows stay zero)."""
    rows = np.asarray(rows, dtype=np.float64)
    norms = np.linalg.norm(rows, axis=1, keepdims=True)
    return rows / np.maximum(norms, 1e-12)


# labs/08_greek_embedding.ipynb, section "8 Letters from writers it never saw"
def read_among_others(queries, originals, references, labels, k,
                      letters=None):
    """k-NN labels (q,) of queries, each among all references but its
    original (and only those labelled one of letters, if given)."""
    distances = ssd_matrix(queries, references)
    distances[np.arange(len(queries)), originals] = np.inf
    if letters is not None:
        among = np.isin(labels, letters)
        distances, labels = distances[:, among], labels[among]
    return knn_predict(distances, labels, k)


# labs/08_greek_embedding.ipynb, section "8 Letters from writers it never saw"
def select_method_and_k(candidates, originals, labels, k_values):
    """Scores (candidates, k values) on redrawn letters, and the choice
    (candidate index, k): the candidate by its first k, then its k."""
    truth = labels[originals]
    scores = np.zeros((len(candidates), len(k_values)))
    for c, (queries, references) in enumerate(candidates):
        for j, k in enumerate(k_values):
            read = read_among_others(queries, originals, references,
                                     labels, k)
            scores[c, j] = np.mean(read == truth)
    best = int(np.argmax(scores[:, 0]))
    return scores, (best, k_values[int(np.argmax(scores[best]))])


# labs/08_greek_embedding.ipynb, section "8 Letters from writers it never saw"
def knn_with_doubt(distances, train_labels, k):
    """k-NN labels (q,) and their doubt (q,): the distance to the nearest
    reference of the voted label over that to the nearest of another."""
    voted = knn_predict(distances, train_labels, k)
    same = train_labels[None, :] == voted[:, None]
    nearest_voted = np.where(same, distances, np.inf).min(axis=1)
    nearest_other = np.where(same, np.inf, distances).min(axis=1)
    return voted, nearest_voted / np.maximum(nearest_other, 1e-12)
