"""The built book in headless Chromium with no network: whole, offline, formulas rendered.

Runs only when ``WORKBOOK_BOOK_HTML`` names a built site (``make booktest``
after ``make book``); skipped otherwise, with that reason.  Screenshots of
every page go to ``_build/screenshots/``.  On every page with an explorer
(utils/explorer.py), each slider moved must redraw the figure.
"""
from __future__ import annotations

import os
from pathlib import Path

import pytest
import yaml
from offline_browser import chromium, move_every_slider, open_page, serve

ROOT = Path(__file__).resolve().parents[1]
HTML = os.environ.get("WORKBOOK_BOOK_HTML")

EXPLORER_MARK = 'class="workbook-explorer"'
# Labs whose static page answers its sliders from a precomputed grid.
EXPLORER_LABS = ["labs/03_numpy_mlp", "labs/04_overfitting",
                 "labs/05_momentum", "labs/06_cnn"]

pytestmark = pytest.mark.skipif(not HTML, reason="set WORKBOOK_BOOK_HTML to a built book "
                                "(make booktest does, after make book)")


def toc_pages() -> list[str]:
    """Every document the toc lists, as a path without suffix."""
    toc = yaml.safe_load((ROOT / "book" / "_toc.yml").read_text())
    pages = [toc["root"]]
    for part in toc.get("parts", []):
        pages += [chapter["file"] for chapter in part["chapters"]]
    return pages


def explorer_pages() -> list[str]:
    """The toc pages of the built book that hold an explorer."""
    if not HTML:
        return []
    pages = []
    for page in toc_pages():
        built = Path(HTML) / f"{page}.html"
        text = built.read_text(errors="replace") if built.exists() else ""
        if EXPLORER_MARK in text:
            pages.append(page)
    return pages


@pytest.fixture(scope="module")
def site():
    """Serve the built book on 127.0.0.1; yield its base URL."""
    root = Path(HTML).resolve()
    assert (root / "index.html").exists(), f"{root} is not a built book"
    with serve(root) as base:
        yield base


@pytest.fixture(scope="module")
def browser():
    """Headless Debian Chromium driven by Playwright."""
    with chromium(missing=pytest.fail) as launched:
        yield launched


def test_one_page_per_toc_entry():
    missing = [page for page in toc_pages() if not (Path(HTML) / f"{page}.html").exists()]
    assert not missing, f"the build lacks pages for {missing}"


def test_no_build_machine_path_in_any_page():
    """Pages must not show where the book was built (home, cache, checkout, temp)."""
    import tempfile

    machine = {str(Path.home()) + "/", str(ROOT) + "/", tempfile.gettempdir() + "/"}
    if os.environ.get("WORKBOOK_DATA"):
        machine.add(os.environ["WORKBOOK_DATA"])
    leaks = {}
    for page in Path(HTML).rglob("*.html"):
        text = page.read_text(errors="replace")
        found = sorted(path for path in machine if path in text)
        if found:
            leaks[str(page.relative_to(HTML))] = found
    assert not leaks, f"build-machine paths in the pages: {leaks}"


@pytest.mark.parametrize("page", toc_pages())
def test_page_renders_offline(site, browser, page):
    tab, outside, errors = open_page(browser, site, f"{page}.html")
    tab.wait_for_timeout(1500)  # MathJax typesets after load
    shots = ROOT / "_build" / "screenshots"
    shots.mkdir(parents=True, exist_ok=True)
    tab.screenshot(path=str(shots / f"{page.replace('/', '_')}.png"), full_page=True)
    report = tab.evaluate("""() => {
        const article = document.querySelector('article') || document.body;
        const clone = article.cloneNode(true);
        clone.querySelectorAll('pre, code, mjx-container, script').forEach(e => e.remove());
        return {
            formulas: document.querySelectorAll('mjx-container').length,
            rawTex: (clone.innerText.match(/\\\\(frac|begin|partial|sum)\\b/g) || []).length,
            jsError: document.body.innerText.includes('javascript error'),
            pageWidth: document.documentElement.scrollWidth,
            viewWidth: document.documentElement.clientWidth,
            // code, outputs, tables and equations that scroll sideways
            clipped: Array.from(article.querySelectorAll(
                'pre, table, mjx-container[display="true"]'))
                .filter(e => e.scrollWidth > e.clientWidth + 1)
                .map(e => e.tagName + ' ' + e.scrollWidth + '>'
                     + e.clientWidth + ': '
                     + (e.innerText || '').trim().slice(0, 50)),
        };
    }""")
    tab.context.close()
    assert not outside, f"{page} asked the network for {outside[:5]}"
    assert not errors, f"{page} raised JavaScript errors: {errors[:3]}"
    assert not report["jsError"], f"{page} shows a widget 'javascript error'"
    assert report["rawTex"] == 0, f"{page} shows {report['rawTex']} raw LaTeX commands"
    assert report["pageWidth"] <= report["viewWidth"], f"{page} is wider than the window: {report}"
    assert not report["clipped"], f"{page}: wider than the column: {report['clipped'][:5]}"
    source = next((ROOT / page).parent.glob(f"{Path(page).name}.*"))
    if "$" in source.read_text():
        assert report["formulas"] > 0, f"{page} has formulas but MathJax rendered none"


def test_the_four_labs_have_explorers():
    pages = explorer_pages()
    missing = [page for page in EXPLORER_LABS if page not in pages]
    assert not missing, f"no explorer on {missing}"


@pytest.mark.parametrize("page", explorer_pages() or [pytest.param(
    None, marks=pytest.mark.skip(reason="no page has an explorer"))])
def test_explorer_sliders_redraw_offline(site, browser, page):
    """Each slider of each explorer changes the figure and the numbers."""
    tab, outside, errors = open_page(browser, site, f"{page}.html")
    count, problems = move_every_slider(tab)
    shots = ROOT / "_build" / "screenshots"
    shots.mkdir(parents=True, exist_ok=True)
    for i in range(count):
        name = f"{page.replace('/', '_')}_explorer{i + 1}.png"
        tab.locator(".workbook-explorer").nth(i).screenshot(
            path=str(shots / name))
    tab.context.close()
    assert count > 0, f"{page} has no explorer"
    assert not problems, f"{page}: {problems}"
    assert not outside, f"{page} asked the network for {outside[:5]}"
    assert not errors, f"{page} raised JavaScript errors: {errors[:3]}"


@pytest.mark.parametrize("page", ["labs/01_softmax_derivation",
                                  "labs/03_numpy_mlp"])
def test_pages_work_opened_as_files(browser, page):
    """Copied to a USB stick and opened as file://: formulas render and the
    explorer answers its sliders, with every outside request refused."""
    base = Path(HTML).resolve().as_uri()
    tab, outside, errors = open_page(browser, base, f"{page}.html")
    tab.wait_for_function(
        "() => document.querySelectorAll('mjx-container').length > 0",
        timeout=15_000)
    count, problems = move_every_slider(tab)
    tab.context.close()
    assert count == (page in EXPLORER_LABS), f"{page}: {count} explorers"
    assert not problems, f"{page} from file://: {problems}"
    assert not outside, f"{page} asked the network for {outside[:5]}"
    assert not errors, f"{page} raised JavaScript errors: {errors[:3]}"
