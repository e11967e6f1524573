"""The built book in headless Chromium with no network: whole, offline, formulas rendered.

Runs only when ``WORKBOOK_BOOK_HTML`` names a built site (``make booktest``
after ``make book``); skipped otherwise, with that reason.  Screenshots of
every page go to ``_build/screenshots/``.  On every page with an explorer
(utils/explorer.py), each slider moved must redraw the figure.  No request
of any page may fail or be answered 4xx/5xx.

Accessibility: axe-core (pinned in book/package.json) audits every page with
the WCAG 2.0/2.1 A and AA rules, and any violation fails unless it is one of
THEME_ALLOWED (the theme's, each with its reason); every figure has a
description for its alt text; an explorer works with the keyboard alone,
its focus visible; a lab prints whole (PDF in ``_build/print/``).
"""

from __future__ import annotations

import json
import os
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
import yaml
from offline_browser import STATE, chromium, move_every_slider, open_page, serve

ROOT = Path(__file__).resolve().parents[1]
HTML = os.environ.get("WORKBOOK_BOOK_HTML")

EXPLORER_MARK = 'class="workbook-explorer"'
# Labs whose static page answers its sliders from a precomputed grid.
EXPLORER_LABS = ["labs/03_numpy_mlp", "labs/04_overfitting", "labs/05_momentum", "labs/06_cnn"]

pytestmark = pytest.mark.skipif(
    not HTML, reason="set WORKBOOK_BOOK_HTML to a built book (make booktest does, after make book)"
)


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
    failed = []
    tab, outside, errors = open_page(browser, site, f"{page}.html", failed)
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
    assert not failed, f"{page}: failed requests {failed[:6]}"
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


@pytest.mark.parametrize(
    "page",
    explorer_pages()
    or [pytest.param(None, marks=pytest.mark.skip(reason="no page has an explorer"))],
)
def test_explorer_sliders_redraw_offline(site, browser, page):
    """Each slider of each explorer changes the figure and the numbers."""
    failed = []
    tab, outside, errors = open_page(browser, site, f"{page}.html", failed)
    count, problems = move_every_slider(tab)
    shots = ROOT / "_build" / "screenshots"
    shots.mkdir(parents=True, exist_ok=True)
    for i in range(count):
        name = f"{page.replace('/', '_')}_explorer{i + 1}.png"
        tab.locator(".workbook-explorer").nth(i).screenshot(path=str(shots / name))
    tab.context.close()
    assert count > 0, f"{page} has no explorer"
    assert not problems, f"{page}: {problems}"
    assert not failed, f"{page}: failed requests {failed[:6]}"
    assert not outside, f"{page} asked the network for {outside[:5]}"
    assert not errors, f"{page} raised JavaScript errors: {errors[:3]}"


@pytest.mark.parametrize("page", ["labs/01_softmax_derivation", "labs/03_numpy_mlp"])
def test_pages_work_opened_as_files(browser, page):
    """Copied to a USB stick and opened as file://: formulas render and the
    explorer answers its sliders, with every outside request refused."""
    base = Path(HTML).resolve().as_uri()
    failed = []
    tab, outside, errors = open_page(browser, base, f"{page}.html", failed)
    tab.wait_for_function(
        "() => document.querySelectorAll('mjx-container').length > 0", timeout=15_000
    )
    count, problems = move_every_slider(tab)
    tab.context.close()
    assert count == (page in EXPLORER_LABS), f"{page}: {count} explorers"
    assert not problems, f"{page} from file://: {problems}"
    assert not failed, f"{page} from file://: failed requests {failed[:6]}"
    assert not outside, f"{page} asked the network for {outside[:5]}"
    assert not errors, f"{page} raised JavaScript errors: {errors[:3]}"


# ----- accessibility ---------------------------------------------------------
AXE = ROOT / "book" / "node_modules" / "axe-core" / "axe.min.js"
# WCAG 2.0 and 2.1, levels A and AA (label-content-name-mismatch included).
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
# The violations left in what the project does not control, each one
# {(rule, CSS selector of the elements): why}.  Everything else fails.
# Empty: the theme's were repaired (book/_ext/offline_assets.py's
# MARKUP_REPAIRS, book/_static/workbook.css and workbook.js).
THEME_ALLOWED: dict[tuple[str, str], str] = {}
# Waits until the page is complete: formulas typeset, explorers drawn,
# the widget manager's views rendered.
READY = """async () => {
  if (window.MathJax && MathJax.startup && MathJax.startup.promise) {
    await MathJax.startup.promise;
  }
  const deadline = Date.now() + 15000;
  const done = () => {
    const explorers = document.querySelectorAll('.workbook-explorer');
    const drawn = document.querySelectorAll(
      '.workbook-explorer .explorer-figure .main-svg');
    const views = document.querySelectorAll(
      'script[type="application/vnd.jupyter.widget-view+json"]');
    const shown = document.querySelectorAll('.jupyter-widgets.widget-output,'
      + ' .jupyter-widgets-view, .widget-container, .jupyter-widgets');
    return drawn.length >= explorers.length
           && (views.length === 0 || shown.length > 0);
  };
  while (!done() && Date.now() < deadline) {
    await new Promise(r => setTimeout(r, 100));
  }
  await new Promise(r => setTimeout(r, 300));
  return done();
}"""
AUDIT = """async ([allowed, tags]) => {
  const result = await axe.run(document, {
    runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']});
  const found = [];
  for (const v of result.violations) {
    for (const node of v.nodes) {
      let element = null;
      try {
        let last = node.target[node.target.length - 1];
        if (Array.isArray(last)) { last = last[last.length - 1]; }
        element = document.querySelector(last);
      } catch (e) { element = null; }
      const why = allowed.find(([rule, selector]) =>
        rule === v.id && element && element.matches(selector));
      found.push({rule: v.id, impact: v.impact,
                  target: node.target.join(' '),
                  html: node.html.slice(0, 200),
                  why: node.failureSummary.slice(0, 300),
                  allowed: why ? why[1] : null});
    }
  }
  return found;
}"""


def wait_until_ready(tab) -> bool:
    """Formulas typeset, explorers drawn, widgets rendered (or 15 s)."""
    return tab.evaluate(READY)


@pytest.mark.parametrize("page", toc_pages())
def test_page_passes_the_accessibility_audit(site, browser, page):
    """axe-core's WCAG 2.0/2.1 A and AA rules: no violation but the theme's
    listed ones; and no request of the page fails."""
    if not AXE.exists():
        pytest.fail(f"{AXE} is missing: npm ci --prefix book (make bookjs)")
    failed = []
    tab, outside, errors = open_page(browser, site, f"{page}.html", failed)
    ready = wait_until_ready(tab)
    tab.add_script_tag(path=str(AXE))
    found = tab.evaluate(AUDIT, [[list(key) for key in THEME_ALLOWED], AXE_TAGS])
    # Images drawn in the browser too (the widget manager's): described.
    images = tab.evaluate("""() => Array.from(
        document.querySelectorAll('article img'),
        i => [(i.getAttribute('src') || '').slice(0, 60), i.getAttribute('alt')])""")
    tab.context.close()
    report = ROOT / "_build" / "a11y"
    report.mkdir(parents=True, exist_ok=True)
    (report / f"{page.replace('/', '_')}.json").write_text(json.dumps(found, indent=1))
    assert ready, f"{page} did not finish rendering in 15 s"
    left = [
        f"{v['rule']} at {v['target']}: {v['html']} ({v['why']})"
        for v in found
        if v["allowed"] is None
    ]
    assert not left, f"{page}: {len(left)} accessibility violations:\n" + "\n".join(left[:12])
    undescribed = [
        f"{src}: {alt!r}" for src, alt in images if alt is None or NOT_A_DESCRIPTION.search(alt)
    ]
    assert not undescribed, (
        f"{page}: {len(undescribed)} of {len(images)} images not described: {undescribed[:3]}"
    )
    assert not failed, f"{page}: failed requests {failed[:6]}"
    assert not outside, f"{page} asked the network for {outside[:5]}"
    assert not errors, f"{page} raised JavaScript errors: {errors[:3]}"


class _Images(HTMLParser):
    """The alt text of every <img> in the page's <article>, its content (the
    theme's own buttons and logos are outside it); None: no alt at all."""

    def __init__(self):
        super().__init__()
        self.depth, self.alts = 0, []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "article":
            self.depth += 1
        elif tag == "img" and self.depth:
            self.alts.append((attrs.get("src", ""), attrs.get("alt")))

    def handle_endtag(self, tag):
        if tag == "article":
            self.depth -= 1


# A file name or a hash is not a description; neither are one or two words.
NOT_A_DESCRIPTION = re.compile(
    r"^\s*$|\.(png|jpe?g|gif|svg|webp)\s*$|^[0-9a-f]{8,}|^\S+$|^\S+\s+\S+$", re.IGNORECASE
)


def test_every_image_has_a_description():
    """Every <img> of the book's content has an alt text that describes it:
    not missing, not empty, not a file name or a hash."""
    bad = {}
    for page in toc_pages():
        parser = _Images()
        parser.feed((Path(HTML) / f"{page}.html").read_text(errors="replace"))
        for src, alt in parser.alts:
            if alt is None or NOT_A_DESCRIPTION.search(alt):
                bad.setdefault(page, []).append(f"{Path(src).name}: {alt!r}")
    counts = {page: len(items) for page, items in bad.items()}
    assert not bad, f"images without a description, per page {counts}: " + "; ".join(
        f"{page}: {items[:2]}" for page, items in bad.items()
    )


# The focused element's outline and box-shadow, and the background behind it.
FOCUS = """() => {
  const e = document.activeElement;
  const style = getComputedStyle(e);
  let back = 'rgb(255, 255, 255)';
  for (let p = e; p; p = p.parentElement) {
    const b = getComputedStyle(p).backgroundColor;
    if (b && b !== 'transparent' && !b.startsWith('rgba(0, 0, 0, 0')) {
      back = b; break;
    }
  }
  return {outline: style.outlineStyle, width: parseFloat(style.outlineWidth),
          color: style.outlineColor, shadow: style.boxShadow,
          background: back,
          param: e.getAttribute('data-param'),
          name: e.getAttribute('aria-label'),
          valuetext: e.getAttribute('aria-valuetext')};
}"""


def _rgb(text: str) -> tuple[float, ...]:
    return tuple(float(v) for v in re.findall(r"[\d.]+", text)[:3])


def contrast(first: str, second: str) -> float:
    """WCAG contrast ratio of two CSS rgb() colours."""

    def luminance(rgb):
        linear = [
            c / 255 / 12.92 if c / 255 <= 0.03928 else ((c / 255 + 0.055) / 1.055) ** 2.4
            for c in rgb
        ]
        return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]

    high, low = sorted([luminance(_rgb(first)), luminance(_rgb(second))], reverse=True)
    return (high + 0.05) / (low + 0.05)


KEYBOARD_LAB = "labs/03_numpy_mlp"


def test_an_explorer_works_with_the_keyboard_alone(site, browser):
    """From the top of the page, Tab reaches the first explorer's sliders;
    each shows a focus ring of 3:1 contrast at least, has a name, and its
    arrow keys redraw the figure and the numbers."""
    failed = []
    tab, outside, errors = open_page(browser, site, f"{KEYBOARD_LAB}.html", failed)
    assert wait_until_ready(tab), "the page did not finish rendering"
    root = tab.locator(".workbook-explorer").first
    n_sliders = root.locator("input.explorer-slider").count()
    on_slider = "() => document.activeElement.matches('.workbook-explorer .explorer-slider')"
    presses = 0
    while presses < 600 and not tab.evaluate(on_slider):
        tab.keyboard.press("Tab")
        presses += 1
    assert tab.evaluate(on_slider), f"{presses} Tabs never reached a slider"
    problems, seen = [], []
    for j in range(n_sliders):
        if j:
            tab.keyboard.press("Tab")
        focus = tab.evaluate(FOCUS)
        seen.append(focus["param"])
        ring = (
            focus["outline"] not in ("none", "")
            and focus["width"] >= 2
            and contrast(focus["color"], focus["background"]) >= 3
        )
        if not ring and focus["shadow"] in ("none", ""):
            problems.append(f"{focus['param']}: no visible focus {focus}")
        if not (focus["name"] or "").strip():
            problems.append(f"{focus['param']}: no accessible name")
        before = root.evaluate(STATE)
        last = tab.evaluate("() => +document.activeElement.value === +document.activeElement.max")
        tab.keyboard.press("ArrowLeft" if last else "ArrowRight")
        after = root.evaluate(STATE)
        if after["data"] == before["data"]:
            problems.append(f"{focus['param']}: the figure did not redraw")
        if after["numbers"] == before["numbers"]:
            problems.append(f"{focus['param']}: the numbers did not change")
        shown = tab.evaluate(FOCUS)["valuetext"]
        if shown not in after["values"]:
            problems.append(
                f"{focus['param']}: aria-valuetext {shown!r} is "
                f"not the value shown {after['values']}"
            )
    shots = ROOT / "_build" / "screenshots"
    shots.mkdir(parents=True, exist_ok=True)
    root.screenshot(path=str(shots / "keyboard_explorer.png"))
    tab.context.close()
    print(f"{presses} Tabs to the first slider; sliders moved: {seen}")
    assert len(set(seen)) == n_sliders, f"Tab visited {seen}"
    assert not problems, problems
    assert not failed and not outside and not errors, (failed, outside, errors)


# Printed on A4 with 12 mm margins: 186 mm of line, 703 CSS pixels.
PRINT_LAB = "labs/03_numpy_mlp"
PRINT_MARGIN = "12mm"
PRINT_WIDTH = round((210 - 2 * 12) / 25.4 * 96)
PRINTED = """() => {
  const article = document.querySelector('article') || document.body;
  const width = document.documentElement.clientWidth;
  const visible = e => {
    const s = getComputedStyle(e);
    return s.display !== 'none' && s.visibility !== 'hidden'
           && e.getClientRects().length > 0;
  };
  const hidden = ['.bd-sidebar-primary', '.bd-sidebar-secondary',
                  '.bd-header-article', '.bd-header', '.bd-footer',
                  '.prev-next-area']
    .filter(s => Array.from(document.querySelectorAll(s)).some(visible));
  const wide = Array.from(article.querySelectorAll('*'))
    .filter(e => visible(e) && !e.closest('svg, mjx-assistive-mml'))
    .filter(e => e.getBoundingClientRect().right > width + 1
                 || (e.matches('pre, table, .output, .workbook-explorer, '
                               + 'mjx-container[display="true"]')
                     && e.scrollWidth > e.clientWidth + 1))
    .map(e => e.tagName + '.' + e.className + ' '
         + Math.round(e.getBoundingClientRect().right) + '/' + width + ': '
         + (e.innerText || '').trim().slice(0, 40));
  const explorers = Array.from(document.querySelectorAll('.workbook-explorer'));
  return {
    sidebars: hidden,
    wide: wide.slice(0, 10),
    text: article.innerText.length,
    code: article.querySelectorAll('div.cell_input pre').length,
    images: Array.from(article.querySelectorAll('img')).filter(
      i => visible(i) && i.complete && i.naturalWidth > 0).length,
    explorers: explorers.length,
    drawn: explorers.filter(r => r.querySelector('.main-svg')
      && r.querySelector('.main-svg').getBoundingClientRect().right
         <= width + 1).length,
    defaults: explorers.every(r => Array.from(
      r.querySelectorAll('.explorer-slider')).every(
        s => s.value === s.getAttribute('value'))),
  };
}"""


def test_a_lab_prints_whole(site, browser):
    """The lab as printed (print media on an A4 line): the theme's bars
    hidden, text, code, figures and explorers (in their default state) all
    there, nothing wider than the paper; then saved as PDF."""
    failed = []
    tab, outside, errors = open_page(
        browser, site, f"{PRINT_LAB}.html", failed, viewport={"width": PRINT_WIDTH, "height": 1100}
    )
    assert wait_until_ready(tab), "the page did not finish rendering"
    tab.emulate_media(media="print")
    tab.wait_for_timeout(500)  # the explorers redraw at the paper's width
    printed = tab.evaluate(PRINTED)
    out = ROOT / "_build" / "print"
    out.mkdir(parents=True, exist_ok=True)
    name = PRINT_LAB.replace("/", "_")
    tab.screenshot(path=str(out / f"{name}_print.png"), full_page=True)
    pdf = tab.pdf(
        path=str(out / f"{name}.pdf"),
        format="A4",
        margin=dict.fromkeys(("top", "bottom", "left", "right"), PRINT_MARGIN),
    )
    tab.context.close()
    source = json.loads(
        next((ROOT / PRINT_LAB).parent.glob(f"{Path(PRINT_LAB).name}.ipynb")).read_text()
    )
    cells = sum(cell["cell_type"] == "code" for cell in source["cells"])
    pages = len(re.findall(rb"/Type\s*/Page[^s]", pdf))
    print(f"{PRINT_LAB} printed: {pages} A4 pages, {printed}")
    assert not printed["sidebars"], f"printed: {printed['sidebars']}"
    assert not printed["wide"], f"wider than the paper: {printed['wide']}"
    assert printed["code"] >= cells // 2, (
        f"{printed['code']} code blocks printed of {cells} code cells"
    )
    assert printed["images"] > 0, "no figure printed"
    assert printed["explorers"] and printed["drawn"] == printed["explorers"], (
        f"{printed['drawn']} of {printed['explorers']} explorers printed"
    )
    assert printed["defaults"], "an explorer printed another state"
    assert pdf.startswith(b"%PDF") and pages >= 5, f"{pages} PDF pages"
    assert not failed and not outside and not errors, (failed, outside, errors)
