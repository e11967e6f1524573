"""The graded exercises of lab 04 (overfitting): weight decay, early stopping.

Each test builds its own seeded inputs (never those of the notebook), calls
the student's answer and compares it with an independent computation.
"""
from __future__ import annotations

import math

import numpy as np

from ..checks import rel_error
from . import Spec, require


def _params(rng, layers, dtype):
    """A network's parameters and gradients: W1, b1, ... with random values."""
    sizes = rng.integers(2, 6, layers + 1)
    params, grads = {}, {}
    for k in range(1, layers + 1):
        for name, shape in ((f"W{k}", (sizes[k], sizes[k - 1])),
                            (f"b{k}", (sizes[k],))):
            params[name] = rng.normal(0, 1, shape).astype(dtype)
            grads[name] = rng.normal(0, 1, shape).astype(dtype)
    return params, grads


def test_sgd_step(answer, seed=40, layers=2, dtype="float64",
                  learning_rate=0.3, weight_decay=0.1) -> str:
    """sgd_step(params, grads, lr, wd): in place, decay on the weights."""
    rng = np.random.default_rng(seed)
    params, grads = _params(rng, layers, np.dtype(dtype))
    start = {name: value.copy() for name, value in params.items()}
    kept = {name: grad.copy() for name, grad in grads.items()}
    if weight_decay:
        returned = answer(params, grads, learning_rate, weight_decay)
    else:  # the spec's default, weight_decay=0.0
        returned = answer(params, grads, learning_rate)

    require(any(not np.array_equal(start[k], params[k]) for k in params),
            "params did not change: update the dict you are given in place "
            "(params[name] -= ...); the return value is not used.")
    require(returned is None, f"sgd_step returned a {type(returned).__name__}"
            ": it updates params in place and returns nothing (None).")
    for name, value in params.items():
        require(np.shape(value) == start[name].shape,
                f"params['{name}'] changed shape from {start[name].shape} "
                f"to {np.shape(value)}.")
        require(value.dtype == start[name].dtype,
                f"params['{name}'] became {value.dtype}, it was "
                f"{start[name].dtype}: update it in place with -=.")
    tol = 1e-12 if dtype == "float64" else 1e-5
    lr, wd = learning_rate, weight_decay
    for name, value in params.items():
        W, g = start[name].astype(np.float64), kept[name].astype(np.float64)
        decay = name.startswith("W")
        expected = W - lr * (g + wd * W) if decay else W - lr * g
        if rel_error(value, expected) <= tol:
            continue
        half = "the gradient of (weight_decay / 2) ||W||^2 is weight_decay * W"
        slips = [  # (what a plausible slip computes, its hint)
            (W - lr * (g + wd * W), "the biases are decayed too: add "
             "weight_decay * W to the weights only (names starting with "
             "'W'), never to the biases"),
            (W - lr * g, "the weights are not decayed: add weight_decay * W "
             "to the gradient of every weight matrix"),
            (W - lr * (g - wd * W), "the decay has the wrong sign: " + half
             + ", and the step subtracts it"),
            (W - lr * g - wd * W, "the decay term is not multiplied by the "
             "learning rate: W <- W - lr * (dW + weight_decay * W)"),
            (W - lr * (g + 2 * wd * W), "the decay is twice too large: "
             + half),
            (W - lr * (g + wd * W / 2), "the decay is half as large as it "
             "should be: " + half),
            (W + lr * (g + wd * W) if decay else W + lr * g,
             "the step goes up the gradient: subtract it"),
        ]
        hints = [hint for candidate, hint in slips
                 if rel_error(value, candidate) <= tol]
        kind = "a weight: W - lr * (dW + weight_decay * W)" if decay else \
            "a bias: b - lr * db"
        require(False, f"params['{name}'] is wrong (rel. error "
                f"{rel_error(value, expected):.1e}); it is {kind}. "
                + (hints[0][0].upper() + hints[0][1:] + "." if hints else ""))
    return f"{len(params)} arrays stepped in place, weights decayed."


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
        require(stopper.evaluations == len(said), f"after {len(said)} "
                f"update(s) evaluations is {stopper.evaluations}: count each "
                "evaluation in self.evaluations.")
        if said[-1]:
            break
        params["W"] += 1.0         # as train_epoch does: in place
        params["b"] -= 0.5
    return stopper, snapshots, said, bests


def _first_best(scores):
    """Index of the first best (highest) score."""
    return max(range(len(scores)), key=lambda i: (scores[i], -i))


def _stops(scores, patience):
    """What update should return at each evaluation, up to the first True."""
    stops = []
    for i in range(len(scores)):
        stops.append(i - _first_best(scores[:i + 1]) >= patience)
        if stops[-1]:
            break
    return stops


def test_early_stopping(answer, seed=None, patience=2) -> str:
    """EarlyStopping(patience).update(score, params) -> stop; best weights."""
    if seed is None:  # a tie; recoveries that stay below the best; falls
        cases = [([0.5, 0.6, 0.6, 0.55, 0.58, 0.52], patience),
                 ([0.3, 0.7, 0.5, 0.6, 0.55, 0.65, 0.4], patience + 1),
                 ([0.3, 0.2, 0.1], 1),
                 ([0.1, 0.2, 0.3, 0.4], math.inf)]
    else:
        rng = np.random.default_rng(seed)
        cases = [([float(s) for s in rng.integers(0, 8, 14) / 8], p)
                 for p in (patience, patience + 1, math.inf)]
    fresh = answer(patience)
    state = (fresh.best_score, fresh.best_index, fresh.best_params,
             fresh.evaluations)
    require(state == (-math.inf, None, None, 0), f"a new EarlyStopping has "
            f"(best_score, best_index, best_params, evaluations) = {state}; "
            "the constructor given sets (-inf, None, None, 0): keep it.")
    for scores, patience_ in cases:
        stopper, snapshots, said, bests = _walk(answer, scores, patience_)
        stops = _stops(scores, patience_)
        shown = f"For scores {scores} and patience {patience_}"
        if said != stops:
            at = next(i for i, (a, b) in enumerate(zip(said, stops))
                      if a != b)
            best = _first_best(scores[:at + 1])
            since = at - best
            when = (f"update #{at} (counted from 0) comes {since} "
                    f"evaluation(s) after the best score so far (#{best})")
            if bests[at] != best and bests[at] in [
                    i for i in range(at + 1) if scores[i] == scores[best]]:
                hint = (f"{when}, yet your best_index is {bests[at]}: a "
                        "score equal to the best is not an improvement, "
                        "compare with >, not >=.")
            elif said[at]:
                hint = (f"{when}: do not stop yet. Stop only when "
                        f"{patience_} evaluations in a row brought no score "
                        "above the BEST one so far.")
            else:
                hint = (f"{when}: with patience {patience_} training must "
                        "stop now (return True). A score that beats the "
                        "previous one but not the best is no improvement.")
            require(False, f"{shown}, update returned {said}, expected "
                    f"{stops}: {hint}")
        best = _first_best(scores[:len(said)])
        got = stopper.best_index
        ties = [i for i in range(len(said)) if scores[i] == scores[best]]
        require(got == best or got not in ties,
                f"{shown}: a score equal to the best is not an improvement. "
                f"Keep the FIRST best (#{best}), you kept #{got}: compare "
                "with >, not >=.")
        require(got == best,
                f"{shown}: best_index should be {best} (the index of the "
                f"best score, counted from 0 at the first update), got "
                f"{got}.")
        require(stopper.best_score == scores[best],
                f"{shown}: best_score should be {scores[best]}, got "
                f"{stopper.best_score}.")
        kept = stopper.best_params
        require(isinstance(kept, dict) and set(kept) == {"W", "b"},
                f"{shown}: best_params should be a copy of the params dict "
                f"at the best score, got {type(kept).__name__}.")
        same = all(np.array_equal(kept[k], snapshots[best][k]) for k in kept)
        if not same:
            moved = best < len(snapshots) - 1 or not said[-1]
            require(False, f"{shown}: best_params are not the weights of "
                    f"update #{best}. "
                    + ("They kept changing after it: train_epoch changes "
                       "the arrays in place, so store a copy "
                       "(copy.deepcopy(params)), not params itself."
                       if moved else ""))
    return "Stops on time; keeps a copy of the first best weights."


def test_generalisation_gap(answer, seed=None) -> str:
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
    history = {"step": steps, "train_accuracy": [float(v) for v in val + gap],
               "val_accuracy": [float(v) for v in val]}
    expected = (np.array(history["train_accuracy"])
                - np.array(history["val_accuracy"]))
    index = int(np.argmax(expected))
    widest = steps[index]
    result = answer(history)
    require(isinstance(result, tuple) and len(result) == 2,
            "return the pair (gaps, widest_step).")
    gaps, step = result
    require(isinstance(gaps, np.ndarray), f"gaps is a {type(gaps).__name__}: "
            "return a NumPy array (the lab plots and subtracts it).")
    gaps = np.asarray(gaps, dtype=np.float64)
    require(gaps.shape == expected.shape,
            f"one gap per evaluation: expected shape {expected.shape}, got "
            f"{gaps.shape}.")
    require(not np.allclose(gaps, -expected),
            "the gap is TRAINING minus validation accuracy, not the other "
            "way round.")
    require(np.allclose(gaps, expected, rtol=0, atol=1e-12),
            f"gaps should be {np.round(expected, 4).tolist()}, got "
            f"{np.round(gaps, 4).tolist()}.")
    ties = [steps[i] for i in np.flatnonzero(expected == expected.max())]
    require(step != index or index == widest,
            f"{step} is the index of the widest gap in the lists; return "
            f"its step, history['step'][{index}] = {widest}.")
    require(step == widest or step not in ties,
            f"the gap is widest at steps {ties}; return the first, {widest}.")
    require(step == widest, f"the gap is widest at step {widest}, you "
            f"returned {step}.")
    return f"Gaps right, the widest at step {widest}."


def _history(rng, n_evals):
    """A history as ``train`` records it, accuracies in 1/256 (exact)."""
    val = rng.integers(150, 230, n_evals) / 256
    gap = rng.integers(-4, 40, n_evals) / 256
    steps = np.cumsum([rng.integers(5, 11),
                       *rng.integers(10, 40, n_evals - 1)])
    return {"step": [int(s) for s in steps],
            "train_accuracy": [float(v) for v in val + gap],
            "val_accuracy": [float(v) for v in val]}


def test_learning_curve(answer, seed=48, n_sizes=4, shuffled=False) -> str:
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
        sizes = [sizes[i] for i in (order if any(np.diff(order) < 0)
                                    else order[::-1])]
    calls, made = [], {}

    def fit(x_n, y_n):
        """Stands in for train: a made-up history per training set."""
        calls.append((np.array(x_n, copy=True), np.array(y_n, copy=True)))
        history = _history(np.random.default_rng(
            [seed, len(y_n), int(np.sum(y_n))]), 3 + len(calls) % 3)
        made[len(y_n)] = history
        return history

    result = answer(sizes, x, y, fit, dict(reuse))
    trained = [n for n in sizes if n not in reuse]
    require(len(calls) > 0, "fit was never called: train every size that is "
            "not in reuse with fit(x_n, y_n), the function you are given.")
    got = [len(y_n) for _, y_n in calls]
    require(not set(got) & set(reuse), f"fit trained sizes {got}, among "
            f"them {sorted(set(got) & set(reuse))}, which are in reuse: take "
            "their history from reuse instead of training again.")
    require(got == trained or got != sorted(trained),
            f"fit trained sizes {got}, in increasing order; sizes gives "
            f"them as {trained}: run the sizes in the order of sizes (the "
            "keys of curve and the rows of final follow it), do not sort "
            "them.")
    require(got == trained, f"fit trained sizes {got}; expected {trained}: "
            "once each size of sizes that is not in reuse, in order.")
    for (x_n, y_n), n in zip(calls, trained):
        require(np.array_equal(y_n, y[:n]) and np.array_equal(x_n, x[:n]),
                f"the set of size {n} is not the first {n} images and their "
                f"labels: train on x[:{n}] and y[:{n}], so that every set "
                "contains the smaller ones.")
    require(isinstance(result, tuple) and len(result) == 2,
            "return the pair (curve, final).")
    curve, final = result
    require(isinstance(curve, dict) and list(curve) == sizes,
            f"curve should be a dict with the keys {sizes} in that order, got "
            f"{list(curve) if isinstance(curve, dict) else type(curve)}.")
    for n in sizes:
        require(curve[n] is (reuse[n] if n in reuse else made[n]),
                f"curve[{n}] is not the history of size {n}: "
                + ("the one reuse holds." if n in reuse else
                   "the one fit returned for it."))
    final = np.asarray(final, dtype=np.float64)
    require(final.shape == (len(sizes), 4), f"final should have shape "
            f"{(len(sizes), 4)}, one row per size, got {final.shape}.")
    history = [curve[n] for n in sizes]
    last = np.array([[h["train_accuracy"][-1], h["val_accuracy"][-1]]
                     for h in history])
    best = np.array([[max(h["train_accuracy"]), max(h["val_accuracy"])]
                     for h in history])
    require(not np.allclose(final[:, :2], best) or np.allclose(best, last),
            "final holds the best accuracies of each run; take those of the "
            "LAST evaluation, index -1.")
    require(np.allclose(final[:, :2], last, rtol=0, atol=1e-12),
            f"the first two columns should be the training and validation "
            f"accuracy at the last evaluation, {np.round(last, 4).tolist()}, "
            f"got {np.round(final[:, :2], 4).tolist()}.")
    gap = last[:, 0] - last[:, 1]
    require(not np.allclose(final[:, 2], -gap),
            "the gap is TRAINING minus validation accuracy, not the other "
            "way round.")
    require(np.allclose(final[:, 2], gap, rtol=0, atol=1e-12),
            f"the third column is the gap at the last evaluation, "
            f"{np.round(gap, 4).tolist()}, got "
            f"{np.round(final[:, 2], 4).tolist()}.")
    late, by_index = [], []
    for h in history:  # the last evaluation at or before half the steps
        half = max(i for i, s in enumerate(h["step"])
                   if 2 * s <= h["step"][-1])
        late.append(h["val_accuracy"][-1] - h["val_accuracy"][half])
        by_index.append(h["val_accuracy"][-1]
                        - h["val_accuracy"][len(h["step"]) // 2])
    require(not np.allclose(final[:, 3], -np.array(late)) or not any(late),
            "the late gain is the LAST validation accuracy minus the one at "
            "half-way, not the other way round.")
    require(np.allclose(final[:, 3], late, rtol=0, atol=1e-12) or not
            np.allclose(final[:, 3], by_index, rtol=0, atol=1e-12),
            "the fourth column picks the half-way evaluation by its index; "
            "pick it by its step: the last evaluation whose step is at most "
            "half the last step (evaluations need not be evenly spaced).")
    require(np.allclose(final[:, 3], late, rtol=0, atol=1e-12),
            f"the fourth column, the validation accuracy gained after "
            f"half-way, should be {np.round(late, 4).tolist()}, got "
            f"{np.round(final[:, 3], 4).tolist()}.")
    return (f"{len(trained)} sizes trained on nested sets, {len(reuse)} "
            "reused; final accuracies and gaps right.")


def _independent(answer, seed, keep, dtype, calls=40, shape=(20, 50)):
    """The spec's "independently": the number of units kept varies from call
    to call like a binomial count, Binomial(size, keep).

    An answer that keeps a fixed number of units (a permutation) has a
    variance 0. The sample variance of ``calls`` counts over the binomial
    variance is chi^2_(calls-1) / (calls-1): below 0.25 with probability
    5e-7 for 40 calls, the false alarm of this check.
    """
    H = np.ones(shape, dtype)
    counts = np.array([np.count_nonzero(answer(H, keep, np.random.default_rng(
        [seed, 7, call]))[1]) for call in range(calls)])
    variance = H.size * keep * (1 - keep)
    require(counts.var(ddof=1) > 0.25 * variance,
            f"over {calls} calls on {H.size} units the number kept was "
            f"{sorted(set(counts.tolist()))[:5]}... (variance "
            f"{counts.var(ddof=1):.3g}, a binomial count has {variance:.3g}): "
            "the units are not kept independently. Do not choose a fixed "
            "number of units to keep; decide each unit on its own, kept "
            "with probability keep (rng.random(H.shape) < keep).")


def test_dropout(answer, seed=49, keep=0.8, shape=(120, 250),
                 dtype="float32") -> str:
    """dropout(H, keep, rng, train=True) -> (out, mask): inverted dropout."""
    dtype = np.dtype(dtype)
    H = np.random.default_rng([seed, 0]).uniform(0.05, 1, shape).astype(dtype)
    before = H.copy()
    for wrong in (0.0, 1.5):
        try:
            with np.errstate(all="ignore"):
                answer(H, wrong, np.random.default_rng(seed))
        except ValueError:
            continue
        require(False, f"keep = {wrong} should raise a ValueError: keep is a "
                "probability of keeping, in (0, 1].")
    saved = np.random.get_state()
    try:
        np.random.seed(seed + 1)  # the global generator must not matter
        result = answer(H, keep, np.random.default_rng(seed))
        np.random.seed(seed + 2)
        again = answer(H, keep, np.random.default_rng(seed))
    finally:
        np.random.set_state(saved)
    other = answer(H, keep, np.random.default_rng(seed + 3))
    require(np.array_equal(H, before), "dropout changed H in place: return a "
            "new array, H is still needed for the backward pass.")
    require(isinstance(result, tuple) and len(result) == 2,
            "return the pair (out, mask).")
    out, mask = (np.asarray(a) if a is not None else a for a in result)
    require(mask is not None and mask.shape == H.shape,
            f"in training mode the mask has H's shape {H.shape}, one entry "
            f"per unit and image, got "
            f"{None if mask is None else mask.shape}.")
    require(mask.dtype == dtype, f"the mask is {mask.dtype}: give it H's "
            f"dtype {dtype} (0 or 1/keep), so that out = H * mask stays "
            f"{dtype}.")
    require(out.shape == H.shape and out.dtype == dtype,
            f"out should have H's shape {H.shape} and dtype {dtype}, got "
            f"{out.shape}, {out.dtype}.")
    values = np.unique(mask)
    scaled = dtype.type(1) / dtype.type(keep)
    require(not np.allclose(values, [0, 1]) or keep == 1,
            "the mask holds 0 and 1: inverted dropout scales the kept units "
            "by 1/keep during training, so that nothing needs rescaling at "
            "evaluation.")
    require(not np.allclose(values, [0, keep]) or keep == 1,
            "the kept units are multiplied by keep: divide them by keep "
            "(inverted dropout); multiplying by keep belongs to evaluation in "
            "the original, non-inverted dropout.")
    require(np.all(np.isclose(values, 0) | np.isclose(values, scaled)),
            f"the mask should hold only 0 and 1/keep = {scaled:.4g}, it holds "
            f"{np.round(values[:5], 4).tolist()}...")
    require(np.allclose(out, H * mask, rtol=1e-6, atol=0),
            "out is not H * mask: return the mask you multiplied H by.")
    kept = float(np.mean(mask != 0))
    sd = math.sqrt(keep * (1 - keep) / H.size)
    require(abs(kept - (1 - keep)) > 4 * sd or keep == 0.5,
            f"{kept:.1%} of the units were kept with keep = {keep}: keep is "
            "the probability of KEEPING a unit, not of dropping it.")
    require(abs(kept - keep) <= 4 * sd + 1e-12, f"{kept:.1%} of the units were "
            f"kept; with keep = {keep} expect {keep:.1%} (give or take "
            f"{4 * sd:.2%}): keep each unit with probability keep.")
    if keep < 1:
        require(mask.std(axis=0).max() > 0 and mask.std(axis=1).max() > 0,
                "the mask repeats along one axis: draw one number per unit "
                "AND image, rng.random(H.shape), not one per row or column.")
    if keep < 1:
        _independent(answer, seed, keep, dtype)
    require(np.array_equal(again[1], mask), "two calls with generators of the "
            "same seed gave different masks: draw from rng, the generator "
            "you are given, not from np.random.")
    require(keep == 1 or not np.array_equal(other[1], mask),
            "generators of different seeds gave the same mask: draw the mask "
            "from rng.")
    rng = np.random.default_rng(seed)
    state = rng.bit_generator.state
    result = answer(H, keep, rng, train=False)
    require(isinstance(result, tuple) and len(result) == 2,
            "return the pair (out, None) in evaluation mode too.")
    out, mask = result
    require(np.array_equal(np.asarray(out), H), "with train=False dropout is "
            "the identity: return H unchanged (no mask, no scaling; the "
            "scaling was done in training).")
    require(mask is None, "with train=False return None as the mask.")
    require(rng.bit_generator.state == state, "with train=False nothing "
            "is drawn from rng: evaluation is deterministic.")
    return (f"kept {kept:.1%} of the units with keep = {keep}, scaled by "
            "1/keep; identity at evaluation; seeded by rng.")


def _thinned(rng, n, d, h, k, keep, dtype):
    """A network, a batch and a fixed dropout mask."""
    params = {"W1": rng.normal(0, 0.5, (h, d)), "b1": rng.normal(0, 0.5, h),
              "W2": rng.normal(0, 0.5, (k, h)), "b2": rng.normal(0, 0.5, k)}
    params = {name: value.astype(dtype) for name, value in params.items()}
    X = rng.normal(0, 1, (n, d)).astype(dtype)
    Y = np.eye(k, dtype=dtype)[rng.integers(0, k, n)]
    M = ((rng.random((n, h)) < keep) / keep).astype(dtype)
    M[0, 0], M[0, 1] = 0, 1 / keep  # one unit of each kind, whatever keep
    return params, X, Y, M


def test_dropout_gradients(answer, seed=50, batch=6, keep=0.6,
                           dtype="float64") -> str:
    """dropout_gradients(params, X, Y_onehot, drop) -> grads of the thinned
    network's mean cross-entropy."""
    rng = np.random.default_rng(seed)
    dtype = np.dtype(dtype)
    params, X, Y, M = _thinned(rng, batch, 7, 5, 4, keep, dtype)
    start = {name: value.copy() for name, value in params.items()}
    seen = []

    def drop(H):
        """Stands in for dropout: always the same mask M."""
        seen.append(np.array(H, copy=True))
        return H * M, M

    grads = answer(params, X, Y, drop)
    require(all(np.array_equal(start[k], params[k]) for k in params),
            "params changed: only compute the gradients, sgd_step moves the "
            "weights.")
    require(len(seen) > 0, "drop was never called: pass the hidden "
            "activations through drop(F1), which returns (thinned, mask).")
    require(len(seen) == 1, f"drop was called {len(seen)} times: call it "
            "once per batch and reuse its mask in the backward pass (a new "
            "call draws a new mask).")
    x64 = X.astype(np.float64)
    p64 = {name: value.astype(np.float64) for name, value in params.items()}
    A1 = x64 @ p64["W1"].T + p64["b1"]
    F1 = 1 / (1 + np.exp(-A1))
    tol = 1e-10 if dtype == np.float64 else 1e-4
    require(not np.allclose(seen[0], A1, atol=tol),
            "drop received the pre-activations A1: dropout acts on the hidden "
            "activations, sigmoid(A1).")
    require(np.allclose(seen[0], F1, rtol=tol, atol=tol),
            "drop did not receive the hidden activations sigmoid(X W1^T + b1)"
            " of the batch.")
    require(isinstance(grads, dict) and set(grads) == set(params),
            f"return a dict with the keys {sorted(params)}, got "
            f"{sorted(grads) if isinstance(grads, dict) else type(grads)}.")
    M64 = M.astype(np.float64)
    D = F1 * M64
    A2 = D @ p64["W2"].T + p64["b2"]
    P = np.exp(A2 - A2.max(axis=1, keepdims=True))
    P /= P.sum(axis=1, keepdims=True)
    dA2 = (P - Y) / batch
    dD = dA2 @ p64["W2"]

    def full(dA1, dA2, D):
        return {"W1": dA1.T @ x64, "b1": dA1.sum(axis=0),
                "W2": dA2.T @ D, "b2": dA2.sum(axis=0)}

    expected = full(dD * M64 * F1 * (1 - F1), dA2, D)
    slips = [
        (full(dD * F1 * (1 - F1), dA2, D), "the gradient flows back through "
         "the units dropout removed: multiply it by the mask on the way back "
         "too (a dropped unit had no effect on the loss)"),
        (full(dD * M64 * D * (1 - D), dA2, D), "sigmoid' is F1 (1 - F1) of "
         "the activations BEFORE dropout, not of the thinned ones"),
        (full(dD * M64 * F1 * (1 - F1), dA2, F1), "the output layer saw the "
         "thinned activations: its weight gradient uses them, not F1"),
        (full(dD * M64 * M64 * F1 * (1 - F1), dA2, D), "the mask is applied "
         "twice on the way back: once is the derivative of H * mask"),
        (full(dD * M64 * F1 * (1 - F1) * batch, dA2 * batch, D), "the "
         "gradients are batch-size times too large: the loss is the MEAN "
         "over the batch, divide by N"),
    ]
    for name in ("W2", "b2", "b1", "W1"):
        value = grads[name]
        require(np.shape(value) == expected[name].shape,
                f"grads['{name}'] should have shape {expected[name].shape}, "
                f"got {np.shape(value)}.")
        require(np.asarray(value).dtype == dtype, f"grads['{name}'] is "
                f"{np.asarray(value).dtype}; keep the dtype of the inputs, "
                f"{dtype} (training runs in float32).")
        error = rel_error(value, expected[name])
        if error <= tol:
            continue
        hints = [hint for candidate, hint in slips
                 if rel_error(value, candidate[name]) <= tol]
        require(False, f"grads['{name}'] is wrong (rel. error {error:.1e}). "
                + (hints[0][0].upper() + hints[0][1:] + "." if hints else
                   "Derive it with the chain rule through the thinned "
                   "activations F1 * mask."))
    loud = dict(params, b2=params["b2"] + dtype.type(1000))  # large logits
    with np.errstate(all="ignore"):
        big = answer(loud, X, Y, lambda H: (H * M, M))
    require(all(np.all(np.isfinite(big[k])) for k in big),
            "with logits near a thousand the gradients are not finite: the "
            "softmax overflows. Subtract each row's largest logit before "
            "exp (the probabilities do not change).")
    steep = dict(params, W2=params["W2"] * dtype.type(3000))  # row maxima
    with np.errstate(all="ignore"):                        # far apart
        big_rows = answer(steep, X, Y, lambda H: (H * M, M))
    require(all(np.all(np.isfinite(big_rows[k])) for k in big_rows),
            "with logits in the thousands, far apart from row to row, the "
            "gradients are not finite: subtract each ROW's largest logit "
            "(axis=1), not the largest of the whole batch.")
    require(rel_error(big["W1"], expected["W1"]) <= tol,
            "with every logit raised by the same constant the gradients "
            "must not change (the softmax is invariant to it); yours do.")
    return "gradients of the thinned network right, one mask per batch."


EXERCISES = {
    "4.1": Spec("sgd_step", points=2, test=test_sgd_step,
                reference="utils.saved.lab04_regularise:sgd_step"),
    "4.2": Spec("EarlyStopping", points=3, test=test_early_stopping,
                reference="utils.saved.lab04_regularise:EarlyStopping"),
    "4.3": Spec("generalisation_gap", points=1, test=test_generalisation_gap,
                reference="utils.saved.lab04_regularise:generalisation_gap"),
    "4.4": Spec("learning_curve", points=3, test=test_learning_curve,
                reference="utils.saved.lab04_regularise:learning_curve"),
    "4.5": Spec("dropout", points=3, test=test_dropout,
                reference="utils.saved.lab04_regularise:dropout"),
    "4.6": Spec("dropout_gradients", points=3, test=test_dropout_gradients,
                reference="utils.saved.lab04_regularise:dropout_gradients"),
}
