"""Sphinx extension: the book serves its own JavaScript, so it works with no network.

It also repairs the accessibility of markup written by the book's tools
(MARKUP_REPAIRS, applied to every built page; book/_static/workbook.js does
the same for what the widget manager draws in the browser).

MathJax, RequireJS and the ipywidgets HTML manager come from the npm packages
pinned in ``book/package.json`` (``npm ci --prefix book``); each custom
widget's AMD bundle (ipycanvas) comes from its installed Python package, so
its version is the one the kernel used.  Plotly.js, which draws the
explorers of utils/explorer.py, comes from the installed ``plotly`` package
that built their figures, and only pages with an explorer load it.
Everything lands in ``_static/vendor/`` and ``_config.yml`` points the
pages there.
"""

from __future__ import annotations

import importlib.util
import shutil
import sys
from pathlib import Path

BOOK = Path(__file__).resolve().parents[1]
NODE_MODULES = BOOK / "node_modules"
# (source under node_modules, destination under _static/vendor)
NPM_FILES = [
    ("requirejs/require.js", "require.js"),
    ("@jupyter-widgets/html-manager/dist/embed-amd.js", "embed-amd.js"),
    ("mathjax/es5/tex-chtml.js", "mathjax/tex-chtml.js"),
    ("mathjax/es5/output/chtml", "mathjax/output/chtml"),
    ("mathjax/es5/input/tex/extensions", "mathjax/input/tex/extensions"),
    ("mathjax/es5/a11y", "mathjax/a11y"),
    ("mathjax/es5/ui", "mathjax/ui"),
    ("mathjax/es5/sre", "mathjax/sre"),
]
# The widget manager's icon fonts (Font Awesome, under hashed names): its
# stylesheet asks for them next to the module that holds it, and
# REQUIRE_CONFIG places that module (libembed-amd) in _static/vendor/.
WIDGET_FONTS = (
    "@jupyter-widgets/html-manager/dist",
    ("*.woff2", "*.woff", "*.ttf", "*.eot", "*.svg"),
)
# AMD bundles of custom widgets, from the Python environment.
WIDGET_BUNDLES = {"ipycanvas": "share/jupyter/nbextensions/ipycanvas/index.js"}
# Plotly.js inside the plotly Python package, and the marker of an explorer.
PLOTLY_JS = ("plotly", "package_data/plotly.min.js")
EXPLORER_MARK = 'class="workbook-explorer"'
# Maps each widget module to its local bundle, relative to this script.
# The widget manager's modules are defined inside embed-amd.js; their paths
# only set the address the manager derives its fonts' URLs from (else
# <page's folder>/@jupyter-widgets/html-manager/dist/, where nothing is).
# The widget manager typesets with MathJax 2's ``MathJax.Hub.Queue``; the book
# loads MathJax 3 (deferred, so it is there by DOMContentLoaded): map the call.
REQUIRE_CONFIG = """(function () {
  var base = document.currentScript.src.replace(/[^/]*$/, "");
  window.requirejs.config({paths: {
    "@jupyter-widgets/html-manager": base + "embed-amd",
    "@jupyter-widgets/html-manager/dist": base.replace(/[/]$/, ""),
    %s}});
  window.addEventListener("DOMContentLoaded", function () {
    var mathjax = window.MathJax;
    if (mathjax && !mathjax.Hub) {
      mathjax.Hub = {Queue: function (job) {
        if (mathjax.typesetPromise) { mathjax.typesetPromise([job[2]]); }
      }};
    }
  });
})();
"""

# Accessibility repairs of markup the book's tools write (tests/
# test_book_browser.py audits every page with axe-core): (what, old, new).
# Each old text must occur in the pages that need it; a tool's upgrade that
# changes it makes the audit fail, not this silently stop.
MARKUP_REPAIRS = (
    # MyST-NB's "Show code cell source" toggles are named "Toggle hidden
    # content", which is not what they show (WCAG 2.5.3): their name comes
    # from their visible text instead.
    ("hidden cells' toggles", '<summary aria-label="Toggle hidden content">', "<summary>"),
    # The theme's search field reads "Search Ctrl+K" but is named "Search":
    # named by its text instead ("Search" stays its tooltip).
    (
        "search field",
        (
            'search-button-field search-button__button pst-js-only" '
            'title="Search" aria-label="Search"'
        ),
        ('search-button-field search-button__button pst-js-only" title="Search"'),
    ),
    # The colour-mode button is named "Color mode" but its icons carry the
    # titles "Light", "Dark", "System Settings": the icons are decoration.
    (
        "colour-mode icons",
        'data-mode="light" title="Light"',
        'data-mode="light" aria-hidden="true"',
    ),
    ("colour-mode icons", 'data-mode="dark"  title="Dark"', 'data-mode="dark" aria-hidden="true"'),
    (
        "colour-mode icons",
        'data-mode="auto"  title="System Settings"',
        'data-mode="auto" aria-hidden="true"',
    ),
    # Docutils marks bibliography entries with DPUB-ARIA's deprecated role
    # doc-biblioentry inside a role="list": list items, as ARIA requires.
    ("bibliography entries", 'role="doc-biblioentry"', 'role="listitem"'),
)


class MissingAsset(RuntimeError):
    """A file the offline book needs is not installed."""


def _copy(source: Path, target: Path) -> None:
    if not source.exists():
        raise MissingAsset(
            f"{source} is missing: run `npm ci --prefix book` (make book does) "
            "and `pip install -e .` before building the book."
        )
    target.parent.mkdir(parents=True, exist_ok=True)
    if source.is_dir():
        shutil.copytree(source, target, dirs_exist_ok=True)
    else:
        shutil.copy2(source, target)


def plotly_js() -> Path:
    """The plotly.min.js of the installed plotly package (not imported)."""
    package, relative = PLOTLY_JS
    spec = importlib.util.find_spec(package)
    if spec is None or not spec.submodule_search_locations:
        raise MissingAsset(
            "The plotly package is missing: the explorers need it. Run "
            "`pip install -e '.[dev]'` (make setup does)."
        )
    return Path(list(spec.submodule_search_locations)[0]) / relative


def copy_assets(app, exception):
    """Copy the pinned JavaScript into the built site's _static/vendor."""
    if exception is not None or app.builder.format != "html":
        return
    vendor = Path(app.outdir) / "_static" / "vendor"
    if any(
        EXPLORER_MARK in page.read_text(errors="replace")
        for page in Path(app.outdir).rglob("*.html")
    ):
        _copy(plotly_js(), vendor / "plotly.min.js")
    for source, target in NPM_FILES:
        _copy(NODE_MODULES / source, vendor / target)
    folder, patterns = WIDGET_FONTS
    fonts = [font for pattern in patterns for font in (NODE_MODULES / folder).glob(pattern)]
    if not fonts:
        raise MissingAsset(
            f"no fonts in {NODE_MODULES / folder}: run `npm ci --prefix book` (make book does)."
        )
    for font in fonts:
        _copy(font, vendor / font.name)
    paths = []
    for module, relative in WIDGET_BUNDLES.items():
        _copy(Path(sys.prefix) / relative, vendor / module / "index.js")
        paths.append(f'"{module}": base + "{module}/index"')
    (vendor / "widgets-config.js").write_text(REQUIRE_CONFIG % ", ".join(paths))


def repair_markup(text: str) -> str:
    """``text`` (a page) with MARKUP_REPAIRS applied."""
    for _what, old, new in MARKUP_REPAIRS:
        text = text.replace(old, new)
    return text


def repair_pages(app, exception):
    """Apply MARKUP_REPAIRS to every page of the built site."""
    if exception is not None or app.builder.format != "html":
        return
    for page in Path(app.outdir).rglob("*.html"):
        text = page.read_text(encoding="utf-8")
        repaired = repair_markup(text)
        if repaired != text:
            page.write_text(repaired, encoding="utf-8")


def drop_duplicate_scripts(app, pagename, templatename, context, doctree):
    """Keep one copy of each script: sphinx-thebe registers its inline one twice.

    Twice declared, its ``const`` raises a JavaScript error on every page.
    """
    scripts = context.get("script_files", [])
    unique = {}
    for script in scripts:  # the two copies differ only in filename None / ""
        key = (script.filename or "", tuple(sorted(script.attributes.items())))
        unique.setdefault(key, script)
    scripts[:] = unique.values()


def load_plotly(app, pagename, templatename, context, doctree):
    """Load Plotly.js (deferred) on the pages that show an explorer."""
    if EXPLORER_MARK in context.get("body", ""):
        app.add_js_file("vendor/plotly.min.js", defer="defer")


def setup(app):
    """Copy the assets at the end of every HTML build; one copy of each script per page."""
    app.connect("html-page-context", load_plotly)
    app.connect("html-page-context", drop_duplicate_scripts, priority=900)
    app.connect("build-finished", copy_assets)
    app.connect("build-finished", repair_pages)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
