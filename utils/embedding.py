"""Saved code: the embedding and k-NN of lab 08.

Generated from ``labs/08_greek_embedding.ipynb`` by
``tools/save_code.py``: edit the lab's cells tagged ``save`` and run
``make saved``, never this file.
"""


from __future__ import annotations


import numpy as np
import torch


SAVED_FROM = "labs/08_greek_embedding.ipynb"
__all__ = ["embed", "ssd_matrix", "knn_predict", "loo_knn_predictions"]


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
