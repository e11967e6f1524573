"""Student answers for lab 07 (top-k, cutting a backbone, features, a head, scaling)."""

import math

import numpy as np
import torch
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline, make_pipeline
from sklearn.preprocessing import StandardScaler
from torch.nn import functional as F

from utils.backbones import to_rgb  # the notebook's names
from utils.saved.lab07_transfer import cut_activations


# ----------------------------------------------------------- 7.1 top_k_classes
def top_k_classes__wrong_smallest(logits, k):
    """np.argsort ascending: the k smallest entries."""
    return np.argsort(logits)[:k]


def top_k_classes__wrong_ascending_order(logits, k):
    """The k largest, but smallest of them first."""
    return np.argsort(logits)[-k:]


def top_k_classes__wrong_mutates_input(logits, k):
    """Negates the caller's array in place to sort descending."""
    logits *= -1
    return np.argsort(logits)[:k]


def top_k_classes__wrong_values(logits, k):
    """Returns the k largest values, not their indices."""
    return np.sort(logits)[::-1][:k]


def top_k_classes__wrong_python_list(logits, k):
    """sorted(range(n), key=...): right indices, but a Python list."""
    return sorted(range(len(logits)), key=lambda i: logits[i], reverse=True)[:k]


def top_k_classes__wrong_reverse_slice_short(logits, k):
    """argsort()[-1:-k:-1]: the reversed slice stops one short, k - 1 indices."""
    return np.argsort(logits)[-1:-k:-1]


def top_k_classes__wrong_off_by_one(logits, k):
    """[1:k + 1]: skips the largest entry."""
    return np.argsort(-np.asarray(logits))[1 : k + 1]


def top_k_classes__wrong_torch_topk(logits, k):
    """torch.topk, which the spec rules out (and returns a tensor)."""
    return torch.topk(torch.as_tensor(logits), k).indices


def top_k_classes__wrong_delegates(logits, k):
    """Calls the saved reference in utils."""
    from utils.saved.lab07_transfer import top_k_classes as reference

    return reference(logits, k)


def top_k_classes__right_reverse_argsort(logits, k):
    """np.argsort ascending, reversed, then the first k."""
    return np.argsort(logits)[::-1][:k]


def top_k_classes__right_partition_then_sort(logits, k):
    """argpartition for the k largest, then argsort of just those, descending."""
    x = np.asarray(logits)
    best = np.argpartition(-x, k - 1)[:k]
    return best[np.argsort(-x[best])]


def top_k_classes__right_flip(logits, k):
    """np.flip of a sorted copy's indices, as int64."""
    order = np.argsort(np.array(logits, copy=True))
    return np.flip(order)[:k].astype(np.int64)


# --------------------------------------------------------- 7.2 cut_activations
def cut_activations__wrong_runs_every_block(backbone, images, cuts):
    """Runs all the blocks, even those after the deepest cut."""
    x = backbone.normalise(images)
    activations = {}
    for number, block in enumerate(backbone.blocks, start=1):
        x = block(x)
        if number in cuts:
            activations[number] = x
    return activations


def cut_activations__wrong_reruns_per_cut(backbone, images, cuts):
    """Starts from the images again for every cut: blocks run several times."""
    activations = {}
    for cut in cuts:
        x = backbone.normalise(images)
        for block in backbone.blocks[:cut]:
            x = block(x)
        activations[cut] = x
    return activations


def cut_activations__wrong_zero_based(backbone, images, cuts):
    """Counts the blocks from 0: every cut is one block too deep."""
    x = backbone.normalise(images)
    activations = {}
    for number, block in enumerate(backbone.blocks):
        if number > max(cuts):
            break
        x = block(x)
        if number in cuts:
            activations[number] = x
    return activations


def cut_activations__wrong_block_input(backbone, images, cuts):
    """Records the input of block cut instead of its output."""
    x = backbone.normalise(images)
    activations = {}
    for number, block in enumerate(backbone.blocks, start=1):
        if number in cuts:
            activations[number] = x
        if number >= max(cuts):
            break
        x = block(x)
    return activations


def cut_activations__wrong_no_normalise(backbone, images, cuts):
    """Feeds the [0, 1] images to the blocks without the input scaling."""
    x = images
    activations = {}
    for number, block in enumerate(backbone.blocks, start=1):
        if number > max(cuts):
            break
        x = block(x)
        if number in cuts:
            activations[number] = x
    return activations


def cut_activations__wrong_hard_coded_imagenet(backbone, images, cuts):
    """ImageNet's mean and std typed in, not the backbone's own normalise."""
    mean = torch.tensor([0.485, 0.456, 0.406]).view(1, 3, 1, 1)
    std = torch.tensor([0.229, 0.224, 0.225]).view(1, 3, 1, 1)
    x = (images - mean) / std
    activations = {}
    for number, block in enumerate(backbone.blocks, start=1):
        if number > max(cuts):
            break
        x = block(x)
        if number in cuts:
            activations[number] = x
    return activations


def cut_activations__wrong_assumes_sorted(backbone, images, cuts):
    """Takes cuts[-1] as the deepest: stops too early when the cuts are not sorted."""
    x = backbone.normalise(images)
    activations = {}
    for number, block in enumerate(backbone.blocks, start=1):
        if number > cuts[-1]:
            break
        x = block(x)
        if number in cuts:
            activations[number] = x
    return activations


def cut_activations__wrong_string_keys(backbone, images, cuts):
    """Keys the dict by str(cut)."""
    x = backbone.normalise(images)
    activations = {}
    for number, block in enumerate(backbone.blocks, start=1):
        if number > max(cuts):
            break
        x = block(x)
        if number in cuts:
            activations[str(number)] = x
    return activations


def cut_activations__wrong_list(backbone, images, cuts):
    """Returns a list of the activations in depth order instead of a dict."""
    x = backbone.normalise(images)
    activations = []
    for number, block in enumerate(backbone.blocks, start=1):
        if number > max(cuts):
            break
        x = block(x)
        if number in cuts:
            activations.append(x)
    return activations


def cut_activations__wrong_delegates(backbone, images, cuts):
    """Calls the saved reference in utils."""
    from utils.saved.lab07_transfer import cut_activations as reference

    return reference(backbone, images, cuts)


def cut_activations__right_index_loop(backbone, images, cuts):
    """A range over the blocks up to the deepest cut, indexing the ModuleList."""
    wanted = set(cuts)
    deepest = max(wanted)
    x = backbone.normalise(images)
    out = {}
    for k in range(deepest):
        x = backbone.blocks[k](x)
        if k + 1 in wanted:
            out[k + 1] = x
    return out


def cut_activations__right_sorted_walk(backbone, images, cuts):
    """Walks the sorted cuts, advancing through the blocks between them."""
    x = backbone.normalise(images)
    done = 0
    result = {}
    for cut in sorted(set(cuts)):
        while done < cut:
            x = backbone.blocks[done](x)
            done += 1
        result[cut] = x
    return result


def cut_activations__right_sliced_module_list(backbone, images, cuts):
    """Slices the ModuleList at the deepest cut, then enumerates from 1."""
    x = backbone.normalise(images)
    kept = backbone.blocks[: max(cuts)]
    activations = {}
    for number, block in enumerate(kept, 1):
        x = block(x)
        if number in cuts:
            activations[number] = x
    return activations


# -------------------------------------------------------- 7.3 extract_features
@torch.no_grad()
def extract_features__wrong_no_eval(
    backbone, images, cuts, size, grid, batch_size=64, device="cpu"
):
    """Forgets backbone.eval(): batch norms use each batch's own statistics."""
    rows = {cut: [] for cut in cuts}
    for start in range(0, len(images), batch_size):
        batch = to_rgb(images[start : start + batch_size], size).to(device)
        for cut, activation in cut_activations(backbone, batch, cuts).items():
            rows[cut].append(F.adaptive_avg_pool2d(activation, grid).flatten(1).cpu().numpy())
    return {cut: np.concatenate(parts) for cut, parts in rows.items()}


@torch.no_grad()
def extract_features__wrong_drops_last_batch(
    backbone, images, cuts, size, grid, batch_size=64, device="cpu"
):
    """Only full batches: the last len(images) % batch_size images are lost."""
    backbone.eval()
    rows = {cut: [] for cut in cuts}
    for b in range(len(images) // batch_size):
        batch = to_rgb(images[b * batch_size : (b + 1) * batch_size], size).to(device)
        for cut, activation in cut_activations(backbone, batch, cuts).items():
            rows[cut].append(F.adaptive_avg_pool2d(activation, grid).flatten(1).cpu().numpy())
    return {cut: np.concatenate(parts) for cut, parts in rows.items()}


@torch.no_grad()
def extract_features__wrong_ignores_device(
    backbone, images, cuts, size, grid, batch_size=64, device="cpu"
):
    """Never moves the batches to device."""
    backbone.eval()
    rows = {cut: [] for cut in cuts}
    for start in range(0, len(images), batch_size):
        batch = to_rgb(images[start : start + batch_size], size)
        for cut, activation in cut_activations(backbone, batch, cuts).items():
            rows[cut].append(F.adaptive_avg_pool2d(activation, grid).flatten(1).cpu().numpy())
    return {cut: np.concatenate(parts) for cut, parts in rows.items()}


@torch.no_grad()
def extract_features__wrong_ignores_grid(
    backbone, images, cuts, size, grid, batch_size=64, device="cpu"
):
    """Averages each map to 1 x 1 whatever grid is."""
    backbone.eval()
    rows = {cut: [] for cut in cuts}
    for start in range(0, len(images), batch_size):
        batch = to_rgb(images[start : start + batch_size], size).to(device)
        for cut, activation in cut_activations(backbone, batch, cuts).items():
            rows[cut].append(activation.mean(dim=(2, 3)).cpu().numpy())
    return {cut: np.concatenate(parts) for cut, parts in rows.items()}


@torch.no_grad()
def extract_features__wrong_max_pool(
    backbone, images, cuts, size, grid, batch_size=64, device="cpu"
):
    """adaptive_max_pool2d instead of the average."""
    backbone.eval()
    rows = {cut: [] for cut in cuts}
    for start in range(0, len(images), batch_size):
        batch = to_rgb(images[start : start + batch_size], size).to(device)
        for cut, activation in cut_activations(backbone, batch, cuts).items():
            rows[cut].append(F.adaptive_max_pool2d(activation, grid).flatten(1).cpu().numpy())
    return {cut: np.concatenate(parts) for cut, parts in rows.items()}


@torch.no_grad()
def extract_features__wrong_flatten_all(
    backbone, images, cuts, size, grid, batch_size=64, device="cpu"
):
    """.flatten() without start_dim: one long vector per batch, not a row per image."""
    backbone.eval()
    rows = {cut: [] for cut in cuts}
    for start in range(0, len(images), batch_size):
        batch = to_rgb(images[start : start + batch_size], size).to(device)
        for cut, activation in cut_activations(backbone, batch, cuts).items():
            rows[cut].append(F.adaptive_avg_pool2d(activation, grid).flatten().cpu().numpy())
    return {cut: np.concatenate(parts) for cut, parts in rows.items()}


@torch.no_grad()
def extract_features__wrong_concat_axis1(
    backbone, images, cuts, size, grid, batch_size=64, device="cpu"
):
    """Joins the batches side by side (axis=1) instead of one under the other."""
    backbone.eval()
    rows = {cut: [] for cut in cuts}
    for start in range(0, len(images), batch_size):
        batch = to_rgb(images[start : start + batch_size], size).to(device)
        for cut, activation in cut_activations(backbone, batch, cuts).items():
            rows[cut].append(F.adaptive_avg_pool2d(activation, grid).flatten(1).cpu().numpy())
    return {cut: np.concatenate(parts, axis=1) for cut, parts in rows.items()}


@torch.no_grad()
def extract_features__wrong_batch_off_by_one(
    backbone, images, cuts, size, grid, batch_size=64, device="cpu"
):
    """images[start:start + batch_size - 1]: one image per batch is skipped."""
    backbone.eval()
    rows = {cut: [] for cut in cuts}
    for start in range(0, len(images), batch_size):
        batch = to_rgb(images[start : start + batch_size - 1], size).to(device)
        if len(batch) == 0:
            continue
        for cut, activation in cut_activations(backbone, batch, cuts).items():
            rows[cut].append(F.adaptive_avg_pool2d(activation, grid).flatten(1).cpu().numpy())
    return {cut: np.concatenate(parts) for cut, parts in rows.items()}


@torch.no_grad()
def extract_features__wrong_returns_tensors(
    backbone, images, cuts, size, grid, batch_size=64, device="cpu"
):
    """Joins with torch.cat and returns tensors, not NumPy arrays."""
    backbone.eval()
    rows = {cut: [] for cut in cuts}
    for start in range(0, len(images), batch_size):
        batch = to_rgb(images[start : start + batch_size], size).to(device)
        for cut, activation in cut_activations(backbone, batch, cuts).items():
            rows[cut].append(F.adaptive_avg_pool2d(activation, grid).flatten(1).cpu())
    return {cut: torch.cat(parts) for cut, parts in rows.items()}


@torch.no_grad()
def extract_features__wrong_one_big_batch(
    backbone, images, cuts, size, grid, batch_size=64, device="cpu"
):
    """Converts and runs the whole set at once: batch_size is ignored."""
    backbone.eval()
    batch = to_rgb(images, size).to(device)
    return {
        cut: F.adaptive_avg_pool2d(a, grid).flatten(1).cpu().numpy()
        for cut, a in cut_activations(backbone, batch, cuts).items()
    }


def extract_features__wrong_no_no_grad(
    backbone, images, cuts, size, grid, batch_size=64, device="cpu"
):
    """Drops @torch.no_grad() and detaches instead: the graph is built for nothing."""
    backbone.eval()
    rows = {cut: [] for cut in cuts}
    for start in range(0, len(images), batch_size):
        batch = to_rgb(images[start : start + batch_size], size).to(device)
        for cut, activation in cut_activations(backbone, batch, cuts).items():
            pooled = F.adaptive_avg_pool2d(activation, grid).flatten(1)
            rows[cut].append(pooled.detach().cpu().numpy())
    return {cut: np.concatenate(parts) for cut, parts in rows.items()}


@torch.no_grad()
def extract_features__wrong_delegates(
    backbone, images, cuts, size, grid, batch_size=64, device="cpu"
):
    """Calls the saved reference in utils."""
    from utils.saved.lab07_transfer import extract_features as reference

    return reference(backbone, images, cuts, size, grid, batch_size, device)


@torch.no_grad()
def extract_features__right_torch_cat(
    backbone, images, cuts, size, grid, batch_size=64, device="cpu"
):
    """Keeps tensors per cut, torch.cat at the end, one .numpy() per cut."""
    backbone.eval()
    pooled = {cut: [] for cut in cuts}
    n = len(images)
    for start in range(0, n, batch_size):
        x = to_rgb(images[start : min(n, start + batch_size)], size).to(device)
        for cut, activation in cut_activations(backbone, x, cuts).items():
            pooled[cut].append(F.adaptive_avg_pool2d(activation, (grid, grid)).cpu())
    return {cut: torch.cat(parts).flatten(1).numpy() for cut, parts in pooled.items()}


@torch.no_grad()
def extract_features__right_dataloader(
    backbone, images, cuts, size, grid, batch_size=64, device="cpu"
):
    """A DataLoader over the indices (no shuffle) yields the batches."""
    backbone.eval()
    loader = torch.utils.data.DataLoader(range(len(images)), batch_size=batch_size, shuffle=False)
    rows = {}
    for indices in loader:
        batch = to_rgb(images[indices.numpy()], size).to(device)
        for cut, activation in cut_activations(backbone, batch, cuts).items():
            rows.setdefault(cut, []).append(
                F.adaptive_avg_pool2d(activation, grid).flatten(1).cpu().numpy()
            )
    return {cut: np.concatenate(rows[cut]) for cut in cuts}


@torch.no_grad()
def extract_features__right_while_vstack(
    backbone, images, cuts, size, grid, batch_size=64, device="cpu"
):
    """A while loop over ceil(N / B) batches and np.vstack."""
    backbone.eval()
    n_batches = math.ceil(len(images) / batch_size)
    rows = {cut: [] for cut in cuts}
    b = 0
    while b < n_batches:
        part = images[b * batch_size : (b + 1) * batch_size]
        b += 1
        acts = cut_activations(backbone, to_rgb(part, size).to(device), cuts)
        for cut in cuts:
            rows[cut].append(
                F.adaptive_avg_pool2d(acts[cut], output_size=grid)
                .reshape(len(part), -1)
                .cpu()
                .numpy()
            )
    return {cut: np.vstack(rows[cut]) for cut in cuts}


# ------------------------------------------------------------- 7.4 score_cuts
def score_cuts__wrong_extract_per_cut(extract, fit_images, y_fit, val_images, y_val, cuts, C):
    """Asks extract once per cut and split, not once per split for all the cuts."""
    probes, fit_accuracy, val_accuracy = {}, {}, {}
    for cut in cuts:
        fit_x = extract(fit_images, [cut])[cut]
        val_x = extract(val_images, [cut])[cut]
        probe = make_pipeline(StandardScaler(), LogisticRegression(C=C, max_iter=2_000))
        probe.fit(fit_x, y_fit)
        probes[cut] = probe
        fit_accuracy[cut] = float(np.mean(probe.predict(fit_x) == y_fit))
        val_accuracy[cut] = float(np.mean(probe.predict(val_x) == y_val))
    best = min(cuts, key=lambda c: (-val_accuracy[c], c))
    return probes, fit_accuracy, val_accuracy, best


def score_cuts__wrong_scaler_outside_probe(extract, fit_images, y_fit, val_images, y_val, cuts, C):
    """Standardises outside and keeps only the LogisticRegression: the probe wants
    standardised features, not raw ones."""
    fit_feats = extract(fit_images, cuts)
    val_feats = extract(val_images, cuts)
    probes, fit_accuracy, val_accuracy = {}, {}, {}
    for cut in cuts:
        scaler = StandardScaler().fit(fit_feats[cut])
        fit_x, val_x = scaler.transform(fit_feats[cut]), scaler.transform(val_feats[cut])
        probe = LogisticRegression(C=C, max_iter=2_000).fit(fit_x, y_fit)
        probes[cut] = probe
        fit_accuracy[cut] = float(np.mean(probe.predict(fit_x) == y_fit))
        val_accuracy[cut] = float(np.mean(probe.predict(val_x) == y_val))
    best = min(cuts, key=lambda c: (-val_accuracy[c], c))
    return probes, fit_accuracy, val_accuracy, best


def score_cuts__wrong_first_in_given_order(extract, fit_images, y_fit, val_images, y_val, cuts, C):
    """max over cuts in the given order: a tie goes to whichever cut came first."""
    fit_feats = extract(fit_images, cuts)
    val_feats = extract(val_images, cuts)
    probes, fit_accuracy, val_accuracy = {}, {}, {}
    for cut in cuts:
        probe = make_pipeline(StandardScaler(), LogisticRegression(C=C, max_iter=2_000))
        probe.fit(fit_feats[cut], y_fit)
        probes[cut] = probe
        fit_accuracy[cut] = float(np.mean(probe.predict(fit_feats[cut]) == y_fit))
        val_accuracy[cut] = float(np.mean(probe.predict(val_feats[cut]) == y_val))
    best = max(cuts, key=lambda c: val_accuracy[c])
    return probes, fit_accuracy, val_accuracy, best


def score_cuts__wrong_deepest_on_tie(extract, fit_images, y_fit, val_images, y_val, cuts, C):
    """>= in a walk over the sorted cuts: a tie goes to the deepest cut."""
    fit_feats = extract(fit_images, cuts)
    val_feats = extract(val_images, cuts)
    probes, fit_accuracy, val_accuracy = {}, {}, {}
    best, best_acc = None, -1.0
    for cut in sorted(cuts):
        probe = make_pipeline(StandardScaler(), LogisticRegression(C=C, max_iter=2_000))
        probe.fit(fit_feats[cut], y_fit)
        probes[cut] = probe
        fit_accuracy[cut] = float(np.mean(probe.predict(fit_feats[cut]) == y_fit))
        val_accuracy[cut] = float(np.mean(probe.predict(val_feats[cut]) == y_val))
        if val_accuracy[cut] >= best_acc:
            best, best_acc = cut, val_accuracy[cut]
    return probes, fit_accuracy, val_accuracy, best


def score_cuts__wrong_best_on_fit(extract, fit_images, y_fit, val_images, y_val, cuts, C):
    """Chooses the cut with the highest accuracy on the fit split."""
    fit_feats = extract(fit_images, cuts)
    val_feats = extract(val_images, cuts)
    probes, fit_accuracy, val_accuracy = {}, {}, {}
    for cut in cuts:
        probe = make_pipeline(StandardScaler(), LogisticRegression(C=C, max_iter=2_000))
        probe.fit(fit_feats[cut], y_fit)
        probes[cut] = probe
        fit_accuracy[cut] = float(np.mean(probe.predict(fit_feats[cut]) == y_fit))
        val_accuracy[cut] = float(np.mean(probe.predict(val_feats[cut]) == y_val))
    best = min(cuts, key=lambda c: (-fit_accuracy[c], c))
    return probes, fit_accuracy, val_accuracy, best


def score_cuts__wrong_fits_on_fit_and_val(extract, fit_images, y_fit, val_images, y_val, cuts, C):
    """Fits each probe on the fit and validation features together."""
    fit_feats = extract(fit_images, cuts)
    val_feats = extract(val_images, cuts)
    y_all = np.concatenate([np.asarray(y_fit), np.asarray(y_val)])
    probes, fit_accuracy, val_accuracy = {}, {}, {}
    for cut in cuts:
        probe = make_pipeline(StandardScaler(), LogisticRegression(C=C, max_iter=2_000))
        probe.fit(np.concatenate([fit_feats[cut], val_feats[cut]]), y_all)
        probes[cut] = probe
        fit_accuracy[cut] = float(np.mean(probe.predict(fit_feats[cut]) == y_fit))
        val_accuracy[cut] = float(np.mean(probe.predict(val_feats[cut]) == y_val))
    best = min(cuts, key=lambda c: (-val_accuracy[c], c))
    return probes, fit_accuracy, val_accuracy, best


def score_cuts__wrong_inverted_C(extract, fit_images, y_fit, val_images, y_val, cuts, C):
    """Reads C as the penalty strength and passes 1 / C to LogisticRegression."""
    fit_feats = extract(fit_images, cuts)
    val_feats = extract(val_images, cuts)
    probes, fit_accuracy, val_accuracy = {}, {}, {}
    for cut in cuts:
        probe = make_pipeline(StandardScaler(), LogisticRegression(C=1.0 / C, max_iter=2_000))
        probe.fit(fit_feats[cut], y_fit)
        probes[cut] = probe
        fit_accuracy[cut] = float(np.mean(probe.predict(fit_feats[cut]) == y_fit))
        val_accuracy[cut] = float(np.mean(probe.predict(val_feats[cut]) == y_val))
    best = min(cuts, key=lambda c: (-val_accuracy[c], c))
    return probes, fit_accuracy, val_accuracy, best


def score_cuts__wrong_delegates(extract, fit_images, y_fit, val_images, y_val, cuts, C):
    """Calls the saved reference in utils."""
    from utils.saved.lab07_transfer import score_cuts as reference

    return reference(extract, fit_images, y_fit, val_images, y_val, cuts, C)


def score_cuts__right_pipeline_class(extract, fit_images, y_fit, val_images, y_val, cuts, C):
    """An explicit Pipeline, probe.score for the accuracies, a strict > walk over
    the sorted cuts for the best one."""
    train = extract(fit_images, cuts)
    valid = extract(val_images, cuts)
    probes, fit_accuracy, val_accuracy = {}, {}, {}
    best = None
    for cut in sorted(cuts):
        probe = Pipeline(
            [("scale", StandardScaler()), ("logreg", LogisticRegression(C=C, max_iter=2_000))]
        )
        probe.fit(train[cut], y_fit)
        probes[cut] = probe
        fit_accuracy[cut] = probe.score(train[cut], y_fit)
        val_accuracy[cut] = probe.score(valid[cut], y_val)
        if best is None or val_accuracy[cut] > val_accuracy[best]:
            best = cut
    return probes, fit_accuracy, val_accuracy, best


def score_cuts__right_comprehensions(extract, fit_images, y_fit, val_images, y_val, cuts, C):
    """Dict comprehensions, sklearn's accuracy_score, max over the sorted cuts
    (max keeps the first of equal keys)."""
    from sklearn.metrics import accuracy_score

    cuts = list(cuts)
    train, valid = extract(fit_images, cuts), extract(val_images, cuts)
    probes = {
        c: make_pipeline(StandardScaler(), LogisticRegression(C=C, max_iter=2_000)).fit(
            train[c], y_fit
        )
        for c in cuts
    }
    fit_accuracy = {c: accuracy_score(y_fit, probes[c].predict(train[c])) for c in cuts}
    val_accuracy = {c: accuracy_score(y_val, probes[c].predict(valid[c])) for c in cuts}
    best = max(sorted(cuts), key=val_accuracy.__getitem__)
    return probes, fit_accuracy, val_accuracy, best


def score_cuts__right_argmax_table(extract, fit_images, y_fit, val_images, y_val, cuts, C):
    """Accuracies by counting in a loop; best via np.argmax over the ascending cuts."""
    order = sorted(cuts)
    feats_fit = extract(fit_images, order)
    feats_val = extract(val_images, order)
    y_fit_arr, y_val_arr = np.asarray(y_fit), np.asarray(y_val)
    probes, fit_accuracy, val_accuracy = {}, {}, {}
    for cut in order:
        scaler_then_lr = make_pipeline(StandardScaler(), LogisticRegression(C=C, max_iter=2_000))
        scaler_then_lr.fit(feats_fit[cut], y_fit_arr)
        probes[cut] = scaler_then_lr
        right = sum(int(p == t) for p, t in zip(scaler_then_lr.predict(feats_fit[cut]), y_fit_arr))
        fit_accuracy[cut] = right / len(y_fit_arr)
        right = sum(int(p == t) for p, t in zip(scaler_then_lr.predict(feats_val[cut]), y_val_arr))
        val_accuracy[cut] = right / len(y_val_arr)
    best = order[int(np.argmax([val_accuracy[c] for c in order]))]
    return probes, fit_accuracy, val_accuracy, best


# ------------------------------------------------------- 7.5 shuffled_control
def shuffled_control__wrong_shuffles_in_place(
    make_probe, fit_features, y_fit, val_features, y_val, seed
):
    """rng.shuffle(y_fit): the same permutation, but the caller's labels are shuffled."""
    rng = np.random.default_rng(seed)
    rng.shuffle(y_fit)
    probe = make_probe(fit_features, y_fit)
    fit_accuracy = float(np.mean(probe.predict(fit_features) == y_fit))
    val_accuracy = float(np.mean(probe.predict(val_features) == y_val))
    p = 1 / len(np.unique(y_fit))
    return fit_accuracy, val_accuracy, p + 4 * math.sqrt(p * (1 - p) / len(y_val))


def shuffled_control__wrong_fit_vs_true_labels(
    make_probe, fit_features, y_fit, val_features, y_val, seed
):
    """Scores the fit accuracy against the true labels, not the shuffled ones."""
    shuffled = np.random.default_rng(seed).permutation(y_fit)
    probe = make_probe(fit_features, shuffled)
    fit_accuracy = float(np.mean(probe.predict(fit_features) == y_fit))
    val_accuracy = float(np.mean(probe.predict(val_features) == y_val))
    p = 1 / len(np.unique(y_fit))
    return fit_accuracy, val_accuracy, p + 4 * math.sqrt(p * (1 - p) / len(y_val))


def shuffled_control__wrong_legacy_rng(make_probe, fit_features, y_fit, val_features, y_val, seed):
    """np.random.seed + np.random.permutation: a different permutation (and global state)."""
    np.random.seed(seed)
    shuffled = np.random.permutation(y_fit)
    probe = make_probe(fit_features, shuffled)
    fit_accuracy = float(np.mean(probe.predict(fit_features) == shuffled))
    val_accuracy = float(np.mean(probe.predict(val_features) == y_val))
    p = 1 / len(np.unique(y_fit))
    return fit_accuracy, val_accuracy, p + 4 * math.sqrt(p * (1 - p) / len(y_val))


def shuffled_control__wrong_se_without_n(
    make_probe, fit_features, y_fit, val_features, y_val, seed
):
    """Standard error sqrt(p(1 - p)): forgets to divide the variance by n."""
    shuffled = np.random.default_rng(seed).permutation(y_fit)
    probe = make_probe(fit_features, shuffled)
    fit_accuracy = float(np.mean(probe.predict(fit_features) == shuffled))
    val_accuracy = float(np.mean(probe.predict(val_features) == y_val))
    p = 1 / len(np.unique(y_fit))
    return fit_accuracy, val_accuracy, p + 4 * math.sqrt(p * (1 - p))


def shuffled_control__wrong_n_of_fit(make_probe, fit_features, y_fit, val_features, y_val, seed):
    """Takes n as the number of fit images, not validation images."""
    shuffled = np.random.default_rng(seed).permutation(y_fit)
    probe = make_probe(fit_features, shuffled)
    fit_accuracy = float(np.mean(probe.predict(fit_features) == shuffled))
    val_accuracy = float(np.mean(probe.predict(val_features) == y_val))
    p = 1 / len(np.unique(y_fit))
    return fit_accuracy, val_accuracy, p + 4 * math.sqrt(p * (1 - p) / len(y_fit))


def shuffled_control__wrong_k_from_max_label(
    make_probe, fit_features, y_fit, val_features, y_val, seed
):
    """K = max(y_fit): one short for labels 0..K-1, so p = 1/(K - 1)."""
    shuffled = np.random.default_rng(seed).permutation(y_fit)
    probe = make_probe(fit_features, shuffled)
    fit_accuracy = float(np.mean(probe.predict(fit_features) == shuffled))
    val_accuracy = float(np.mean(probe.predict(val_features) == y_val))
    p = 1 / int(np.max(y_fit))
    return fit_accuracy, val_accuracy, p + 4 * math.sqrt(p * (1 - p) / len(y_val))


def shuffled_control__wrong_shuffles_val_too(
    make_probe, fit_features, y_fit, val_features, y_val, seed
):
    """Also shuffles the validation labels and scores against those."""
    rng = np.random.default_rng(seed)
    shuffled = rng.permutation(y_fit)
    shuffled_val = rng.permutation(y_val)
    probe = make_probe(fit_features, shuffled)
    fit_accuracy = float(np.mean(probe.predict(fit_features) == shuffled))
    val_accuracy = float(np.mean(probe.predict(val_features) == shuffled_val))
    p = 1 / len(np.unique(y_fit))
    return fit_accuracy, val_accuracy, p + 4 * math.sqrt(p * (1 - p) / len(y_val))


def shuffled_control__wrong_delegates(make_probe, fit_features, y_fit, val_features, y_val, seed):
    """Calls the saved reference in utils."""
    from utils.saved.lab07_transfer import shuffled_control as reference

    return reference(make_probe, fit_features, y_fit, val_features, y_val, seed)


def shuffled_control__right_index_permutation(
    make_probe, fit_features, y_fit, val_features, y_val, seed
):
    """permutation(len(y_fit)) as indices: the same shuffle as permutation(y_fit)."""
    order = np.random.default_rng(seed).permutation(len(y_fit))
    labels = np.asarray(y_fit)[order]
    probe = make_probe(fit_features, labels)
    fit_accuracy = (probe.predict(fit_features) == labels).sum() / len(labels)
    val_accuracy = (probe.predict(val_features) == np.asarray(y_val)).sum() / len(y_val)
    k = len(set(np.asarray(y_fit).tolist()))
    n = len(y_val)
    p = 1.0 / k
    return float(fit_accuracy), float(val_accuracy), p + 4.0 * math.sqrt(n * p * (1 - p)) / n


def shuffled_control__right_probe_score(make_probe, fit_features, y_fit, val_features, y_val, seed):
    """The sklearn probe's own .score for both accuracies; std of the count over n."""
    labels = np.random.default_rng(seed).permutation(y_fit)
    probe = make_probe(fit_features, labels)
    fit_accuracy = probe.score(fit_features, labels)
    val_accuracy = probe.score(val_features, y_val)
    p = 1 / np.unique(y_fit).size
    n = len(y_val)
    se = np.sqrt(n * p * (1 - p)) / n
    return fit_accuracy, val_accuracy, float(p + 4 * se)


def shuffled_control__right_scipy_binom(make_probe, fit_features, y_fit, val_features, y_val, seed):
    """scipy.stats.binom for the count's standard deviation; a loop for accuracy."""
    from scipy.stats import binom

    rng = np.random.default_rng(seed)
    labels = rng.permutation(y_fit)
    probe = make_probe(fit_features, labels)
    pred_fit = probe.predict(fit_features)
    pred_val = probe.predict(val_features)
    fit_hits = sum(1 for a, b in zip(pred_fit, labels) if a == b)
    val_hits = sum(1 for a, b in zip(pred_val, y_val) if a == b)
    n = len(y_val)
    p = 1 / len(np.unique(y_fit))
    return fit_hits / len(labels), val_hits / n, p + 4 * binom(n, p).std() / n


# -------------------------------------------------------------- 7.6 train_head
def train_head__wrong_mean_of_batch_losses(
    head, features, labels, epochs, seed, lr=1e-3, batch_size=64
):
    """An epoch's loss as the mean of its batch losses (unweighted)."""
    optimizer = torch.optim.Adam(head.parameters(), lr=lr)
    generator = torch.Generator().manual_seed(seed)
    losses = []
    head.train()
    for _ in range(epochs):
        batch_losses = []
        for batch in torch.randperm(len(features), generator=generator).split(batch_size):
            optimizer.zero_grad()
            loss = F.cross_entropy(head(features[batch]), labels[batch])
            loss.backward()
            optimizer.step()
            batch_losses.append(loss.item())
        losses.append(sum(batch_losses) / len(batch_losses))
    head.eval()
    return losses


def train_head__wrong_generator_per_epoch(
    head, features, labels, epochs, seed, lr=1e-3, batch_size=64
):
    """Re-seeds the generator every epoch: the same order every epoch."""
    optimizer = torch.optim.Adam(head.parameters(), lr=lr)
    losses = []
    head.train()
    for _ in range(epochs):
        generator = torch.Generator().manual_seed(seed)
        total = 0.0
        for batch in torch.randperm(len(features), generator=generator).split(batch_size):
            optimizer.zero_grad()
            loss = F.cross_entropy(head(features[batch]), labels[batch])
            loss.backward()
            optimizer.step()
            total += loss.item() * len(batch)
        losses.append(total / len(features))
    head.eval()
    return losses


def train_head__wrong_unseeded_shuffle(
    head, features, labels, epochs, seed, lr=1e-3, batch_size=64
):
    """torch.randperm without the generator: seed is ignored, runs not reproducible."""
    optimizer = torch.optim.Adam(head.parameters(), lr=lr)
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


def train_head__wrong_no_shuffle(head, features, labels, epochs, seed, lr=1e-3, batch_size=64):
    """Visits the examples in their stored order every epoch."""
    optimizer = torch.optim.Adam(head.parameters(), lr=lr)
    losses = []
    head.train()
    for _ in range(epochs):
        total = 0.0
        for batch in torch.arange(len(features)).split(batch_size):
            optimizer.zero_grad()
            loss = F.cross_entropy(head(features[batch]), labels[batch])
            loss.backward()
            optimizer.step()
            total += loss.item() * len(batch)
        losses.append(total / len(features))
    head.eval()
    return losses


def train_head__wrong_no_mode_switches(
    head, features, labels, epochs, seed, lr=1e-3, batch_size=64
):
    """Never calls head.train() or head.eval()."""
    optimizer = torch.optim.Adam(head.parameters(), lr=lr)
    generator = torch.Generator().manual_seed(seed)
    losses = []
    for _ in range(epochs):
        total = 0.0
        for batch in torch.randperm(len(features), generator=generator).split(batch_size):
            optimizer.zero_grad()
            loss = F.cross_entropy(head(features[batch]), labels[batch])
            loss.backward()
            optimizer.step()
            total += loss.item() * len(batch)
        losses.append(total / len(features))
    return losses


def train_head__wrong_left_in_train_mode(
    head, features, labels, epochs, seed, lr=1e-3, batch_size=64
):
    """Switches to training mode but forgets head.eval() at the end."""
    optimizer = torch.optim.Adam(head.parameters(), lr=lr)
    generator = torch.Generator().manual_seed(seed)
    losses = []
    head.train()
    for _ in range(epochs):
        total = 0.0
        for batch in torch.randperm(len(features), generator=generator).split(batch_size):
            optimizer.zero_grad()
            loss = F.cross_entropy(head(features[batch]), labels[batch])
            loss.backward()
            optimizer.step()
            total += loss.item() * len(batch)
        losses.append(total / len(features))
    return losses


def train_head__wrong_no_zero_grad(head, features, labels, epochs, seed, lr=1e-3, batch_size=64):
    """Never clears the gradients: they accumulate over the batches."""
    optimizer = torch.optim.Adam(head.parameters(), lr=lr)
    generator = torch.Generator().manual_seed(seed)
    losses = []
    head.train()
    for _ in range(epochs):
        total = 0.0
        for batch in torch.randperm(len(features), generator=generator).split(batch_size):
            loss = F.cross_entropy(head(features[batch]), labels[batch])
            loss.backward()
            optimizer.step()
            total += loss.item() * len(batch)
        losses.append(total / len(features))
    head.eval()
    return losses


def train_head__wrong_drops_last_batch(
    head, features, labels, epochs, seed, lr=1e-3, batch_size=64
):
    """Skips the last, smaller batch (and divides by the images it saw)."""
    optimizer = torch.optim.Adam(head.parameters(), lr=lr)
    generator = torch.Generator().manual_seed(seed)
    losses = []
    head.train()
    for _ in range(epochs):
        order = torch.randperm(len(features), generator=generator)
        total, seen = 0.0, 0
        for batch in order.split(batch_size):
            if len(batch) < batch_size:
                break
            optimizer.zero_grad()
            loss = F.cross_entropy(head(features[batch]), labels[batch])
            loss.backward()
            optimizer.step()
            total += loss.item() * len(batch)
            seen += len(batch)
        losses.append(total / max(seen, 1))
    head.eval()
    return losses


def train_head__wrong_optimizer_per_epoch(
    head, features, labels, epochs, seed, lr=1e-3, batch_size=64
):
    """Creates a new Adam every epoch: its moment estimates restart."""
    generator = torch.Generator().manual_seed(seed)
    losses = []
    head.train()
    for _ in range(epochs):
        optimizer = torch.optim.Adam(head.parameters(), lr=lr)
        total = 0.0
        for batch in torch.randperm(len(features), generator=generator).split(batch_size):
            optimizer.zero_grad()
            loss = F.cross_entropy(head(features[batch]), labels[batch])
            loss.backward()
            optimizer.step()
            total += loss.item() * len(batch)
        losses.append(total / len(features))
    head.eval()
    return losses


def train_head__wrong_summed_loss(head, features, labels, epochs, seed, lr=1e-3, batch_size=64):
    """reduction="sum" for the backward pass: not the batch mean of the spec."""
    optimizer = torch.optim.Adam(head.parameters(), lr=lr)
    generator = torch.Generator().manual_seed(seed)
    losses = []
    head.train()
    for _ in range(epochs):
        total = 0.0
        for batch in torch.randperm(len(features), generator=generator).split(batch_size):
            optimizer.zero_grad()
            loss = F.cross_entropy(head(features[batch]), labels[batch], reduction="sum")
            loss.backward()
            optimizer.step()
            total += loss.item()
        losses.append(total / len(features))
    head.eval()
    return losses


def train_head__wrong_sgd(head, features, labels, epochs, seed, lr=1e-3, batch_size=64):
    """torch.optim.SGD instead of Adam."""
    optimizer = torch.optim.SGD(head.parameters(), lr=lr)
    generator = torch.Generator().manual_seed(seed)
    losses = []
    head.train()
    for _ in range(epochs):
        total = 0.0
        for batch in torch.randperm(len(features), generator=generator).split(batch_size):
            optimizer.zero_grad()
            loss = F.cross_entropy(head(features[batch]), labels[batch])
            loss.backward()
            optimizer.step()
            total += loss.item() * len(batch)
        losses.append(total / len(features))
    head.eval()
    return losses


def train_head__wrong_not_divided(head, features, labels, epochs, seed, lr=1e-3, batch_size=64):
    """Forgets to divide the epoch's total by N."""
    optimizer = torch.optim.Adam(head.parameters(), lr=lr)
    generator = torch.Generator().manual_seed(seed)
    losses = []
    head.train()
    for _ in range(epochs):
        total = 0.0
        for batch in torch.randperm(len(features), generator=generator).split(batch_size):
            optimizer.zero_grad()
            loss = F.cross_entropy(head(features[batch]), labels[batch])
            loss.backward()
            optimizer.step()
            total += loss.item() * len(batch)
        losses.append(total)
    head.eval()
    return losses


def train_head__right_dataloader_shuffle(
    head, features, labels, epochs, seed, lr=1e-3, batch_size=64
):
    """DataLoader(shuffle=True, generator=...): it draws from the generator
    differently, but every epoch is a seeded permutation (issue 18: accepted)."""
    optimizer = torch.optim.Adam(head.parameters(), lr=lr)
    generator = torch.Generator().manual_seed(seed)
    loader = torch.utils.data.DataLoader(
        range(len(features)), batch_size=batch_size, shuffle=True, generator=generator
    )
    losses = []
    head.train()
    for _ in range(epochs):
        total = 0.0
        for batch in loader:
            optimizer.zero_grad()
            loss = F.cross_entropy(head(features[batch]), labels[batch])
            loss.backward()
            optimizer.step()
            total += loss.item() * len(batch)
        losses.append(total / len(features))
    head.eval()
    return losses


def train_head__wrong_last_loss_only(head, features, labels, epochs, seed, lr=1e-3, batch_size=64):
    """Returns the last epoch's loss as a float, not the list of epoch losses."""
    optimizer = torch.optim.Adam(head.parameters(), lr=lr)
    generator = torch.Generator().manual_seed(seed)
    head.train()
    epoch_loss = float("nan")
    for _ in range(epochs):
        total = 0.0
        for batch in torch.randperm(len(features), generator=generator).split(batch_size):
            optimizer.zero_grad()
            loss = F.cross_entropy(head(features[batch]), labels[batch])
            loss.backward()
            optimizer.step()
            total += loss.item() * len(batch)
        epoch_loss = total / len(features)
    head.eval()
    return epoch_loss


def train_head__wrong_delegates(head, features, labels, epochs, seed, lr=1e-3, batch_size=64):
    """Calls the saved reference in utils."""
    from utils.saved.lab07_transfer import train_head as reference

    return reference(head, features, labels, epochs, seed, lr=lr, batch_size=batch_size)


def train_head__right_zero_grad_after_step(
    head, features, labels, epochs, seed, lr=1e-3, batch_size=64
):
    """Clears the gradients once before the loop and then after every step."""
    optimizer = torch.optim.Adam(head.parameters(), lr=lr)
    generator = torch.Generator().manual_seed(seed)
    n = len(features)
    history = []
    head.train()
    optimizer.zero_grad()
    for _ in range(epochs):
        running = 0.0
        for idx in torch.split(torch.randperm(n, generator=generator), batch_size):
            loss = F.cross_entropy(head(features[idx]), labels[idx])
            loss.backward()
            optimizer.step()
            optimizer.zero_grad(set_to_none=True)
            running += loss.item() * idx.numel()
        history.append(running / n)
    head.eval()
    return history


def train_head__right_fsum(head, features, labels, epochs, seed, lr=1e-3, batch_size=64):
    """Collects each batch's loss * size and adds them with math.fsum."""
    opt = torch.optim.Adam(params=head.parameters(), lr=lr)
    gen = torch.Generator()
    gen.manual_seed(seed)
    head.train(True)
    losses = []
    for epoch in range(epochs):
        weighted = []
        for batch in torch.randperm(features.shape[0], generator=gen).split(batch_size):
            opt.zero_grad()
            scores = head(features[batch])
            loss = F.cross_entropy(scores, labels[batch])
            loss.backward()
            opt.step()
            weighted.append(loss.item() * batch.shape[0])
        losses.append(math.fsum(weighted) / features.shape[0])
    head.train(False)
    return losses


# ------------------------------------------------------- 7.7 imagenet_normalise
def imagenet_normalise__wrong_bgr_order(images):
    """The channel constants in BGR order."""
    mean = torch.tensor([0.406, 0.456, 0.485]).view(1, 3, 1, 1)
    std = torch.tensor([0.225, 0.224, 0.229]).view(1, 3, 1, 1)
    return (images - mean) / std


def imagenet_normalise__wrong_no_reshape(images):
    """Constants of shape (3,): they broadcast over the width, not the channels."""
    mean = torch.tensor([0.485, 0.456, 0.406])
    std = torch.tensor([0.229, 0.224, 0.225])
    return (images - mean) / std


def imagenet_normalise__wrong_times_std(images):
    """Multiplies by the standard deviation instead of dividing."""
    mean = torch.tensor([0.485, 0.456, 0.406]).view(1, 3, 1, 1)
    std = torch.tensor([0.229, 0.224, 0.225]).view(1, 3, 1, 1)
    return (images - mean) * std


def imagenet_normalise__wrong_swapped_constants(images):
    """Subtracts the standard deviations and divides by the means."""
    mean = torch.tensor([0.485, 0.456, 0.406]).view(1, 3, 1, 1)
    std = torch.tensor([0.229, 0.224, 0.225]).view(1, 3, 1, 1)
    return (images - std) / mean


def imagenet_normalise__wrong_in_place(images):
    """sub_ and div_: the caller's images are overwritten."""
    mean = torch.tensor([0.485, 0.456, 0.406]).view(1, 3, 1, 1)
    std = torch.tensor([0.229, 0.224, 0.225]).view(1, 3, 1, 1)
    return images.sub_(mean).div_(std)


def imagenet_normalise__wrong_times_255(images):
    """Scales the [0, 1] images to [0, 255] first."""
    mean = torch.tensor([0.485, 0.456, 0.406]).view(1, 3, 1, 1)
    std = torch.tensor([0.229, 0.224, 0.225]).view(1, 3, 1, 1)
    return (255 * images - mean) / std


def imagenet_normalise__wrong_float64_constants(images):
    """float64 constants: float32 images come back as float64."""
    mean = torch.tensor([0.485, 0.456, 0.406], dtype=torch.float64).view(1, 3, 1, 1)
    std = torch.tensor([0.229, 0.224, 0.225], dtype=torch.float64).view(1, 3, 1, 1)
    return (images - mean) / std


def imagenet_normalise__wrong_numpy(images):
    """Converts to NumPy and returns an array instead of a tensor."""
    x = images.numpy()
    mean = np.array([0.485, 0.456, 0.406], dtype=np.float32).reshape(1, 3, 1, 1)
    std = np.array([0.229, 0.224, 0.225], dtype=np.float32).reshape(1, 3, 1, 1)
    return (x - mean) / std


def imagenet_normalise__wrong_delegates(images):
    """Calls the saved reference in utils."""
    from utils.saved.lab07_transfer import imagenet_normalise as reference

    return reference(images)


def imagenet_normalise__right_three_axes(images):
    """Constants shaped (3, 1, 1): broadcasting adds the batch axis."""
    mean = torch.tensor([0.485, 0.456, 0.406]).view(3, 1, 1)
    std = torch.tensor([0.229, 0.224, 0.225]).view(3, 1, 1)
    return (images - mean) / std


def imagenet_normalise__right_torchvision(images):
    """torchvision.transforms.Normalize, which works on a batch (..., C, H, W)."""
    from torchvision.transforms import Normalize

    return Normalize(mean=(0.485, 0.456, 0.406), std=(0.229, 0.224, 0.225))(images)


def imagenet_normalise__right_on_images_device(images):
    """Constants made on the images' device and dtype, indexed with None."""
    mean = torch.tensor([0.485, 0.456, 0.406]).to(images)[:, None, None]
    std = torch.tensor([0.229, 0.224, 0.225]).to(images)[:, None, None]
    return images.sub(mean).div(std)


ANSWERS = {
    "7.1": {
        "wrong": [
            top_k_classes__wrong_smallest,
            top_k_classes__wrong_ascending_order,
            top_k_classes__wrong_mutates_input,
            top_k_classes__wrong_values,
            top_k_classes__wrong_python_list,
            top_k_classes__wrong_reverse_slice_short,
            top_k_classes__wrong_off_by_one,
            top_k_classes__wrong_torch_topk,
            top_k_classes__wrong_delegates,
        ],
        "right": [
            top_k_classes__right_reverse_argsort,
            top_k_classes__right_partition_then_sort,
            top_k_classes__right_flip,
        ],
    },
    "7.2": {
        "wrong": [
            cut_activations__wrong_runs_every_block,
            cut_activations__wrong_reruns_per_cut,
            cut_activations__wrong_zero_based,
            cut_activations__wrong_block_input,
            cut_activations__wrong_no_normalise,
            cut_activations__wrong_hard_coded_imagenet,
            cut_activations__wrong_assumes_sorted,
            cut_activations__wrong_string_keys,
            cut_activations__wrong_list,
            cut_activations__wrong_delegates,
        ],
        "right": [
            cut_activations__right_index_loop,
            cut_activations__right_sorted_walk,
            cut_activations__right_sliced_module_list,
        ],
    },
    "7.3": {
        "wrong": [
            extract_features__wrong_no_eval,
            extract_features__wrong_drops_last_batch,
            extract_features__wrong_ignores_device,
            extract_features__wrong_ignores_grid,
            extract_features__wrong_max_pool,
            extract_features__wrong_flatten_all,
            extract_features__wrong_concat_axis1,
            extract_features__wrong_batch_off_by_one,
            extract_features__wrong_returns_tensors,
            extract_features__wrong_one_big_batch,
            extract_features__wrong_no_no_grad,
            extract_features__wrong_delegates,
        ],
        "right": [
            extract_features__right_torch_cat,
            extract_features__right_dataloader,
            extract_features__right_while_vstack,
        ],
    },
    "7.4": {
        "wrong": [
            score_cuts__wrong_extract_per_cut,
            score_cuts__wrong_scaler_outside_probe,
            score_cuts__wrong_first_in_given_order,
            score_cuts__wrong_deepest_on_tie,
            score_cuts__wrong_best_on_fit,
            score_cuts__wrong_fits_on_fit_and_val,
            score_cuts__wrong_inverted_C,
            score_cuts__wrong_delegates,
        ],
        "right": [
            score_cuts__right_pipeline_class,
            score_cuts__right_comprehensions,
            score_cuts__right_argmax_table,
        ],
    },
    "7.5": {
        "wrong": [
            shuffled_control__wrong_shuffles_in_place,
            shuffled_control__wrong_fit_vs_true_labels,
            shuffled_control__wrong_legacy_rng,
            shuffled_control__wrong_se_without_n,
            shuffled_control__wrong_n_of_fit,
            shuffled_control__wrong_k_from_max_label,
            shuffled_control__wrong_shuffles_val_too,
            shuffled_control__wrong_delegates,
        ],
        "right": [
            shuffled_control__right_index_permutation,
            shuffled_control__right_probe_score,
            shuffled_control__right_scipy_binom,
        ],
    },
    "7.6": {
        "wrong": [
            train_head__wrong_mean_of_batch_losses,
            train_head__wrong_generator_per_epoch,
            train_head__wrong_unseeded_shuffle,
            train_head__wrong_no_shuffle,
            train_head__wrong_no_mode_switches,
            train_head__wrong_left_in_train_mode,
            train_head__wrong_no_zero_grad,
            train_head__wrong_drops_last_batch,
            train_head__wrong_optimizer_per_epoch,
            train_head__wrong_summed_loss,
            train_head__wrong_sgd,
            train_head__wrong_not_divided,
            train_head__wrong_last_loss_only,
            train_head__wrong_delegates,
        ],
        "right": [
            train_head__right_zero_grad_after_step,
            train_head__right_fsum,
            train_head__right_dataloader_shuffle,
        ],
    },
    "7.7": {
        "wrong": [
            imagenet_normalise__wrong_bgr_order,
            imagenet_normalise__wrong_no_reshape,
            imagenet_normalise__wrong_times_std,
            imagenet_normalise__wrong_swapped_constants,
            imagenet_normalise__wrong_in_place,
            imagenet_normalise__wrong_times_255,
            imagenet_normalise__wrong_float64_constants,
            imagenet_normalise__wrong_numpy,
            imagenet_normalise__wrong_delegates,
        ],
        "right": [
            imagenet_normalise__right_three_axes,
            imagenet_normalise__right_torchvision,
            imagenet_normalise__right_on_images_device,
        ],
    },
}
