"""Browser helpers shared by test_explorer.py and test_book_browser.py.

A site served on 127.0.0.1, Debian's headless Chromium driven by Playwright,
a page that loads nothing from anywhere else, and the check of
utils/explorer.py's explorers: each slider moved must change the figure's
data and the numbers line.
"""

from __future__ import annotations

import contextlib
import functools
import http.server
import shutil
import threading
from pathlib import Path

import pytest

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

# What an explorer shows now: its traces' data, numbers line, slider values.
STATE = """(root) => {
  const plot = root.querySelector('.explorer-figure');
  return {
    data: JSON.stringify((plot.data || []).map(t => [t.x, t.y])),
    traces: (plot.data || []).length,
    numbers: root.querySelector('.explorer-numbers').textContent,
    values: Array.from(root.querySelectorAll('.explorer-value'),
                       v => v.textContent),
  };
}"""
DRAWN = """(root) => !!root.querySelector('.explorer-figure .main-svg')"""


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):  # no line per request in the test output
        pass


@contextlib.contextmanager
def serve(directory: Path):
    """Serve ``directory`` on 127.0.0.1; yield its base URL."""
    handler = functools.partial(_QuietHandler, directory=str(directory))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


@contextlib.contextmanager
def chromium(missing=pytest.skip):
    """Headless Debian Chromium; ``missing(reason)`` when it is not there."""
    playwright = pytest.importorskip("playwright.sync_api")
    if not Path(CHROMIUM).exists():
        missing(f"{CHROMIUM} is missing: apt-get install chromium (.ci/run does).")
    with playwright.sync_playwright() as driver:
        browser = driver.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        try:
            yield browser
        finally:
            browser.close()


def open_page(
    browser, base: str, path: str, failed: list | None = None, viewport: dict | None = None
):
    """Open ``base/path`` refusing every request outside ``base``.

    Returns (tab, outside, errors): the refused URLs and the JavaScript
    errors are collected as the page runs.  ``failed``, if given, collects
    every request inside ``base`` that failed or was answered 4xx/5xx
    ("404 http://.../x.woff2").  Close with tab.context.close().
    """
    context = browser.new_context(viewport=viewport or {"width": 1280, "height": 900})
    outside, errors = [], []

    def only_local(route):
        if route.request.url.startswith(base):
            route.continue_()
        else:
            outside.append(route.request.url)
            route.abort()

    context.route("**/*", only_local)
    tab = context.new_page()
    tab.on("pageerror", lambda error: errors.append(str(error)))
    if failed is not None:

        def answered(response):
            if response.status >= 400:
                failed.append(f"{response.status} {response.url}")

        def refused(request):
            # the test's own refusals are in ``outside``; a 4xx is listed once
            if request.url not in outside and not any(
                entry.endswith(f" {request.url}") for entry in failed
            ):
                failed.append(f"{request.failure} {request.url}")

        tab.on("response", answered)
        tab.on("requestfailed", refused)
    tab.goto(f"{base}/{path}", wait_until="load")
    return tab, outside, errors


def move_every_slider(tab, timeout_ms: int = 15_000) -> tuple[int, list]:
    """Move each slider of each explorer on ``tab`` by one step.

    Returns (number of explorers, problems): a problem is an explorer whose
    figure was never drawn, or a slider whose move changed neither the
    figure's data nor the numbers line.
    """
    explorers = tab.locator(".workbook-explorer")
    problems = []
    for i in range(explorers.count()):
        root = explorers.nth(i)
        root.scroll_into_view_if_needed()
        handle = root.element_handle()
        try:
            tab.wait_for_function(DRAWN, arg=handle, timeout=timeout_ms)
        except Exception:  # playwright's TimeoutError
            shown = root.locator(".explorer-figure").inner_text()
            problems.append(f"explorer {i}: the figure was never drawn ({shown!r})")
            continue
        sliders = root.locator("input.explorer-slider")
        for j in range(sliders.count()):
            slider = sliders.nth(j)
            before = root.evaluate(STATE)
            last = slider.evaluate("s => +s.value === +s.max")
            slider.press("ArrowLeft" if last else "ArrowRight")
            after = root.evaluate(STATE)
            name = slider.get_attribute("data-param")
            if not after["traces"]:
                problems.append(f"explorer {i}, {name}: no traces")
            if after["data"] == before["data"]:
                problems.append(f"explorer {i}, {name}: the figure's data did not change")
            if after["numbers"] == before["numbers"]:
                problems.append(f"explorer {i}, {name}: the numbers did not change")
            if after["values"] == before["values"]:
                problems.append(f"explorer {i}, {name}: the shown value did not change")
    return explorers.count(), problems
