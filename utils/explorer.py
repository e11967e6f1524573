"""Explorers: a lab's slider panel that still answers in the static book.

In JupyterLab a lab's panel trains live, with a kernel.  The published book
has none, so for the same cell the book build (and only the book build, see
``utils.config.book_build``) trains a small grid of real runs
(``utils.explorer_grid.run_grid``), and the page shows them with one HTML
slider per parameter (``utils.explorer_html.explorer_html``): moving a slider
redraws the curves and a line of final numbers, from the precomputed results
of that combination.

``show_explorer(panel, train, grid, ...)`` is the one call a lab's cell
makes: a single output whose mimebundle holds the live panel's widget view
and, in the book build, the explorer as ``text/html``.  JupyterLab shows the
widget; the book's ``_config.yml`` makes the HTML builder prefer
``text/html`` (``nb_mime_priority_overrides``).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

from .config import book_build
from .explorer_grid import run_grid
from .explorer_html import CURVE_PANELS, explorer_html


def show_explorer(
    panel,
    train: Callable[[dict], object],
    grid: Mapping[str, Sequence],
    *,
    title: str,
    sizes: str,
    fixed: Mapping | None = None,
    epochs: int | None = None,
    panels: Sequence[Mapping] = CURVE_PANELS,
    numbers=None,
    labels: Mapping | None = None,
    start: Mapping | None = None,
    n_classes: int = 10,
) -> None:
    """Show the live ``panel`` in JupyterLab and the explorer in the book.

    ``panel`` is a ``TrainingPanel``, any ipywidget, or None.  One output
    holds the widget's view and, only in the book build
    (``utils.config.book_build()``), ``text/html``: the explorer of
    ``run_grid(train, grid, fixed=fixed, epochs=epochs)``.  In JupyterLab
    nothing is trained here.  ``sizes`` says what one run of the grid
    trained on (e.g. "2,000 training images, 5 epochs, seed 0"); the other
    arguments are those of ``run_grid`` and ``explorer_html``.
    """
    from IPython.display import display

    widget = getattr(panel, "widget", panel)
    bundle = {}
    if widget is not None:
        view = getattr(widget, "_repr_mimebundle_", None)
        bundle.update((view() if view else None) or {})
    bundle["text/plain"] = f"{title}: a live panel (it needs a running kernel, as in JupyterLab)."
    if book_build():
        results = run_grid(train, grid, fixed=fixed, epochs=epochs, n_classes=n_classes, desc=title)
        bundle["text/html"] = explorer_html(
            results,
            title=title,
            sizes=sizes,
            panels=panels,
            numbers=numbers,
            labels=labels,
            start=start,
        )
    display(bundle, raw=True)
