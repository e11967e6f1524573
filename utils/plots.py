"""The figures the labs share, in one style: titles and axis labels are always set.

Every figure a lab shows goes through ``show(fig, alt)``: the description
``alt`` travels with the image as its output metadata, becomes the image's
alt text in the book (``book/_ext/workbook_build.py``) and is read out by a
screen reader. A lab computes it from the data it plots.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.ticker import MaxNLocator

# Colours for colour-blind readers: the Okabe-Ito palette (Okabe & Ito 2008, designed to
# stay distinct under the three kinds of colour blindness), keeping the five hues with a
# contrast of at least 3:1 on white (WCAG 1.4.11 for graphics); its orange, sky blue and
# yellow are below 2.4:1. Runs also differ by marker (plot_curves), never by colour alone.
# Colormaps: gray/Greys/Blues (one hue, lightness rising), viridis, and RdBu_r for signed
# values; tests/test_widgets.py checks that every cmap the labs use is one of these.
PALETTE = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#000000")
MARKERS = ("o", "s", "^", "D", "v", "P", "X")
SAFE_CMAPS = {
    "gray": "sequential",
    "Greys": "sequential",
    "Blues": "sequential",
    "viridis": "sequential",
    "RdBu_r": "diverging",
}

plt.rcParams.update(
    {
        "figure.dpi": 100,
        "axes.grid": True,
        "grid.alpha": 0.3,
        "axes.spines.top": False,
        "axes.spines.right": False,
        "axes.prop_cycle": plt.cycler(color=PALETTE),
    }
)


def contrast_ratio(foreground, background="white") -> float:
    """WCAG 2 contrast ratio of two matplotlib colours (1 to 21; AA text needs 4.5)."""
    from matplotlib.colors import to_rgb

    def luminance(color):
        r, g, b = (
            c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in to_rgb(color)
        )
        return 0.2126 * r + 0.7152 * g + 0.0722 * b

    dark, light = sorted((luminance(foreground), luminance(background)))
    return (light + 0.05) / (dark + 0.05)


def text_color_on(background) -> str:
    """ "white" or "black", whichever has the higher contrast on ``background`` (>= 4.58:1)."""
    return (
        "white"
        if contrast_ratio("white", background) >= contrast_ratio("black", background)
        else "black"
    )


def show(fig, alt: str) -> None:
    """Display ``fig`` as a PNG whose alt text is ``alt``, then close it.

    ``alt`` says what the figure shows and what to read from it (its axes
    and key numbers), in one or a few sentences.
    """
    from IPython.core.pylabtools import print_figure
    from IPython.display import Image, display
    from matplotlib_inline.backend_inline import InlineBackend

    text = " ".join(str(alt).split())
    if len(text) < 20:
        raise ValueError(
            f"describe the figure in a sentence or more (alt={alt!r}): what it "
            "shows, its axes and the numbers to read from it."
        )
    kwargs = dict(InlineBackend.instance().print_figure_kwargs)
    png = print_figure(fig, "png", **kwargs)
    plt.close(fig)
    display(Image(data=png), metadata={"image/png": {"alt": text}})


def show_images(
    images,
    titles: Sequence[str] | None = None,
    ncols: int = 10,
    title: str = "",
    diverging: bool = False,
    size: float = 1.1,
    shape=(28, 28),
):
    """Plot images in a grid; grayscale for digits, a zero-centred diverging map for weights.

    Digits, weight templates, filters and feature maps alike.  Returns the figure.
    """
    images = np.asarray(images, dtype=np.float64)
    if images.ndim == 2 and images.shape[1] == shape[0] * shape[1]:
        images = images.reshape(-1, *shape)
    if images.ndim != 3:
        raise ValueError(
            f"show_images needs (n, h, w) or (n, {shape[0] * shape[1]}), got {images.shape}."
        )
    n = len(images)
    ncols = max(1, min(ncols, n))
    nrows = math.ceil(n / ncols)
    fig, axes = plt.subplots(
        nrows, ncols, figsize=(size * ncols, size * nrows + (0.4 if title else 0)), squeeze=False
    )
    for i, ax in enumerate(axes.flat):
        ax.axis("off")
        if i >= n:
            continue
        if diverging:
            limit = float(np.abs(images[i]).max()) or 1.0
            ax.imshow(images[i], cmap="RdBu_r", vmin=-limit, vmax=limit)
        else:
            ax.imshow(images[i], cmap="gray")
        if titles is not None:
            ax.set_title(str(titles[i]), fontsize=8)
    if title:
        fig.suptitle(title)
    fig.tight_layout()
    return fig


def plot_curves(
    histories: Mapping[str, Mapping[str, Sequence[float]]],
    metric: str = "accuracy",
    title: str = "",
    xlabel: str = "epoch",
    ax=None,
):
    """Plot train (solid) and validation (dashed) curves of one metric for several runs.

    Each run has its own colour and marker, so runs stay apart without colour.

    ``histories`` maps a run name to a dict with ``train_<metric>`` and/or
    ``val_<metric>`` lists. Returns the axes.
    """
    if ax is None:
        _, ax = plt.subplots(figsize=(6.4, 4))
    colors = plt.rcParams["axes.prop_cycle"].by_key()["color"]
    for i, (name, history) in enumerate(histories.items()):
        color, marker = colors[i % len(colors)], MARKERS[i % len(MARKERS)]  # runs differ by both
        for split, style in (("train", "-"), ("val", "--")):
            values = history.get(f"{split}_{metric}")
            if values is not None and len(values):
                steps = np.arange(1, len(values) + 1)
                ax.plot(
                    steps,
                    values,
                    style,
                    color=color,
                    marker=marker,
                    markersize=4,
                    markevery=max(1, len(values) // 10),
                    label=f"{name} ({'validation' if split == 'val' else split})",
                )
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_xlabel(xlabel)
    ax.set_ylabel(metric)
    ax.set_title(title or f"{metric} per {xlabel}")
    ax.legend(fontsize=8)
    return ax


_SPLITS = {"train": "training", "val": "validation"}


def describe_runs(runs: Mapping[str, Mapping[str, list]]) -> str:
    """The alt text of the training panel's figure (loss and accuracy by ``plot_curves``):
    its two panels, then each run's first and last values."""
    parts = []
    for name, history in runs.items():
        epochs = max((len(v) for v in history.values()), default=0)
        values = []
        for key, v in history.items():
            split, _, metric = key.partition("_")
            if v and metric in ("loss", "accuracy"):
                values.append(f"{_SPLITS.get(split, split)} {metric} {v[0]:.3g} to {v[-1]:.3g}")
        parts.append(f"{name}, {epochs} epoch{'s' * (epochs != 1)}: {', '.join(values)}")
    return (
        "Training curves per epoch, loss on the left and accuracy on the right; training solid, "
        "validation dashed, each run its own colour and marker. " + "; ".join(parts) + "."
    )


def count_confusions(y_true, y_pred, n_classes: int = 10) -> np.ndarray:
    """Return the count matrix C[true, predicted]."""
    y_true = np.asarray(y_true)
    y_pred = np.asarray(y_pred)
    if y_true.shape != y_pred.shape:
        raise ValueError(f"y_true {y_true.shape} and y_pred {y_pred.shape} differ in shape.")
    counts = np.zeros((n_classes, n_classes), dtype=np.int64)
    np.add.at(counts, (y_true, y_pred), 1)
    return counts


def plot_confusion(
    counts: np.ndarray, labels: Sequence[str] | None = None, title: str = "", ax=None
):
    """Plot a confusion matrix in per-class percent (rows sum to 100); return the axes."""
    counts = np.asarray(counts, dtype=np.float64)
    percent = 100 * counts / np.maximum(counts.sum(axis=1, keepdims=True), 1)
    n = len(percent)
    labels = list(labels) if labels is not None else [str(i) for i in range(n)]
    if ax is None:
        _, ax = plt.subplots(figsize=(0.55 * n + 2, 0.55 * n + 1.5))
    image = ax.imshow(percent, cmap="Blues", vmin=0, vmax=100)
    for i in range(n):
        for j in range(n):
            if percent[i, j] >= 0.05:
                ax.text(
                    j,
                    i,
                    f"{percent[i, j]:.1f}",
                    ha="center",
                    va="center",
                    fontsize=7,
                    color=text_color_on(image.cmap(image.norm(percent[i, j]))),
                )
    ax.set_xticks(range(n), labels)
    ax.set_yticks(range(n), labels)
    ax.set_xlabel("predicted class")
    ax.set_ylabel("true class")
    ax.set_title(title or "confusion matrix (% of each true class)")
    ax.grid(False)
    ax.figure.colorbar(image, ax=ax, fraction=0.046, pad=0.04, label="% of true class")
    return ax


def describe_confusion(counts: np.ndarray, labels: Sequence[str] | None = None) -> str:
    """Describe a confusion matrix in words: its axes, how many were right, the worst confusion.

    The text fits a figure drawn by ``plot_confusion`` (for ``show``'s alt).
    """
    counts = np.asarray(counts, dtype=np.int64)
    n = len(counts)
    labels = list(labels) if labels is not None else [str(i) for i in range(n)]
    right, total = int(np.trace(counts)), int(counts.sum())
    text = (
        f"Rows are the true class ({', '.join(labels)}), columns the class predicted, "
        f"each cell in percent of its row: {right} of {total} right "
        f"({right / max(total, 1):.1%})."
    )
    wrong = counts.copy()
    np.fill_diagonal(wrong, 0)
    if not wrong.any():
        return text + " No class is taken for another."
    i, j = np.unravel_index(np.argmax(wrong), wrong.shape)
    return (
        text + f" The most frequent confusion: {labels[i]} predicted as {labels[j]}, "
        f"{wrong[i, j]} of {counts[i].sum()} ({wrong[i, j] / counts[i].sum():.0%})."
    )
