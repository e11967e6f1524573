"""A drawing pad for your own digits or letters in JupyterLab (labs 06, 08)."""
from __future__ import annotations

from typing import Callable

import numpy as np


def drawing_pad(on_drawing: Callable[[np.ndarray], None], size: int = 280, pen_width: int = 22):
    """Return a widget: draw with the mouse, press Classify to call ``on_drawing(gray image)``.

    The image passed on is (size, size) in [0, 1] with 1 = white paper, ready for
    ``utils.handwriting.to_mnist``. Returns None (and says what to do instead) when
    ipycanvas is not installed.
    """
    try:
        import ipywidgets as widgets
        from ipycanvas import Canvas
    except ImportError:
        print("The drawing pad needs ipycanvas (`pip install ipycanvas`); use the folder route instead.")
        return None
    canvas = Canvas(width=size, height=size, sync_image_data=True,
                    layout=widgets.Layout(border="1px solid #888", width=f"{size}px", height=f"{size}px"))
    output = widgets.Output()
    state = {"drawing": False, "last": None}

    def clear(_=None):
        canvas.fill_style = "white"
        canvas.fill_rect(0, 0, size, size)
        canvas.stroke_style = "black"
        canvas.line_width = pen_width
        canvas.line_cap = "round"

    def down(x, y):
        state.update(drawing=True, last=(x, y))

    def move(x, y):
        if state["drawing"]:
            canvas.stroke_line(*state["last"], x, y)
            state["last"] = (x, y)

    def up(x, y):
        state["drawing"] = False

    def classify(_):
        with output:
            output.clear_output(wait=True)
            pixels = canvas.get_image_data()
            if pixels is None:
                print("Nothing drawn yet (or no live kernel): draw a digit first.")
                return
            on_drawing(np.asarray(pixels, dtype=np.float64)[..., :3].mean(axis=2) / 255.0)

    clear()
    canvas.on_mouse_down(down)
    canvas.on_mouse_move(move)
    canvas.on_mouse_up(up)
    classify_button = widgets.Button(description="Classify", button_style="primary")
    clear_button = widgets.Button(description="Clear")
    classify_button.on_click(classify)
    clear_button.on_click(clear)
    note = widgets.HTML("<i>Draw one digit with the mouse, then press Classify. (Needs a live "
                        "kernel in JupyterLab; in the static book use the folder route.)</i>")
    return widgets.VBox([note, widgets.HBox([canvas, widgets.VBox([classify_button, clear_button])]), output])
