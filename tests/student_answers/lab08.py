"""Student answers for lab 08 (embedding, SSD distances, k-NN, leave-one-out)."""
from collections import Counter

import numpy as np
import torch
from scipy import stats
from scipy.spatial.distance import cdist

from utils.embedding import knn_predict, ssd_matrix  # the notebook's names


# -------------------------------------------------------------------- 8.1 embed
def embed__wrong_no_eval(model, batch):
    """Forgets model.eval(): dropout makes every call give another embedding."""
    where = next(model.parameters()).device
    x = torch.as_tensor(np.asarray(batch, dtype=np.float32))[:, None]
    with torch.no_grad():
        return model.embed(x.to(where)).cpu().numpy()


def embed__wrong_detach_not_no_grad(model, batch):
    """Builds the autograd graph and detaches at the end instead of torch.no_grad()."""
    model.eval()
    where = next(model.parameters()).device
    x = torch.as_tensor(np.asarray(batch, dtype=np.float32))[:, None]
    return model.embed(x.to(where)).detach().cpu().numpy()


def embed__wrong_keeps_float64(model, batch):
    """torch.from_numpy keeps float64: the float32 weights reject a float64 batch."""
    model.eval()
    where = next(model.parameters()).device
    x = torch.from_numpy(np.asarray(batch))[:, None]
    with torch.no_grad():
        return model.embed(x.to(where)).cpu().numpy()


def embed__wrong_no_channel_axis(model, batch):
    """Passes (N, 28, 28) without the channel axis."""
    model.eval()
    where = next(model.parameters()).device
    x = torch.as_tensor(np.asarray(batch, dtype=np.float32))
    with torch.no_grad():
        return model.embed(x.to(where)).cpu().numpy()


def embed__wrong_channel_last(model, batch):
    """Adds the channel axis at the end: (N, 28, 28, 1)."""
    model.eval()
    where = next(model.parameters()).device
    x = torch.as_tensor(np.asarray(batch, dtype=np.float32))[..., None]
    with torch.no_grad():
        return model.embed(x.to(where)).cpu().numpy()


def embed__wrong_ignores_device(model, batch):
    """Leaves the batch on the CPU whatever device the model is on."""
    model.eval()
    x = torch.as_tensor(np.asarray(batch, dtype=np.float32))[:, None]
    with torch.no_grad():
        return model.embed(x).cpu().numpy()


def embed__wrong_log_probabilities(model, batch):
    """Calls model(x), the log-probabilities, instead of model.embed(x)."""
    model.eval()
    where = next(model.parameters()).device
    x = torch.as_tensor(np.asarray(batch, dtype=np.float32))[:, None]
    with torch.no_grad():
        return model(x.to(where)).cpu().numpy()


def embed__wrong_returns_tensor(model, batch):
    """Returns the tensor instead of a NumPy array."""
    model.eval()
    where = next(model.parameters()).device
    x = torch.as_tensor(np.asarray(batch, dtype=np.float32))[:, None]
    with torch.no_grad():
        return model.embed(x.to(where))


def embed__wrong_delegates(model, batch):
    """Calls the saved reference in utils."""
    from utils.embedding import embed as reference
    return reference(model, batch)


def embed__right_inference_mode(model, batch):
    """torch.inference_mode instead of no_grad; unsqueeze(1) for the channel."""
    model.eval()
    device = next(model.parameters()).device
    with torch.inference_mode():
        x = torch.as_tensor(batch).float().unsqueeze(1).to(device)
        out = model.embed(x)
    return out.cpu().numpy()


def embed__right_tensor_on_device(model, batch):
    """np.expand_dims, and the tensor created directly on the model's device."""
    model.train(False)
    device = next(iter(model.parameters())).device
    x = torch.tensor(np.expand_dims(batch, 1), dtype=torch.float32, device=device)
    with torch.no_grad():
        h = model.embed(x)
    return h.to("cpu").numpy()


def embed__right_reshape(model, batch):
    """Reshapes to (N, 1, H, W) and converts with .to(device, dtype) in one call."""
    model.eval()
    param = next(model.parameters())
    arr = np.asarray(batch)
    x = torch.from_numpy(arr.reshape(arr.shape[0], 1, *arr.shape[1:]).copy())
    with torch.no_grad():
        return model.embed(x.to(param.device, torch.float32)).cpu().numpy()


# --------------------------------------------------------------- 8.2 ssd_matrix
def ssd_matrix__wrong_no_clip(a, b):
    """Expands the square but never clips: round-off leaves tiny negative distances."""
    squares = (a ** 2).sum(axis=1)[:, None] + (b ** 2).sum(axis=1)[None, :]
    return squares - 2 * a @ b.T


def ssd_matrix__wrong_euclidean(a, b):
    """Takes the square root: the Euclidean distance, not the SSD."""
    squares = (a ** 2).sum(axis=1)[:, None] + (b ** 2).sum(axis=1)[None, :]
    return np.sqrt(np.maximum(squares - 2 * a @ b.T, 0))


def ssd_matrix__wrong_missing_two(a, b):
    """Forgets the factor 2 of the cross term."""
    squares = (a ** 2).sum(axis=1)[:, None] + (b ** 2).sum(axis=1)[None, :]
    return np.maximum(squares - a @ b.T, 0)


def ssd_matrix__wrong_mean(a, b):
    """Mean of the squared differences instead of their sum."""
    return ((a[:, None, :] - b[None, :, :]) ** 2).mean(axis=-1)


def ssd_matrix__wrong_sum_axis(a, b):
    """Sums the (n, m, d) differences over axis 1 instead of the last axis."""
    return ((a[:, None, :] - b[None, :, :]) ** 2).sum(axis=1)


def ssd_matrix__wrong_absolute(a, b):
    """Sum of absolute differences (L1), not of squares."""
    return np.abs(a[:, None, :] - b[None, :, :]).sum(axis=-1)


def ssd_matrix__wrong_norms_not_squared(a, b):
    """Uses the norms instead of the squared norms in the expansion."""
    norms = np.linalg.norm(a, axis=1)[:, None] + np.linalg.norm(b, axis=1)[None, :]
    return np.maximum(norms - 2 * a @ b.T, 0)


def ssd_matrix__wrong_python_loops(a, b):
    """Right values, from two Python loops over the pairs (the spec forbids it)."""
    out = np.zeros((len(a), len(b)))
    for i, u in enumerate(a):
        for j, w in enumerate(b):
            out[i, j] = np.sum((u - w) ** 2)
    return out


def ssd_matrix__wrong_delegates(a, b):
    """Calls the saved reference in utils."""
    from utils.embedding import ssd_matrix as reference
    return reference(a, b)


def ssd_matrix__right_broadcast(a, b):
    """Broadcasts the (n, m, d) differences and sums the last axis."""
    diff = a[:, None, :] - b[None, :, :]
    return (diff ** 2).sum(axis=-1)


def ssd_matrix__right_einsum(a, b):
    """Squared norms and the cross term with np.einsum, clipped at 0."""
    d = (np.einsum("ij,ij->i", a, a)[:, None] + np.einsum("ij,ij->i", b, b)[None, :]
         - 2 * np.einsum("ik,jk->ij", a, b))
    return d.clip(min=0)


def ssd_matrix__right_cdist(a, b):
    """scipy's cdist with the squared Euclidean metric (float64 result)."""
    return cdist(a, b, metric="sqeuclidean")


# -------------------------------------------------------------- 8.3 knn_predict
def knn_predict__wrong_smallest_label_wins(distances, train_labels, k):
    """np.argmax of the votes: a tie goes to the smallest label."""
    nearest = np.argsort(distances, axis=1)[:, :k]
    return np.array([np.argmax(np.bincount(row)) for row in train_labels[nearest]])


def knn_predict__wrong_farthest_tied(distances, train_labels, k):
    """Breaks a tie towards the tied label met last, the farthest."""
    nearest = np.argsort(distances, axis=1)[:, :k]
    predictions = []
    for neighbours in train_labels[nearest]:
        votes = np.bincount(neighbours)
        tied = np.flatnonzero(votes == votes.max())
        predictions.append(next(c for c in neighbours[::-1] if c in tied))
    return np.array(predictions)


def knn_predict__wrong_nearest_label_on_tie(distances, train_labels, k):
    """On any tie takes the nearest image's label, even when it is not among the tied."""
    nearest = np.argsort(distances, axis=1)[:, :k]
    predictions = []
    for neighbours in train_labels[nearest]:
        votes = np.bincount(neighbours)
        if (votes == votes.max()).sum() > 1:
            predictions.append(neighbours[0])
        else:
            predictions.append(np.argmax(votes))
    return np.array(predictions)


def knn_predict__wrong_farthest_neighbours(distances, train_labels, k):
    """Sorts descending: the k farthest images vote."""
    nearest = np.argsort(-distances, axis=1)[:, :k]
    predictions = []
    for neighbours in train_labels[nearest]:
        votes = np.bincount(neighbours)
        tied = np.flatnonzero(votes == votes.max())
        predictions.append(next(c for c in neighbours if c in tied))
    return np.array(predictions)


def knn_predict__wrong_blanks_distances(distances, train_labels, k):
    """k rounds of argmin, setting each winner's distance to inf in the caller's array."""
    predictions = []
    for row in distances:
        neighbours = []
        for _ in range(k):
            j = int(np.argmin(row))
            neighbours.append(train_labels[j])
            row[j] = np.inf
        votes = np.bincount(neighbours)
        tied = np.flatnonzero(votes == votes.max())
        predictions.append(next(c for c in neighbours if c in tied))
    return np.array(predictions)


def knn_predict__wrong_argsort_axis0(distances, train_labels, k):
    """argsort over axis 0: orders the queries, not the labelled images."""
    nearest = np.argsort(distances, axis=0)[:k].T
    predictions = []
    for neighbours in train_labels[nearest]:
        votes = np.bincount(neighbours)
        tied = np.flatnonzero(votes == votes.max())
        predictions.append(next(c for c in neighbours if c in tied))
    return np.array(predictions)


def knn_predict__wrong_unsorted_partition(distances, train_labels, k):
    """np.argpartition: the k nearest, in an order NumPy does not promise (often sorted)."""
    nearest = np.argpartition(distances, k - 1, axis=1)[:, :k]
    predictions = []
    for neighbours in train_labels[nearest]:
        votes = np.bincount(neighbours)
        tied = np.flatnonzero(votes == votes.max())
        predictions.append(next(c for c in neighbours if c in tied))
    return np.array(predictions)


def knn_predict__wrong_float_labels(distances, train_labels, k):
    """Fills np.zeros(q): right labels, float64 dtype."""
    nearest = np.argsort(distances, axis=1)[:, :k]
    predictions = np.zeros(len(distances))
    for i, neighbours in enumerate(train_labels[nearest]):
        votes = np.bincount(neighbours)
        tied = np.flatnonzero(votes == votes.max())
        predictions[i] = next(c for c in neighbours if c in tied)
    return predictions


def knn_predict__wrong_python_list(distances, train_labels, k):
    """Right labels in a Python list."""
    nearest = np.argsort(distances, axis=1)[:, :k]
    predictions = []
    for neighbours in train_labels[nearest]:
        votes = np.bincount(neighbours)
        tied = np.flatnonzero(votes == votes.max())
        predictions.append(int(next(c for c in neighbours if c in tied)))
    return predictions


def knn_predict__wrong_scipy_mode(distances, train_labels, k):
    """scipy.stats.mode: ties go to the smallest label."""
    nearest = np.argsort(distances, axis=1)[:, :k]
    return stats.mode(train_labels[nearest], axis=1).mode.ravel()


def knn_predict__wrong_shrink_k(distances, train_labels, k):
    """Another tie rule: drops the farthest voter until the tie is gone."""
    nearest = np.argsort(distances, axis=1)[:, :k]
    predictions = []
    for neighbours in train_labels[nearest]:
        kk = k
        while True:
            votes = np.bincount(neighbours[:kk])
            if (votes == votes.max()).sum() == 1:
                predictions.append(np.argmax(votes))
                break
            kk -= 1
    return np.array(predictions)


def knn_predict__wrong_skips_nearest(distances, train_labels, k):
    """[:, 1:k + 1]: skips the nearest image, as if it were the query itself."""
    nearest = np.argsort(distances, axis=1)[:, 1:k + 1]
    predictions = []
    for neighbours in train_labels[nearest]:
        votes = np.bincount(neighbours)
        tied = np.flatnonzero(votes == votes.max())
        predictions.append(next(c for c in neighbours if c in tied))
    return np.array(predictions)


def knn_predict__wrong_delegates(distances, train_labels, k):
    """Calls the saved reference in utils."""
    from utils.embedding import knn_predict as reference
    return reference(distances, train_labels, k)


def knn_predict__right_vectorised(distances, train_labels, k):
    """Vote counts for all queries at once; the first neighbour whose label is tied."""
    nearest = np.argsort(distances, axis=1)[:, :k]
    labels = np.asarray(train_labels)[nearest]               # (q, k)
    q = len(labels)
    rows = np.arange(q)[:, None]
    counts = np.zeros((q, labels.max() + 1), dtype=int)
    np.add.at(counts, (rows, labels), 1)
    tied = counts == counts.max(axis=1, keepdims=True)       # (q, C)
    first = tied[rows, labels].argmax(axis=1)                 # first tied, by distance
    return labels[np.arange(q), first]


def knn_predict__right_counter(distances, train_labels, k):
    """collections.Counter, then the first neighbour with the top count."""
    order = np.argsort(distances, axis=1)
    predictions = []
    for row in order:
        voters = [train_labels[j] for j in row[:k]]
        counts = Counter(voters)
        top = max(counts.values())
        predictions.append(next(v for v in voters if counts[v] == top))
    return np.asarray(predictions, dtype=np.asarray(train_labels).dtype)


def knn_predict__right_min_rank(distances, train_labels, k):
    """Among the tied labels, the one whose first appearance has the smallest rank."""
    nearest = np.argsort(distances, axis=1)[:, :k]
    out = np.empty(len(distances), dtype=np.int64)
    for i, neighbours in enumerate(train_labels[nearest]):
        labels, first_rank, counts = np.unique(neighbours, return_index=True,
                                               return_counts=True)
        tied = counts == counts.max()
        out[i] = labels[tied][np.argmin(first_rank[tied])]
    return out


# ------------------------------------------------------ 8.4 loo_knn_predictions
def loo_knn_predictions__wrong_no_fill(features, labels, k):
    """Forgets np.fill_diagonal: each image votes for itself."""
    return knn_predict(ssd_matrix(features, features), labels, k)


def loo_knn_predictions__wrong_fill_zero(features, labels, k):
    """Fills the diagonal with 0: the image is its own nearest neighbour."""
    distances = ssd_matrix(features, features)
    np.fill_diagonal(distances, 0)
    return knn_predict(distances, labels, k)


def loo_knn_predictions__wrong_drops_duplicates(features, labels, k):
    """Sets every zero distance to inf: duplicates are kept out of the vote too."""
    distances = ssd_matrix(features, features)
    distances[distances == 0] = np.inf
    np.fill_diagonal(distances, np.inf)
    return knn_predict(distances, labels, k)


def loo_knn_predictions__wrong_drop_first_column(features, labels, k):
    """Drops the first neighbour in sorted order, assumed to be the image itself."""
    order = np.argsort(ssd_matrix(features, features), axis=1)[:, 1:k + 1]
    predictions = []
    for neighbours in labels[order]:
        votes = np.bincount(neighbours)
        tied = np.flatnonzero(votes == votes.max())
        predictions.append(next(c for c in neighbours if c in tied))
    return np.array(predictions)


def loo_knn_predictions__wrong_k_plus_one(features, labels, k):
    """Asks for k + 1 neighbours instead of removing the image: it still votes."""
    return knn_predict(ssd_matrix(features, features), labels, k + 1)


def loo_knn_predictions__wrong_eye_times_inf(features, labels, k):
    """Adds np.eye(n) * inf: 0 * inf is nan off the diagonal."""
    distances = ssd_matrix(features, features)
    with np.errstate(invalid="ignore"):
        distances = distances + np.eye(len(features)) * np.inf
    return knn_predict(distances, labels, k)


def loo_knn_predictions__wrong_centres_in_place(features, labels, k):
    """Centres the features in place first: distances unchanged, caller's array changed."""
    features -= features.mean(axis=0)
    distances = ssd_matrix(features, features)
    np.fill_diagonal(distances, np.inf)
    return knn_predict(distances, labels, k)


def loo_knn_predictions__wrong_labels_not_deleted(features, labels, k):
    """Loop that deletes image i from the features but not from the labels."""
    predictions = []
    for i in range(len(features)):
        others = np.delete(features, i, axis=0)
        distances = ssd_matrix(features[i:i + 1], others)
        predictions.append(knn_predict(distances, labels[:-1], k)[0])
    return np.array(predictions)


def loo_knn_predictions__wrong_delegates(features, labels, k):
    """Calls the saved reference in utils."""
    from utils.embedding import loo_knn_predictions as reference
    return reference(features, labels, k)


def loo_knn_predictions__right_delete_loop(features, labels, k):
    """One distance matrix, then per image its row without itself and knn_predict."""
    distances = ssd_matrix(features, features)
    predictions = []
    for i in range(len(features)):
        row = np.delete(distances[i], i)[None, :]
        predictions.append(knn_predict(row, np.delete(labels, i), k)[0])
    return np.array(predictions)


def loo_knn_predictions__right_sqrt_where(features, labels, k):
    """Euclidean distances (same order as the SSD) and np.where on an identity mask."""
    distances = np.sqrt(ssd_matrix(features, features))
    distances = np.where(np.eye(len(features), dtype=bool), np.inf, distances)
    return knn_predict(distances, labels, k)


def loo_knn_predictions__right_diag_indices(features, labels, k):
    """The diagonal set to inf through np.diag_indices."""
    distances = ssd_matrix(features, features)
    distances[np.diag_indices(len(features))] = np.inf
    return knn_predict(distances, labels, k)


ANSWERS = {
    "8.1": {"wrong": [embed__wrong_no_eval, embed__wrong_detach_not_no_grad,
                      embed__wrong_keeps_float64, embed__wrong_no_channel_axis,
                      embed__wrong_channel_last, embed__wrong_ignores_device,
                      embed__wrong_log_probabilities, embed__wrong_returns_tensor,
                      embed__wrong_delegates],
            "right": [embed__right_inference_mode, embed__right_tensor_on_device,
                      embed__right_reshape]},
    "8.2": {"wrong": [ssd_matrix__wrong_no_clip, ssd_matrix__wrong_euclidean,
                      ssd_matrix__wrong_missing_two, ssd_matrix__wrong_mean,
                      ssd_matrix__wrong_sum_axis, ssd_matrix__wrong_absolute,
                      ssd_matrix__wrong_norms_not_squared, ssd_matrix__wrong_python_loops,
                      ssd_matrix__wrong_delegates],
            "right": [ssd_matrix__right_broadcast, ssd_matrix__right_einsum,
                      ssd_matrix__right_cdist]},
    "8.3": {"wrong": [knn_predict__wrong_smallest_label_wins,
                      knn_predict__wrong_farthest_tied,
                      knn_predict__wrong_nearest_label_on_tie,
                      knn_predict__wrong_farthest_neighbours,
                      knn_predict__wrong_blanks_distances, knn_predict__wrong_argsort_axis0,
                      knn_predict__wrong_unsorted_partition, knn_predict__wrong_float_labels,
                      knn_predict__wrong_python_list, knn_predict__wrong_scipy_mode,
                      knn_predict__wrong_shrink_k, knn_predict__wrong_skips_nearest,
                      knn_predict__wrong_delegates],
            "right": [knn_predict__right_vectorised, knn_predict__right_counter,
                      knn_predict__right_min_rank]},
    "8.4": {"wrong": [loo_knn_predictions__wrong_no_fill,
                      loo_knn_predictions__wrong_fill_zero,
                      loo_knn_predictions__wrong_drops_duplicates,
                      loo_knn_predictions__wrong_drop_first_column,
                      loo_knn_predictions__wrong_k_plus_one,
                      loo_knn_predictions__wrong_eye_times_inf,
                      loo_knn_predictions__wrong_centres_in_place,
                      loo_knn_predictions__wrong_labels_not_deleted,
                      loo_knn_predictions__wrong_delegates],
            "right": [loo_knn_predictions__right_delete_loop,
                      loo_knn_predictions__right_sqrt_where,
                      loo_knn_predictions__right_diag_indices]},
}
