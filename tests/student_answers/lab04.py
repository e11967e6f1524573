"""Student answers for lab 04 (weight decay, early stopping, generalisation gap)."""

import copy
import math

import numpy as np


# --------------------------------------------------------------- 4.1 sgd_step
def sgd_step__wrong_decays_biases(params, grads, learning_rate, weight_decay=0.0):
    """Applies the decay to every parameter, biases included."""
    for name, grad in grads.items():
        params[name] -= learning_rate * (grad + weight_decay * params[name])


def sgd_step__wrong_decay_without_lr(params, grads, learning_rate, weight_decay=0.0):
    """W -= lr * grad + wd * W: the decay is not scaled by the learning rate."""
    for name, grad in grads.items():
        if name.startswith("W"):
            params[name] -= learning_rate * grad + weight_decay * params[name]
        else:
            params[name] -= learning_rate * grad


def sgd_step__wrong_factor_two(params, grads, learning_rate, weight_decay=0.0):
    """Differentiates lambda ||W||^2 without the 1/2: 2 lambda W."""
    for name, grad in grads.items():
        if name.startswith("W"):
            grad = grad + 2 * weight_decay * params[name]
        params[name] -= learning_rate * grad


def sgd_step__wrong_sign(params, grads, learning_rate, weight_decay=0.0):
    """Adds the gradient: gradient ascent."""
    for name, grad in grads.items():
        if name.startswith("W"):
            grad = grad + weight_decay * params[name]
        params[name] += learning_rate * grad


def sgd_step__wrong_returns_new_dict(params, grads, learning_rate, weight_decay=0.0):
    """Returns updated copies and leaves params unchanged (train_epoch ignores it)."""
    new = {}
    for name, value in params.items():
        grad = grads[name]
        if name.startswith("W"):
            grad = grad + weight_decay * value
        new[name] = value - learning_rate * grad
    return new


def sgd_step__wrong_two_layers_only(params, grads, learning_rate, weight_decay=0.0):
    """Decays W1 and W2 by name: a third layer's W3 is not decayed."""
    for name, grad in grads.items():
        if name in ("W1", "W2"):
            grad = grad + weight_decay * params[name]
        params[name] -= learning_rate * grad


def sgd_step__wrong_decay_after_step(params, grads, learning_rate, weight_decay=0.0):
    """Steps first, then shrinks the already-updated W by (1 - lr wd)."""
    for name, grad in grads.items():
        params[name] -= learning_rate * grad
        if name.startswith("W"):
            params[name] *= 1 - learning_rate * weight_decay


def sgd_step__wrong_decay_of_gradient(params, grads, learning_rate, weight_decay=0.0):
    """Scales the gradient by (1 + wd) instead of adding wd * W."""
    for name, grad in grads.items():
        if name.startswith("W"):
            grad = grad * (1 + weight_decay)
        params[name] -= learning_rate * grad


def sgd_step__wrong_float64_rebind(params, grads, learning_rate, weight_decay=0.0):
    """Rebinds each entry to a float64 result: float32 weights become float64."""
    for name in params:
        value = np.asarray(params[name], dtype=np.float64)
        grad = np.asarray(grads[name], dtype=np.float64)
        if name.startswith("W"):
            grad = grad + weight_decay * value
        params[name] = value - learning_rate * grad


def sgd_step__wrong_delegates(params, grads, learning_rate, weight_decay=0.0):
    """Calls the saved reference in utils."""
    from utils.saved.lab04_regularise import sgd_step as reference

    reference(params, grads, learning_rate, weight_decay)


def sgd_step__right_multiplicative(params, grads, learning_rate, weight_decay=0.0):
    """(1 - lr wd) W - lr grad, the 'decay' form, both in place."""
    for name in params:
        if name.startswith("W"):
            params[name] *= 1 - learning_rate * weight_decay
        params[name] -= learning_rate * grads[name]


def sgd_step__right_np_subtract_out(params, grads, learning_rate, weight_decay=0.0):
    """np.subtract with out= the parameter; the first letter decides the decay."""
    for name, value in params.items():
        update = grads[name] + (weight_decay * value if name[0] == "W" else 0)
        np.subtract(value, learning_rate * update, out=value)
    return None


# ------------------------------------------------------------ 4.2 EarlyStopping
class EarlyStopping__wrong_tie_improves:
    """A tie (>=) counts as an improvement: the index moves to the later tie."""

    def __init__(self, patience):
        self.patience = patience
        self.best_score = -math.inf
        self.best_index = None
        self.best_params = None
        self.evaluations = 0

    def update(self, score, params):
        """Record one evaluation; return True when training should stop."""
        if score >= self.best_score:
            self.best_score, self.best_index = score, self.evaluations
            self.best_params = copy.deepcopy(params)
        self.evaluations += 1
        return self.evaluations - 1 - self.best_index >= self.patience


class EarlyStopping__wrong_stores_reference:
    """Keeps a reference to params, which training then changes in place."""

    def __init__(self, patience):
        self.patience = patience
        self.best_score = -math.inf
        self.best_index = None
        self.best_params = None
        self.evaluations = 0

    def update(self, score, params):
        """Record one evaluation; return True when training should stop."""
        if score > self.best_score:
            self.best_score, self.best_index = score, self.evaluations
            self.best_params = params
        self.evaluations += 1
        return self.evaluations - 1 - self.best_index >= self.patience


class EarlyStopping__wrong_shallow_copy:
    """copy.copy(params): a new dict holding the same arrays, changed in place later."""

    def __init__(self, patience):
        self.patience = patience
        self.best_score = -math.inf
        self.best_index = None
        self.best_params = None
        self.evaluations = 0

    def update(self, score, params):
        """Record one evaluation; return True when training should stop."""
        if score > self.best_score:
            self.best_score, self.best_index = score, self.evaluations
            self.best_params = copy.copy(params)
        self.evaluations += 1
        return self.evaluations - 1 - self.best_index >= self.patience


class EarlyStopping__wrong_stops_one_early:
    """Compares the count after incrementing: stops one evaluation too early."""

    def __init__(self, patience):
        self.patience = patience
        self.best_score = -math.inf
        self.best_index = None
        self.best_params = None
        self.evaluations = 0

    def update(self, score, params):
        """Record one evaluation; return True when training should stop."""
        if score > self.best_score:
            self.best_score, self.best_index = score, self.evaluations
            self.best_params = copy.deepcopy(params)
        self.evaluations += 1
        return self.evaluations - self.best_index >= self.patience


class EarlyStopping__wrong_stops_one_late:
    """Uses > patience: waits one evaluation longer than asked."""

    def __init__(self, patience):
        self.patience = patience
        self.best_score = -math.inf
        self.best_index = None
        self.best_params = None
        self.evaluations = 0

    def update(self, score, params):
        """Record one evaluation; return True when training should stop."""
        if score > self.best_score:
            self.best_score, self.best_index = score, self.evaluations
            self.best_params = copy.deepcopy(params)
        self.evaluations += 1
        return self.evaluations - 1 - self.best_index > self.patience


class EarlyStopping__wrong_index_from_one:
    """Counts before recording: best_index is 1-based (first call gives 1)."""

    def __init__(self, patience):
        self.patience = patience
        self.best_score = -math.inf
        self.best_index = None
        self.best_params = None
        self.evaluations = 0

    def update(self, score, params):
        """Record one evaluation; return True when training should stop."""
        self.evaluations += 1
        if score > self.best_score:
            self.best_score, self.best_index = score, self.evaluations
            self.best_params = copy.deepcopy(params)
        return self.evaluations - self.best_index >= self.patience


class EarlyStopping__wrong_compares_last_score:
    """Counts the patience from the last improvement over the previous score."""

    def __init__(self, patience):
        self.patience = patience
        self.best_score = -math.inf
        self.best_index = None
        self.best_params = None
        self.evaluations = 0
        self.last_score = -math.inf
        self.last_rise = 0

    def update(self, score, params):
        """Record one evaluation; return True when training should stop."""
        if score > self.best_score:
            self.best_score, self.best_index = score, self.evaluations
            self.best_params = copy.deepcopy(params)
        if score > self.last_score:
            self.last_rise = self.evaluations
        self.last_score = score
        self.evaluations += 1
        return self.evaluations - 1 - self.last_rise >= self.patience


class EarlyStopping__wrong_no_count:
    """Never increments evaluations: every improvement is stored as index 0."""

    def __init__(self, patience):
        self.patience = patience
        self.best_score = -math.inf
        self.best_index = None
        self.best_params = None
        self.evaluations = 0
        self._seen = 0

    def update(self, score, params):
        """Record one evaluation; return True when training should stop."""
        if score > self.best_score:
            self.best_score, self.best_index = score, self.evaluations
            self.best_params = copy.deepcopy(params)
        self._seen += 1
        return self._seen - 1 - self.best_index >= self.patience


class EarlyStopping__wrong_int_patience:
    """int(self.patience) in the test: patience=math.inf raises OverflowError."""

    def __init__(self, patience):
        self.patience = patience
        self.best_score = -math.inf
        self.best_index = None
        self.best_params = None
        self.evaluations = 0

    def update(self, score, params):
        """Record one evaluation; return True when training should stop."""
        if score > self.best_score:
            self.best_score, self.best_index = score, self.evaluations
            self.best_params = copy.deepcopy(params)
        self.evaluations += 1
        return self.evaluations - 1 - self.best_index >= int(self.patience)


def _reference_early_stopping():
    from utils.saved.lab04_regularise import EarlyStopping as reference

    return reference


class EarlyStopping__wrong_delegates(_reference_early_stopping()):
    """Subclasses the saved reference in utils instead of writing update."""


class EarlyStopping__right_bad_counter:
    """Counts the evaluations since the best with its own counter, reset on a rise."""

    def __init__(self, patience):
        self.patience = patience
        self.best_score = -math.inf
        self.best_index = None
        self.best_params = None
        self.evaluations = 0
        self.since_best = 0

    def update(self, score, params):
        """Record one evaluation; return True when training should stop."""
        index = self.evaluations
        self.evaluations = index + 1
        if score > self.best_score:
            self.best_score = score
            self.best_index = index
            self.best_params = copy.deepcopy(params)
            self.since_best = 0
        else:
            self.since_best += 1
        return self.since_best >= self.patience


class EarlyStopping__right_array_copies:
    """Copies each array of the weights dict with np.copy (a deep copy for a dict)."""

    def __init__(self, patience):
        self.patience = patience
        self.best_score = -math.inf
        self.best_index = None
        self.best_params = None
        self.evaluations = 0

    def update(self, score, params):
        """Record one evaluation; return True when training should stop."""
        current = self.evaluations
        self.evaluations += 1
        if score > self.best_score:
            self.best_score, self.best_index = score, current
            self.best_params = {name: np.copy(value) for name, value in params.items()}
        return bool(current - self.best_index >= self.patience)


# ---------------------------------------------------- 4.3 generalisation_gap
def generalisation_gap__wrong_returns_index(history):
    """Returns the index of the widest gap, not its step."""
    gaps = np.asarray(history["train_accuracy"]) - np.asarray(history["val_accuracy"])
    return gaps, int(np.argmax(gaps))


def generalisation_gap__wrong_sign(history):
    """Validation minus training accuracy."""
    gaps = np.asarray(history["val_accuracy"]) - np.asarray(history["train_accuracy"])
    return gaps, history["step"][int(np.argmax(gaps))]


def generalisation_gap__wrong_last_of_ties(history):
    """Takes the last evaluation among tied widest gaps."""
    gaps = np.asarray(history["train_accuracy"]) - np.asarray(history["val_accuracy"])
    last = len(gaps) - 1 - int(np.argmax(gaps[::-1]))
    return gaps, history["step"][last]


def generalisation_gap__wrong_python_list(history):
    """The gaps as a Python list instead of a NumPy array."""
    gaps = [t - v for t, v in zip(history["train_accuracy"], history["val_accuracy"])]
    return gaps, history["step"][gaps.index(max(gaps))]


def generalisation_gap__wrong_absolute(history):
    """|train - val|: a validation lead counts as a wide gap."""
    gaps = np.abs(np.asarray(history["train_accuracy"]) - np.asarray(history["val_accuracy"]))
    return gaps, history["step"][int(np.argmax(gaps))]


def generalisation_gap__wrong_returns_value(history):
    """Returns the widest gap's value instead of its step."""
    gaps = np.asarray(history["train_accuracy"]) - np.asarray(history["val_accuracy"])
    return gaps, float(gaps.max())


def generalisation_gap__wrong_final_gap_step(history):
    """Reports the last step, where the run ended, as the widest."""
    gaps = np.asarray(history["train_accuracy"]) - np.asarray(history["val_accuracy"])
    return gaps, history["step"][-1]


def generalisation_gap__wrong_delegates(history):
    """Calls the saved reference in utils."""
    from utils.saved.lab04_regularise import generalisation_gap as reference

    return reference(history)


def generalisation_gap__right_loop(history):
    """Builds the gaps in a loop; keeps the first maximum with a strict >."""
    gaps, best, widest = [], -math.inf, None
    for step, train, val in zip(
        history["step"], history["train_accuracy"], history["val_accuracy"]
    ):
        gap = train - val
        gaps.append(gap)
        if gap > best:
            best, widest = gap, step
    return np.array(gaps), widest


def generalisation_gap__right_flatnonzero(history):
    """np.subtract on float arrays; the first index where the gap equals its max."""
    gaps = np.subtract(
        np.array(history["train_accuracy"], dtype=float),
        np.array(history["val_accuracy"], dtype=float),
    )
    first = np.flatnonzero(gaps == gaps.max())[0]
    return gaps, history["step"][first]


ANSWERS = {
    "4.1": {
        "wrong": [
            sgd_step__wrong_decays_biases,
            sgd_step__wrong_decay_without_lr,
            sgd_step__wrong_factor_two,
            sgd_step__wrong_sign,
            sgd_step__wrong_returns_new_dict,
            sgd_step__wrong_two_layers_only,
            sgd_step__wrong_decay_after_step,
            sgd_step__wrong_decay_of_gradient,
            sgd_step__wrong_float64_rebind,
            sgd_step__wrong_delegates,
        ],
        "right": [sgd_step__right_multiplicative, sgd_step__right_np_subtract_out],
    },
    "4.2": {
        "wrong": [
            EarlyStopping__wrong_tie_improves,
            EarlyStopping__wrong_stores_reference,
            EarlyStopping__wrong_shallow_copy,
            EarlyStopping__wrong_stops_one_early,
            EarlyStopping__wrong_stops_one_late,
            EarlyStopping__wrong_index_from_one,
            EarlyStopping__wrong_compares_last_score,
            EarlyStopping__wrong_no_count,
            EarlyStopping__wrong_int_patience,
            EarlyStopping__wrong_delegates,
        ],
        "right": [EarlyStopping__right_bad_counter, EarlyStopping__right_array_copies],
    },
    "4.3": {
        "wrong": [
            generalisation_gap__wrong_returns_index,
            generalisation_gap__wrong_sign,
            generalisation_gap__wrong_last_of_ties,
            generalisation_gap__wrong_python_list,
            generalisation_gap__wrong_absolute,
            generalisation_gap__wrong_returns_value,
            generalisation_gap__wrong_final_gap_step,
            generalisation_gap__wrong_delegates,
        ],
        "right": [generalisation_gap__right_loop, generalisation_gap__right_flatnonzero],
    },
}


# ------------------------------------------------------- 4.4 learning_curve
def _final_row(history):
    """Training accuracy, validation accuracy, gap and late gain of one run."""
    steps = np.asarray(history["step"])
    val = np.asarray(history["val_accuracy"], dtype=float)
    train = float(history["train_accuracy"][-1])
    half = int(np.flatnonzero(steps <= steps[-1] / 2)[-1])
    return [train, val[-1], train - val[-1], val[-1] - val[half]]


def learning_curve__wrong_random_subset(sizes, x, y, fit, reuse):
    """Trains on a random subset of n images, not the first n."""
    rng = np.random.default_rng(0)
    curve = {}
    for n in sizes:
        if n in reuse:
            curve[n] = reuse[n]
        else:
            chosen = rng.choice(len(x), size=n, replace=False)
            curve[n] = fit(x[chosen], y[chosen])
    return curve, np.array([_final_row(curve[n]) for n in sizes])


def learning_curve__wrong_last_n(sizes, x, y, fit, reuse):
    """Takes the last n images x[-n:] instead of the first n."""
    curve = {}
    for n in sizes:
        curve[n] = reuse[n] if n in reuse else fit(x[-n:], y[-n:])
    return curve, np.array([_final_row(curve[n]) for n in sizes])


def learning_curve__wrong_ignores_reuse(sizes, x, y, fit, reuse):
    """Trains every size again, even those already in reuse."""
    curve = {n: fit(x[:n], y[:n]) for n in sizes}
    return curve, np.array([_final_row(curve[n]) for n in sizes])


def learning_curve__wrong_fits_then_reuses(sizes, x, y, fit, reuse):
    """Calls fit for every size, then swaps in the reused history when there is one."""
    curve = {}
    for n in sizes:
        history = fit(x[:n], y[:n])
        curve[n] = reuse.get(n, history)
    return curve, np.array([_final_row(curve[n]) for n in sizes])


def learning_curve__wrong_halfway_index(sizes, x, y, fit, reuse):
    """Half-way is the middle evaluation (index len // 2), as if evenly spaced."""
    curve, final = {}, []
    for n in sizes:
        history = reuse[n] if n in reuse else fit(x[:n], y[:n])
        curve[n] = history
        train, val = history["train_accuracy"], history["val_accuracy"]
        mid = len(val) // 2
        final.append([train[-1], val[-1], train[-1] - val[-1], val[-1] - val[mid]])
    return curve, np.array(final)


def learning_curve__wrong_halfway_first_after(sizes, x, y, fit, reuse):
    """Half-way is the first evaluation at or after half the last step."""
    curve, final = {}, []
    for n in sizes:
        history = reuse[n] if n in reuse else fit(x[:n], y[:n])
        curve[n] = history
        steps = np.asarray(history["step"])
        train, val = history["train_accuracy"], history["val_accuracy"]
        half = int(np.flatnonzero(steps >= steps[-1] / 2)[0])
        final.append([train[-1], val[-1], train[-1] - val[-1], val[-1] - val[half]])
    return curve, np.array(final)


def learning_curve__wrong_halfway_strict(sizes, x, y, fit, reuse):
    """Half-way is the last evaluation strictly before half the last step."""
    curve, final = {}, []
    for n in sizes:
        history = reuse[n] if n in reuse else fit(x[:n], y[:n])
        curve[n] = history
        steps = np.asarray(history["step"])
        train, val = history["train_accuracy"], history["val_accuracy"]
        half = int(np.flatnonzero(steps < steps[-1] / 2)[-1])
        final.append([train[-1], val[-1], train[-1] - val[-1], val[-1] - val[half]])
    return curve, np.array(final)


def learning_curve__wrong_gap_sign(sizes, x, y, fit, reuse):
    """The gap column is validation minus training accuracy."""
    curve, final = {}, []
    for n in sizes:
        history = reuse[n] if n in reuse else fit(x[:n], y[:n])
        curve[n] = history
        row = _final_row(history)
        row[2] = -row[2]
        final.append(row)
    return curve, np.array(final)


def learning_curve__wrong_gain_from_best(sizes, x, y, fit, reuse):
    """Late gain is the best validation accuracy minus the half-way one."""
    curve, final = {}, []
    for n in sizes:
        history = reuse[n] if n in reuse else fit(x[:n], y[:n])
        curve[n] = history
        steps = np.asarray(history["step"])
        val = np.asarray(history["val_accuracy"], dtype=float)
        train = history["train_accuracy"][-1]
        half = int(np.flatnonzero(steps <= steps[-1] / 2)[-1])
        final.append([train, val[-1], train - val[-1], val.max() - val[half]])
    return curve, np.array(final)


def learning_curve__wrong_sorted_sizes(sizes, x, y, fit, reuse):
    """Runs the sizes in increasing order, not in the order given."""
    curve = {}
    for n in sorted(sizes):
        curve[n] = reuse[n] if n in reuse else fit(x[:n], y[:n])
    return curve, np.array([_final_row(curve[n]) for n in curve])


def learning_curve__wrong_delegates(sizes, x, y, fit, reuse):
    """Calls the saved reference in utils."""
    from utils.saved.lab04_regularise import learning_curve as reference

    return reference(sizes, x, y, fit, reuse)


def learning_curve__right_scan_back(sizes, x, y, fit, reuse):
    """Plain loops; walks back from the end to find the half-way evaluation."""
    curve = {}
    rows = []
    for n in sizes:
        if n in reuse:
            history = reuse[n]
        else:
            history = fit(x[:n], y[:n])
        curve[n] = history
        steps, val = list(history["step"]), list(history["val_accuracy"])
        i = len(steps) - 1
        while 2 * steps[i] > steps[-1]:
            i -= 1
        last_train, last_val = history["train_accuracy"][-1], val[-1]
        rows.append((last_train, last_val, last_train - last_val, last_val - val[i]))
    return curve, np.array(rows, dtype=float)


def learning_curve__right_searchsorted(sizes, x, y, fit, reuse):
    """np.searchsorted for half-way; the table built column by column."""
    curve = {n: (reuse[n] if n in reuse else fit(x[:n], y[:n])) for n in sizes}
    train = np.array([curve[n]["train_accuracy"][-1] for n in sizes], dtype=float)
    val = np.array([curve[n]["val_accuracy"][-1] for n in sizes], dtype=float)
    mid = []
    for n in sizes:
        steps = np.asarray(curve[n]["step"], dtype=float)
        k = np.searchsorted(steps, steps[-1] / 2, side="right") - 1
        mid.append(curve[n]["val_accuracy"][k])
    return curve, np.column_stack([train, val, train - val, val - np.array(mid, dtype=float)])


# ---------------------------------------------------------------- 4.5 dropout
def _check_keep(keep):
    if not 0 < keep <= 1:
        raise ValueError(f"keep must be in (0, 1], got {keep}.")


def dropout__wrong_no_scale(H, keep, rng, train=True):
    """A 0/1 mask: the kept units are not scaled by 1 / keep."""
    _check_keep(keep)
    if not train:
        return H, None
    mask = (rng.random(H.shape) < keep).astype(H.dtype)
    return H * mask, mask


def dropout__wrong_scale_by_keep(H, keep, rng, train=True):
    """Multiplies the kept units by keep instead of dividing by it."""
    _check_keep(keep)
    if not train:
        return H, None
    mask = ((rng.random(H.shape) < keep) * keep).astype(H.dtype)
    return H * mask, mask


def dropout__wrong_keep_is_drop(H, keep, rng, train=True):
    """Keeps a unit when the draw exceeds keep: keeps with probability 1 - keep."""
    _check_keep(keep)
    if not train:
        return H, None
    mask = ((rng.random(H.shape) > keep) / keep).astype(H.dtype)
    return H * mask, mask


def dropout__wrong_in_place(H, keep, rng, train=True):
    """Applies the mask with H *= mask, changing the caller's array."""
    _check_keep(keep)
    if not train:
        return H, None
    mask = ((rng.random(H.shape) < keep) / keep).astype(H.dtype)
    H *= mask
    return H, mask


def dropout__wrong_shared_mask(H, keep, rng, train=True):
    """One mask row for all images: a unit is dropped in every image at once."""
    _check_keep(keep)
    if not train:
        return H, None
    row = ((rng.random(H.shape[-1]) < keep) / keep).astype(H.dtype)
    mask = np.broadcast_to(row, H.shape).copy()
    return H * mask, mask


def dropout__wrong_eval_scales(H, keep, rng, train=True):
    """Scales by keep at evaluation as well, as in non-inverted dropout."""
    _check_keep(keep)
    if not train:
        return H * keep, None
    mask = ((rng.random(H.shape) < keep) / keep).astype(H.dtype)
    return H * mask, mask


def dropout__wrong_eval_draws(H, keep, rng, train=True):
    """Draws the random numbers before looking at the mode (advances rng at evaluation)."""
    _check_keep(keep)
    draws = rng.random(H.shape)
    if not train:
        return H, None
    mask = ((draws < keep) / keep).astype(H.dtype)
    return H * mask, mask


def dropout__wrong_float64_mask(H, keep, rng, train=True):
    """Mask left as float64 (bool / keep): a float32 H gets a float64 mask and output."""
    _check_keep(keep)
    if not train:
        return H, None
    mask = (rng.random(H.shape) < keep) / keep
    return H * mask, mask


def dropout__wrong_exact_count(H, keep, rng, train=True):
    """Keeps exactly round(keep * size) units chosen by permutation: not independent."""
    _check_keep(keep)
    if not train:
        return H, None
    n_keep = int(round(keep * H.size))
    flat = np.zeros(H.size, dtype=H.dtype)
    flat[rng.permutation(H.size)[:n_keep]] = 1 / keep
    mask = flat.reshape(H.shape)
    return H * mask, mask


def dropout__wrong_global_rng(H, keep, rng, train=True):
    """Draws from np.random instead of the generator passed in."""
    _check_keep(keep)
    if not train:
        return H, None
    mask = ((np.random.random(H.shape) < keep) / keep).astype(H.dtype)
    return H * mask, mask


def dropout__wrong_no_upper_check(H, keep, rng, train=True):
    """Only rejects keep <= 0: keep = 1.5 is accepted."""
    if keep <= 0:
        raise ValueError(f"keep must be positive, got {keep}.")
    if not train:
        return H, None
    mask = ((rng.random(H.shape) < keep) / keep).astype(H.dtype)
    return H * mask, mask


def dropout__wrong_delegates(H, keep, rng, train=True):
    """Calls the saved reference in utils."""
    from utils.saved.lab04_regularise import dropout as reference

    return reference(H, keep, rng, train)


def dropout__right_binomial(H, keep, rng, train=True):
    """Bernoulli draws with rng.binomial, then divided by keep in H's dtype."""
    if not (keep > 0 and keep <= 1):
        raise ValueError("keep must lie in (0, 1]")
    if train is False or not train:
        return H, None
    kept = rng.binomial(1, keep, size=H.shape).astype(H.dtype)
    mask = kept / H.dtype.type(keep)
    return H * mask, mask


def dropout__right_where(H, keep, rng, train=True):
    """np.where on uniform draws, mask built in H's dtype; np.multiply to a new array."""
    if keep <= 0 or keep > 1:
        raise ValueError(f"keep={keep} is not a probability in (0, 1]")
    if not train:
        return H, None
    H = np.asarray(H)
    scale = np.array(1.0 / keep, dtype=H.dtype)
    mask = np.where(rng.uniform(size=H.shape) < keep, scale, np.zeros((), H.dtype))
    return np.multiply(H, mask), mask


# ------------------------------------------------------ 4.6 dropout_gradients
def _sigmoid(A):
    return 0.5 + 0.5 * np.tanh(0.5 * A)


def _softmax(A):
    E = np.exp(A - A.max(axis=1, keepdims=True))
    return E / E.sum(axis=1, keepdims=True)


def dropout_gradients__wrong_w2_unthinned(params, X, Y_onehot, drop):
    """dW2 uses the hidden activations before dropout, not the thinned ones."""
    F1 = _sigmoid(X @ params["W1"].T + params["b1"])
    T, mask = drop(F1)
    P = _softmax(T @ params["W2"].T + params["b2"])
    dA2 = (P - Y_onehot) / len(X)
    dA1 = (dA2 @ params["W2"]) * mask * F1 * (1 - F1)
    return {"W1": dA1.T @ X, "b1": dA1.sum(axis=0), "W2": dA2.T @ F1, "b2": dA2.sum(axis=0)}


def dropout_gradients__wrong_no_mask_backward(params, X, Y_onehot, drop):
    """Forgets the mask on the way back: dropped units still get a gradient."""
    F1 = _sigmoid(X @ params["W1"].T + params["b1"])
    T, mask = drop(F1)
    P = _softmax(T @ params["W2"].T + params["b2"])
    dA2 = (P - Y_onehot) / len(X)
    dA1 = (dA2 @ params["W2"]) * F1 * (1 - F1)
    return {"W1": dA1.T @ X, "b1": dA1.sum(axis=0), "W2": dA2.T @ T, "b2": dA2.sum(axis=0)}


def dropout_gradients__wrong_calls_drop_twice(params, X, Y_onehot, drop):
    """Calls drop again in the backward pass for the mask: a different mask."""
    F1 = _sigmoid(X @ params["W1"].T + params["b1"])
    T, _ = drop(F1)
    P = _softmax(T @ params["W2"].T + params["b2"])
    dA2 = (P - Y_onehot) / len(X)
    _, mask = drop(F1)
    dA1 = (dA2 @ params["W2"]) * mask * F1 * (1 - F1)
    return {"W1": dA1.T @ X, "b1": dA1.sum(axis=0), "W2": dA2.T @ T, "b2": dA2.sum(axis=0)}


def dropout_gradients__wrong_drops_preactivation(params, X, Y_onehot, drop):
    """Applies dropout to the pre-activations, before the sigmoid."""
    A1 = X @ params["W1"].T + params["b1"]
    A1d, mask = drop(A1)
    F1 = _sigmoid(A1d)
    P = _softmax(F1 @ params["W2"].T + params["b2"])
    dA2 = (P - Y_onehot) / len(X)
    dA1 = (dA2 @ params["W2"]) * F1 * (1 - F1) * mask
    return {"W1": dA1.T @ X, "b1": dA1.sum(axis=0), "W2": dA2.T @ F1, "b2": dA2.sum(axis=0)}


def dropout_gradients__wrong_sum_not_mean(params, X, Y_onehot, drop):
    """Gradients of the summed cross-entropy: no division by N."""
    F1 = _sigmoid(X @ params["W1"].T + params["b1"])
    T, mask = drop(F1)
    P = _softmax(T @ params["W2"].T + params["b2"])
    dA2 = P - Y_onehot
    dA1 = (dA2 @ params["W2"]) * mask * F1 * (1 - F1)
    return {"W1": dA1.T @ X, "b1": dA1.sum(axis=0), "W2": dA2.T @ T, "b2": dA2.sum(axis=0)}


def dropout_gradients__wrong_sigmoid_prime_thinned(params, X, Y_onehot, drop):
    """Takes the sigmoid derivative at the thinned activations T (1 - T)."""
    F1 = _sigmoid(X @ params["W1"].T + params["b1"])
    T, mask = drop(F1)
    P = _softmax(T @ params["W2"].T + params["b2"])
    dA2 = (P - Y_onehot) / len(X)
    dA1 = (dA2 @ params["W2"]) * mask * T * (1 - T)
    return {"W1": dA1.T @ X, "b1": dA1.sum(axis=0), "W2": dA2.T @ T, "b2": dA2.sum(axis=0)}


def dropout_gradients__wrong_mask_twice(params, X, Y_onehot, drop):
    """Multiplies by the mask and then by the thinned T: the 1 / keep scale twice."""
    F1 = _sigmoid(X @ params["W1"].T + params["b1"])
    T, mask = drop(F1)
    P = _softmax(T @ params["W2"].T + params["b2"])
    dA2 = (P - Y_onehot) / len(X)
    dA1 = (dA2 @ params["W2"]) * mask * T * (1 - F1)
    return {"W1": dA1.T @ X, "b1": dA1.sum(axis=0), "W2": dA2.T @ T, "b2": dA2.sum(axis=0)}


def dropout_gradients__wrong_unshifted_softmax(params, X, Y_onehot, drop):
    """Softmax without subtracting the row maximum: overflows on large logits."""
    F1 = _sigmoid(X @ params["W1"].T + params["b1"])
    T, mask = drop(F1)
    E = np.exp(T @ params["W2"].T + params["b2"])
    P = E / E.sum(axis=1, keepdims=True)
    dA2 = (P - Y_onehot) / len(X)
    dA1 = (dA2 @ params["W2"]) * mask * F1 * (1 - F1)
    return {"W1": dA1.T @ X, "b1": dA1.sum(axis=0), "W2": dA2.T @ T, "b2": dA2.sum(axis=0)}


def dropout_gradients__wrong_float64(params, X, Y_onehot, drop):
    """Casts everything to float64 'for accuracy': float32 inputs give float64 gradients."""
    p = {k: np.asarray(v, dtype=np.float64) for k, v in params.items()}
    X = np.asarray(X, dtype=np.float64)
    F1 = _sigmoid(X @ p["W1"].T + p["b1"])
    T, mask = drop(F1)
    P = _softmax(T @ p["W2"].T + p["b2"])
    dA2 = (P - Y_onehot) / len(X)
    dA1 = (dA2 @ p["W2"]) * mask * F1 * (1 - F1)
    return {"W1": dA1.T @ X, "b1": dA1.sum(axis=0), "W2": dA2.T @ T, "b2": dA2.sum(axis=0)}


def dropout_gradients__wrong_delegates(params, X, Y_onehot, drop):
    """Calls the saved reference in utils."""
    from utils.saved.lab04_regularise import dropout_gradients as reference

    return reference(params, X, Y_onehot, drop)


def dropout_gradients__right_per_image(params, X, Y_onehot, drop):
    """Sums outer products image by image; sigmoid from exp(-|a|), no overflow."""
    A1 = X @ params["W1"].T + params["b1"]
    e = np.exp(-np.abs(A1))
    F1 = np.where(A1 >= 0, 1 / (1 + e), e / (1 + e)).astype(A1.dtype)
    T, mask = drop(F1)
    A2 = T @ params["W2"].T + params["b2"]
    A2 = A2 - A2.max(axis=1, keepdims=True)
    P = np.exp(A2)
    P /= P.sum(axis=1, keepdims=True)
    n = X.shape[0]
    grads = {name: np.zeros_like(value) for name, value in params.items()}
    for i in range(n):
        d2 = (P[i] - Y_onehot[i]) / n
        d1 = (params["W2"].T @ d2) * mask[i] * F1[i] * (1 - F1[i])
        grads["W2"] += np.outer(d2, T[i])
        grads["b2"] += d2
        grads["W1"] += np.outer(d1, X[i])
        grads["b1"] += d1
    return grads


def dropout_gradients__right_einsum(params, X, Y_onehot, drop):
    """einsum products; softmax through log-sum-exp; gradient w.r.t. T then the mask."""
    W1, b1, W2, b2 = params["W1"], params["b1"], params["W2"], params["b2"]
    A1 = np.einsum("nd,hd->nh", X, W1) + b1
    F1 = 0.5 * (1 + np.tanh(0.5 * A1))
    T, mask = drop(F1)
    A2 = np.einsum("nh,kh->nk", T, W2) + b2
    m = A2.max(axis=1, keepdims=True)
    log_p = A2 - m - np.log(np.exp(A2 - m).sum(axis=1, keepdims=True))
    dA2 = (np.exp(log_p) - Y_onehot) / X.shape[0]
    dT = np.einsum("nk,kh->nh", dA2, W2)
    dA1 = dT * mask * (F1 - F1 * F1)
    return {
        "W1": np.einsum("nh,nd->hd", dA1, X),
        "b1": np.einsum("nh->h", dA1),
        "W2": np.einsum("nk,nh->kh", dA2, T),
        "b2": np.einsum("nk->k", dA2),
    }


ANSWERS["4.4"] = {
    "wrong": [
        learning_curve__wrong_random_subset,
        learning_curve__wrong_last_n,
        learning_curve__wrong_ignores_reuse,
        learning_curve__wrong_fits_then_reuses,
        learning_curve__wrong_halfway_index,
        learning_curve__wrong_halfway_first_after,
        learning_curve__wrong_halfway_strict,
        learning_curve__wrong_gap_sign,
        learning_curve__wrong_gain_from_best,
        learning_curve__wrong_sorted_sizes,
        learning_curve__wrong_delegates,
    ],
    "right": [learning_curve__right_scan_back, learning_curve__right_searchsorted],
}
ANSWERS["4.5"] = {
    "wrong": [
        dropout__wrong_no_scale,
        dropout__wrong_scale_by_keep,
        dropout__wrong_keep_is_drop,
        dropout__wrong_in_place,
        dropout__wrong_shared_mask,
        dropout__wrong_eval_scales,
        dropout__wrong_eval_draws,
        dropout__wrong_float64_mask,
        dropout__wrong_exact_count,
        dropout__wrong_global_rng,
        dropout__wrong_no_upper_check,
        dropout__wrong_delegates,
    ],
    "right": [dropout__right_binomial, dropout__right_where],
}
ANSWERS["4.6"] = {
    "wrong": [
        dropout_gradients__wrong_w2_unthinned,
        dropout_gradients__wrong_no_mask_backward,
        dropout_gradients__wrong_calls_drop_twice,
        dropout_gradients__wrong_drops_preactivation,
        dropout_gradients__wrong_sum_not_mean,
        dropout_gradients__wrong_sigmoid_prime_thinned,
        dropout_gradients__wrong_mask_twice,
        dropout_gradients__wrong_unshifted_softmax,
        dropout_gradients__wrong_float64,
        dropout_gradients__wrong_delegates,
    ],
    "right": [dropout_gradients__right_per_image, dropout_gradients__right_einsum],
}
