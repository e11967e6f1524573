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
    from utils.regularise import sgd_step as reference
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
    from utils.regularise import EarlyStopping as reference
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
    gaps = np.abs(np.asarray(history["train_accuracy"])
                  - np.asarray(history["val_accuracy"]))
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
    from utils.regularise import generalisation_gap as reference
    return reference(history)


def generalisation_gap__right_loop(history):
    """Builds the gaps in a loop; keeps the first maximum with a strict >."""
    gaps, best, widest = [], -math.inf, None
    for step, train, val in zip(history["step"], history["train_accuracy"],
                                history["val_accuracy"]):
        gap = train - val
        gaps.append(gap)
        if gap > best:
            best, widest = gap, step
    return np.array(gaps), widest


def generalisation_gap__right_flatnonzero(history):
    """np.subtract on float arrays; the first index where the gap equals its max."""
    gaps = np.subtract(np.array(history["train_accuracy"], dtype=float),
                       np.array(history["val_accuracy"], dtype=float))
    first = np.flatnonzero(gaps == gaps.max())[0]
    return gaps, history["step"][first]


ANSWERS = {
    "4.1": {"wrong": [sgd_step__wrong_decays_biases, sgd_step__wrong_decay_without_lr,
                      sgd_step__wrong_factor_two, sgd_step__wrong_sign,
                      sgd_step__wrong_returns_new_dict, sgd_step__wrong_two_layers_only,
                      sgd_step__wrong_decay_after_step, sgd_step__wrong_decay_of_gradient,
                      sgd_step__wrong_float64_rebind, sgd_step__wrong_delegates],
            "right": [sgd_step__right_multiplicative, sgd_step__right_np_subtract_out]},
    "4.2": {"wrong": [EarlyStopping__wrong_tie_improves,
                      EarlyStopping__wrong_stores_reference,
                      EarlyStopping__wrong_shallow_copy,
                      EarlyStopping__wrong_stops_one_early,
                      EarlyStopping__wrong_stops_one_late,
                      EarlyStopping__wrong_index_from_one,
                      EarlyStopping__wrong_compares_last_score,
                      EarlyStopping__wrong_no_count, EarlyStopping__wrong_int_patience,
                      EarlyStopping__wrong_delegates],
            "right": [EarlyStopping__right_bad_counter,
                      EarlyStopping__right_array_copies]},
    "4.3": {"wrong": [generalisation_gap__wrong_returns_index,
                      generalisation_gap__wrong_sign,
                      generalisation_gap__wrong_last_of_ties,
                      generalisation_gap__wrong_python_list,
                      generalisation_gap__wrong_absolute,
                      generalisation_gap__wrong_returns_value,
                      generalisation_gap__wrong_final_gap_step,
                      generalisation_gap__wrong_delegates],
            "right": [generalisation_gap__right_loop,
                      generalisation_gap__right_flatnonzero]},
}
