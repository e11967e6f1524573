"""Check of exercise 7.5 (shuffled_control)."""

from __future__ import annotations

import numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from .. import require


class _MakeProbe:
    """make_probe(features, labels) for the grader: a standardised logistic
    regression that records the labels it was fitted to."""

    def __init__(self):
        self.labels: list[np.ndarray] = []

    def __call__(self, features, labels):
        self.labels.append(np.array(labels, copy=True))
        scaler = StandardScaler().fit(features)
        model = LogisticRegression(C=10.0, max_iter=5_000)
        return make_pipeline(scaler, model).fit(features, labels)


def check_shuffled_control(
    shuffled_control,
    seed: int = 0,
    n_fit: int = 40,
    n_val: int = 50,
    dim: int = 60,
    n_classes: int = 3,
) -> str:
    """shuffled_control(make_probe, fit_features, y_fit, val_features,
    y_val, seed) -> (fit_accuracy, val_accuracy, chance_bound)."""
    rng = np.random.default_rng(seed + 100)
    y_fit = np.arange(n_fit) % n_classes
    y_val = rng.integers(0, n_classes, n_val)
    centres = rng.normal(0, 1, (n_classes, dim))
    fit_features = centres[y_fit] + rng.normal(0, 1, (n_fit, dim))
    val_features = centres[y_val] + rng.normal(0, 1, (n_val, dim))
    make_probe = _MakeProbe()
    inputs = {
        "fit_features": fit_features,
        "y_fit": y_fit,
        "val_features": val_features,
        "y_val": y_val,
    }
    given_inputs = {name: value.copy() for name, value in inputs.items()}
    got = shuffled_control(make_probe, *given_inputs.values(), seed)
    changed = [
        name for name, value in given_inputs.items() if not np.array_equal(value, inputs[name])
    ]
    require(
        not changed,
        f"shuffled_control changed its input "
        f"{', '.join(changed)} in place (rng.shuffle, or an assignment "
        "into it): the caller still needs the true labels. Shuffle a "
        "new array, np.random.default_rng(seed).permutation(y_fit).",
    )
    require(
        isinstance(got, tuple) and len(got) == 3,
        "return a tuple (fit_accuracy, val_accuracy, chance_bound).",
    )
    require(
        len(make_probe.labels) == 1,
        f"make_probe was called {len(make_probe.labels)} times: fit one probe, once.",
    )
    given = make_probe.labels[0]
    require(
        given.shape == y_fit.shape
        and np.array_equal(
            np.bincount(given, minlength=n_classes), np.bincount(y_fit, minlength=n_classes)
        ),
        "the probe was not "
        "fitted to a permutation of y_fit: shuffle the labels, keep the "
        "features in place (each class keeps its count).",
    )
    require(
        not np.array_equal(given, y_fit),
        "the probe was fitted to the true labels: shuffle them first.",
    )
    shuffled = np.random.default_rng(seed).permutation(y_fit)
    require(
        np.array_equal(given, shuffled),
        "the labels were shuffled, but "
        "not by np.random.default_rng(seed).permutation(y_fit): use that "
        "generator, made from seed, so that the control is reproducible.",
    )
    probe = make_probe(fit_features, shuffled)
    fit_accuracy, val_accuracy, bound = (float(np.asarray(value)) for value in got)
    right = {"fit": probe.score(fit_features, shuffled), "val": probe.score(val_features, y_val)}
    require(
        abs(fit_accuracy - probe.score(fit_features, y_fit)) > 1e-9
        or abs(fit_accuracy - right["fit"]) < 1e-9,
        "fit_accuracy compares the predictions with the TRUE labels: "
        "the probe was fitted to the shuffled ones, score it on those "
        "(how much it memorised).",
    )
    require(
        abs(fit_accuracy - right["fit"]) < 1e-9,
        f"fit_accuracy = "
        f"{fit_accuracy:.3f}, expected {right['fit']:.3f}: the probe's "
        "accuracy on the fit features and the shuffled labels.",
    )
    wrong_val = np.mean(probe.predict(val_features) == shuffled[:n_val]) if n_val <= n_fit else None
    require(
        wrong_val is None
        or abs(val_accuracy - right["val"]) < 1e-9
        or abs(val_accuracy - wrong_val) > 1e-9,
        "val_accuracy uses "
        "shuffled labels: score the validation images against their "
        "true labels y_val.",
    )
    require(
        abs(val_accuracy - right["val"]) < 1e-9,
        f"val_accuracy = "
        f"{val_accuracy:.3f}, expected {right['val']:.3f}: the probe's "
        "accuracy on the validation features and their true labels.",
    )
    chance = 1 / n_classes
    expected = chance + 4 * np.sqrt(chance * (1 - chance) / n_val)
    if not abs(bound - expected) <= 1e-9:  # NaN is wrong too
        for wrong, hint in (
            (
                0.1 + 4 * np.sqrt(0.09 / n_val),
                "chance is 1 / K for the K classes in y_fit, not 0.1 whatever the data.",
            ),
            (
                chance + 4 * np.sqrt(chance * (1 - chance) / n_fit),
                "the standard error is over the n validation images scored, not the fit images.",
            ),
            (
                chance + 4 * chance * (1 - chance) / n_val,
                "the standard error is the square root of p (1 - p) / n.",
            ),
            (
                chance + np.sqrt(chance * (1 - chance) / n_val),
                "the bound is chance plus FOUR standard errors.",
            ),
        ):
            require(not abs(bound - wrong) <= 1e-9, hint)
        require(
            False,
            f"chance_bound = {bound:.4f}, expected "
            f"{expected:.4f}: 1 / K plus four standard errors "
            "sqrt(p (1 - p) / n) of an accuracy over n validation "
            "images.",
        )
    return (
        f"{n_fit} fit images, {dim} features: shuffled labels fitted "
        f"{fit_accuracy:.2f}, validation {val_accuracy:.2f}, bound "
        f"{bound:.3f} for {n_classes} classes."
    )
