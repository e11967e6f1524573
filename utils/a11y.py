"""What makes a panel usable without a mouse or without sight (``utils.widgets``,
``utils.drawpad``).

Colours that meet WCAG AA on white, a visible focus outline (``PANEL_CSS``;
a panel's outer widget gets the class ``workbook-a11y``), and
``a11y_script()``: the script of ``static/slider_names.js``, which gives
each slider handle the name and value a screen reader announces.
"""

from __future__ import annotations

from pathlib import Path

import ipywidgets as widgets

# Primary buttons (Train, Classify): white on this blue is 7.1:1 (white on ipywidgets'
# "primary" #2196f3 is 3.1:1).
BUTTON_COLOR, BUTTON_TEXT = "#005a9c", "white"
FOCUS_COLOR = "#1a1a1a"  # the focus outline: 17:1 on white

# The status colours of utils.widgets' panel, each at least 4.5:1 on white (WCAG AA text;
# tests/test_widgets.py computes it).
STATUS_COLORS = {
    "ok": "green",
    "running": "#555",
    "diverged": "#a04000",
    "not learning": "#a04000",
    "warning": "#a04000",
    "refused": "crimson",
}

# A visible focus outline on every control of a panel (ipywidgets' own is a 1 px light-blue
# line, 2.2:1), and a class for text only a screen reader reads.
PANEL_CSS = f"""<style>
.workbook-a11y .noUi-handle:focus-visible, .workbook-a11y button:focus-visible,
.workbook-a11y input:focus-visible, .workbook-a11y .lm-TabBar-tab:focus-visible {{
  outline: 3px solid {FOCUS_COLOR} !important; outline-offset: 2px; }}
.workbook-sr-only {{ position: absolute; width: 1px; height: 1px; padding: 0; margin: -1px;
  overflow: hidden; clip: rect(0, 0, 0, 0); white-space: nowrap; border: 0; }}
</style>"""

# Names the sliders, keeps JupyterLab's shortcuts off our widgets and gives a disabled
# button its focus back: see the file's own comment.
SLIDER_NAMES_JS = (Path(__file__).parent / "static" / "slider_names.js").read_text(encoding="utf-8")


def a11y_script() -> widgets.Output:
    """An Output holding SLIDER_NAMES_JS, to put inside a panel (it takes no room)."""
    out = widgets.Output(layout=widgets.Layout(height="0px", overflow="hidden"))
    out.outputs = (
        {
            "output_type": "display_data",
            "metadata": {},
            "data": {"application/javascript": SLIDER_NAMES_JS, "text/plain": ""},
        },
    )
    return out
