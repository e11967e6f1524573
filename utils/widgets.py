"""The slider panel that trains a lab's model (labs 01, 03, 04, 06).

A lab supplies ``start_run(params)``, which builds a model from the slider
values and returns a function that trains one epoch and returns that epoch's
metrics.  The panel owns the plumbing around it: validated ranges, a progress
bar, live curves, divergence detection and a table of every run.
"""
from __future__ import annotations

import math
import time
from typing import Callable, Mapping

import ipywidgets as widgets
import matplotlib.pyplot as plt
from IPython.display import HTML, clear_output, display
from tqdm.auto import tqdm

from .plots import plot_curves

# name: (minimum, maximum, description shown on the slider)
LIMITS = {
    "learning_rate": (1e-5, 10.0, "learning rate"),
    "batch_size": (1, 4096, "batch size"),
    "hidden_width": (1, 1024, "hidden width"),
    "epochs": (1, 200, "epochs"),
    "n_train": (10, 50_000, "training images"),
    "dropout": (0.0, 0.9, "dropout"),
    "momentum": (0.0, 0.999, "momentum γ"),
}
INTEGER_PARAMS = {"batch_size", "hidden_width", "epochs", "n_train"}


class TrainingDiverged(RuntimeError):
    """The training loss became NaN or infinite."""


def validate_hparams(params: Mapping[str, float], n_train: int | None = None) -> dict:
    """Return ``params`` checked against ``LIMITS``; raise ValueError saying what to change."""
    checked = {}
    for name, value in params.items():
        if name not in LIMITS:
            checked[name] = value
            continue
        low, high, label = LIMITS[name]
        if name in INTEGER_PARAMS:
            if isinstance(value, bool) or not float(value).is_integer():
                raise ValueError(f"{label} must be a whole number, got {value!r}.")
            value = int(value)
        elif not isinstance(value, (int, float)) or isinstance(value, bool) or not math.isfinite(value):
            raise ValueError(f"{label} must be a finite number, got {value!r}.")
        if name == "learning_rate" and value <= 0:
            raise ValueError(f"learning rate must be > 0, got {value}: gradient descent needs a positive step.")
        if not low <= value <= high:
            raise ValueError(f"{label} must be between {low:g} and {high:g}, got {value:g}.")
        checked[name] = value
    batch = checked.get("batch_size")
    if n_train is not None and batch is not None and batch > n_train:
        raise ValueError(
            f"batch size {batch} is larger than the training set ({n_train} images): "
            f"choose a batch size of at most {n_train}."
        )
    return checked


def check_finite(loss: float, epoch: int, learning_rate: float | None = None) -> None:
    """Raise TrainingDiverged if ``loss`` is NaN or infinite, suggesting a smaller learning rate."""
    if not math.isfinite(loss):
        hint = f" Lower the learning rate (it was {learning_rate:g}); try {learning_rate / 10:g}." if learning_rate else ""
        raise TrainingDiverged(f"Training diverged at epoch {epoch}: the loss is {loss}.{hint}")


def _slider(name: str, value):
    low, high, label = LIMITS[name]
    style = {"description_width": "initial"}
    layout = widgets.Layout(width="420px")
    if name == "learning_rate":
        return widgets.FloatLogSlider(value=value, base=10, min=math.log10(low), max=math.log10(high),
                                      step=0.1, description=label, readout_format=".1e",
                                      style=style, layout=layout)
    if name == "batch_size":
        options = [2 ** k for k in range(int(math.log2(high)) + 1)]
        if value not in options:
            options = sorted(set(options) | {int(value)})
        return widgets.SelectionSlider(options=options, value=int(value), description=label,
                                       style=style, layout=layout)
    if name in INTEGER_PARAMS:
        return widgets.IntSlider(value=int(value), min=int(low), max=int(high), description=label,
                                 style=style, layout=layout)
    return widgets.FloatSlider(value=float(value), min=low, max=high, step=0.05, description=label,
                               style=style, layout=layout)


class TrainingPanel:
    """Sliders, a Train button, live curves and a results table around a lab's training code.

    ``start_run(params)`` returns ``step()``; each ``step()`` trains one epoch and
    returns a dict with at least ``train_loss``, ``train_accuracy`` and
    ``val_accuracy``.  ``defaults`` names the sliders shown (keys of ``LIMITS``)
    and their start values; ``n_train`` bounds the batch size.
    """

    def __init__(self, start_run: Callable[[dict], Callable[[], dict]], defaults: Mapping[str, float],
                 n_train: int | None = None, title: str = "Train with these settings"):
        validate_hparams(defaults, n_train)
        if "epochs" not in defaults:
            raise ValueError("defaults must include 'epochs'.")
        self.start_run = start_run
        self.n_train = n_train
        self.controls = {name: _slider(name, value) for name, value in defaults.items()}
        self.button = widgets.Button(description="Train", button_style="primary", icon="play")
        self.status = widgets.HTML()
        self.plot_area = widgets.Output()
        self.table_area = widgets.Output()
        self.results: list[dict] = []
        self.button.on_click(lambda _: self.run())
        self.widget = widgets.VBox([widgets.HTML(f"<b>{title}</b>"), *self.controls.values(),
                                    self.button, self.status, self.plot_area, self.table_area])

    def _ipython_display_(self):
        display(self.widget)

    def values(self) -> dict:
        """Return the current slider values."""
        return {name: control.value for name, control in self.controls.items()}

    def run(self, **overrides) -> dict:
        """Train once with the slider values (``overrides`` replace them); return the run's record."""
        params = {**self.values(), **overrides}
        record = {"run": len(self.results) + 1, **params, "status": "ok", "message": "", "history": {}}
        start = time.perf_counter()
        try:
            params = validate_hparams(params, self.n_train)
            self._train(params, record)
        except ValueError as err:
            record.update(status="invalid input", message=str(err))
        except TrainingDiverged as err:
            record.update(status="diverged", message=str(err))
        record["seconds"] = time.perf_counter() - start
        self.results.append(record)
        color = {"ok": "green", "diverged": "darkorange"}.get(record["status"], "crimson")
        self.status.value = (f"<span style='color:{color}'>run {record['run']}: {record['status']}"
                             f"{' - ' + record['message'] if record['message'] else ''}</span>")
        with self.table_area:
            clear_output(wait=True)
            display(HTML(self.results_table()))
        return record

    def _train(self, params: dict, record: dict) -> None:
        history: dict[str, list] = {}
        record["history"] = history
        step = self.start_run(params)
        for epoch in tqdm(range(1, params["epochs"] + 1), desc=f"run {record['run']}", leave=False):
            metrics = step()
            for key, value in metrics.items():
                history.setdefault(key, []).append(float(value))
            check_finite(history["train_loss"][-1], epoch, params.get("learning_rate"))
            self._draw(history, record["run"])

    def _draw(self, history: dict, run: int) -> None:
        with self.plot_area:
            clear_output(wait=True)
            fig, (ax_loss, ax_acc) = plt.subplots(1, 2, figsize=(10, 3.2))
            plot_curves({f"run {run}": history}, metric="loss", ax=ax_loss, title="loss per epoch")
            plot_curves({f"run {run}": history}, metric="accuracy", ax=ax_acc, title="accuracy per epoch")
            fig.tight_layout()
            plt.show()

    def show_results(self) -> None:
        """Draw every run's curves and the results table as plain outputs (visible in the static book too)."""
        runs = {f"run {r['run']}": r["history"] for r in self.results if r["history"]}
        if runs:
            fig, (ax_loss, ax_acc) = plt.subplots(1, 2, figsize=(10, 3.2))
            plot_curves(runs, metric="loss", ax=ax_loss, title="loss per epoch, every run")
            plot_curves(runs, metric="accuracy", ax=ax_acc, title="accuracy per epoch, every run")
            fig.tight_layout()
            plt.show()
        display(HTML(self.results_table()))

    def results_table(self) -> str:
        """Return every run so far as an HTML table (settings, final accuracies, time, status)."""
        names = list(self.controls)
        head = "".join(f"<th>{LIMITS[n][2]}</th>" for n in names)
        rows = []
        for r in self.results:
            h = r["history"]
            last = {k: (f"{v[-1]:.4f}" if v else "-") for k, v in h.items()}
            cells = "".join(f"<td>{r[n]:.2e}</td>" if n == "learning_rate" else f"<td>{r[n]}</td>" for n in names)
            rows.append(f"<tr><td>{r['run']}</td>{cells}<td>{last.get('train_accuracy', '-')}</td>"
                        f"<td>{last.get('val_accuracy', '-')}</td><td>{r['seconds']:.1f}</td><td>{r['status']}</td></tr>")
        return (f"<table><tr><th>run</th>{head}<th>train acc.</th><th>val. acc.</th><th>seconds</th>"
                f"<th>status</th></tr>{''.join(rows)}</table>")
