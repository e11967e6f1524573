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


EXERCISES = {
    "4.1": Spec("sgd_step", points=2, test=test_sgd_step,
                reference="utils.regularise:sgd_step"),
    "4.2": Spec("EarlyStopping", points=3, test=test_early_stopping,
                reference="utils.regularise:EarlyStopping"),
    "4.3": Spec("generalisation_gap", points=1, test=test_generalisation_gap,
                reference="utils.regularise:generalisation_gap"),
}
