"""Answers written to fool the graders, by a tester who read them (issue 18,
second round): each scored wrongly when it was written (a wrong one full
points, a right one less); the graders were then fixed.

Each is tagged with @finding(exercise, kind); ``ANSWERS`` (at the end) lists
them as the other modules do.

The module also holds the "student's own" helpers that answers of later
exercises use (the lab notebooks define them in earlier cells): the grader
looks some of them up in the answer's globals.
"""

import copy
import math

import numpy as np
import torch
from PIL import Image
from scipy import ndimage
from torch import nn
from torch.nn import functional as F

from utils.backbones import to_rgb
from utils.saved import lab01_softmax as _sm  # lab 01 helpers
from utils.saved import lab03_mlp as _mlp  # lab 03 helpers (not the graded refs)

FINDINGS = []


def finding(exercise, kind):
    def mark(answer):
        answer.exercise, answer.kind = exercise, kind
        FINDINGS.append(answer)
        return answer

    return mark


# ---------------------------------------------------------------- helpers
# lab 01 (the student's softmax, summed cross_entropy and one_hot)
softmax = _sm.softmax
one_hot = _sm.one_hot
cross_entropy_sum = _sm.cross_entropy


# the notebooks' names for earlier exercises (2.2 swaps ``layer_jacobians``
# in the answer's globals, so it must be a global here)
from utils.saved.lab02_jacobians import forward, layer_jacobians, sigmoid  # noqa: E402,F401
from utils.saved.lab07_transfer import cut_activations  # noqa: E402


# ===================================================================== 1.4
@finding("1.4", "wrong")
def loss_and_grads__log_of_softmax(W, b, X, y):
    """WRONG, full marks (3/3). The loss is -log(softmax(O)[n, y_n]) instead of
    the lab's log-sum-exp cross_entropy (the spec says "use softmax,
    cross_entropy and one_hot"; lab 01 exists to teach that log(softmax)
    gives inf). check_loss_and_grads only draws moderate scores
    (W ~ 0.5 N(0,1), X in [0,1]), so it never sees the difference; on scores
    like [0, 1000, 0] with label 0 this answer returns inf (the reference:
    1000). The 1.3 check has an extreme-score case; the 1.4 check has none."""
    O = X @ W + b
    P = softmax(O)
    loss = -np.log(P[np.arange(len(y)), y]).sum()
    delta = P - one_hot(y, W.shape[1], dtype=O.dtype)
    return loss, X.T @ delta, delta.sum(axis=0)


@finding("1.4", "wrong")
def loss_and_grads__squeezed_scores(W, b, X, y):
    """WRONG, full marks (3/3). Squeezes the scores, so a batch of ONE image
    (N = 1, valid input) gives O of shape (K,) and cross_entropy's
    o.max(axis=1) raises AxisError. The check's batches are 9 and 17 images,
    the loop clause 2 and 64: N = 1 is never tried."""
    O = np.squeeze(X @ W + b)
    delta = softmax(O) - one_hot(y, W.shape[1], dtype=O.dtype)
    return cross_entropy_sum(O, y), X.T @ delta, delta.sum(axis=0)


# ===================================================================== 1.5
@finding("1.5", "wrong")
def gradient_check__integers_off_by_one(loss, params, grad, n_checks, h=1e-5, seed=0):
    """WRONG, full marks (3/3). Picks each index with rng.integers(0, m - 1)
    (thinking the upper bound is inclusive, as in random.randint): the last
    row and the last column of params are NEVER checked (and a params axis
    of length 1 crashes). The spec asks for entries "at random over all of
    params"; the grader's "wrong in the last two rows" probe is satisfied
    because row m-2 is still reachable."""
    rng = np.random.default_rng(seed)
    worst = 0.0
    for _ in range(n_checks):
        index = tuple(int(rng.integers(0, m - 1)) for m in params.shape)
        step = np.zeros_like(params)
        step[index] = h
        numeric = (loss(params + step) - loss(params - step)) / (2 * h)
        worst = max(worst, abs(numeric - grad[index]))
    return float(worst / np.abs(grad).max())


@finding("1.5", "wrong")
def gradient_check__reseeds_global_rng(loss, params, grad, n_checks, h=1e-5, seed=0):
    """WRONG, full marks (3/3). Uses np.random.seed(seed) + np.random.randint
    instead of np.random.default_rng(seed) (which the spec names): same
    seed -> same entries, so the grader is satisfied, but every call
    silently resets NumPy's GLOBAL random state (every later np.random draw
    of the lab - initialisations, shuffles - becomes a function of the
    gradient-check seed)."""
    np.random.seed(seed)
    worst = 0.0
    for _ in range(n_checks):
        index = tuple(int(np.random.randint(m)) for m in params.shape)
        step = np.zeros_like(params)
        step[index] = h
        numeric = (loss(params + step) - loss(params - step)) / (2 * h)
        worst = max(worst, abs(numeric - grad[index]))
    return float(worst / np.abs(grad).max())


@finding("1.5", "wrong")
def gradient_check__nudges_params_in_place(loss, params, grad, n_checks, h=1e-5, seed=0):
    """WRONG, full marks (3/3). The spec: "two calls of loss, on new arrays
    (params must be unchanged afterwards)". This answer nudges params
    itself in place, calls loss on params, and restores the saved value.
    The grader only checks params afterwards and that loss saw one nudged
    entry, so it cannot tell; a loss that keeps (caches) its argument, or
    an exception inside loss, leaves params corrupted."""
    rng = np.random.default_rng(seed)
    worst = 0.0
    for _ in range(n_checks):
        index = tuple(int(rng.integers(m)) for m in params.shape)
        old = params[index]
        params[index] = old + h
        up = loss(params)
        params[index] = old - h
        down = loss(params)
        params[index] = old
        worst = max(worst, abs((up - down) / (2 * h) - grad[index]))
    return float(worst / np.abs(grad).max())


@finding("2.2", "right")
def dL_dW1_by_jacobians__one_call_per_jacobian(W1, b1, W2, b2, x, y):
    """RIGHT, loses everything (0/3). Calls layer_jacobians once for each
    Jacobian it needs (layer_jacobians is a pure function: calling it twice
    with the same arguments gives the same matrices), then chains
    dL/da2 @ da2/df1 @ df1/da1 @ da1/dW1 exactly as the spec asks. The
    grader's chain probe swaps layer_jacobians for one that returns NEW
    random matrices on every call and remembers only the LAST call per
    shape, so df1/da1 (1st call) and da1/dW1 (2nd call) come from different
    random draws and the answer is declared "not their chain". The failure
    is inside the shown cases, so hidden cases count 0 as well."""
    _, f1, _, y_hat = forward(W1, b1, W2, b2, x)
    da2_df1 = layer_jacobians(W2, b2, f1)["da/dv"]
    df1_da1 = layer_jacobians(W1, b1, x)["df/da"]
    da1_dW1 = layer_jacobians(W1, b1, x)["da/dW"]
    row = (y_hat - y)[None, :] @ da2_df1 @ df1_da1 @ da1_dW1
    return row.reshape(W1.shape)


# ===================================================================== 3.2
@finding("3.2", "wrong")
def mlp_backward__overwrites_cache_P(params, cache, Y_onehot):
    """WRONG (mutates its input), full marks (4/4). Computes dL/dA2 in place
    in cache["P"] (dA2 = cache["P"]; dA2 -= Y; dA2 /= N). The cache's P is
    the very array mlp_forward returned to the caller as P, so after the
    backward pass the caller's probabilities are (P - Y) / N (negative
    entries, rows summing to 0). The test passes a copy of the cache and
    the clauses a fresh one, and nothing checks the cache afterwards."""
    X, F1, P = cache["X"], cache["F1"], cache["P"]
    if Y_onehot.shape != P.shape:
        raise ValueError(
            f"Y_onehot must have the shape of the "
            f"probabilities {P.shape}, got {Y_onehot.shape}: "
            "one row per image, one column per class."
        )
    dA2 = P
    dA2 -= Y_onehot
    dA2 /= len(X)
    dA1 = (dA2 @ params["W2"]) * F1 * (1 - F1)
    return {"W1": dA1.T @ X, "b1": dA1.sum(axis=0), "W2": dA2.T @ F1, "b2": dA2.sum(axis=0)}


# ===================================================================== 3.3
def _sgd_step(params, grads, learning_rate, weight_decay=0.0):
    for name, grad in grads.items():
        if weight_decay and name.startswith("W"):
            grad = grad + weight_decay * params[name]
        params[name] -= learning_rate * grad


@finding("3.3", "wrong")
def train_epoch__classes_from_labels(
    params, X, y, batch_size, learning_rate, rng, weight_decay=0.0, step=_sgd_step
):
    """WRONG, full marks (3/3). Takes the number of classes from the labels,
    K = y.max() + 1, instead of from the network (P.shape[1]). Every test
    set the grader draws holds every class, so K is right there; train on
    a subset that lacks the last digit (valid input: y of shape (N,) with
    labels < K) and one_hot has too few columns and mlp_backward raises
    its shape ValueError."""
    n = len(X)
    if len(y) != n:
        raise ValueError(f"X has {n} images but y has {len(y)} labels.")
    if not 1 <= batch_size <= n:
        raise ValueError(
            f"batch_size must be between 1 and the training-set size {n}, got {batch_size}."
        )
    K = int(y.max()) + 1
    order = rng.permutation(n)
    total = 0.0
    for start in range(0, n, batch_size):
        batch = order[start : start + batch_size]
        P, cache = _mlp.mlp_forward(params, X[batch])
        total += _mlp.mean_cross_entropy(cache["A2"], y[batch]) * len(batch)
        grads = _mlp.mlp_backward(params, cache, _sm.one_hot(y[batch], K, P.dtype))
        step(params, grads, learning_rate, weight_decay)
    return total / n


# ===================================================================== 4.1
@finding("4.1", "wrong")
def sgd_step__returns_params(params, grads, learning_rate, weight_decay=0.0):
    """WRONG (minor), full marks (2/2). Updates in place correctly but
    returns params; the spec says "Returns nothing" and nothing checks it."""
    for name, grad in grads.items():
        if name.startswith("W"):
            grad = grad + weight_decay * params[name]
        params[name] -= learning_rate * grad
    return params


# ===================================================================== 4.2
@finding("4.2", "wrong")
class EarlyStopping__private_counter:
    """WRONG, full marks (3/3). Counts evaluations in a private attribute and
    never updates self.evaluations (the spec: "count the evaluation in
    evaluations"), so stopper.evaluations stays 0 however many updates run.
    Stopping, best_index, best_score and best_params are right, and the
    grader checks evaluations only on a fresh instance."""

    def __init__(self, patience):
        self.patience = patience
        self.best_score = -math.inf
        self.best_index = None
        self.best_params = None
        self.evaluations = 0
        self._i = -1

    def update(self, score, params):
        self._i += 1
        if score > self.best_score:
            self.best_score, self.best_index = score, self._i
            self.best_params = copy.deepcopy(params)
        return self._i - self.best_index >= self.patience


# ===================================================================== 6.3
@finding("6.3", "wrong")
class DigitNet__log_of_softmax(nn.Module):
    """WRONG, full marks (3/3). forward ends in torch.log(F.softmax(...))
    instead of F.log_softmax (which the spec names). On the grader's random
    images the two agree to 1e-4; for a confident prediction (a logit gap
    above ~104 in float32) softmax underflows to 0 and the log-probability
    is -inf, so F.nll_loss gives inf / nan gradients during training."""

    def __init__(self, embed_dim=50, dropout=0.5):
        super().__init__()
        self.embed_dim, self.dropout = embed_dim, dropout
        self.conv1 = nn.Conv2d(1, 10, kernel_size=5)
        self.conv2 = nn.Conv2d(10, 20, kernel_size=5)
        self.conv2_drop = nn.Dropout2d(dropout)
        self.fc1 = nn.Linear(320, embed_dim)
        self.fc2 = nn.Linear(embed_dim, 10)

    def embed(self, x):
        x = F.relu(F.max_pool2d(self.conv1(x), 2))
        x = F.relu(F.max_pool2d(self.conv2_drop(self.conv2(x)), 2))
        return F.relu(self.fc1(x.flatten(1)))

    def forward(self, x):
        h = F.dropout(self.embed(x), self.dropout, training=self.training)
        return torch.log(F.softmax(self.fc2(h), dim=1))


# ===================================================================== 6.4
@finding("6.4", "wrong")
def train_step__forces_training_mode(model, optimizer, xb, yb):
    """WRONG, full marks (3/3). Calls model.train() at the start of every step
    (spec: "Leave the model's mode alone"). The grader puts the model in
    training mode before calling, so switching it to training mode is
    invisible; a caller that steps a model in eval mode (frozen batch-norm
    statistics, no dropout) gets it silently switched."""
    model.train()
    optimizer.zero_grad()
    log_probs = model(xb)
    loss = F.nll_loss(log_probs, yb)
    loss.backward()
    optimizer.step()
    return loss.item(), int((log_probs.argmax(1) == yb).sum())


@finding("6.9", "right")
def mnist_box__spline_shift(ink):
    """RIGHT, loses points. Follows steps 1-4 literally: crop, Lanczos resize
    with max(1, round(...)) sides, clip the filter's negative ringing at 0
    (step 2), paste in the middle, and shift with ndimage.shift, the
    function the spec names, with its DEFAULT interpolation (cubic spline,
    order=3). The spline shift rings slightly below 0 again, and the grader
    requires out.min() >= -1e-6, with the misleading hint "clip the
    resampling filter's ringing at 0" - which this answer did, as told.
    Nothing in the spec asks for order=1 or for clipping after the shift."""
    ink = np.asarray(ink, dtype=np.float32)
    if ink.ndim != 2:
        raise ValueError(
            f"mnist_box needs a 2-D image (rows, columns), got an array of shape {ink.shape}."
        )
    if not (ink > 0).any():
        raise ValueError(
            "mnist_box found no ink: no pixel is above 0. "
            "Pass the ink (bright) on a background of 0."
        )
    rows, cols = np.nonzero(ink > 0)
    crop = ink[rows.min() : rows.max() + 1, cols.min() : cols.max() + 1]
    scale = 20 / max(crop.shape)
    height, width = (max(1, round(n * scale)) for n in crop.shape)
    small = Image.fromarray(np.ascontiguousarray(crop)).resize((width, height), Image.LANCZOS)
    canvas = np.zeros((28, 28), dtype=np.float32)
    top, left = (28 - height) // 2, (28 - width) // 2
    canvas[top : top + height, left : left + width] = np.clip(np.asarray(small), 0, None)
    cy, cx = ndimage.center_of_mass(canvas)
    return ndimage.shift(canvas, (14 - cy, 14 - cx))


# ===================================================================== 7.2
@finding("7.2", "wrong")
def cut_activations__forward_runs_every_block(backbone, images, cuts):
    """WRONG, full marks (3/3). Runs EVERY block (no stop after the deepest
    cut, which the spec requires) but calls block.forward(x) instead of
    block(x). The grader counts block runs with forward hooks, and
    nn.Module hooks fire only through __call__, so it sees 0 runs of the
    late blocks. (The corpus's runs_every_block, with block(x), is caught.)"""
    x = backbone.normalise(images)
    activations = {}
    for number, block in enumerate(backbone.blocks, start=1):
        x = block.forward(x)
        if number in cuts:
            activations[number] = x
    return activations


@finding("7.2", "wrong")
def cut_activations__forward_reruns_per_cut(backbone, images, cuts):
    """WRONG, full marks (3/3). Starts again from the images for every cut
    (blocks 1..k re-run per cut: the spec says run them ONCE), via
    block.forward, which the grader's hooks cannot see."""
    activations = {}
    for cut in cuts:
        x = backbone.normalise(images)
        for block in backbone.blocks[:cut]:
            x = block.forward(x)
        activations[cut] = x
    return activations


# ===================================================================== 7.3
@finding("7.3", "wrong")
@torch.no_grad()
def extract_features__no_cpu(backbone, images, cuts, size, grid, batch_size=64, device="cpu"):
    """WRONG, full marks (3/3). Calls .numpy() without .cpu() (the spec:
    "collect the rows (.cpu().numpy())"). On a real GPU this raises
    TypeError ("can't convert cuda:0 device type tensor to numpy"). The
    device clause's probe backbone answers with CPU zeros whatever device
    the batch is on, so the missing .cpu() is never exercised."""
    backbone.eval()
    rows = {cut: [] for cut in cuts}
    for start in range(0, len(images), batch_size):
        batch = to_rgb(images[start : start + batch_size], size).to(device)
        for cut, activation in cut_activations(backbone, batch, cuts).items():
            rows[cut].append(F.adaptive_avg_pool2d(activation, grid).flatten(1).numpy())
    return {cut: np.concatenate(parts) for cut, parts in rows.items()}


@finding("7.3", "wrong")
@torch.no_grad()
def extract_features__converts_whole_set(
    backbone, images, cuts, size, grid, batch_size=64, device="cpu"
):
    """WRONG, full marks (3/3). Runs to_rgb on ALL images at once, then
    feeds the backbone slices of batch_size. The spec: "take the images
    batch_size at a time ... to_rgb(batch, size)". The (N, 3, size, size)
    float tensor is exactly what the grader's own hint says cannot fit
    ("all of CIFAR-10 at 112 px would need 7.5 GB"), but the grader only
    measures the batch sizes reaching the first block."""
    backbone.eval()
    everything = to_rgb(images, size)
    rows = {cut: [] for cut in cuts}
    for start in range(0, len(images), batch_size):
        batch = everything[start : start + batch_size].to(device)
        for cut, activation in cut_activations(backbone, batch, cuts).items():
            rows[cut].append(F.adaptive_avg_pool2d(activation, grid).flatten(1).cpu().numpy())
    return {cut: np.concatenate(parts) for cut, parts in rows.items()}


# ===================================================================== 7.4
@finding("7.6", "wrong")
def train_head__global_manual_seed(head, features, labels, epochs, seed, lr=1e-3, batch_size=64):
    """WRONG, full marks (3/3). Shuffles with torch.manual_seed(seed) and
    torch.randperm(N) on the GLOBAL generator instead of the private
    torch.Generator().manual_seed(seed) the spec asks for: orders are
    reproducible and new each epoch, so the grader accepts it, but every
    call resets PyTorch's global RNG (later weight initialisations and
    dropout masks of the lab now repeat from the head's seed)."""
    optimizer = torch.optim.Adam(head.parameters(), lr=lr)
    torch.manual_seed(seed)
    losses = []
    head.train()
    for _ in range(epochs):
        total = 0.0
        for batch in torch.randperm(len(features)).split(batch_size):
            optimizer.zero_grad()
            loss = F.cross_entropy(head(features[batch]), labels[batch])
            loss.backward()
            optimizer.step()
            total += loss.item() * len(batch)
        losses.append(total / len(features))
    head.eval()
    return losses


# ===================================================================== 8.1
@finding("8.1", "wrong")
def embed__no_cpu(model, batch):
    """WRONG, full marks (2/2). Moves the images to the model's device, in
    eval mode, under no_grad, but returns .numpy() without .cpu() (the spec
    names .cpu().numpy()). On a GPU this raises TypeError; the meta-device
    probe returns CPU zeros, so it cannot notice."""
    model.eval()
    where = next(model.parameters()).device
    x = torch.as_tensor(np.asarray(batch, dtype=np.float32))[:, None]
    with torch.no_grad():
        return model.embed(x.to(where)).numpy()


# ===================================================================== 8.3
@finding("8.3", "wrong")
def knn_predict__squeezed_labels(distances, train_labels, k):
    """WRONG, full marks (3/3). Squeezes the (q, k) neighbour labels and
    treats a 1-D result as "k = 1: the nearest labels are the answer". With
    a SINGLE query (q = 1, valid input) and k > 1 it returns the k
    neighbours' labels, shape (k,), instead of one prediction. The grader's
    smallest query set is 3."""
    votes_of = train_labels[np.argsort(distances, axis=1)[:, :k]].squeeze()
    if votes_of.ndim == 1:
        return votes_of.astype(int)
    predictions = []
    for neighbours in votes_of:
        votes = np.bincount(neighbours)
        tied = np.flatnonzero(votes == votes.max())
        predictions.append(next(c for c in neighbours if c in tied))
    return np.array(predictions)


# graded as the spec now states: the shift is linear (order=1) or clipped
mnist_box__spline_shift.kind = "wrong"
ANSWERS: dict = {}
for _answer in FINDINGS:
    ANSWERS.setdefault(_answer.exercise, {"wrong": [], "right": []})[_answer.kind].append(_answer)
