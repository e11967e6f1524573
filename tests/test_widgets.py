"""utils.widgets: validated ranges, divergence detection and the panel's run records."""
import math

import matplotlib

matplotlib.use("Agg")
import pytest  # noqa: E402

from utils import widgets  # noqa: E402


@pytest.mark.parametrize("params, message", [
    ({"learning_rate": 0.0}, "must be > 0"),
    ({"learning_rate": -0.1}, "must be > 0"),
    ({"learning_rate": 100.0}, "between"),
    ({"learning_rate": math.nan}, "finite"),
    ({"batch_size": 0}, "between"),
    ({"batch_size": 12.5}, "whole number"),
    ({"hidden_width": 5000}, "between"),
    ({"epochs": 0}, "between"),
    ({"dropout": 1.0}, "between"),
])
def test_validate_hparams_rejects_out_of_range(params, message):
    with pytest.raises(ValueError, match=message):
        widgets.validate_hparams(params)


def test_batch_larger_than_training_set_is_rejected():
    with pytest.raises(ValueError, match="larger than the training set"):
        widgets.validate_hparams({"batch_size": 512}, n_train=300)
    assert widgets.validate_hparams({"batch_size": 256.0, "name": "x"}, n_train=300) == {"batch_size": 256, "name": "x"}


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


def test_panel_runs_records_and_reports():
    panel = widgets.TrainingPanel(_start_run, {"learning_rate": 0.1, "batch_size": 32, "epochs": 3}, n_train=100)
    ok = panel.run()
    assert ok["status"] == "ok" and ok["history"]["train_loss"] == [1.0, 0.5, 1 / 3]
    diverged = panel.run(learning_rate=5.0)
    assert diverged["status"] == "diverged" and "Lower the learning rate" in diverged["message"]
    invalid = panel.run(batch_size=1024)
    assert invalid["status"] == "invalid input" and "at most 100" in invalid["message"]
    assert [r["run"] for r in panel.results] == [1, 2, 3]
    table = panel.results_table()
    assert table.count("<tr>") == 4 and "diverged" in table
    assert "invalid input" in panel.status.value
    panel.show_results()


def test_panel_sliders_match_defaults_and_limits():
    panel = widgets.TrainingPanel(_start_run, {"learning_rate": 0.01, "hidden_width": 64, "epochs": 2, "dropout": 0.5})
    assert panel.values() == {"learning_rate": pytest.approx(0.01), "hidden_width": 64, "epochs": 2, "dropout": 0.5}
    assert panel.controls["hidden_width"].max == widgets.LIMITS["hidden_width"][1]
    with pytest.raises(ValueError, match="epochs"):
        widgets.TrainingPanel(_start_run, {"learning_rate": 0.1})
