"""utils.plots: every figure has a title and labelled axes; bad shapes are clear errors."""

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
import pytest

from utils import plots


def teardown_function():
    plt.close("all")


def test_show_images_grid_and_titles():
    fig = plots.show_images(
        np.random.rand(12, 784), titles=list("abcdefghijkl"), ncols=5, title="digits"
    )
    assert fig._suptitle.get_text() == "digits"
    assert len(fig.axes) == 15 and fig.axes[0].get_title() == "a"


def test_show_images_diverging_is_centred_at_zero():
    fig = plots.show_images(np.array([[[1.0, -3.0], [0.0, 2.0]]]), diverging=True)
    low, high = fig.axes[0].images[0].get_clim()
    assert low == -high == -3.0


def test_show_images_rejects_wrong_shapes():
    with pytest.raises(ValueError, match="show_images needs"):
        plots.show_images(np.zeros((3, 10)))


def test_plot_curves_labels_everything():
    ax = plots.plot_curves({"run": {"train_accuracy": [0.5, 0.7], "val_accuracy": [0.4, 0.6]}})
    assert ax.get_xlabel() == "epoch" and ax.get_ylabel() == "accuracy" and ax.get_title()
    assert len(ax.lines) == 2


def test_count_confusions_and_percent_plot():
    counts = plots.count_confusions([0, 0, 1, 2], [0, 1, 1, 2], n_classes=3)
    assert counts.tolist() == [[1, 1, 0], [0, 1, 0], [0, 0, 1]]
    ax = plots.plot_confusion(counts)
    assert ax.get_xlabel() == "predicted class" and ax.get_ylabel() == "true class"
    assert "50.0" in [t.get_text() for t in ax.texts]
    with pytest.raises(ValueError, match="differ in shape"):
        plots.count_confusions([0, 1], [0])


def _shown(monkeypatch):
    """Capture what show() passes to IPython's display."""
    import IPython.display

    calls = []
    monkeypatch.setattr(
        IPython.display, "display", lambda *objs, **kwargs: calls.append((objs, kwargs))
    )
    return calls


@pytest.mark.parametrize("alt", ["", "   ", "a figure", None])
def test_show_refuses_a_missing_or_short_alt(monkeypatch, alt):
    calls = _shown(monkeypatch)
    fig, ax = plt.subplots()
    ax.plot([0, 1], [1, 0])
    with pytest.raises(ValueError, match="describe the figure in a sentence"):
        plots.show(fig, alt)
    assert calls == []


def test_show_puts_the_alt_into_the_png_metadata_and_closes(monkeypatch):
    calls = _shown(monkeypatch)
    fig, ax = plt.subplots()
    ax.plot([0, 1], [1, 0])
    alt = "Loss against epoch:\n  it falls from 1.0 to 0.0 in one epoch."
    plots.show(fig, alt)
    [(objs, kwargs)] = calls
    [image] = objs
    assert image.data[:8] == b"\x89PNG\r\n\x1a\n"
    assert kwargs["metadata"] == {
        "image/png": {"alt": "Loss against epoch: it falls from 1.0 to 0.0 in one epoch."}
    }
    assert not plt.fignum_exists(fig.number)


def test_describe_confusion_counts_right_and_names_the_worst_confusion():
    counts = np.array([[10, 2, 0], [3, 9, 0], [0, 0, 12]])
    text = plots.describe_confusion(counts, ["alpha", "beta", "gamma"])
    assert "(alpha, beta, gamma)" in text and "31 of 36 right (86.1%)" in text
    assert "beta predicted as alpha, 3 of 12 (25%)" in text
    assert "No class is taken" in plots.describe_confusion(np.eye(2, dtype=int))
