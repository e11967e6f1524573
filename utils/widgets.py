"""The slider panel that trains a lab's model (labs 01, 03, 04, 06).

A lab supplies ``start_run(params)``, which builds a model from the slider
values and returns a function that trains one epoch and returns that epoch's
metrics.  The panel owns the plumbing around it and is honest about it:

- every value it trains with is the value it shows: a typed value outside the
  allowed range is refused with that range (never clamped), and the batch-size
  choices never exceed the training set;
- it changes nothing in silence: a setting it cannot run (a batch larger than
  the training set, more training images than were loaded) is refused with a
  message, and the run's record holds what actually ran;
- while a run trains, the status says "running", the progress (epoch k of n)
  shows inside the panel and Train is disabled;
- a run is stopped as diverged when its loss blows up (NaN or infinite, above
  10x the first epoch's, or above 10x a uniform guess's ln C) and as not
  learning when its accuracy stays at chance while the loss stands still.

It is usable without a mouse or without sight: every control has a name a
screen reader announces (the sliders get theirs from ``utils.a11y``:
ipywidgets 8 does not link a slider's description to its handle), Tab reaches
each control, the arrow keys move a slider, a typed value applies on Enter,
Enter or Space on Train trains, focus is outlined, every colour meets WCAG AA
on white, and the live curves carry a computed description.
"""

from __future__ import annotations

import html
import math
import time
from collections.abc import Callable, Mapping

import ipywidgets as widgets
import matplotlib.pyplot as plt
from IPython.display import HTML, clear_output, display

from .a11y import BUTTON_COLOR, BUTTON_TEXT, PANEL_CSS, STATUS_COLORS, a11y_script
from .plots import describe_runs, plot_curves, show
from .threads import adapt
from .training_checks import (
    INTEGER_PARAMS,
    LIMITS,
    TrainingDiverged,
    check_training,
    validate_hparams,
)


def _powers_of_two(high: int) -> list[int]:
    return [2**k for k in range(int(math.log2(high)) + 1)] if high >= 1 else []


class TrainingPanel:
    """Sliders, typed values, a Train button, progress, live curves and a results table.

    ``start_run(params)`` returns ``step()``; each ``step()`` trains one epoch and
    returns a dict with at least ``train_loss`` (mean cross-entropy) and
    ``train_accuracy`` or ``val_accuracy``.  ``defaults`` names the settings shown
    (keys of ``LIMITS``) and their start values.  ``n_train`` is the number of
    training images: it bounds the batch size, and the ``n_train`` setting when
    the panel has one.  ``n_classes`` sets chance accuracy for divergence.
    """

    def __init__(
        self,
        start_run: Callable[[dict], Callable[[], dict]],
        defaults: Mapping[str, float],
        n_train: int | None = None,
        title: str = "Train with these settings",
        n_classes: int = 10,
    ):
        if "epochs" not in defaults:
            raise ValueError("defaults must include 'epochs'.")
        self.defaults = validate_hparams(defaults, n_train)
        self.start_run = start_run
        self.n_train = n_train
        self.n_classes = n_classes
        self.results: list[dict] = []
        self.running = False
        self.controls = {name: self._slider(name, value) for name, value in self.defaults.items()}
        self.inputs = {
            name: widgets.Text(
                value=self._format(name, control.value),
                continuous_update=False,
                tooltip=f"{LIMITS[name][2]}: type a value, then press Enter",
                layout=widgets.Layout(width="90px"),
            )
            for name, control in self.controls.items()
        }
        for name in self.controls:
            self.controls[name].observe(lambda change, n=name: self._slider_moved(n), names="value")
            self.inputs[name].observe(
                lambda change, n=name: self._typed(n, change["new"]), names="value"
            )
        self.button = widgets.Button(
            description="Train",  # no icon: its glyph would enter the name
            tooltip="Train with these settings (Enter or Space)",
            style={"button_color": BUTTON_COLOR, "text_color": BUTTON_TEXT},
        )
        self.status = widgets.HTML()
        self.progress = widgets.IntProgress(
            value=0, min=0, max=1, layout=widgets.Layout(width="300px")
        )
        self.progress_text = widgets.HTML()
        self.plot_area = widgets.Output()
        self.table_area = widgets.Output()
        self.button.on_click(lambda _: self.run())
        rows = [widgets.HBox([self.controls[n], self.inputs[n]]) for n in self.controls]
        self.widget = widgets.VBox(
            [
                widgets.HTML(f"{PANEL_CSS}<b>{html.escape(title)}</b>"),
                *rows,
                self.button,
                widgets.HBox([self.progress, self.progress_text]),
                self.status,
                self.plot_area,
                self.table_area,
                a11y_script(),
            ]
        )
        self.widget.add_class(
            "training-panel"
        )  # CSS hooks for the browser test (tests/test_ui_lab.py)
        self.widget.add_class("workbook-a11y")
        for widget, name in (
            (self.status, "status"),
            (self.progress_text, "progress"),
            (self.plot_area, "plot"),
            (self.table_area, "table"),
            (self.button, "train"),
        ):
            widget.add_class(f"panel-{name}")
        for name in self.controls:
            self.controls[name].add_class(f"panel-slider-{name}")
            self.inputs[name].add_class(f"panel-input-{name}")
        if "n_train" in self.controls:
            self._fit_batch_choices()

    # ----- controls -------------------------------------------------------------------------
    def _high(self, name: str):
        """The largest value ``name`` may take in this panel now."""
        high = LIMITS[name][1]
        if name == "n_train" and self.n_train is not None:
            high = min(high, self.n_train)
        if name == "batch_size":
            controls = getattr(self, "controls", {})
            if "n_train" in controls:
                high = min(high, controls["n_train"].value)
            elif "n_train" in self.defaults:
                high = min(high, self.defaults["n_train"])
            elif self.n_train is not None:
                high = min(high, self.n_train)
        return high

    def _batch_options(self, high: int, keep: int | None) -> list[int]:
        options = set(_powers_of_two(high))
        if high <= LIMITS["batch_size"][1]:
            options.add(high)  # the whole set as one batch: full-batch gradient descent
        if keep is not None and 1 <= keep <= high:
            options.add(int(keep))
        return sorted(options)

    def _slider(self, name: str, value):
        low, high, label = LIMITS[name]
        high = self._high(name) if name in ("n_train", "batch_size") else high
        style = {"description_width": "initial"}
        layout = widgets.Layout(width="420px")
        common = dict(
            description=label,
            style=style,
            layout=layout,
            readout=False,
            tooltip=f"{label}: arrow keys move it, Home and End go to the ends",
        )
        if name == "learning_rate":
            return widgets.FloatLogSlider(
                value=value, base=10, min=math.log10(low), max=math.log10(high), step=0.1, **common
            )
        if name == "batch_size":
            return widgets.SelectionSlider(
                options=self._batch_options(high, value), value=int(value), **common
            )
        if name in INTEGER_PARAMS:
            return widgets.IntSlider(value=int(value), min=int(low), max=int(high), **common)
        step = 0.001 if name == "momentum" else 0.05
        return widgets.FloatSlider(value=float(value), min=low, max=high, step=step, **common)

    @staticmethod
    def _format(name: str, value) -> str:
        if name == "learning_rate":
            return f"{value:.3g}"
        return str(int(value)) if name in INTEGER_PARAMS else f"{value:.3g}"

    def _slider_moved(self, name: str) -> None:
        self.inputs[name].value = self._format(name, self.controls[name].value)
        if name == "n_train":
            self._fit_batch_choices()

    def _fit_batch_choices(self) -> None:
        """Keep the batch-size choices within the chosen training-set size, and say so if
        one moves."""
        if "batch_size" not in self.controls:
            return
        slider, high = self.controls["batch_size"], self._high("batch_size")
        current = slider.value
        keep = current if current <= high else None
        slider.options = self._batch_options(high, keep)
        if keep is None:
            slider.value = max(slider.options)
            self._say(
                f"batch size {current} is larger than the {high} training images: "
                f"set to {slider.value}.",
                STATUS_COLORS["warning"],
            )
        else:
            slider.value = current
        self.inputs["batch_size"].value = self._format("batch_size", slider.value)

    def _typed(self, name: str, text: str) -> None:
        """A value typed into a box: use it exactly, or refuse it with the allowed range."""
        slider = self.controls[name]
        if text.strip() == self._format(name, slider.value):
            return
        try:
            value = float(text.strip().replace(",", "").replace("_", ""))
        except ValueError:
            value = text
        context = {}
        if name == "batch_size" and "n_train" in self.controls:
            context["n_train"] = self.controls["n_train"].value
        try:
            value = self._validate({**context, name: value})[name]
        except ValueError as err:
            self._say(
                f"typed value refused: {err} Kept {self._format(name, slider.value)}.",
                STATUS_COLORS["refused"],
            )
            self.inputs[name].value = self._format(name, slider.value)
            return
        if name == "batch_size" and value not in slider.options:
            slider.options = self._batch_options(self._high(name), value)
        slider.value = value
        self.inputs[name].value = self._format(name, slider.value)
        self._say("", "green")

    def _validate(self, params: dict) -> dict:
        return validate_hparams(params, self.n_train)

    def _say(self, message: str, color: str) -> None:
        self.status.value = (
            f"<span style='color:{color}'>{html.escape(message)}</span>" if message else ""
        )

    def _ipython_display_(self):
        display(self.widget)

    def values(self) -> dict:
        """Return the current settings (exactly the values a Train click uses)."""
        return {name: control.value for name, control in self.controls.items()}

    # ----- running ---------------------------------------------------------------------------
    def run(self, **overrides) -> dict:
        """Train once with the panel's settings (``overrides`` replace them); return the run's
        record.

        The record holds the settings that ran, ``n_train`` (images trained on),
        ``epochs_run``, ``status`` ("ok", "invalid input", "diverged", "not
        learning"), ``message``, ``history`` and ``seconds``.
        """
        if self.running:  # a click that arrives while a run trains
            return {}
        params = {**self.values(), **overrides}
        record = {
            "run": len(self.results) + 1,
            **params,
            "status": "running",
            "message": "",
            "history": {},
            "epochs_run": 0,
        }
        record["n_train"] = params.get("n_train", self.n_train)
        start = time.perf_counter()
        self.running = True
        self.button.disabled = True
        self._say(f"run {record['run']}: running", STATUS_COLORS["running"])
        try:
            params = self._validate(params)
            record.update(params)
            self._train(params, record, start)
            record["status"] = "ok"
        except ValueError as err:
            record.update(status="invalid input", message=str(err))
        except TrainingDiverged as err:
            record.update(status=err.status, message=str(err))
        finally:
            self.running = False
            self.button.disabled = False
        record["seconds"] = time.perf_counter() - start
        self.results.append(record)
        color = STATUS_COLORS.get(record["status"], STATUS_COLORS["refused"])
        self._say(
            f"run {record['run']}: {record['status']}"
            f"{' - ' + record['message'] if record['message'] else ''}",
            color,
        )
        with self.table_area:
            clear_output(wait=True)
            display(HTML(self.results_table()))
        return record

    def _show_progress(self, record: dict, epochs: int, start: float) -> None:
        done = record["epochs_run"]
        self.progress.max, self.progress.value = epochs, done
        self.progress_text.value = (
            f"run {record['run']}: epoch {done} of {epochs}, {time.perf_counter() - start:.1f} s"
        )

    def _train(self, params: dict, record: dict, start: float) -> None:
        history: dict[str, list] = {}
        record["history"] = history
        epochs = params["epochs"]
        self._show_progress(record, epochs, start)
        with self.plot_area:
            clear_output(wait=True)
        step = self.start_run(params)
        for epoch in range(1, epochs + 1):
            self._say(
                f"run {record['run']}: running (epoch {epoch} of {epochs})",
                STATUS_COLORS["running"],
            )
            adapt()  # the thread policy looks at the machine before each epoch
            metrics = step()
            for key, value in metrics.items():
                history.setdefault(key, []).append(float(value))
            record["epochs_run"] = epoch
            self._show_progress(record, epochs, start)
            self._draw(history, record["run"])
            check_training(history, params.get("learning_rate"), self.n_classes)

    def _draw(self, history: dict, run: int) -> None:
        with self.plot_area:
            clear_output(wait=True)
            fig, (ax_loss, ax_acc) = plt.subplots(1, 2, figsize=(10, 3.2))
            plot_curves({f"run {run}": history}, metric="loss", ax=ax_loss, title="loss per epoch")
            plot_curves(
                {f"run {run}": history}, metric="accuracy", ax=ax_acc, title="accuracy per epoch"
            )
            fig.tight_layout()
            alt = describe_runs({f"run {run}": history})
            show(fig, alt)
            # JupyterLab and the widget manager drop the image's alt: say it in the panel too.
            display(HTML(f"<p class='workbook-sr-only'>{html.escape(alt)}</p>"))

    def show_results(self) -> None:
        """Draw every run's curves and the results table as plain outputs (visible in the
        static book too)."""
        runs = {f"run {r['run']}": r["history"] for r in self.results if r["history"]}
        if runs:
            fig, (ax_loss, ax_acc) = plt.subplots(1, 2, figsize=(10, 3.2))
            plot_curves(runs, metric="loss", ax=ax_loss, title="loss per epoch, every run")
            plot_curves(runs, metric="accuracy", ax=ax_acc, title="accuracy per epoch, every run")
            fig.tight_layout()
            show(fig, describe_runs(runs))
        display(HTML(self.results_table()))

    def results_table(self) -> str:
        """Return every run so far as an HTML table: the settings that ran, final accuracies,
        time, status."""
        names = list(self.controls)
        head = "".join(f"<th>{LIMITS[n][2]}</th>" for n in names)
        rows = []
        for r in self.results:
            h = r["history"]
            last = {k: (f"{v[-1]:.4f}" if v else "-") for k, v in h.items()}
            cells = []
            for n in names:
                value = r[n]
                if n == "learning_rate" and isinstance(value, (int, float)):
                    text = f"{value:.2e}"
                elif n == "epochs" and r["status"] not in ("ok", "invalid input"):
                    text = f"{r['epochs_run']} of {value}"
                else:
                    text = html.escape(str(value))
                cells.append(f"<td>{text}</td>")
            rows.append(
                f"<tr><td>{r['run']}</td>{''.join(cells)}<td>{last.get('train_accuracy', '-')}</td>"
                f"<td>{last.get('val_accuracy', '-')}</td><td>{r['seconds']:.1f}</td>"
                f"<td>{r['status']}</td></tr>"
            )
        return (
            f"<table><tr><th>run</th>{head}<th>train acc.</th><th>val. acc.</th><th>seconds</th>"
            f"<th>status</th></tr>{''.join(rows)}</table>"
        )
