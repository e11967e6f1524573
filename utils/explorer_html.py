"""The static explorer: ``run_grid``'s results as one HTML block, no kernel.

``explorer_html(results, ...)`` renders one Plotly figure, one slider per
parameter, a line of final numbers and which sizes the grid used.  Moving a
slider redraws the curves (Plotly.js, shipped with the book by
book/_ext/offline_assets.py) from the precomputed results of that
combination.  Its handler and style are ``static/explorer.js`` and
``static/explorer.css``, inlined in every block, so that the block works
offline wherever it is shown (the book's page, a notebook's output).
"""

from __future__ import annotations

import hashlib
import html
import json
import math
from collections.abc import Mapping, Sequence
from pathlib import Path

from .explorer_grid import jsonable
from .training_checks import LIMITS

# The two figures of the labs' panels: loss and accuracy per epoch.
CURVE_PANELS = (
    {
        "title": "loss per epoch",
        "ylabel": "mean cross-entropy",
        "y": {"train_loss": "training", "val_loss": "validation"},
    },
    {
        "title": "accuracy per epoch",
        "ylabel": "accuracy",
        "y": {"train_accuracy": "training", "val_accuracy": "validation"},
    },
)
# The numbers line under them: (metric, label, format) of the final values.
CURVE_NUMBERS = (
    ("val_accuracy", "validation accuracy", "{:.4f}"),
    ("train_accuracy", "training accuracy", "{:.4f}"),
    ("train_loss", "training loss", "{:.3f}"),
)
# Line styles in the order of a panel's metrics (training, validation, ...).
# Colour-blind safe (Okabe and Ito's palette, each at least 3:1 against the
# white background), and each curve has its own dash and marker too, so
# that no reader needs the colours to tell the curves apart.
CURVE_STYLES = (
    {"color": "#0072B2", "dash": "solid", "symbol": "circle"},
    {"color": "#D55E00", "dash": "dash", "symbol": "square"},
    {"color": "#009E73", "dash": "dot", "symbol": "diamond"},
    {"color": "#CC79A7", "dash": "dashdot", "symbol": "triangle-up"},
)
# Text colours (WCAG AA: at least 4.5:1 on white).
MUTED = "#595959"  # 7.0:1: the values and the note
WARNING = "#9c4a00"  # 6.2:1: the numbers of a run that was stopped
HEIGHT = 340  # pixels of the figure
PLOTLY_CONFIG = {
    "responsive": True,
    "displaylogo": False,
    "modeBarButtonsToRemove": ["select2d", "lasso2d"],
}
STATIC = Path(__file__).parent / "static"
# The slider handler, and the focus and print style (with the focus colour).
SCRIPT = (STATIC / "explorer.js").read_text(encoding="utf-8")
STYLE = (STATIC / "explorer.css").read_text(encoding="utf-8")


def format_value(value) -> str:
    """A parameter value as a slider shows it: 2,000 / 0.5 / 1e-05."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return str(value)
    if isinstance(value, int):
        return f"{value:,}"
    return f"{value:g}"


def _label(name: str, labels: Mapping | None) -> str:
    if labels and name in labels:
        return labels[name]
    return LIMITS[name][2] if name in LIMITS else name.replace("_", " ")


def _default_numbers(run: dict) -> str:
    """The panels' final numbers if the run has them, else every one."""
    known = [
        (label, fmt.format(run["final"][metric]))
        for metric, label, fmt in CURVE_NUMBERS
        if run["final"].get(metric) is not None
    ]
    if not known:
        known = [
            (name.replace("_", " "), f"{value:.4g}")
            for name, value in run["final"].items()
            if value is not None
        ]
    return ", ".join(f"{label} {text}" for label, text in known)


def numbers_line(run: dict, numbers=None, labels=None) -> str:
    """The line under the figure for one run: its settings, numbers, time.

    ``numbers`` is a list of (metric, label, format), e.g.
    ``("val_accuracy", "validation accuracy", "{:.4f}")``, or a function of
    the run that returns the text; by default ``CURVE_NUMBERS``.
    """
    settings = ", ".join(
        f"{_label(name, labels)} {format_value(value)}" for name, value in run["params"].items()
    )
    if callable(numbers):
        text = numbers(run)
    elif numbers:
        text = ", ".join(
            f"{label} {fmt.format(run['final'][metric])}"
            if run["final"].get(metric) is not None
            else f"{label} -"
            for metric, label, fmt in numbers
        )
    else:
        text = _default_numbers(run)
    line = f"{settings}: {text}"
    if run["seconds"] >= 0.05:  # runs trained here (not reused ones)
        line += f" ({run['seconds']:.1f} s)"
    if run["status"] != "ok":
        line += f". Stopped, {run['status']}: {run['message']}"
    return line


def _axis_range(values, log, given, pad=0.04):
    """A fixed axis range over every run, so that curves compare by eye."""
    if given is not None:
        low, high = given
        return [math.log10(low), math.log10(high)] if log else [low, high]
    finite = [v for v in values if v is not None and (v > 0 if log else True)]
    if not finite:
        return None
    low, high = min(finite), max(finite)
    if log:
        low, high = math.log10(low), math.log10(high)
    margin = (high - low) * pad or 0.05 * (abs(high) or 1.0)
    return [low - margin, high + margin]


def _short(value, digits=4):
    """``value`` to ``digits`` significant digits: a page need not carry 17."""
    return None if value is None else float(f"{value:.{digits}g}")


def _metrics(panel) -> dict:
    y = panel["y"]
    return dict(y) if isinstance(y, Mapping) else {m: m.replace("_", " ") for m in y}


def _x_values(panel, history, n):
    if panel.get("x"):
        return [_short(v) if isinstance(v, float) else v for v in history.get(panel["x"], [])[:n]]
    return list(range(1, n + 1))


def _figure(results, panels, height):
    """Layout (axes fixed over all runs), each run's traces, static ones.

    The axes span the runs that finished ("ok"), so that one diverged run
    does not squash every other curve; its own curve leaves the frame.
    """
    from plotly import graph_objects as go
    from plotly.subplots import make_subplots

    fig = make_subplots(
        rows=1,
        cols=len(panels),
        subplot_titles=[p.get("title", "") for p in panels],
        horizontal_spacing=0.14 if len(panels) > 1 else 0.02,
    )
    fig.update_layout(
        template="plotly_white",
        height=height,
        margin={"l": 55, "r": 15, "t": 35, "b": 40},
        legend={"orientation": "h", "x": 0, "y": -0.18},
        font={"size": 12},
    )
    traces = {run["key"]: [] for run in results["runs"]}
    static = []
    finished = {run["key"] for run in results["runs"] if run["status"] == "ok"}
    for col, panel in enumerate(panels, start=1):
        axes = {"xaxis": "x" if col == 1 else f"x{col}", "yaxis": "y" if col == 1 else f"y{col}"}
        metrics, ys, xs = _metrics(panel), [], []
        for run in results["runs"]:
            for i, (metric, label) in enumerate(metrics.items()):
                y = run["history"].get(metric)
                if not y:
                    continue
                x = _x_values(panel, run["history"], len(y))
                y = [_short(v) for v in y]
                if run["key"] in finished or not finished:
                    ys += y
                    xs += x
                style = CURVE_STYLES[i % len(CURVE_STYLES)]
                traces[run["key"]].append(
                    go.Scatter(
                        x=x,
                        y=y,
                        name=label,
                        legendgroup=label,
                        showlegend=col == 1 or label not in _legend_labels(panels[: col - 1]),
                        mode="lines+markers",
                        marker={"size": 6, "symbol": style["symbol"]},
                        line={"color": style["color"], "dash": style["dash"]},
                        **axes,
                    ).to_plotly_json()
                )
        for trace in panel.get("background", ()):
            static.append(go.Figure(data=[{**jsonable(trace), **axes}]).data[0].to_plotly_json())
        log = bool(panel.get("log_y"))
        fig.update_yaxes(
            title_text=panel.get("ylabel", ""),
            row=1,
            col=col,
            type="log" if log else "linear",
            exponentformat="power",
            range=_axis_range(ys, log, panel.get("range")),
        )
        epochs = not panel.get("x") and xs and max(xs) <= 15
        fig.update_xaxes(
            title_text=panel.get("xlabel", "epoch"),
            row=1,
            col=col,
            dtick=1 if epochs else None,
            range=_axis_range(xs, False, panel.get("x_range")),
        )
    return fig.to_plotly_json()["layout"], traces, static


def _legend_labels(panels) -> set:
    return {label for panel in panels for label in _metrics(panel).values()}


def explorer_html(
    results: dict,
    *,
    title: str,
    sizes: str,
    panels: Sequence[Mapping] = CURVE_PANELS,
    numbers=None,
    labels: Mapping | None = None,
    start: Mapping | None = None,
    height: int = HEIGHT,
) -> str:
    """The static explorer of ``results`` (``run_grid``'s) as one HTML block.

    ``panels``: the figure's side-by-side plots, each a dict with ``y`` (the
    metrics, or {metric: legend label}), ``title``, ``xlabel``, ``ylabel``,
    optionally ``x`` (a history key instead of the epoch), ``log_y``,
    ``range`` and ``x_range`` (fixed axes; by default they span every run)
    and ``background`` (plain Plotly trace dicts drawn under every run).
    ``sizes`` says what one run of the grid trained on.  ``numbers``: see
    ``numbers_line``.  ``labels`` names the parameters (default: the panel's
    names).  ``start`` gives the combination shown first (default: the
    middle value of each parameter).  Needs ``window.Plotly``: the book loads
    ``_static/vendor/plotly.min.js`` on every page with an explorer.
    """
    grid = results["params"]
    layout, traces, static = _figure(results, panels, height)
    params = [
        {"name": name, "label": _label(name, labels), "text": [format_value(v) for v in values]}
        for name, values in grid.items()
    ]
    runs = {
        run["key"]: {
            "traces": traces[run["key"]],
            "numbers": numbers_line(run, numbers, labels),
            "ok": run["status"] == "ok",
        }
        for run in results["runs"]
    }
    payload = {
        "params": params,
        "runs": runs,
        "static": static,
        "layout": layout,
        "config": PLOTLY_CONFIG,
    }
    data = json.dumps(payload, allow_nan=False, separators=(",", ":"))
    data = data.replace("</", "<\\/").replace("<!--", "<\\!--")
    uid = "workbook-explorer-" + hashlib.sha1(data.encode()).hexdigest()[:10]
    start = dict(start or {})
    sliders = []
    for name, values in grid.items():
        position = (len(values) - 1) // 2
        if name in start:
            if jsonable(start[name]) not in values:
                raise ValueError(
                    f"start[{name!r}] = {start[name]!r} is not one of the grid's values {values}."
                )
            position = values.index(jsonable(start[name]))
        label = html.escape(_label(name, labels))
        sliders.append(
            '<label style="display:flex;flex-wrap:wrap;align-items:center;'
            'gap:0.2em 0.8em;margin:0.1em 0">'
            f'<span style="min-width:10em">{label}</span>'
            f'<input type="range" class="explorer-slider" '
            f'data-param="{html.escape(name)}" min="0" '
            f'max="{len(values) - 1}" step="1" value="{position}" '
            f'aria-label="{label}" '
            f'aria-valuetext="{html.escape(format_value(values[position]))}"'
            ' style="width:14em;max-width:60%">'
            '<output class="explorer-value" style="font-weight:bold">'
            f"{html.escape(format_value(values[position]))}</output>"
            f'<span style="color:{MUTED};font-size:0.85em">('
            f"{html.escape(' · '.join(format_value(v) for v in values))})"
            "</span></label>"
        )
    n_runs = len(results["runs"])
    shape = " x ".join(str(len(v)) for v in grid.values())
    spent = f", {results['seconds']:.0f} s in all" if results["seconds"] >= 0.5 else ""
    note = (
        f"Precomputed when the book was built ({results['profile']} "
        f"profile): {n_runs} trainings ({shape} values), {sizes}"
        f"{spent}. Move a slider to see another run; in JupyterLab "
        "this cell shows a live panel instead."
    )
    return (
        f'<div class="workbook-explorer" id="{uid}" '
        'style="margin:0.5em 0 1em;max-width:100%">'
        f'<p style="margin:0 0 0.3em"><strong>{html.escape(title)}</strong>'
        "</p>" + "".join(sliders) + f'<div class="explorer-figure" role="group" '
        f'aria-label="{html.escape(title)}: figure" '
        f'style="width:100%;height:{height}px">'
        "This explorer needs JavaScript (Plotly.js).</div>"
        '<p class="explorer-numbers" aria-live="polite" '
        'style="margin:0.3em 0"></p>'
        '<p class="explorer-note" style="margin:0;font-size:0.85em;'
        f'color:{MUTED}">{html.escape(note)}</p>'
        f"<style>{STYLE}</style>"
        f'<script type="application/json" class="explorer-data">{data}'
        "</script>"
        "<script>" + SCRIPT.replace("@ID@", uid).replace("@WARNING@", WARNING) + "</script></div>"
    )
