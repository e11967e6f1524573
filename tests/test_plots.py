"""utils.plots: every figure has a title and labelled axes; bad shapes are clear errors."""
import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from utils import plots  # noqa: E402


def teardown_function():
    plt.close("all")


def test_show_images_grid_and_titles():
    fig = plots.show_images(np.random.rand(12, 784), titles=list("abcdefghijkl"), ncols=5, title="digits")
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


def test_confusion_matrix_counts_and_percent_plot():
    counts = plots.confusion_matrix([0, 0, 1, 2], [0, 1, 1, 2], n_classes=3)
    assert counts.tolist() == [[1, 1, 0], [0, 1, 0], [0, 0, 1]]
    ax = plots.plot_confusion(counts)
    assert ax.get_xlabel() == "predicted class" and ax.get_ylabel() == "true class"
    assert "50.0" in [t.get_text() for t in ax.texts]
    with pytest.raises(ValueError, match="differ in shape"):
        plots.confusion_matrix([0, 1], [0])
