"""Student answers for lab 08 (embedding, SSD distances, k-NN, leave-one-out)."""

import math
from collections import Counter

import numpy as np
import torch
from scipy import stats
from scipy.optimize import brentq
from scipy.spatial.distance import cdist
from scipy.stats import norm

from utils.saved.lab08_embedding import (
    knn_predict,
    read_among_others,
    ssd_matrix,
)  # the notebook's names


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
    from utils.saved.lab08_embedding import embed as reference

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
    squares = (a**2).sum(axis=1)[:, None] + (b**2).sum(axis=1)[None, :]
    return squares - 2 * a @ b.T


def ssd_matrix__wrong_euclidean(a, b):
    """Takes the square root: the Euclidean distance, not the SSD."""
    squares = (a**2).sum(axis=1)[:, None] + (b**2).sum(axis=1)[None, :]
    return np.sqrt(np.maximum(squares - 2 * a @ b.T, 0))


def ssd_matrix__wrong_missing_two(a, b):
    """Forgets the factor 2 of the cross term."""
    squares = (a**2).sum(axis=1)[:, None] + (b**2).sum(axis=1)[None, :]
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
    from utils.saved.lab08_embedding import ssd_matrix as reference

    return reference(a, b)


def ssd_matrix__right_broadcast(a, b):
    """Broadcasts the (n, m, d) differences and sums the last axis."""
    diff = a[:, None, :] - b[None, :, :]
    return (diff**2).sum(axis=-1)


def ssd_matrix__right_einsum(a, b):
    """Squared norms and the cross term with np.einsum, clipped at 0."""
    d = (
        np.einsum("ij,ij->i", a, a)[:, None]
        + np.einsum("ij,ij->i", b, b)[None, :]
        - 2 * np.einsum("ik,jk->ij", a, b)
    )
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
    nearest = np.argsort(distances, axis=1)[:, 1 : k + 1]
    predictions = []
    for neighbours in train_labels[nearest]:
        votes = np.bincount(neighbours)
        tied = np.flatnonzero(votes == votes.max())
        predictions.append(next(c for c in neighbours if c in tied))
    return np.array(predictions)


def knn_predict__wrong_delegates(distances, train_labels, k):
    """Calls the saved reference in utils."""
    from utils.saved.lab08_embedding import knn_predict as reference

    return reference(distances, train_labels, k)


def knn_predict__right_vectorised(distances, train_labels, k):
    """Vote counts for all queries at once; the first neighbour whose label is tied."""
    nearest = np.argsort(distances, axis=1)[:, :k]
    labels = np.asarray(train_labels)[nearest]  # (q, k)
    q = len(labels)
    rows = np.arange(q)[:, None]
    counts = np.zeros((q, labels.max() + 1), dtype=int)
    np.add.at(counts, (rows, labels), 1)
    tied = counts == counts.max(axis=1, keepdims=True)  # (q, C)
    first = tied[rows, labels].argmax(axis=1)  # first tied, by distance
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
        labels, first_rank, counts = np.unique(neighbours, return_index=True, return_counts=True)
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
    order = np.argsort(ssd_matrix(features, features), axis=1)[:, 1 : k + 1]
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
        distances = ssd_matrix(features[i : i + 1], others)
        predictions.append(knn_predict(distances, labels[:-1], k)[0])
    return np.array(predictions)


def loo_knn_predictions__wrong_delegates(features, labels, k):
    """Calls the saved reference in utils."""
    from utils.saved.lab08_embedding import loo_knn_predictions as reference

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
    "8.1": {
        "wrong": [
            embed__wrong_no_eval,
            embed__wrong_detach_not_no_grad,
            embed__wrong_keeps_float64,
            embed__wrong_no_channel_axis,
            embed__wrong_channel_last,
            embed__wrong_ignores_device,
            embed__wrong_log_probabilities,
            embed__wrong_returns_tensor,
            embed__wrong_delegates,
        ],
        "right": [embed__right_inference_mode, embed__right_tensor_on_device, embed__right_reshape],
    },
    "8.2": {
        "wrong": [
            ssd_matrix__wrong_no_clip,
            ssd_matrix__wrong_euclidean,
            ssd_matrix__wrong_missing_two,
            ssd_matrix__wrong_mean,
            ssd_matrix__wrong_sum_axis,
            ssd_matrix__wrong_absolute,
            ssd_matrix__wrong_norms_not_squared,
            ssd_matrix__wrong_python_loops,
            ssd_matrix__wrong_delegates,
        ],
        "right": [ssd_matrix__right_broadcast, ssd_matrix__right_einsum, ssd_matrix__right_cdist],
    },
    "8.3": {
        "wrong": [
            knn_predict__wrong_smallest_label_wins,
            knn_predict__wrong_farthest_tied,
            knn_predict__wrong_nearest_label_on_tie,
            knn_predict__wrong_farthest_neighbours,
            knn_predict__wrong_blanks_distances,
            knn_predict__wrong_argsort_axis0,
            knn_predict__wrong_unsorted_partition,
            knn_predict__wrong_float_labels,
            knn_predict__wrong_python_list,
            knn_predict__wrong_scipy_mode,
            knn_predict__wrong_shrink_k,
            knn_predict__wrong_skips_nearest,
            knn_predict__wrong_delegates,
        ],
        "right": [
            knn_predict__right_vectorised,
            knn_predict__right_counter,
            knn_predict__right_min_rank,
        ],
    },
    "8.4": {
        "wrong": [
            loo_knn_predictions__wrong_no_fill,
            loo_knn_predictions__wrong_fill_zero,
            loo_knn_predictions__wrong_drops_duplicates,
            loo_knn_predictions__wrong_drop_first_column,
            loo_knn_predictions__wrong_k_plus_one,
            loo_knn_predictions__wrong_eye_times_inf,
            loo_knn_predictions__wrong_centres_in_place,
            loo_knn_predictions__wrong_labels_not_deleted,
            loo_knn_predictions__wrong_delegates,
        ],
        "right": [
            loo_knn_predictions__right_delete_loop,
            loo_knn_predictions__right_sqrt_where,
            loo_knn_predictions__right_diag_indices,
        ],
    },
}


# ----------------------------------------------------------- 8.5 wilson_interval
def wilson_interval__wrong_wald(right, n, confidence=0.95):
    """The Wald interval: the standard error at p-hat, not at p."""
    z = norm.ppf(1 - (1 - confidence) / 2)
    p = right / n
    half = z * np.sqrt(p * (1 - p) / n)
    return float(p - half), float(p + half)


def wilson_interval__wrong_one_tailed_z(right, n, confidence=0.95):
    """z = norm.ppf(confidence): leaves all of 1 - confidence in one tail."""
    z = norm.ppf(confidence)
    p = right / n
    centre = (p + z**2 / (2 * n)) / (1 + z**2 / n)
    half = z / (1 + z**2 / n) * np.sqrt(p * (1 - p) / n + z**2 / (4 * n**2))
    return float(centre - half), float(centre + half)


def wilson_interval__wrong_negative_z(right, n, confidence=0.95):
    """z = norm.ppf((1 - confidence) / 2) is negative: low and high come out swapped."""
    z = norm.ppf((1 - confidence) / 2)
    p = right / n
    centre = (p + z**2 / (2 * n)) / (1 + z**2 / n)
    half = z / (1 + z**2 / n) * np.sqrt(p * (1 - p) / n + z**2 / (4 * n**2))
    return float(centre - half), float(centre + half)


def wilson_interval__wrong_fixed_196(right, n, confidence=0.95):
    """Hard-codes z = 1.96: ignores the confidence argument."""
    z = 1.96
    p = right / n
    centre = (p + z**2 / (2 * n)) / (1 + z**2 / n)
    half = z / (1 + z**2 / n) * np.sqrt(p * (1 - p) / n + z**2 / (4 * n**2))
    return float(centre - half), float(centre + half)


def wilson_interval__wrong_drops_z2_term(right, n, confidence=0.95):
    """Forgets the z^2/(4 n^2) term under the root: zero width at right = 0 or n."""
    z = norm.ppf(1 - (1 - confidence) / 2)
    p = right / n
    centre = (p + z**2 / (2 * n)) / (1 + z**2 / n)
    half = z / (1 + z**2 / n) * np.sqrt(p * (1 - p) / n)
    return float(centre - half), float(centre + half)


def wilson_interval__wrong_centred_at_phat(right, n, confidence=0.95):
    """Wilson half-width, but centred at p-hat instead of the shifted centre."""
    z = norm.ppf(1 - (1 - confidence) / 2)
    p = right / n
    half = z / (1 + z**2 / n) * np.sqrt(p * (1 - p) / n + z**2 / (4 * n**2))
    return float(p - half), float(p + half)


def wilson_interval__wrong_agresti_coull(right, n, confidence=0.95):
    """Agresti-Coull (add z^2/2 successes and failures, then Wald): a wider interval."""
    z = norm.ppf(1 - (1 - confidence) / 2)
    n_tilde = n + z**2
    p = (right + z**2 / 2) / n_tilde
    half = z * np.sqrt(p * (1 - p) / n_tilde)
    return float(max(p - half, 0.0)), float(min(p + half, 1.0))


def wilson_interval__wrong_continuity_corrected(right, n, confidence=0.95):
    """Solves |p-hat - p| - 1/(2n) = z se(p): the continuity-corrected interval."""
    z = norm.ppf(1 - (1 - confidence) / 2)
    p = right / n

    def ends(shifted):
        a = 1 + z**2 / n
        b = -(2 * shifted + z**2 / n)
        c = shifted**2
        root = np.sqrt(max(b * b - 4 * a * c, 0.0))
        return (-b - root) / (2 * a), (-b + root) / (2 * a)

    low = 0.0 if right == 0 else ends(p - 1 / (2 * n))[0]
    high = 1.0 if right == n else ends(p + 1 / (2 * n))[1]
    return float(low), float(high)


def wilson_interval__wrong_delegates(right, n, confidence=0.95):
    """Calls scipy.stats.binomtest, which the spec forbids."""
    from scipy.stats import binomtest

    ci = binomtest(int(right), int(n)).proportion_ci(confidence, method="wilson")
    return float(ci.low), float(ci.high)


def wilson_interval__right_np_roots(right, n, confidence=0.95):
    """The roots of (1 + z^2/n) p^2 - (2 p-hat + z^2/n) p + p-hat^2 with np.roots."""
    z = norm.isf((1 - confidence) / 2)
    p_hat = right / n
    roots = np.roots([1 + z * z / n, -(2 * p_hat + z * z / n), p_hat * p_hat])
    low, high = sorted(np.real(roots))
    return float(max(low, 0.0)), float(min(high, 1.0))


def wilson_interval__right_counts_quadratic(right, n, confidence=0.95):
    """Quadratic in counts, (n + z^2) p^2 - (2 right + z^2) p + right^2/n, stable roots."""
    z2 = norm.ppf(0.5 + confidence / 2) ** 2
    a = n + z2
    b = -(2 * right + z2)
    c = right * right / n
    disc = math.sqrt(z2 * (4 * right * (n - right) / n + z2))  # b^2 - 4ac, simplified
    high = (-b + disc) / (2 * a)  # -b > 0: no cancellation here
    low = c / (a * high)  # product of the roots is c / a
    return float(low), float(high)


def wilson_interval__right_brentq(right, n, confidence=0.95):
    """Finds where |p-hat - p| = z sqrt(p(1-p)/n) with brentq either side of the centre."""
    z = norm.ppf(1 - (1 - confidence) / 2)
    p_hat = right / n
    centre = (p_hat + z**2 / (2 * n)) / (1 + z**2 / n)  # inside: not contradicted

    def gap(p):
        return (p_hat - p) ** 2 - z**2 * p * (1 - p) / n

    low = brentq(gap, 0.0, centre, xtol=1e-15, rtol=1e-15)
    high = brentq(gap, centre, 1.0, xtol=1e-15, rtol=1e-15)
    return float(low), float(high)


# ---------------------------------------------------------- 8.6 confusion_matrix
def confusion_matrix__wrong_transposed(truth, predicted, n_classes):
    """Rows by the predicted label, columns by the truth."""
    counts = np.zeros((n_classes, n_classes), dtype=int)
    for t, p in zip(truth, predicted):
        counts[p, t] += 1
    return counts


def confusion_matrix__wrong_fancy_increment(truth, predicted, n_classes):
    """counts[truth, predicted] += 1: a repeated pair is counted once."""
    counts = np.zeros((n_classes, n_classes), dtype=int)
    counts[truth, predicted] += 1
    return counts


def confusion_matrix__wrong_size_from_data(truth, predicted, n_classes):
    """Sizes the matrix by the largest label seen, not n_classes."""
    size = int(max(np.max(truth), np.max(predicted))) + 1
    counts = np.zeros((size, size), dtype=int)
    np.add.at(counts, (truth, predicted), 1)
    return counts


def confusion_matrix__wrong_float_counts(truth, predicted, n_classes):
    """Right counts in np.zeros' default float64, not integers."""
    counts = np.zeros((n_classes, n_classes))
    for t, p in zip(truth, predicted):
        counts[t, p] += 1
    return counts


def confusion_matrix__wrong_histogram2d_range(truth, predicted, n_classes):
    """np.histogram2d with n_classes bins over the data's own range, not 0..n-1."""
    counts, _, _ = np.histogram2d(truth, predicted, bins=n_classes)
    return counts.astype(int)


def confusion_matrix__wrong_one_based(truth, predicted, n_classes):
    """Indexes with label - 1 as if labels started at 1: label 0 wraps to the last row."""
    counts = np.zeros((n_classes, n_classes), dtype=int)
    for t, p in zip(truth, predicted):
        counts[t - 1, p - 1] += 1
    return counts


def confusion_matrix__wrong_int8(truth, predicted, n_classes):
    """Counts in int8: a cell above 127 wraps around."""
    counts = np.zeros((n_classes, n_classes), dtype=np.int8)
    np.add.at(counts, (np.asarray(truth), np.asarray(predicted)), 1)
    return counts


def confusion_matrix__wrong_row_fractions(truth, predicted, n_classes):
    """Divides each row by its total: fractions, not counts."""
    counts = np.zeros((n_classes, n_classes))
    np.add.at(counts, (np.asarray(truth), np.asarray(predicted)), 1)
    totals = counts.sum(axis=1, keepdims=True)
    return counts / np.where(totals == 0, 1, totals)


def confusion_matrix__wrong_sklearn_no_labels(truth, predicted, n_classes):
    """sklearn's confusion_matrix without labels=: a label never seen loses its row."""
    from sklearn.metrics import confusion_matrix as sk_confusion

    return sk_confusion(truth, predicted)


def confusion_matrix__wrong_delegates(truth, predicted, n_classes):
    """Calls utils.plots.count_confusions, which the spec forbids."""
    from utils.plots import count_confusions as reference

    return reference(truth, predicted, n_classes)


def confusion_matrix__right_bincount(truth, predicted, n_classes):
    """One flat index per pair, np.bincount with minlength n^2, reshaped."""
    flat = np.asarray(truth, dtype=np.int64) * n_classes + np.asarray(predicted, dtype=np.int64)
    return np.bincount(flat, minlength=n_classes * n_classes).reshape(n_classes, n_classes)


def confusion_matrix__right_counter(truth, predicted, n_classes):
    """collections.Counter over the (true, read) pairs, copied into a grid."""
    pairs = Counter(zip(np.asarray(truth).tolist(), np.asarray(predicted).tolist()))
    counts = np.zeros((n_classes, n_classes), dtype=np.int64)
    for (t, p), c in pairs.items():
        counts[t, p] = c
    return counts


def confusion_matrix__right_one_hot(truth, predicted, n_classes):
    """One-hot rows of truth and of predicted; their product T^T P counts the pairs."""
    eye = np.eye(n_classes, dtype=np.int64)
    return eye[np.asarray(truth, dtype=np.intp)].T @ eye[np.asarray(predicted, dtype=np.intp)]


# --------------------------------------------------------- 8.7 read_among_others
def read_among_others__wrong_keeps_original(
    queries, originals, references, labels, k, letters=None
):
    """Never excludes the original: each copy is read next to the letter it came from."""
    distances = ssd_matrix(queries, references)
    if letters is not None:
        distances[:, ~np.isin(labels, letters)] = np.inf
    return knn_predict(distances, labels, k)


def read_among_others__wrong_diagonal(queries, originals, references, labels, k, letters=None):
    """Excludes reference i for query i (leave-one-out's diagonal), not originals[i]."""
    distances = ssd_matrix(queries, references)
    idx = np.arange(min(len(queries), len(references)))
    distances[idx, idx] = np.inf
    if letters is not None:
        distances[:, ~np.isin(labels, letters)] = np.inf
    return knn_predict(distances, labels, k)


def read_among_others__wrong_all_originals(queries, originals, references, labels, k, letters=None):
    """distances[:, originals] = inf: every query loses every query's original."""
    distances = ssd_matrix(queries, references)
    distances[:, originals] = np.inf
    if letters is not None:
        distances[:, ~np.isin(labels, letters)] = np.inf
    return knn_predict(distances, labels, k)


def read_among_others__wrong_skips_nearest(queries, originals, references, labels, k, letters=None):
    """Drops each query's nearest reference, assuming it is the original."""
    distances = ssd_matrix(queries, references)
    if letters is not None:
        distances[:, ~np.isin(labels, letters)] = np.inf
    nearest = np.argmin(distances, axis=1)
    distances[np.arange(len(queries)), nearest] = np.inf
    return knn_predict(distances, labels, k)


def read_among_others__wrong_subset_unmapped(
    queries, originals, references, labels, k, letters=None
):
    """Keeps only the letters' references, then blanks originals[i] in the subset's numbering."""
    labels = np.asarray(labels)
    keep = np.ones(len(labels), bool) if letters is None else np.isin(labels, letters)
    distances = ssd_matrix(queries, references[keep])
    rows = np.arange(len(queries))
    inside = originals < keep.sum()
    distances[rows[inside], originals[inside]] = np.inf
    return knn_predict(distances, labels[keep], k)


def read_among_others__wrong_letters_as_indices(
    queries, originals, references, labels, k, letters=None
):
    """Treats letters as reference indices: only references number 0, 1, 2 take part."""
    distances = ssd_matrix(queries, references)
    distances[np.arange(len(queries)), originals] = np.inf
    if letters is not None:
        keep = np.zeros(len(references), bool)
        keep[list(letters)] = True
        distances[:, ~keep] = np.inf
    return knn_predict(distances, labels, k)


def read_among_others__wrong_filters_queries(
    queries, originals, references, labels, k, letters=None
):
    """With letters, drops the queries whose original is another letter (fewer labels out)."""
    distances = ssd_matrix(queries, references)
    distances[np.arange(len(queries)), originals] = np.inf
    if letters is not None:
        distances[:, ~np.isin(labels, letters)] = np.inf
        distances = distances[np.isin(labels[originals], letters)]
    return knn_predict(distances, labels, k)


def read_among_others__wrong_centres_in_place(
    queries, originals, references, labels, k, letters=None
):
    """Centres both sets in place on the references' mean: same labels, arguments changed."""
    centre = references.mean(axis=0)
    queries -= centre
    references -= centre
    distances = ssd_matrix(queries, references)
    distances[np.arange(len(queries)), originals] = np.inf
    if letters is not None:
        distances[:, ~np.isin(labels, letters)] = np.inf
    return knn_predict(distances, labels, k)


def read_among_others__wrong_ignores_k(queries, originals, references, labels, k, letters=None):
    """Always reads with the single nearest neighbour, whatever k."""
    distances = ssd_matrix(queries, references)
    distances[np.arange(len(queries)), originals] = np.inf
    if letters is not None:
        distances[:, ~np.isin(labels, letters)] = np.inf
    return knn_predict(distances, labels, 1)


def read_among_others__right_query_loop(queries, originals, references, labels, k, letters=None):
    """One query at a time: the allowed references picked by a mask, then knn_predict."""
    labels = np.asarray(labels)
    allowed = np.ones(len(labels), bool) if letters is None else np.isin(labels, letters)
    out = []
    for query, original in zip(queries, originals):
        mask = allowed.copy()
        mask[original] = False
        row = ssd_matrix(query[None, :], references[mask])
        out.append(knn_predict(row, labels[mask], k)[0])
    return np.array(out)


def read_among_others__right_where_mask(queries, originals, references, labels, k, letters=None):
    """Euclidean distances (same order) and one boolean mask through np.where."""
    labels = np.asarray(labels)
    banned = np.zeros((len(queries), len(references)), bool)
    banned[np.arange(len(queries)), originals] = True
    if letters is not None:
        banned |= ~np.isin(labels, list(letters))[None, :]
    distances = np.sqrt(ssd_matrix(queries, references))
    return knn_predict(np.where(banned, np.inf, distances), labels, k)


def read_among_others__right_put_along_axis(
    queries, originals, references, labels, k, letters=None
):
    """np.put_along_axis for the originals; the other letters' columns set to inf."""
    distances = ssd_matrix(np.array(queries, copy=True), np.array(references, copy=True))
    np.put_along_axis(distances, np.asarray(originals)[:, None], np.inf, axis=1)
    if letters is not None:
        others = [j for j, lab in enumerate(labels) if lab not in set(letters)]
        distances[:, others] = np.inf
    return knn_predict(distances, labels, k)


# ------------------------------------------------------- 8.8 select_method_and_k
def _score_table(candidates, originals, labels, k_values):
    truth = np.asarray(labels)[np.asarray(originals)]
    return np.array(
        [
            [np.mean(read_among_others(q, originals, r, labels, k) == truth) for k in k_values]
            for q, r in candidates
        ]
    )


def select_method_and_k__wrong_joint_argmax(candidates, originals, labels, k_values):
    """Takes the best (candidate, k) cell of the whole table in one step."""
    scores = _score_table(candidates, originals, labels, k_values)
    c, j = np.unravel_index(np.argmax(scores), scores.shape)
    return scores, (int(c), k_values[j])


def select_method_and_k__wrong_later_candidate_on_tie(candidates, originals, labels, k_values):
    """Compares with >=: a tie goes to the later candidate."""
    scores = _score_table(candidates, originals, labels, k_values)
    best = 0
    for c in range(len(candidates)):
        if scores[c, 0] >= scores[best, 0]:
            best = c
    return scores, (best, k_values[int(np.argmax(scores[best]))])


def select_method_and_k__wrong_larger_k_on_tie(candidates, originals, labels, k_values):
    """Last maximum of the candidate's row: a tie goes to the larger k."""
    scores = _score_table(candidates, originals, labels, k_values)
    best = int(np.argmax(scores[:, 0]))
    row = scores[best]
    j = len(row) - 1 - int(np.argmax(row[::-1]))
    return scores, (best, k_values[j])


def select_method_and_k__wrong_counts(candidates, originals, labels, k_values):
    """Scores are the numbers of letters read right, not fractions."""
    truth = np.asarray(labels)[np.asarray(originals)]
    scores = np.array(
        [
            [np.sum(read_among_others(q, originals, r, labels, k) == truth) for k in k_values]
            for q, r in candidates
        ]
    )
    best = int(np.argmax(scores[:, 0]))
    return scores, (best, k_values[int(np.argmax(scores[best]))])


def select_method_and_k__wrong_truth_by_position(candidates, originals, labels, k_values):
    """Takes the truth of redrawn letter i as labels[i], not labels[originals[i]]."""
    q = len(originals)
    truth = np.resize(np.asarray(labels), q)
    scores = np.array(
        [
            [np.mean(read_among_others(qs, originals, r, labels, k) == truth) for k in k_values]
            for qs, r in candidates
        ]
    )
    best = int(np.argmax(scores[:, 0]))
    return scores, (best, k_values[int(np.argmax(scores[best]))])


def select_method_and_k__wrong_k_index(candidates, originals, labels, k_values):
    """Returns the index of the chosen k instead of the k itself."""
    scores = _score_table(candidates, originals, labels, k_values)
    best = int(np.argmax(scores[:, 0]))
    return scores, (best, int(np.argmax(scores[best])))


def select_method_and_k__wrong_mean_over_k(candidates, originals, labels, k_values):
    """Chooses the candidate by its mean score over all k, not by its first k."""
    scores = _score_table(candidates, originals, labels, k_values)
    best = int(np.argmax(scores.mean(axis=1)))
    return scores, (best, k_values[int(np.argmax(scores[best]))])


def select_method_and_k__wrong_keeps_originals(candidates, originals, labels, k_values):
    """Plain k-NN among all 72 letters: each copy's own original votes for it."""
    truth = np.asarray(labels)[np.asarray(originals)]
    scores = np.array(
        [
            [np.mean(knn_predict(ssd_matrix(q, r), labels, k) == truth) for k in k_values]
            for q, r in candidates
        ]
    )
    best = int(np.argmax(scores[:, 0]))
    return scores, (best, k_values[int(np.argmax(scores[best]))])


def select_method_and_k__wrong_transposed(candidates, originals, labels, k_values):
    """Builds the table with one row per k and one column per candidate."""
    truth = np.asarray(labels)[np.asarray(originals)]
    scores = np.array(
        [
            [np.mean(read_among_others(q, originals, r, labels, k) == truth) for q, r in candidates]
            for k in k_values
        ]
    )
    best = int(np.argmax(scores[0]))
    return scores, (best, k_values[int(np.argmax(scores[:, best]))])


def select_method_and_k__right_loops(candidates, originals, labels, k_values):
    """Plain loops that fill the table, and strict > so the earlier wins a tie."""
    labels = np.asarray(labels)
    truth = labels[np.asarray(originals)]
    scores = np.zeros((len(candidates), len(k_values)))
    for c, (queries, references) in enumerate(candidates):
        for j, k in enumerate(k_values):
            read = read_among_others(queries, originals, references, labels, k)
            scores[c, j] = (read == truth).sum() / len(truth)
    best = 0
    for c in range(1, len(candidates)):
        if scores[c, 0] > scores[best, 0]:
            best = c
    best_j = 0
    for j in range(1, len(k_values)):
        if scores[best, j] > scores[best, best_j]:
            best_j = j
    return scores, (best, k_values[best_j])


def select_method_and_k__right_flatnonzero(candidates, originals, labels, k_values):
    """The first index of each maximum with np.flatnonzero."""
    truth = np.take(labels, originals)
    scores = np.empty((len(candidates), len(k_values)))
    for c, (queries, references) in enumerate(candidates):
        scores[c] = [
            np.count_nonzero(read_among_others(queries, originals, references, labels, k) == truth)
            / len(truth)
            for k in k_values
        ]
    candidate = int(np.flatnonzero(scores[:, 0] == scores[:, 0].max())[0])
    row = scores[candidate]
    k = k_values[int(np.flatnonzero(row == row.max())[0])]
    return scores, (candidate, k)


def select_method_and_k__right_max_key(candidates, originals, labels, k_values):
    """Python max with a key: max returns the first of equal keys."""
    truth = [labels[o] for o in originals]
    table = []
    for queries, references in candidates:
        table.append(
            [
                np.mean(
                    np.asarray(read_among_others(queries, originals, references, labels, k))
                    == truth
                )
                for k in k_values
            ]
        )
    scores = np.array(table, dtype=float)
    candidate = max(range(len(candidates)), key=lambda c: scores[c, 0])
    j = max(range(len(k_values)), key=lambda i: scores[candidate, i])
    return scores, (candidate, k_values[j])


ANSWERS["8.5"] = {
    "wrong": [
        wilson_interval__wrong_wald,
        wilson_interval__wrong_one_tailed_z,
        wilson_interval__wrong_negative_z,
        wilson_interval__wrong_fixed_196,
        wilson_interval__wrong_drops_z2_term,
        wilson_interval__wrong_centred_at_phat,
        wilson_interval__wrong_agresti_coull,
        wilson_interval__wrong_continuity_corrected,
        wilson_interval__wrong_delegates,
    ],
    "right": [
        wilson_interval__right_np_roots,
        wilson_interval__right_counts_quadratic,
        wilson_interval__right_brentq,
    ],
}
ANSWERS["8.6"] = {
    "wrong": [
        confusion_matrix__wrong_transposed,
        confusion_matrix__wrong_fancy_increment,
        confusion_matrix__wrong_size_from_data,
        confusion_matrix__wrong_float_counts,
        confusion_matrix__wrong_histogram2d_range,
        confusion_matrix__wrong_one_based,
        confusion_matrix__wrong_int8,
        confusion_matrix__wrong_row_fractions,
        confusion_matrix__wrong_sklearn_no_labels,
        confusion_matrix__wrong_delegates,
    ],
    "right": [
        confusion_matrix__right_bincount,
        confusion_matrix__right_counter,
        confusion_matrix__right_one_hot,
    ],
}
ANSWERS["8.7"] = {
    "wrong": [
        read_among_others__wrong_keeps_original,
        read_among_others__wrong_diagonal,
        read_among_others__wrong_all_originals,
        read_among_others__wrong_skips_nearest,
        read_among_others__wrong_subset_unmapped,
        read_among_others__wrong_letters_as_indices,
        read_among_others__wrong_filters_queries,
        read_among_others__wrong_centres_in_place,
        read_among_others__wrong_ignores_k,
    ],
    "right": [
        read_among_others__right_query_loop,
        read_among_others__right_where_mask,
        read_among_others__right_put_along_axis,
    ],
}
ANSWERS["8.8"] = {
    "wrong": [
        select_method_and_k__wrong_joint_argmax,
        select_method_and_k__wrong_later_candidate_on_tie,
        select_method_and_k__wrong_larger_k_on_tie,
        select_method_and_k__wrong_counts,
        select_method_and_k__wrong_truth_by_position,
        select_method_and_k__wrong_k_index,
        select_method_and_k__wrong_mean_over_k,
        select_method_and_k__wrong_keeps_originals,
        select_method_and_k__wrong_transposed,
    ],
    "right": [
        select_method_and_k__right_loops,
        select_method_and_k__right_flatnonzero,
        select_method_and_k__right_max_key,
    ],
}
