"""The built book in headless Chromium with no network: whole, offline, formulas rendered.

Runs only when ``WORKBOOK_BOOK_HTML`` names a built site (``make booktest``
after ``make book``); skipped otherwise, with that reason.  Screenshots of
every page go to ``_build/screenshots/``.
"""
from __future__ import annotations

import functools
import http.server
import os
import shutil
import threading
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
HTML = os.environ.get("WORKBOOK_BOOK_HTML")
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
FLAGS = ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
         "--disable-component-update", "--disable-sync"]

pytestmark = pytest.mark.skipif(not HTML, reason="set WORKBOOK_BOOK_HTML to a built book "
                                "(make booktest does, after make book)")


def toc_pages() -> list[str]:
    """Every document the toc lists, as a path without suffix."""
    toc = yaml.safe_load((ROOT / "book" / "_toc.yml").read_text())
    pages = [toc["root"]]
    for part in toc.get("parts", []):
        pages += [chapter["file"] for chapter in part["chapters"]]
    return pages


@pytest.fixture(scope="module")
def site():
    """Serve the built book on 127.0.0.1; yield its base URL."""
    root = Path(HTML).resolve()
    assert (root / "index.html").exists(), f"{root} is not a built book"
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(root))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


@pytest.fixture(scope="module")
def browser():
    """Headless Debian Chromium driven by Playwright."""
    playwright = pytest.importorskip("playwright.sync_api")
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: apt-get install chromium (.ci/run does).")
    with playwright.sync_playwright() as driver:
        chromium = driver.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        yield chromium
        chromium.close()


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
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    outside = []

    def only_local(route):
        if route.request.url.startswith(site):
            route.continue_()
        else:
            outside.append(route.request.url)
            route.abort()

    context.route("**/*", only_local)
    tab = context.new_page()
    errors = []
    tab.on("pageerror", lambda error: errors.append(str(error)))
    tab.goto(f"{site}/{page}.html", wait_until="load")
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
        };
    }""")
    context.close()
    assert not outside, f"{page} asked the network for {outside[:5]}"
    assert not errors, f"{page} raised JavaScript errors: {errors[:3]}"
    assert not report["jsError"], f"{page} shows a widget 'javascript error'"
    assert report["rawTex"] == 0, f"{page} shows {report['rawTex']} raw LaTeX commands"
    assert report["pageWidth"] <= report["viewWidth"], f"{page} is wider than the window: {report}"
    source = next((ROOT / page).parent.glob(f"{Path(page).name}.*"))
    if "$" in source.read_text():
        assert report["formulas"] > 0, f"{page} has formulas but MathJax rendered none"
