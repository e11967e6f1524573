"""Check of exercise 7.4 (score_cuts)."""

from __future__ import annotations

import warnings

import numpy as np
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LogisticRegression

from .. import require

# --- 7.4 choosing the cut on validation --------------------------------------


def _cut_data(seed, n_fit, n_val, cuts, dim, n_classes, tie, wide):
    """Features of fit and validation images at each cut: class clusters of a
    separation drawn per cut, each feature with its own offset and scale
    (so that standardising matters); with ``wide`` the worst-separated cut
    gets as many more features of pure noise as there are fit images (its
    probe can memorise the fit split); with ``tie`` the last cut listed gets
    a copy of the best-separated cut's features."""
    rng = np.random.default_rng(seed)
    y_fit = rng.integers(0, n_classes, n_fit)
    y_val = rng.integers(0, n_classes, n_val)
    separations = rng.permutation(np.linspace(0.2, 0.8, len(cuts)))
    fit, val = {}, {}
    for cut, separation in zip(cuts, separations):
        centres = rng.normal(0, separation, (n_classes, dim))
        offset = rng.normal(0, 20, dim)
        scale = np.exp(rng.uniform(-3, 3, dim))
        fit[cut] = (centres[y_fit] + rng.normal(0, 1, (n_fit, dim))) * scale + offset
        val[cut] = (centres[y_val] + rng.normal(0, 1, (n_val, dim))) * scale + offset
    if wide:  # the weakest cut, widened by noise: memorises the fit split
        weak = list(cuts)[int(np.argmin(separations))]
        noise = rng.normal(0, 1, (n_fit + n_val, n_fit))
        fit[weak] = np.hstack([fit[weak], noise[:n_fit]])
        val[weak] = np.hstack([val[weak], noise[n_fit:]])
    if tie:
        best = list(cuts)[int(np.argmax(separations))]
        last = list(cuts)[-1] if best != list(cuts)[-1] else list(cuts)[0]
        fit[last], val[last] = fit[best].copy(), val[best].copy()
    return fit, val, y_fit, y_val


def _probe(features, labels, C):
    """Our own probe: standardised on ``features``, then logistic regression."""
    mean = features.mean(axis=0)
    std = features.std(axis=0)
    std[std == 0] = 1.0
    model = LogisticRegression(C=C, max_iter=10_000)
    model.fit((features - mean) / std, labels)
    return lambda x: model.predict((x - mean) / std)


class _Extract:
    """extract(images, cuts) for the grader's fit and validation "images":
    records which split and cuts each call asked for."""

    def __init__(self, splits):
        self.splits = splits  # name -> (images, {cut: features})
        self.calls: list[tuple[str, list]] = []

    def __call__(self, images, cuts):
        for name, (known, features) in self.splits.items():
            if images is known or (
                np.shape(images) == known.shape and np.array_equal(images, known)
            ):
                self.calls.append((name, list(cuts)))
                return {cut: features[cut].copy() for cut in cuts}
        require(
            False,
            "extract got images that are neither the fit nor "
            "the validation images passed in: pass those, unchanged.",
        )
        return None


def check_score_cuts(
    score_cuts,
    seed: int = 0,
    n_fit: int = 80,
    n_val: int = 60,
    cuts=(1, 2, 3),
    dim: int = 6,
    n_classes: int = 3,
    C: float = 0.05,
    tie: bool = False,
    wide: bool = True,
) -> str:
    """score_cuts(extract, fit_images, y_fit, val_images, y_val, cuts, C)."""
    fit, val, y_fit, y_val = _cut_data(seed, n_fit, n_val, cuts, dim, n_classes, tie, wide)
    rng = np.random.default_rng(seed + 1)
    fit_images = rng.random((n_fit, 4, 4)).astype(np.float32)
    val_images = rng.random((n_val, 4, 4)).astype(np.float32)
    extract = _Extract({"fit": (fit_images, fit), "validation": (val_images, val)})
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", ConvergenceWarning)
        got = score_cuts(
            extract, fit_images.copy(), y_fit.copy(), val_images.copy(), y_val.copy(), list(cuts), C
        )
    require(
        not any(issubclass(w.category, ConvergenceWarning) for w in caught),
        "the logistic regression stopped before it converged: give it max_iter=2_000.",
    )
    require(
        isinstance(got, tuple) and len(got) == 4,
        "return a tuple (probes, fit_accuracy, val_accuracy, best).",
    )
    probes, fit_accuracy, val_accuracy, best = got
    splits = [name for name, _ in extract.calls]
    require(
        sorted(splits) == ["fit", "validation"],
        f"extract was called {len(splits)} times ({splits}): call it "
        "once for the fit images and once for the validation images, "
        "each time with all the cuts (one pass through the backbone "
        "gives every cut).",
    )
    require(
        all(sorted(asked) == sorted(cuts) for _, asked in extract.calls),
        f"extract was asked for cuts {[a for _, a in extract.calls]}; "
        f"ask for all of {list(cuts)} in each call.",
    )
    for what, table in (
        ("probes", probes),
        ("fit_accuracy", fit_accuracy),
        ("val_accuracy", val_accuracy),
    ):
        require(
            isinstance(table, dict) and set(table) == set(cuts),
            f"{what} must be a dict with one entry per cut "
            f"{sorted(cuts)}, got "
            f"{sorted(table) if isinstance(table, dict) else table}.",
        )
    for cut in cuts:
        right = _probe(fit[cut], y_fit, C)
        probe = probes[cut]
        require(
            hasattr(probe, "predict") and hasattr(probe, "score"),
            f"probes[{cut}] must be the fitted probe itself (one object "
            "with .predict and .score that takes raw features: "
            "make_pipeline(StandardScaler(), LogisticRegression(...))).",
        )
        limits = [value for key, value in _params(probe).items() if key.endswith("max_iter")]
        require(
            all(limit >= 2_000 for limit in limits),
            f"the logistic "
            f"regression may stop after max_iter = {min(limits or [0])} "
            "iterations, before it converges on thousands of features: "
            "give it max_iter=2_000.",
        )
        predicted = np.asarray(probe.predict(val[cut]))
        expected = right(val[cut])
        if np.sum(predicted != expected) > 1:
            mistakes = (
                (
                    _probe(val[cut], y_val, C),
                    "the probe was fitted on "
                    "the validation split: fit it on the fit features and "
                    "labels only, validation is for scoring.",
                ),
                (
                    _probe(np.concatenate([fit[cut], val[cut]]), np.concatenate([y_fit, y_val]), C),
                    "the probe was fitted on fit and validation images "
                    "together: fit on the fit split only, or the "
                    "validation score is no longer a held-out one.",
                ),
                (
                    _probe(fit[cut], y_fit, 1.0),
                    "the probe ignores C: pass LogisticRegression(C=C, ...).",
                ),
                (
                    _unscaled(fit[cut], y_fit, C),
                    "the features were not "
                    "standardised: put a StandardScaler, fitted on the "
                    "fit features, before the logistic regression.",
                ),
            )
            misses = [np.sum(predicted != wrong(val[cut])) for wrong, _ in mistakes]
            require(min(misses) > 1, mistakes[int(np.argmin(misses))][1])
            require(
                False,
                f"at cut {cut} the probe's predictions on the "
                f"validation features differ from a standardised "
                f"logistic regression with C = {C} fitted on the fit "
                f"split ({int(np.sum(predicted != expected))} of "
                f"{n_val} differ).",
            )
        accuracies = {
            "fit": float(np.mean(right(fit[cut]) == y_fit)),
            "validation": float(np.mean(expected == y_val)),
        }
        for name, table, n in (("validation", val_accuracy, n_val), ("fit", fit_accuracy, n_fit)):
            value = float(np.asarray(table[cut]))
            if abs(value - accuracies[name]) <= 1.5 / n:
                continue
            other = "fit" if name == "validation" else "validation"
            require(
                abs(value - accuracies[other]) > 1e-9,
                f"{name}_accuracy[{cut}] is the {other} accuracy: "
                f"score the probe on the {name} features and labels.",
            )
            require(
                False,
                f"{name}_accuracy[{cut}] = {value:.4f}, "
                f"expected {accuracies[name]:.4f}: the fraction of the "
                f"{name} images the probe classifies right.",
            )
    scores = {cut: float(np.mean(_probe(fit[cut], y_fit, C)(val[cut]) == y_val)) for cut in cuts}
    top = max(scores.values())
    right_best = min(cut for cut in cuts if scores[cut] == top)
    if best != right_best:
        require(
            best in cuts,
            f"best = {best} is not one of the cuts {list(cuts)}: return the cut number itself.",
        )
        fits = {cut: float(np.asarray(fit_accuracy[cut])) for cut in cuts}
        require(
            best != max(cuts, key=fits.get) or scores[best] == top,
            f"cut {best} has the highest FIT accuracy; choose the cut "
            "with the highest validation accuracy.",
        )
        require(
            scores[best] != top,
            f"cuts "
            f"{[c for c in cuts if scores[c] == top]} tie for the best "
            f"validation accuracy: choose the shallowest, "
            f"{right_best} (fewer blocks to run), whatever the order "
            "of cuts.",
        )
        require(
            False,
            f"best = {best} (validation {scores[best]:.3f}), "
            f"but cut {right_best} scores {top:.3f}: return the cut "
            "with the highest validation accuracy.",
        )
    return (
        f"{len(cuts)} cuts: probes fitted on the fit split only, "
        f"validation accuracies {[round(scores[c], 3) for c in cuts]}, "
        f"cut {best} chosen" + (" (a tie, the shallowest)" if tie else "") + "."
    )


def _params(probe) -> dict:
    """A scikit-learn probe's parameters (a pipeline's with its steps')."""
    try:
        return dict(probe.get_params(deep=True))
    except (AttributeError, TypeError):
        return {}


def _unscaled(features, labels, C):
    model = LogisticRegression(C=C, max_iter=10_000).fit(features, labels)
    return model.predict
