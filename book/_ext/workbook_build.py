"""Sphinx extension of the book build: one execution cache per profile and utils/ version.

Jupyter-cache keys a notebook on its code cells only, so a change in
``utils/`` (or a switch of ``WORKBOOK_PROFILE``) would reuse stale outputs.
This extension points MyST-NB's cache at a folder named after the profile and
a hash of every file under ``utils/``: a text-only edit reuses the cache, a
code change re-executes.  It also turns off progress bars for the kernels
and sets ``WORKBOOK_BOOK=1`` for them: a lab's explorer cell runs its grid of
trainings for the static page only there (``utils.config.book_build``).

It also gives every figure its description: ``utils.plots.show`` stores the
alt text in the image output's metadata, which MyST-NB reads only for width
and height; ``render_image`` here copies ``alt`` onto the image node.
"""

from __future__ import annotations

import hashlib
import os
import shutil
from pathlib import Path

from myst_nb.core.render import NbElementRenderer

ROOT = Path(__file__).resolve().parents[2]


def utils_fingerprint() -> str:
    """Return a short hash of the paths and bytes of every file under utils/."""
    digest = hashlib.sha256()
    for path in sorted((ROOT / "utils").rglob("*")):
        if path.is_file() and "__pycache__" not in path.parts:
            digest.update(path.relative_to(ROOT).as_posix().encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


def choose_cache(app, config):
    """Set nb_execution_cache_path to _build/.jupyter_cache/<profile>-<hash>."""
    os.environ.setdefault("TQDM_DISABLE", "1")  # progress bars are for JupyterLab
    # The kernels run the explorers' grids (utils.config.book_build()).
    os.environ["WORKBOOK_BOOK"] = "1"
    profile = os.environ.get("WORKBOOK_PROFILE", "full").strip().lower() or "full"
    caches = Path(app.outdir).resolve().parent / ".jupyter_cache"
    current = caches / f"{profile}-{utils_fingerprint()}"
    for stale in caches.glob(f"{profile}-*"):
        if stale != current:
            shutil.rmtree(stale)
    config.nb_execution_cache_path = str(current)
    print(f"workbook: execution cache .jupyter_cache/{current.name}")


_render_image = NbElementRenderer.render_image


def render_image(self, data):
    """MyST-NB's image node, with the alt text the output's metadata holds."""
    nodes = _render_image(self, data)
    alt = data.output_metadata.get(data.mime_type, {}).get("alt")
    if alt:
        nodes[0]["alt"] = str(alt)
    return nodes


def setup(app):
    """Register the cache choice before MyST-NB reads its configuration."""
    app.connect("config-inited", choose_cache)
    NbElementRenderer.render_image = render_image
    return {"parallel_read_safe": True, "parallel_write_safe": True}
