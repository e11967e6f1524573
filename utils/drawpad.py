"""Your own digits or letters for labs 06 and 08: a drawing pad, an uploaded image or a file path.

The pad is ipycanvas, a custom widget that some front ends (Colab, some
JupyterHubs, the static book) cannot draw or do not send mouse events to.  So
the same widget also takes an uploaded image (ipywidgets' FileUpload) or the
path of an image file, and says to use those when the pad stays blank.
Outside a live kernel, ``classify_file(path, on_drawing)`` does the same in code.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from pathlib import Path

import numpy as np

FALLBACK_HINT = (
    "If the white box does not appear or does not react to the mouse (Colab, some "
    "JupyterHubs), use <b>Upload</b> (a photo or scan of one dark character on light "
    "paper) or <b>File path</b> (an image file the kernel can read)."
)


def load_gray(source) -> np.ndarray:
    """Return an image (path, bytes or file-like) as a float array in [0, 1], 1 = white paper.

    Transparent pixels count as white paper, so a drawing exported with a
    transparent background works.
    """
    from PIL import Image

    from .images import to_grayscale

    if isinstance(source, (bytes, bytearray, memoryview)):
        source = io.BytesIO(bytes(source))
    if isinstance(source, (str, Path)):
        path = Path(source).expanduser()
        if not path.is_file():
            raise FileNotFoundError(f"no image file {path}: give the path of a .png or .jpg file.")
        source = path
    try:
        with Image.open(source) as image:
            image.load()
            return to_grayscale(image)
    except OSError as err:  # PIL.UnidentifiedImageError is an OSError
        raise ValueError(f"not an image PIL can read ({err}).") from err


def classify_file(source, on_drawing: Callable[[np.ndarray], None]) -> None:
    """Load an image file (or its bytes) and pass it to ``on_drawing`` like a drawing."""
    on_drawing(load_gray(source))


def _upload_contents(upload) -> list[tuple[str, bytes]]:
    """(name, bytes) of every file in an ipywidgets FileUpload (version 8 or 7 layout)."""
    value = upload.value
    items = value.values() if isinstance(value, dict) else value
    files = []
    for item in items:
        name = item.get("name") or item.get("metadata", {}).get("name", "upload")
        files.append((name, bytes(item["content"])))
    return files


def _canvas(size: int, pen_width: int, widgets, output, on_drawing):
    """The ipycanvas pad with Classify and Clear."""
    from ipycanvas import Canvas

    from .a11y import BUTTON_COLOR, BUTTON_TEXT, PANEL_CSS

    # No tooltip on the canvas: ipycanvas's model has no description, and the
    # widget manager's tooltip code fails on it (the pad's note says the same).
    canvas = Canvas(
        width=size,
        height=size,
        sync_image_data=True,
        layout=widgets.Layout(border="1px solid #888", width=f"{size}px", height=f"{size}px"),
    )
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
                print(
                    "Nothing drawn yet (or the pad cannot render here): draw a character first, "
                    "or use the Upload or File path tab."
                )
                return
            gray = np.asarray(pixels, dtype=np.float64)[..., :3].mean(axis=2) / 255.0
            _call(on_drawing, gray)

    clear()
    canvas.on_mouse_down(down)
    canvas.on_mouse_move(move)
    canvas.on_mouse_up(up)
    primary = {"button_color": BUTTON_COLOR, "text_color": BUTTON_TEXT}  # 7.1:1, WCAG AA
    classify_button = widgets.Button(
        description="Classify", style=primary, tooltip="Classify the character drawn on the pad"
    )
    clear_button = widgets.Button(description="Clear", tooltip="Clear the drawing pad")
    classify_button.on_click(classify)
    clear_button.on_click(clear)
    note = widgets.HTML(
        f"{PANEL_CSS}<i>Draw one character with the mouse, then press Classify. "
        "Without a mouse, use the Upload or File path tab.</i>"
    )
    return widgets.VBox(
        [note, widgets.HBox([canvas, widgets.VBox([classify_button, clear_button])])]
    )


def _call(on_drawing, source) -> None:
    """Run ``on_drawing`` on a gray image or an image source, printing a readable error."""
    try:
        on_drawing(source if isinstance(source, np.ndarray) else load_gray(source))
    except (OSError, ValueError) as err:
        print(f"Could not use this image: {err}")


def drawing_pad(on_drawing: Callable[[np.ndarray], None], size: int = 280, pen_width: int = 22):
    """Return a widget with three ways in: Draw (ipycanvas), Upload (FileUpload), File path.

    Each calls ``on_drawing(gray)`` with a 2-D float image in [0, 1], 1 = white
    paper, ready for ``utils.handwriting.to_mnist``.
    """
    import ipywidgets as widgets

    output = widgets.Output()
    pad = _canvas(size, pen_width, widgets, output, on_drawing)

    upload = widgets.FileUpload(accept="image/*", multiple=False, description="Upload image")

    def uploaded(_change):
        files = _upload_contents(upload)
        if not files:
            return
        with output:
            output.clear_output(wait=True)
            name, content = files[-1]
            print(f"uploaded {name}")
            _call(on_drawing, content)

    upload.observe(uploaded, names="value")
    path_box = widgets.Text(
        placeholder="e.g. ~/my_digit.png",
        description="image file",
        layout=widgets.Layout(width="420px"),
    )
    from .a11y import BUTTON_COLOR, BUTTON_TEXT

    path_button = widgets.Button(
        description="Classify file",
        tooltip="Classify the image file named above",
        style={"button_color": BUTTON_COLOR, "text_color": BUTTON_TEXT},
    )

    def from_path(_):
        with output:
            output.clear_output(wait=True)
            _call(on_drawing, path_box.value.strip())

    path_button.on_click(from_path)
    tabs = widgets.Tab(
        children=[pad, widgets.VBox([upload]), widgets.VBox([path_box, path_button])]
    )
    for i, name in enumerate(["Draw", "Upload", "File path"]):
        tabs.set_title(i, name)
    widget = widgets.VBox([widgets.HTML(f"<i>{FALLBACK_HINT}</i>"), tabs, output])
    from .a11y import a11y_script

    widget.children += (a11y_script(),)  # keeps JupyterLab's arrow-key shortcuts off the tabs
    widget.add_class("workbook-a11y")  # the focus outline of PANEL_CSS
    widget.upload, widget.path_box, widget.path_button, widget.output = (
        upload,
        path_box,
        path_button,
        output,
    )
    return widget
