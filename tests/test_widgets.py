"""utils.widgets: validated ranges, honest panels, divergence detection and the run records.

The five defects of issue 9 each have a test here: progress and state while a
run trains (1), batch-size choices and typed values that are the values used
(2), nothing changed in silence (3), divergence beyond NaN (4), typed values
refused with their range, never clamped (5).
"""
import datetime
import math

import matplotlib

matplotlib.use("Agg")
import pytest  # noqa: E402

from utils import widgets  # noqa: E402


@pytest.mark.parametrize("params, message", [
    ({"learning_rate": 0.0}, "between 1e-05 and 10, got 0: gradient descent needs a positive step"),
    ({"learning_rate": -0.1}, "positive step"),
    ({"learning_rate": 100.0}, "between 1e-05 and 10, got 100"),
    ({"learning_rate": math.nan}, "finite number between"),
    ({"learning_rate": "abc"}, "finite number between"),
    ({"batch_size": 0}, "between 1 and 4096"),
    ({"batch_size": 12.5}, "whole number between 1 and 4096"),
    ({"hidden_width": 5000}, "between 1 and 1024, got 5000"),
    ({"epochs": 0}, "between 1 and 200"),
    ({"dropout": 1.0}, "between 0 and 0.9"),
])
def test_validate_hparams_rejects_out_of_range(params, message):
    with pytest.raises(ValueError, match=message):
        widgets.validate_hparams(params)


def test_batch_larger_than_training_set_is_rejected():
    with pytest.raises(ValueError, match=r"between 1 and 300, got 512: a batch cannot be larger than the training set"):
        widgets.validate_hparams({"batch_size": 512}, n_train=300)
    assert widgets.validate_hparams({"batch_size": 256.0, "name": "x"}, n_train=300) == {"batch_size": 256, "name": "x"}
    with pytest.raises(ValueError, match="larger than the training set .10 images"):
        widgets.validate_hparams({"batch_size": 256, "n_train": 10}, n_train=6000)


def test_check_finite_raises_with_a_hint():
    widgets.check_finite(1.0, 1)
    with pytest.raises(widgets.TrainingDiverged, match="try 0.5"):
        widgets.check_finite(math.inf, 3, learning_rate=5.0)


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
    panel = widgets.TrainingPanel(_start_run, {"learning_rate": 0.1, "batch_size": 32, "epochs": 3}, n_train=100)
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
    panel = widgets.TrainingPanel(_start_run, {"learning_rate": 0.01, "hidden_width": 64, "epochs": 2, "dropout": 0.5})
    assert panel.values() == {"learning_rate": pytest.approx(0.01), "hidden_width": 64, "epochs": 2, "dropout": 0.5}
    assert panel.controls["hidden_width"].max == widgets.LIMITS["hidden_width"][1]
    with pytest.raises(ValueError, match="epochs"):
        widgets.TrainingPanel(_start_run, {"learning_rate": 0.1})


# ----- defect 1: progress in the panel, "running", Train disabled, no log-console bar ---------------
def test_defect1_progress_status_and_button_while_running(capsys):
    seen = []
    panel = None

    def start(params):
        state = {"epoch": 0}

        def step():
            state["epoch"] += 1
            seen.append((panel.button.disabled, panel.status.value, panel.progress.value,
                         panel.progress.max, panel.progress_text.value, panel.run()))
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


# ----- defect 2: batch-size choices within the set; a typed batch is the batch used -----------------
def test_defect2_batch_choices_and_typed_batch_is_used():
    seen = []
    panel = widgets.TrainingPanel(_scripted([1.0, 0.5], [0.9, 0.9], seen),
                                  {"learning_rate": 0.1, "batch_size": 256, "epochs": 2}, n_train=2000)
    options = panel.controls["batch_size"].options
    assert max(options) == 2000 and 2048 not in options and 4096 not in options
    panel.inputs["batch_size"].value = "100"
    assert panel.controls["batch_size"].value == 100 and panel.inputs["batch_size"].value == "100"
    record = panel.run()
    assert seen[-1]["batch_size"] == 100 and record["batch_size"] == 100 and "<td>100</td>" in panel.results_table()
    panel.inputs["batch_size"].value = "3000"
    assert "refused" in panel.status.value and "between 1 and 2000" in panel.status.value
    assert panel.controls["batch_size"].value == 100 and panel.inputs["batch_size"].value == "100"


# ----- defect 3: nothing changed in silence; the record holds what ran -------------------------------
def test_defect3_training_set_size_and_batch_are_refused_not_capped():
    seen = []
    defaults = {"n_train": 2000, "hidden_width": 64, "learning_rate": 2.0, "batch_size": 256, "epochs": 2}
    panel = widgets.TrainingPanel(_scripted([1.0, 0.5] * 3, [0.9, 0.9] * 3, seen), defaults, n_train=6000)
    assert panel.controls["n_train"].max == 6000
    big = panel.run(n_train=50_000)
    assert big["status"] == "invalid input" and "between 10 and 6000" in big["message"] and not seen
    tiny = panel.run(n_train=10)
    assert tiny["status"] == "invalid input" and "batch cannot be larger than the training set (10" in tiny["message"]
    assert not seen and not tiny["history"]
    ran = panel.run(n_train=10, batch_size=8)
    assert ran["status"] == "ok" and seen == [{**defaults, "n_train": 10, "batch_size": 8}]
    assert ran["n_train"] == 10 and ran["batch_size"] == 8
    panel.controls["n_train"].value = 10  # the slider: batch choices shrink, and the panel says so
    assert max(panel.controls["batch_size"].options) == 10 and panel.controls["batch_size"].value == 10
    assert "set to 10" in panel.status.value


# ----- defect 4: divergence is a loss that blows up or accuracy at chance, not only NaN --------------
@pytest.mark.parametrize("losses, accuracies, status, message", [
    ([2.3, 6.3e7], [0.5, 0.1], "diverged", "uniform guess"),
    ([6.3e7], [0.1], "diverged", "uniform guess"),
    ([0.5, 0.7, 6.0], [0.8, 0.7, 0.3], "diverged", "10x the first epoch's"),
    ([2.302, 2.303, 2.303, 2.302], [0.098, 0.1135, 0.1135, 0.1135], "not learning", "at chance"),
    ([2.30, 2.25, 2.10, 1.90], [0.10, 0.11, 0.13, 0.25], "ok", ""),  # slow but learning
    ([0.9, 0.5, 0.4, 0.35], [0.85, 0.9, 0.92, 0.93], "ok", ""),
])
def test_defect4_divergence_beyond_nan(losses, accuracies, status, message):
    panel = widgets.TrainingPanel(_scripted(losses, accuracies), {"learning_rate": 10.0, "epochs": len(losses)},
                                  n_train=100)
    record = panel.run()
    assert record["status"] == status and message in record["message"]
    assert "ok" not in panel.status.value or status == "ok"
    if status != "ok":
        assert "darkorange" in panel.status.value
        assert record["epochs_run"] == len(record["history"]["train_loss"]) <= len(losses)
    if status == "diverged":
        assert "Lower the learning rate (it was 10); try 1." in record["message"]


# ----- defect 5: typed values outside the range are refused with the range, never clamped ------------
@pytest.mark.parametrize("name, typed, allowed", [
    ("learning_rate", "0", "between 1e-05 and 10"),
    ("learning_rate", "50", "between 1e-05 and 10"),
    ("learning_rate", "fast", "finite number between 1e-05 and 10"),
    ("hidden_width", "5000", "between 1 and 1024"),
    ("hidden_width", "12.5", "whole number between 1 and 1024"),
    ("epochs", "0", "between 1 and 200"),
])
def test_defect5_typed_out_of_range_refused_with_range(name, typed, allowed):
    defaults = {"learning_rate": 0.5, "hidden_width": 64, "epochs": 3}
    panel = widgets.TrainingPanel(_scripted([1.0] * 3, [0.9] * 3), defaults, n_train=100)
    before = panel.values()
    panel.inputs[name].value = typed
    assert "refused" in panel.status.value and allowed in panel.status.value
    assert panel.values() == before, "the setting is unchanged, not clamped"
    assert panel.inputs[name].value == panel._format(name, before[name]), "the box shows the value in use"
    panel.inputs[name].value = {"learning_rate": "0.3", "hidden_width": "100", "epochs": "2"}[name]
    assert panel.values()[name] == {"learning_rate": 0.3, "hidden_width": 100, "epochs": 2}[name]
    assert panel.status.value == ""


# ----- the drawing pad's fallbacks: an uploaded image or a file path -----------------------------------
def _digit_png(tmp_path):
    import numpy as np
    from PIL import Image

    from utils.data import mnist_test_images
    from utils.handwriting import synthetic_photo

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
    pad.upload.value = ({"name": "digit.png", "type": "image/png", "size": len(content),
                         "content": memoryview(content),
                         "last_modified": datetime.datetime.now(datetime.timezone.utc)},)
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
