"""Checks of exercises 4.2 (EarlyStopping), 4.3 (generalisation_gap) and
4.4 (learning_curve)."""

from __future__ import annotations

import math

import numpy as np

from .. import require
from ..common import answer_pair


def _walk(stopper_class, scores, patience):
    """Feed ``scores`` to a new stopper while params change in place.

    Returns the stopper, a copy of params at every update, what each
    update returned (the walk ends at the first True) and best_index after
    each update.
    """
    stopper = stopper_class(patience)
    params = {"W": np.arange(6.0).reshape(3, 2), "b": np.zeros(3)}
    snapshots, said, bests = [], [], []
    for score in scores:
        snapshots.append({k: v.copy() for k, v in params.items()})
        said.append(bool(stopper.update(score, params)))
        bests.append(stopper.best_index)
        require(
            stopper.evaluations == len(said),
            f"after {len(said)} "
            f"update(s) evaluations is {stopper.evaluations}: count each "
            "evaluation in self.evaluations.",
        )
        if said[-1]:
            break
        params["W"] += 1.0  # as train_epoch does: in place
        params["b"] -= 0.5
    return stopper, snapshots, said, bests


def _first_best(scores):
    """Index of the first best (highest) score."""
    return max(range(len(scores)), key=lambda i: (scores[i], -i))


def _stops(scores, patience):
    """What update should return at each evaluation, up to the first True."""
    stops = []
    for i in range(len(scores)):
        stops.append(i - _first_best(scores[: i + 1]) >= patience)
        if stops[-1]:
            break
    return stops


def check_early_stopping(answer, seed=None, patience=2) -> str:
    """EarlyStopping(patience).update(score, params) -> stop; best weights."""
    if seed is None:  # a tie; recoveries that stay below the best; falls
        cases = [
            ([0.5, 0.6, 0.6, 0.55, 0.58, 0.52], patience),
            ([0.3, 0.7, 0.5, 0.6, 0.55, 0.65, 0.4], patience + 1),
            ([0.3, 0.2, 0.1], 1),
            ([0.1, 0.2, 0.3, 0.4], math.inf),
        ]
    else:
        rng = np.random.default_rng(seed)
        cases = [
            ([float(s) for s in rng.integers(0, 8, 14) / 8], p)
            for p in (patience, patience + 1, math.inf)
        ]
    fresh = answer(patience)
    state = (fresh.best_score, fresh.best_index, fresh.best_params, fresh.evaluations)
    require(
        state == (-math.inf, None, None, 0),
        f"a new EarlyStopping has "
        f"(best_score, best_index, best_params, evaluations) = {state}; "
        "the constructor given sets (-inf, None, None, 0): keep it.",
    )
    for scores, patience_ in cases:
        stopper, snapshots, said, bests = _walk(answer, scores, patience_)
        stops = _stops(scores, patience_)
        shown = f"For scores {scores} and patience {patience_}"
        if said != stops:
            at = next(i for i, (a, b) in enumerate(zip(said, stops)) if a != b)
            best = _first_best(scores[: at + 1])
            since = at - best
            when = (
                f"update #{at} (counted from 0) comes {since} "
                f"evaluation(s) after the best score so far (#{best})"
            )
            if bests[at] != best and bests[at] in [
                i for i in range(at + 1) if scores[i] == scores[best]
            ]:
                hint = (
                    f"{when}, yet your best_index is {bests[at]}: a "
                    "score equal to the best is not an improvement, "
                    "compare with >, not >=."
                )
            elif said[at]:
                hint = (
                    f"{when}: do not stop yet. Stop only when "
                    f"{patience_} evaluations in a row brought no score "
                    "above the BEST one so far."
                )
            else:
                hint = (
                    f"{when}: with patience {patience_} training must "
                    "stop now (return True). A score that beats the "
                    "previous one but not the best is no improvement."
                )
            require(False, f"{shown}, update returned {said}, expected {stops}: {hint}")
        best = _first_best(scores[: len(said)])
        got = stopper.best_index
        ties = [i for i in range(len(said)) if scores[i] == scores[best]]
        require(
            got == best or got not in ties,
            f"{shown}: a score equal to the best is not an improvement. "
            f"Keep the FIRST best (#{best}), you kept #{got}: compare "
            "with >, not >=.",
        )
        require(
            got == best,
            f"{shown}: best_index should be {best} (the index of the "
            f"best score, counted from 0 at the first update), got "
            f"{got}.",
        )
        require(
            stopper.best_score == scores[best],
            f"{shown}: best_score should be {scores[best]}, got {stopper.best_score}.",
        )
        kept = stopper.best_params
        require(
            isinstance(kept, dict) and set(kept) == {"W", "b"},
            f"{shown}: best_params should be a copy of the params dict "
            f"at the best score, got {type(kept).__name__}.",
        )
        same = all(np.array_equal(kept[k], snapshots[best][k]) for k in kept)
        if not same:
            moved = best < len(snapshots) - 1 or not said[-1]
            require(
                False,
                f"{shown}: best_params are not the weights of "
                f"update #{best}. "
                + (
                    "They kept changing after it: train_epoch changes "
                    "the arrays in place, so store a copy "
                    "(copy.deepcopy(params)), not params itself."
                    if moved
                    else ""
                ),
            )
    return "Stops on time; keeps a copy of the first best weights."


def check_generalisation_gap(answer, seed=None) -> str:
    """generalisation_gap(history) -> (gaps per evaluation, widest step)."""
    # accuracies in 1/256: the differences are exact, so are the ties
    if seed is None:
        val = np.array([200, 215, 218, 222, 224]) / 256
        gap = np.array([4, 18, 25, 25, 24]) / 256
        steps = [10, 20, 30, 40, 50]
    else:
        rng = np.random.default_rng(seed)
        n = int(rng.integers(6, 12))
        val = rng.integers(150, 220, n) / 256
        gap = rng.choice([-3, 5, 16, 30], n) / 256
        steps = [int(s) for s in np.cumsum(rng.integers(5, 40, n))]
    history = {
        "step": steps,
        "train_accuracy": [float(v) for v in val + gap],
        "val_accuracy": [float(v) for v in val],
    }
    expected = np.array(history["train_accuracy"]) - np.array(history["val_accuracy"])
    index = int(np.argmax(expected))
    widest = steps[index]
    result = answer(history)
    gaps, step = answer_pair(result, "(gaps, widest_step)")
    require(
        isinstance(gaps, np.ndarray),
        f"gaps is a {type(gaps).__name__}: return a NumPy array (the lab plots and subtracts it).",
    )
    gaps = np.asarray(gaps, dtype=np.float64)
    require(
        gaps.shape == expected.shape,
        f"one gap per evaluation: expected shape {expected.shape}, got {gaps.shape}.",
    )
    require(
        not np.allclose(gaps, -expected),
        "the gap is TRAINING minus validation accuracy, not the other way round.",
    )
    require(
        np.allclose(gaps, expected, rtol=0, atol=1e-12),
        f"gaps should be {np.round(expected, 4).tolist()}, got {np.round(gaps, 4).tolist()}.",
    )
    ties = [steps[i] for i in np.flatnonzero(expected == expected.max())]
    require(
        step != index or index == widest,
        f"{step} is the index of the widest gap in the lists; return "
        f"its step, history['step'][{index}] = {widest}.",
    )
    require(
        step == widest or step not in ties,
        f"the gap is widest at steps {ties}; return the first, {widest}.",
    )
    require(step == widest, f"the gap is widest at step {widest}, you returned {step}.")
    return f"Gaps right, the widest at step {widest}."


def _history(rng, n_evals):
    """A history as ``train`` records it, accuracies in 1/256 (exact)."""
    val = rng.integers(150, 230, n_evals) / 256
    gap = rng.integers(-4, 40, n_evals) / 256
    steps = np.cumsum([rng.integers(5, 11), *rng.integers(10, 40, n_evals - 1)])
    return {
        "step": [int(s) for s in steps],
        "train_accuracy": [float(v) for v in val + gap],
        "val_accuracy": [float(v) for v in val],
    }


def check_learning_curve(answer, seed=48, n_sizes=4, shuffled=False) -> str:
    """learning_curve(sizes, x, y, fit, reuse) -> (curve, final);
    ``shuffled``: the sizes are not given in increasing order."""
    rng = np.random.default_rng(seed)
    sizes = [int(n) for n in np.cumsum(rng.integers(3, 9, n_sizes))]
    x = rng.normal(size=(sizes[-1] + 5, 3))
    y = rng.integers(0, 10, len(x))
    reused = sorted(rng.choice(sizes[1:], 1 + n_sizes // 4, replace=False))
    reuse = {int(n): _history(rng, int(rng.integers(3, 7))) for n in reused}
    evenly = _history(rng, 2 * int(rng.integers(2, 4)))  # evenly spaced:
    evenly["step"] = [10 * (i + 1) for i in range(len(evenly["step"]))]
    reuse[int(reused[0])] = evenly  # one evaluation exactly at half-way
    if shuffled:  # the order of sizes is the order of the experiment
        order = np.random.default_rng([seed, 1]).permutation(n_sizes)
        sizes = [sizes[i] for i in (order if any(np.diff(order) < 0) else order[::-1])]
    calls, made = [], {}

    def fit(x_n, y_n):
        """Stands in for train: a made-up history per training set."""
        calls.append((np.array(x_n, copy=True), np.array(y_n, copy=True)))
        history = _history(
            np.random.default_rng([seed, len(y_n), int(np.sum(y_n))]), 3 + len(calls) % 3
        )
        made[len(y_n)] = history
        return history

    result = answer(sizes, x, y, fit, dict(reuse))
    trained = [n for n in sizes if n not in reuse]
    require(
        len(calls) > 0,
        "fit was never called: train every size that is "
        "not in reuse with fit(x_n, y_n), the function you are given.",
    )
    got = [len(y_n) for _, y_n in calls]
    require(
        not set(got) & set(reuse),
        f"fit trained sizes {got}, among "
        f"them {sorted(set(got) & set(reuse))}, which are in reuse: take "
        "their history from reuse instead of training again.",
    )
    require(
        got == trained or got != sorted(trained),
        f"fit trained sizes {got}, in increasing order; sizes gives "
        f"them as {trained}: run the sizes in the order of sizes (the "
        "keys of curve and the rows of final follow it), do not sort "
        "them.",
    )
    require(
        got == trained,
        f"fit trained sizes {got}; expected {trained}: "
        "once each size of sizes that is not in reuse, in order.",
    )
    for (x_n, y_n), n in zip(calls, trained):
        require(
            np.array_equal(y_n, y[:n]) and np.array_equal(x_n, x[:n]),
            f"the set of size {n} is not the first {n} images and their "
            f"labels: train on x[:{n}] and y[:{n}], so that every set "
            "contains the smaller ones.",
        )
    curve, final = answer_pair(result, "(curve, final)")
    require(
        isinstance(curve, dict) and list(curve) == sizes,
        f"curve should be a dict with the keys {sizes} in that order, got "
        f"{list(curve) if isinstance(curve, dict) else type(curve)}.",
    )
    for n in sizes:
        require(
            curve[n] is (reuse[n] if n in reuse else made[n]),
            f"curve[{n}] is not the history of size {n}: "
            + ("the one reuse holds." if n in reuse else "the one fit returned for it."),
        )
    final = np.asarray(final, dtype=np.float64)
    require(
        final.shape == (len(sizes), 4),
        f"final should have shape {(len(sizes), 4)}, one row per size, got {final.shape}.",
    )
    history = [curve[n] for n in sizes]
    last = np.array([[h["train_accuracy"][-1], h["val_accuracy"][-1]] for h in history])
    best = np.array([[max(h["train_accuracy"]), max(h["val_accuracy"])] for h in history])
    require(
        not np.allclose(final[:, :2], best) or np.allclose(best, last),
        "final holds the best accuracies of each run; take those of the LAST evaluation, index -1.",
    )
    require(
        np.allclose(final[:, :2], last, rtol=0, atol=1e-12),
        f"the first two columns should be the training and validation "
        f"accuracy at the last evaluation, {np.round(last, 4).tolist()}, "
        f"got {np.round(final[:, :2], 4).tolist()}.",
    )
    gap = last[:, 0] - last[:, 1]
    require(
        not np.allclose(final[:, 2], -gap),
        "the gap is TRAINING minus validation accuracy, not the other way round.",
    )
    require(
        np.allclose(final[:, 2], gap, rtol=0, atol=1e-12),
        f"the third column is the gap at the last evaluation, "
        f"{np.round(gap, 4).tolist()}, got "
        f"{np.round(final[:, 2], 4).tolist()}.",
    )
    late, by_index = [], []
    for h in history:  # the last evaluation at or before half the steps
        half = max(i for i, s in enumerate(h["step"]) if 2 * s <= h["step"][-1])
        late.append(h["val_accuracy"][-1] - h["val_accuracy"][half])
        by_index.append(h["val_accuracy"][-1] - h["val_accuracy"][len(h["step"]) // 2])
    require(
        not np.allclose(final[:, 3], -np.array(late)) or not any(late),
        "the late gain is the LAST validation accuracy minus the one at "
        "half-way, not the other way round.",
    )
    require(
        np.allclose(final[:, 3], late, rtol=0, atol=1e-12)
        or not np.allclose(final[:, 3], by_index, rtol=0, atol=1e-12),
        "the fourth column picks the half-way evaluation by its index; "
        "pick it by its step: the last evaluation whose step is at most "
        "half the last step (evaluations need not be evenly spaced).",
    )
    require(
        np.allclose(final[:, 3], late, rtol=0, atol=1e-12),
        f"the fourth column, the validation accuracy gained after "
        f"half-way, should be {np.round(late, 4).tolist()}, got "
        f"{np.round(final[:, 3], 4).tolist()}.",
    )
    return (
        f"{len(trained)} sizes trained on nested sets, {len(reuse)} "
        "reused; final accuracies and gaps right."
    )
