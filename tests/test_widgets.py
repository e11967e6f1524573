"""utils.widgets and utils.training_checks: validated ranges, honest panels, divergence
detection and the run records.

The five defects of issue 9 each have a test here: progress and state while a
run trains (1), batch-size choices and typed values that are the values used
(2), nothing changed in silence (3), divergence beyond NaN (4), typed values
refused with their range, never clamped (5).
"""

import datetime
import math

import matplotlib

matplotlib.use("Agg")
import pytest

from utils import a11y, training_checks, widgets


@pytest.mark.parametrize(
    "params, message",
    [
        (
            {"learning_rate": 0.0},
            "between 1e-05 and 10, got 0: gradient descent needs a positive step",
        ),
        ({"learning_rate": -0.1}, "positive step"),
        ({"learning_rate": 100.0}, "between 1e-05 and 10, got 100"),
        ({"learning_rate": math.nan}, "finite number between"),
        ({"learning_rate": "abc"}, "finite number between"),
        ({"batch_size": 0}, "between 1 and 4096"),
        ({"batch_size": 12.5}, "whole number between 1 and 4096"),
        ({"hidden_width": 5000}, "between 1 and 1024, got 5000"),
        ({"epochs": 0}, "between 1 and 200"),
        ({"dropout": 1.0}, "between 0 and 0.9"),
    ],
)
def test_validate_hparams_rejects_out_of_range(params, message):
    with pytest.raises(ValueError, match=message):
        training_checks.validate_hparams(params)


def test_batch_larger_than_training_set_is_rejected():
    with pytest.raises(
        ValueError,
        match=r"between 1 and 300, got 512: a batch cannot be larger than the training set",
    ):
        training_checks.validate_hparams({"batch_size": 512}, n_train=300)
    assert training_checks.validate_hparams({"batch_size": 256.0, "name": "x"}, n_train=300) == {
        "batch_size": 256,
        "name": "x",
    }
    with pytest.raises(ValueError, match="larger than the training set .10 images"):
        training_checks.validate_hparams({"batch_size": 256, "n_train": 10}, n_train=6000)


def test_check_finite_raises_with_a_hint():
    training_checks.check_finite(1.0, 1)
    with pytest.raises(training_checks.TrainingDiverged, match="try 0.5"):
        training_checks.check_finite(math.inf, 3, learning_rate=5.0)


def _start_run(params):
    state = {"epoch": 0}

    def step():
        state["epoch"] += 1
        loss = math.nan if params["learning_rate"] > 1 else 1.0 / state["epoch"]
        return {"train_loss": loss, "train_accuracy": 0.5, "val_accuracy": 0.4}

    return step


def _scripted(losses, accuracies, seen=None):
    """A start_run whose epochs return the given losses and validation accuracies."""

    def start(params):
        if seen is not None:
            seen.append(dict(params))
        epochs = iter(zip(losses, accuracies))

        def step():
            loss, accuracy = next(epochs)
            return {"train_loss": loss, "train_accuracy": accuracy, "val_accuracy": accuracy}

        return step

    return start


def test_panel_runs_records_and_reports():
    panel = widgets.TrainingPanel(
        _start_run, {"learning_rate": 0.1, "batch_size": 32, "epochs": 3}, n_train=100
    )
    ok = panel.run()
    assert ok["status"] == "ok" and ok["history"]["train_loss"] == [1.0, 0.5, 1 / 3]
    assert ok["epochs_run"] == 3 and ok["n_train"] == 100
    diverged = panel.run(learning_rate=5.0)
    assert diverged["status"] == "diverged" and "Lower the learning rate" in diverged["message"]
    invalid = panel.run(batch_size=1024)
    assert invalid["status"] == "invalid input" and "between 1 and 100" in invalid["message"]
    assert [r["run"] for r in panel.results] == [1, 2, 3]
    table = panel.results_table()
    assert table.count("<tr>") == 4 and "diverged" in table and "1 of 3" in table
    assert "invalid input" in panel.status.value
    panel.show_results()


def test_panel_sliders_match_defaults_and_limits():
    panel = widgets.TrainingPanel(
        _start_run, {"learning_rate": 0.01, "hidden_width": 64, "epochs": 2, "dropout": 0.5}
    )
    assert panel.values() == {
        "learning_rate": pytest.approx(0.01),
        "hidden_width": 64,
        "epochs": 2,
        "dropout": 0.5,
    }
    assert panel.controls["hidden_width"].max == training_checks.LIMITS["hidden_width"][1]
    with pytest.raises(ValueError, match="epochs"):
        widgets.TrainingPanel(_start_run, {"learning_rate": 0.1})


# ----- defect 1: progress in the panel, "running", Train disabled, no log-console bar -------------
def test_defect1_progress_status_and_button_while_running(capsys):
    seen = []
    panel = None

    def start(params):
        state = {"epoch": 0}

        def step():
            state["epoch"] += 1
            seen.append(
                (
                    panel.button.disabled,
                    panel.status.value,
                    panel.progress.value,
                    panel.progress.max,
                    panel.progress_text.value,
                    panel.run(),
                )
            )
            return {"train_loss": 1.0 / state["epoch"], "train_accuracy": 0.9, "val_accuracy": 0.9}

        return step

    panel = widgets.TrainingPanel(start, {"learning_rate": 0.1, "epochs": 3}, n_train=100)
    panel.run(learning_rate=0.0)  # an error message that must not stay up during the next run
    assert "invalid input" in panel.status.value
    panel.run()
    for epoch, (disabled, status, done, total, text, nested) in enumerate(seen, start=1):
        assert disabled, "Train is disabled while a run trains"
        assert "running" in status and f"epoch {epoch} of 3" in status and "invalid" not in status
        assert (done, total) == (epoch - 1, 3) and f"epoch {epoch - 1} of 3" in text
        assert nested == {}, "a second click during a run starts nothing"
    assert len(seen) == 3 and not panel.button.disabled and "ok" in panel.status.value
    assert panel.progress.value == 3 and "epoch 3 of 3" in panel.progress_text.value
    assert len(panel.results) == 2
    assert "%" not in capsys.readouterr().err, "no progress bar goes to the log console"
    assert not hasattr(widgets, "tqdm")


# ----- defect 2: batch-size choices within the set; a typed batch is the batch used ---------------
def test_defect2_batch_choices_and_typed_batch_is_used():
    seen = []
    panel = widgets.TrainingPanel(
        _scripted([1.0, 0.5], [0.9, 0.9], seen),
        {"learning_rate": 0.1, "batch_size": 256, "epochs": 2},
        n_train=2000,
    )
    options = panel.controls["batch_size"].options
    assert max(options) == 2000 and 2048 not in options and 4096 not in options
    panel.inputs["batch_size"].value = "100"
    assert panel.controls["batch_size"].value == 100 and panel.inputs["batch_size"].value == "100"
    record = panel.run()
    assert (
        seen[-1]["batch_size"] == 100
        and record["batch_size"] == 100
        and "<td>100</td>" in panel.results_table()
    )
    panel.inputs["batch_size"].value = "3000"
    assert "refused" in panel.status.value and "between 1 and 2000" in panel.status.value
    assert panel.controls["batch_size"].value == 100 and panel.inputs["batch_size"].value == "100"


# ----- defect 3: nothing changed in silence; the record holds what ran ----------------------------
def test_defect3_training_set_size_and_batch_are_refused_not_capped():
    seen = []
    defaults = {
        "n_train": 2000,
        "hidden_width": 64,
        "learning_rate": 2.0,
        "batch_size": 256,
        "epochs": 2,
    }
    panel = widgets.TrainingPanel(
        _scripted([1.0, 0.5] * 3, [0.9, 0.9] * 3, seen), defaults, n_train=6000
    )
    assert panel.controls["n_train"].max == 6000
    big = panel.run(n_train=50_000)
    assert big["status"] == "invalid input" and "between 10 and 6000" in big["message"] and not seen
    tiny = panel.run(n_train=10)
    assert (
        tiny["status"] == "invalid input"
        and "batch cannot be larger than the training set (10" in tiny["message"]
    )
    assert not seen and not tiny["history"]
    ran = panel.run(n_train=10, batch_size=8)
    assert ran["status"] == "ok" and seen == [{**defaults, "n_train": 10, "batch_size": 8}]
    assert ran["n_train"] == 10 and ran["batch_size"] == 8
    panel.controls["n_train"].value = 10  # the slider: batch choices shrink, and the panel says so
    assert (
        max(panel.controls["batch_size"].options) == 10 and panel.controls["batch_size"].value == 10
    )
    assert "set to 10" in panel.status.value


# ----- defect 4: divergence is a loss that blows up or accuracy at chance, not only NaN -----------
@pytest.mark.parametrize(
    "losses, accuracies, status, message",
    [
        ([2.3, 6.3e7], [0.5, 0.1], "diverged", "uniform guess"),
        ([6.3e7], [0.1], "diverged", "uniform guess"),
        ([0.5, 0.7, 6.0], [0.8, 0.7, 0.3], "diverged", "10x the first epoch's"),
        (
            [2.302, 2.303, 2.303, 2.302],
            [0.098, 0.1135, 0.1135, 0.1135],
            "not learning",
            "at chance",
        ),
        ([2.30, 2.25, 2.10, 1.90], [0.10, 0.11, 0.13, 0.25], "ok", ""),  # slow but learning
        ([0.9, 0.5, 0.4, 0.35], [0.85, 0.9, 0.92, 0.93], "ok", ""),
    ],
)
def test_defect4_divergence_beyond_nan(losses, accuracies, status, message):
    panel = widgets.TrainingPanel(
        _scripted(losses, accuracies), {"learning_rate": 10.0, "epochs": len(losses)}, n_train=100
    )
    record = panel.run()
    assert record["status"] == status and message in record["message"]
    assert "ok" not in panel.status.value or status == "ok"
    if status != "ok":
        assert a11y.STATUS_COLORS[status] in panel.status.value
        assert record["epochs_run"] == len(record["history"]["train_loss"]) <= len(losses)
    if status == "diverged":
        assert "Lower the learning rate (it was 10); try 1." in record["message"]


# ----- defect 5: typed values outside the range are refused with the range, never clamped ---------
@pytest.mark.parametrize(
    "name, typed, allowed",
    [
        ("learning_rate", "0", "between 1e-05 and 10"),
        ("learning_rate", "50", "between 1e-05 and 10"),
        ("learning_rate", "fast", "finite number between 1e-05 and 10"),
        ("hidden_width", "5000", "between 1 and 1024"),
        ("hidden_width", "12.5", "whole number between 1 and 1024"),
        ("epochs", "0", "between 1 and 200"),
    ],
)
def test_defect5_typed_out_of_range_refused_with_range(name, typed, allowed):
    defaults = {"learning_rate": 0.5, "hidden_width": 64, "epochs": 3}
    panel = widgets.TrainingPanel(_scripted([1.0] * 3, [0.9] * 3), defaults, n_train=100)
    before = panel.values()
    panel.inputs[name].value = typed
    assert "refused" in panel.status.value and allowed in panel.status.value
    assert panel.values() == before, "the setting is unchanged, not clamped"
    assert panel.inputs[name].value == panel._format(name, before[name]), (
        "the box shows the value in use"
    )
    panel.inputs[name].value = {"learning_rate": "0.3", "hidden_width": "100", "epochs": "2"}[name]
    assert panel.values()[name] == {"learning_rate": 0.3, "hidden_width": 100, "epochs": 2}[name]
    assert panel.status.value == ""


# ----- the drawing pad's fallbacks: an uploaded image or a file path ------------------------------
def _digit_png(tmp_path):
    import numpy as np
    from PIL import Image

    from utils.data import mnist_test_images
    from utils.synthetic_photos import synthetic_photo

    images, _ = mnist_test_images()
    path = tmp_path / "digit.png"
    Image.fromarray(synthetic_photo(images[0] / 255.0, np.random.default_rng(0))).save(path)
    return path


def test_drawing_pad_takes_an_upload_and_a_path(tmp_path):
    from utils.drawpad import FALLBACK_HINT, drawing_pad
    from utils.handwriting import to_mnist

    path = _digit_png(tmp_path)
    got = []
    pad = drawing_pad(lambda gray: got.append(to_mnist(gray)))
    assert "Upload" in FALLBACK_HINT and "File path" in FALLBACK_HINT and "Colab" in FALLBACK_HINT
    assert [pad.children[1].get_title(i) for i in range(3)] == ["Draw", "Upload", "File path"]
    from ipycanvas import Canvas  # a hard dependency: the Draw tab always holds the pad

    draw = pad.children[1].children[0]
    assert any(isinstance(w, Canvas) for w in draw.children[1].children)
    content = path.read_bytes()
    pad.upload.value = (
        {
            "name": "digit.png",
            "type": "image/png",
            "size": len(content),
            "content": memoryview(content),
            "last_modified": datetime.datetime.now(datetime.UTC),
        },
    )
    pad.path_box.value = str(path)
    pad.path_button.click()
    assert len(got) == 2 and all(image.shape == (28, 28) for image in got)
    assert (got[0] == got[1]).all(), "upload and path give the same input"


def test_drawing_pad_explains_a_bad_file(tmp_path, capsys):
    from utils.drawpad import classify_file, drawing_pad, load_gray

    (tmp_path / "notes.txt").write_text("not an image")
    with pytest.raises(ValueError, match="not an image"):
        load_gray(tmp_path / "notes.txt")
    with pytest.raises(FileNotFoundError, match="no image file"):
        classify_file(tmp_path / "missing.png", print)
    pad = drawing_pad(lambda gray: None)
    pad.path_box.value = str(tmp_path / "missing.png")
    capsys.readouterr()
    pad.path_button.click()
    # Outside a kernel the Output widget captures nothing: the message reaches stdout.
    shown = str(pad.output.outputs) + capsys.readouterr().out
    assert "Could not use this image: no image file" in shown and "missing.png" in shown


# ----- issue 22: names, keyboard, contrast and colour-blind-safe colours --------------------------
import itertools  # noqa: E402
import re  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402
from matplotlib.colors import to_rgb  # noqa: E402

from utils import plots  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
AA_TEXT, AA_GRAPHICS = 4.5, 3.0  # WCAG 2.1 AA: 1.4.3 (text) and 1.4.11 (non-text, focus outlines)


def _lab_panel(**kwargs):
    defaults = {
        "learning_rate": 0.1,
        "batch_size": 32,
        "hidden_width": 16,
        "epochs": 2,
        "n_train": 100,
    }
    return widgets.TrainingPanel(
        _scripted([1.0, 0.5] * 3, [0.8, 0.9] * 3), defaults, n_train=100, **kwargs
    )


def test_every_panel_control_has_a_name():
    """A screen reader announces each control: sliders by description, boxes by tooltip,
    Train by its text."""
    panel = _lab_panel()
    for name, slider in panel.controls.items():
        assert (
            slider.description == training_checks.LIMITS[name][2] and "arrow keys" in slider.tooltip
        )
        box = panel.inputs[name]
        assert (
            box.tooltip.startswith(f"{training_checks.LIMITS[name][2]}: type a value")
            and "Enter" in box.tooltip
        )
    assert panel.button.description == "Train" and "Enter or Space" in panel.button.tooltip
    assert panel.button.icon == "", "an icon font glyph would be read as part of the name"
    # The slider handles get their names in the browser, from the script inside the panel.
    script = [w for w in panel.widget.children if isinstance(w, widgets.widgets.Output)][-1]
    js = script.outputs[0]["data"]["application/javascript"]
    assert js == a11y.SLIDER_NAMES_JS
    for needle in (
        "aria-labelledby",
        "aria-valuetext",
        "data-lm-suppress-shortcuts",
        "MutationObserver",
    ):
        assert needle in js, needle
    assert (
        "workbook-a11y" in panel.widget._dom_classes
        and "focus-visible" in panel.widget.children[0].value
    )


def test_drawing_pad_controls_have_names():
    from ipycanvas import Canvas

    from utils.drawpad import drawing_pad

    pad = drawing_pad(lambda gray: None)
    tabs = pad.children[1]
    draw = tabs.children[0]
    canvas = next(w for w in draw.children[1].children if isinstance(w, Canvas))
    classify, clear = draw.children[1].children[1].children
    # The keyboard route is in the note; a tooltip on the canvas breaks the pad in the
    # widget manager (ipycanvas's model has no description), so it has none.
    assert not canvas.tooltip and "Without a mouse" in draw.children[0].value
    assert "Upload or File path" in draw.children[0].value
    assert (classify.description, clear.description) == ("Classify", "Clear")
    assert pad.upload.description and pad.path_box.description == "image file"
    assert pad.path_button.description == "Classify file"
    for button in (classify, pad.path_button):
        ratio = plots.contrast_ratio(button.style.text_color, button.style.button_color)
        assert ratio >= AA_TEXT, (
            f"{button.description}: {ratio:.2f} < {AA_TEXT} (margin {ratio - AA_TEXT:+.2f})"
        )
    assert "workbook-a11y" in pad._dom_classes
    assert any(
        getattr(w, "outputs", None)
        and "SliderNames" in w.outputs[0]["data"]["application/javascript"]
        for w in pad.children
    )


def test_panel_colours_meet_wcag_aa():
    """Every status colour as text on white, the Train button's text on its colour,
    the focus outline."""
    for status, color in a11y.STATUS_COLORS.items():
        ratio = plots.contrast_ratio(color)
        assert ratio >= AA_TEXT, (
            f"{status} {color}: {ratio:.2f} < {AA_TEXT} (margin {ratio - AA_TEXT:+.2f})"
        )
    button = plots.contrast_ratio(a11y.BUTTON_TEXT, a11y.BUTTON_COLOR)
    assert button >= AA_TEXT, f"Train: {button:.2f} < {AA_TEXT} (margin {button - AA_TEXT:+.2f})"
    primary = plots.contrast_ratio("white", "#2196f3")  # ipywidgets' "primary" outside JupyterLab
    assert primary < AA_TEXT, (
        f"the old primary style was {primary:.2f}: the check must be able to fail"
    )
    panel = _lab_panel()
    assert panel.button.style.button_color == a11y.BUTTON_COLOR and panel.button.button_style == ""
    focus = plots.contrast_ratio(a11y.FOCUS_COLOR)
    assert focus >= AA_GRAPHICS, f"focus outline: {focus:.2f} < {AA_GRAPHICS}"
    assert f"outline: 3px solid {a11y.FOCUS_COLOR}" in a11y.PANEL_CSS
    panel.run(learning_rate=0.0)  # an invalid input: said in the "refused" colour
    assert a11y.STATUS_COLORS["refused"] in panel.status.value


def test_keyboard_paths_are_wired():
    """What a browser's keys trigger: Enter/Space on Train is a click; Enter in a box applies
    the value."""
    panel = _lab_panel()
    panel.button.click()  # a <button>: Enter and Space fire the same click
    assert [r["status"] for r in panel.results] == ["ok"]
    for box in panel.inputs.values():
        assert box.continuous_update is False, (
            "the typed value applies on Enter (or leaving the box)"
        )
    panel.inputs["hidden_width"].value = "24"
    assert panel.controls["hidden_width"].value == 24
    panel.button.click()
    assert panel.results[-1]["hidden_width"] == 24
    for slider in panel.controls.values():
        assert not slider.disabled and slider.tabbable is not False


def test_live_figure_goes_through_show_with_a_computed_alt(monkeypatch):
    shown = []
    monkeypatch.setattr(widgets, "show", lambda fig, alt: shown.append((fig, alt)))
    panel = widgets.TrainingPanel(
        _scripted([2.0, 0.5], [0.3, 0.9]), {"learning_rate": 0.1, "epochs": 2}, n_train=100
    )
    panel.run()
    fig, alt = shown[-1]
    assert (
        "run 1, 2 epochs" in alt
        and "training loss 2 to 0.5" in alt
        and "validation accuracy 0.3 to 0.9" in alt
    )
    assert len(fig.axes) == 2
    panel.show_results()
    assert "run 1" in shown[-1][1] and len(shown) == 3
    source = (ROOT / "utils" / "widgets.py").read_text()
    assert "plt.show(" not in source


# Colour-blindness simulation: Machado, Oliveira & Fernandes (2009), severity 1, on linear RGB;
# differences in CIELAB (Delta E 1976; about 2.3 is just noticeable, 10+ tells lines apart
# at a glance).
CVD = {
    "protanopia": [
        [0.152286, 1.052583, -0.204868],
        [0.114503, 0.786281, 0.099216],
        [-0.003882, -0.048116, 1.051998],
    ],
    "deuteranopia": [
        [0.367322, 0.860646, -0.227968],
        [0.280085, 0.672501, 0.047413],
        [-0.011820, 0.042940, 0.968881],
    ],
    "tritanopia": [
        [1.255528, -0.076749, -0.178779],
        [-0.078411, 0.930809, 0.147602],
        [0.004733, 0.691367, 0.303900],
    ],
}
MIN_DELTA_E = 15.0


def _lab(color, matrix=None):
    rgb = np.asarray(to_rgb(color) if isinstance(color, str) else color[:3], dtype=float)
    linear = np.where(rgb <= 0.04045, rgb / 12.92, ((rgb + 0.055) / 1.055) ** 2.4)
    linear = np.clip((np.eye(3) if matrix is None else np.asarray(matrix)) @ linear, 0, 1)
    xyz = (
        np.array([[0.4124, 0.3576, 0.1805], [0.2126, 0.7152, 0.0722], [0.0193, 0.1192, 0.9505]])
        @ linear
    )
    xyz = xyz / np.array([0.95047, 1.0, 1.08883])
    f = np.where(xyz > 216 / 24389, np.cbrt(xyz), (24389 / 27 * xyz + 16) / 116)
    return np.array([116 * f[1] - 16, 500 * (f[0] - f[1]), 200 * (f[1] - f[2])])


def _closest_pair(palette, matrix):
    return min(
        (float(np.linalg.norm(_lab(a, matrix) - _lab(b, matrix))), a, b)
        for a, b in itertools.combinations(palette, 2)
    )


def test_palette_is_colour_blind_safe_and_visible():
    import matplotlib.pyplot as plt

    assert tuple(plt.rcParams["axes.prop_cycle"].by_key()["color"]) == plots.PALETTE
    for color in plots.PALETTE:
        ratio = plots.contrast_ratio(color)
        assert ratio >= AA_GRAPHICS, f"{color} on white: {ratio:.2f} < {AA_GRAPHICS}"
    for kind, matrix in CVD.items():
        gap, a, b = _closest_pair(plots.PALETTE, matrix)
        assert gap >= MIN_DELTA_E, f"{kind}: {a} and {b} differ by {gap:.1f} < {MIN_DELTA_E}"
    tab10 = [
        "#1f77b4",
        "#ff7f0e",
        "#2ca02c",
        "#d62728",
        "#9467bd",
    ]  # matplotlib's default, first five
    gap, a, b = _closest_pair(tab10, CVD["protanopia"])
    assert gap < MIN_DELTA_E, (
        f"matplotlib's default colours ({a}, {b}: {gap:.1f}) would fail this test"
    )


def test_runs_differ_by_marker_not_only_colour():
    import matplotlib.pyplot as plt

    runs = {f"run {i}": {"train_loss": [1.0, 0.5], "val_loss": [1.1, 0.7]} for i in range(1, 8)}
    ax = plots.plot_curves(runs, metric="loss")
    lines = ax.get_lines()
    by_run = {}
    for line in lines:
        by_run.setdefault(line.get_label().split(" (")[0], set()).add(
            (line.get_marker(), line.get_color())
        )
    styles = [next(iter(s)) for s in by_run.values()]
    assert len({marker for marker, _ in styles}) == 7, styles
    assert {line.get_linestyle() for line in lines} == {"-", "--"}
    plt.close(ax.figure)


def test_confusion_labels_readable_on_every_cell():
    """The numbers printed on the confusion matrix's cells: AA contrast on every shade of
    its map."""
    import matplotlib
    import matplotlib.pyplot as plt

    cmap = matplotlib.colormaps["Blues"]
    shades = np.linspace(0, 1, 501)
    worst = min(plots.contrast_ratio(plots.text_color_on(cmap(v)), cmap(v)) for v in shades)
    assert worst >= AA_TEXT, f"{worst:.2f} < {AA_TEXT} (margin {worst - AA_TEXT:+.2f})"
    old = min(plots.contrast_ratio("white" if 100 * v > 60 else "black", cmap(v)) for v in shades)
    assert old < AA_TEXT, f"the old rule (white above 60 %) reached {old:.2f}"
    ax = plots.plot_confusion(np.array([[50, 50], [10, 90]]))
    assert {t.get_color() for t in ax.texts} == {"black", "white"}
    plt.close(ax.figure)


def test_colormaps_in_use_are_colour_blind_safe():
    """Every cmap named in utils and the labs is one of SAFE_CMAPS, whose lightness carries
    the value."""
    sources = list((ROOT / "utils").glob("*.py")) + list((ROOT / "labs").glob("*.ipynb"))
    used = set()
    for path in sources:
        used |= set(re.findall(r'cmap=\\?["\'](\w+)\\?["\']', path.read_text()))
    assert used and used <= set(plots.SAFE_CMAPS), (
        f"not known to be colour-blind safe: {used - set(plots.SAFE_CMAPS)}"
    )
    import matplotlib

    for name, kind in {**plots.SAFE_CMAPS, "jet": "sequential"}.items():
        lightness = np.array(
            [_lab(matplotlib.colormaps[name](v))[0] for v in np.linspace(0, 1, 64)]
        )
        steps = np.diff(lightness)
        if kind == "sequential":
            monotone = (steps > 0).all() or (steps < 0).all()
        else:  # diverging: lightness rises to a light middle, then falls
            middle = int(np.argmax(lightness))
            monotone = (
                20 < middle < 44 and (steps[:middle] > 0).all() and (steps[middle:] < 0).all()
            )
        assert monotone == (name != "jet"), (
            f"{name}: lightness from {lightness.min():.0f} to {lightness.max():.0f}"
        )
