"""Lab 03 in a real JupyterLab, driven by headless Chromium (Playwright): the slider panel as
a student uses it.

JupyterLab serves a copy of the lab (quick profile, offline) on 127.0.0.1 with a
token; the test runs all cells, drags the learning-rate and hidden-width
sliders, clicks Train and checks that the progress shows in the panel while it
runs (status "running", Train disabled), that the curves and the table update
with the new values, and that a typed value outside the range is refused with
the allowed range.  It prints the time from the click to the first curve and
to the last, and keeps screenshots in ``_build/ui/``.

Runs when Chromium is present (``WORKBOOK_CHROMIUM``, else ``chromium`` on
PATH, else /usr/bin/chromium) and is skipped otherwise;
``WORKBOOK_UITEST=1`` (``make uitest``) turns a missing browser into a
failure, ``WORKBOOK_UITEST=0`` skips it.  ``WORKBOOK_UITEST_LABS`` (e.g.
``03_numpy_mlp,06_cnn``) picks the labs.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SHOTS = ROOT / "_build" / "ui"
MODE = os.environ.get("WORKBOOK_UITEST", "auto")
CHROMIUM = os.environ.get("WORKBOOK_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
# Per lab: the two sliders dragged, by which fraction of the track (negative: to the left).
# Learning rate: 0.08 of six decades is half a decade down; the run must still learn.
LABS = {
    "03_numpy_mlp": {"learning_rate": -0.08, "hidden_width": 0.08},
    "06_cnn": {"learning_rate": -0.08, "dropout": -0.2},
}
CHOSEN = os.environ.get("WORKBOOK_UITEST_LABS", "03_numpy_mlp").split(",")


def _why_not() -> str | None:
    if MODE == "0":
        return "WORKBOOK_UITEST=0"
    if not Path(CHROMIUM).is_file():
        return f"no Chromium at {CHROMIUM} (apt-get install chromium, or set WORKBOOK_CHROMIUM)"
    try:
        import playwright  # noqa: F401
    except ImportError:
        return "playwright is not installed (it comes with the dev extras)"
    return None


REASON = _why_not()
if MODE != "1":
    pytestmark = pytest.mark.skipif(REASON is not None, reason=f"browser UI test skipped: {REASON}")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def jupyterlab(tmp_path_factory):
    """A JupyterLab server on 127.0.0.1 over a folder holding copies of the labs;
    yields (url, folder)."""
    if REASON:
        pytest.fail(f"make uitest (WORKBOOK_UITEST=1) needs the browser: {REASON}")
    home = tmp_path_factory.mktemp("jupyterlab")
    work = home / "labs"
    work.mkdir()
    for stem in CHOSEN:
        shutil.copy(ROOT / "labs" / f"{stem}.ipynb", work)
    settings = home / "settings" / "@jupyterlab" / "apputils-extension"
    settings.mkdir(parents=True)
    (settings / "notification.jupyterlab-settings").write_text(
        json.dumps({"checkForUpdates": False, "fetchNews": "false"})
    )
    notebook = home / "settings" / "@jupyterlab" / "notebook-extension"
    notebook.mkdir(parents=True)
    (notebook / "tracker.jupyterlab-settings").write_text(json.dumps({"windowingMode": "none"}))
    port, token = _free_port(), secrets.token_hex(16)
    env = {
        **os.environ,
        "WORKBOOK_PROFILE": "quick",
        "WORKBOOK_OFFLINE": "1",
        "TQDM_DISABLE": "1",
        "JUPYTERLAB_SETTINGS_DIR": str(home / "settings"),
        "JUPYTERLAB_WORKSPACES_DIR": str(home / "ws"),
        "JUPYTER_RUNTIME_DIR": str(home / "runtime"),
    }
    command = [
        str(Path(sys.executable).with_name("jupyter")),
        "lab",
        "--no-browser",
        "--ip=127.0.0.1",
        f"--port={port}",
        f"--ServerApp.token={token}",
        f"--ServerApp.root_dir={work}",
        "--ServerApp.disable_check_xsrf=False",
        "--LabApp.news_url=None",
    ]
    if os.getuid() == 0:
        command.append("--allow-root")
    log = open(home / "server.log", "w")  # noqa: SIM115 the server writes to it until teardown
    server = subprocess.Popen(
        command, env=env, stdout=log, stderr=subprocess.STDOUT, cwd=work, start_new_session=True
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.time() + 120
    while True:
        try:
            urllib.request.urlopen(f"{url}/api/status?token={token}", timeout=2)
            break
        except OSError:
            if server.poll() is not None or time.time() > deadline:
                server.kill()
                pytest.fail(
                    "JupyterLab did not start: " + (home / "server.log").read_text()[-2000:]
                )
            time.sleep(0.5)
    try:
        yield url, token, work
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
        log.close()


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        yield chromium
        chromium.close()


def _text(locator) -> str:
    return locator.inner_text(timeout=5_000) if locator.count() else ""


def _run_all(page, stem):
    """Run every cell through JupyterLab's Run menu; wait until no cell is running;
    fail on an error."""
    page.locator(".lm-MenuBar-itemLabel", has_text=re.compile(r"^Run$")).click()
    page.locator("li.lm-Menu-item[data-command='runmenu:run-all']").click()
    started = time.perf_counter()
    page.wait_for_function(
        "() => { const prompts = [...document.querySelectorAll("
        """'.jp-Notebook .jp-CodeCell .jp-InputPrompt')];
                   const failed = [...document.querySelectorAll('.jp-OutputArea-output')]
                       .some(o => o.textContent.includes('Traceback (most recent call last)'));
                   const running = prompts.some(p => p.textContent.includes('*'));
                   return prompts.length > 0 && !running
                       && (failed || prompts.every(p => /\\[\\d+\\]/.test(p.textContent))); }""",
        timeout=900_000,
        polling=500,
    )
    errors = page.locator(".jp-OutputArea-output", has_text="Traceback (most recent call last)")
    assert not errors.count(), f"{stem}: a cell failed:\n" + errors.first.inner_text()[-3000:]
    return time.perf_counter() - started


def _drag(page, slider, fraction: float):
    """Drag a slider's handle by ``fraction`` of its track, as a student would with the mouse."""
    handle = slider.locator(".noUi-handle")
    track = slider.locator(".noUi-target").bounding_box()
    box = handle.bounding_box()
    x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    page.mouse.move(x, y)
    page.mouse.down()
    page.mouse.move(x + fraction * track["width"], y, steps=8)
    page.mouse.up()


def _open_notebook(jupyterlab, browser, stem):
    """Open labs/<stem>.ipynb in JupyterLab; return the page once the kernel is idle."""
    url, token, _ = jupyterlab
    SHOTS.mkdir(parents=True, exist_ok=True)
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    page.set_default_timeout(60_000)
    page.goto(f"{url}/lab/tree/{stem}.ipynb?token={token}")
    page.wait_for_selector(".jp-Notebook .jp-Cell", timeout=120_000)
    page.locator(".jp-StatusBar-Widget", has_text=re.compile(r"Python 3 .*\| Idle")).first.wait_for(
        timeout=180_000
    )  # the kernel is up
    return page


@pytest.mark.parametrize("stem", CHOSEN)
def test_panel_in_jupyterlab(jupyterlab, browser, stem):
    page = _open_notebook(jupyterlab, browser, stem)
    try:
        seconds_all = _run_all(page, stem)
    finally:
        page.screenshot(path=str(SHOTS / f"{stem}_0_run_all.png"))
    panel = page.locator(".training-panel").first
    panel.scroll_into_view_if_needed()
    page.wait_for_timeout(500)
    panel.screenshot(path=str(SHOTS / f"{stem}_1_after_run_all.png"))

    status, progress = panel.locator(".panel-status"), panel.locator(".panel-progress")
    plot_img = panel.locator(".panel-plot img")
    table = panel.locator(".panel-table")
    runs_before = len(re.findall(r"run \d+", _text(status)))
    last_run = int(re.findall(r"run (\d+)", _text(status))[-1]) if runs_before else 0

    moved = {}
    for name, fraction in LABS[stem].items():
        box = panel.locator(f".panel-input-{name} input")
        before = box.input_value()
        _drag(page, panel.locator(f".panel-slider-{name}"), fraction)
        page.wait_for_function(
            "([el, old]) => el.value !== old", arg=[box.element_handle(), before], timeout=20_000
        )
        moved[name] = box.input_value()
        while True:  # the drag sends intermediate values: wait until the box stops changing
            page.wait_for_timeout(1_000)
            if box.input_value() == moved[name]:
                break
            moved[name] = box.input_value()
        assert moved[name] != before, f"dragging the {name} slider changed nothing"

    old_src = plot_img.first.get_attribute("src") if plot_img.count() else ""
    button = panel.locator(".panel-train")
    run = last_run + 1
    clicked = time.perf_counter()
    button.click()
    seen = page.wait_for_function(
        """([status, button]) => /running/.test(status.innerText) && button.disabled""",
        arg=[status.element_handle(), button.element_handle()],
        timeout=30_000,
        polling="raf",
    )
    assert seen
    page.wait_for_function(
        "(el) => /epoch [1-9]\\d* of \\d+/.test(el.innerText)",
        arg=progress.element_handle(),
        timeout=60_000,
        polling="raf",
    )
    progress_text = _text(progress)
    panel.screenshot(path=str(SHOTS / f"{stem}_2_running.png"))
    page.wait_for_function(
        """([panel, old]) => { const img = panel.querySelector('.panel-plot img');
                                return img && img.src !== old; }""",
        arg=[panel.element_handle(), old_src],
        timeout=120_000,
        polling="raf",
    )
    first_curve = time.perf_counter() - clicked
    page.wait_for_function(
        f"(el) => /run {run}: (ok|diverged|not learning)/.test(el.innerText)",
        arg=status.element_handle(),
        timeout=600_000,
        polling="raf",
    )
    last_curve = time.perf_counter() - clicked
    page.wait_for_timeout(300)
    panel.screenshot(path=str(SHOTS / f"{stem}_3_after_train.png"))
    final_status, final_progress = _text(status), _text(progress)
    assert f"run {run}: ok" in final_status, final_status
    assert not button.is_disabled()
    epochs = re.search(r"epoch (\d+) of (\d+)", final_progress)
    assert epochs and epochs.group(1) == epochs.group(2), final_progress
    rows = table.locator("tr")
    row = rows.nth(rows.count() - 1).inner_text()
    assert row.split()[0] == str(run), row
    if "learning_rate" in moved:
        assert f"{float(moved['learning_rate']):.2e}" in row, (moved, row)
    for name, value in moved.items():
        if name != "learning_rate":
            assert value in row.split(), (moved, row)
    assert plot_img.count() == 1

    box = panel.locator(".panel-input-learning_rate input")
    kept = box.input_value()
    box.fill("0")
    box.press("Enter")
    page.wait_for_function(
        "(el) => /refused/.test(el.innerText)", arg=status.element_handle(), timeout=20_000
    )
    refused = _text(status)
    assert "learning rate must be between 1e-05 and 10, got 0" in refused, refused
    page.wait_for_function(
        "([el, v]) => el.value === v", arg=[box.element_handle(), kept], timeout=20_000
    )
    panel.screenshot(path=str(SHOTS / f"{stem}_4_refused.png"))
    page.close()
    print(
        f"\n{stem}: run all {seconds_all:.1f} s; Train -> first curve {first_curve:.2f} s, "
        f"-> last curve {last_curve:.2f} s ({final_progress}); progress seen: {progress_text!r}; "
        f"moved {moved}"
    )
    (SHOTS / f"{stem}_times.json").write_text(
        json.dumps(
            {
                "run_all_s": seconds_all,
                "train_to_first_curve_s": first_curve,
                "train_to_last_curve_s": last_curve,
                "progress_seen": progress_text,
                "moved": moved,
            },
            indent=1,
        )
    )


# ----- issue 22: the same panel by keyboard alone, and a name for every control -------------------
NAMED = re.compile(r"""^\s*- '?(slider|textbox|button|spinbutton)(?: "([^"]*)")?""", re.MULTILINE)


def _contrast(css_a: str, css_b: str) -> float:
    from utils.plots import contrast_ratio

    def rgb(css):
        r, g, b = (int(v) / 255 for v in re.findall(r"[\d.]+", css)[:3])
        return (r, g, b)

    return contrast_ratio(rgb(css_a), rgb(css_b))


def _active(page) -> dict:
    """What has the keyboard focus: its panel class, tag, role, and its focus outline."""
    return page.evaluate(
        """() => { const el = document.activeElement;
        const owner = el.closest('[class*="panel-"]');
        const style = getComputedStyle(el);
        return {inPanel: !!el.closest('.training-panel'), tag: el.tagName, """
        """role: el.getAttribute('role'),
                owner: owner ? [...owner.classList]"""
        """.filter(c => c.startsWith('panel-')).join(' ') : '',
                outline: style.outlineStyle + ' ' + style.outlineWidth + ' ' """
        """+ style.outlineColor}; }"""
    )


def _run_to_panel(page, stem):
    """Run the cells up to and including the panel's (Run menu: all above, then the selected
    cell)."""
    cell = page.locator(".jp-Notebook .jp-CodeCell").filter(has_text="panel = TrainingPanel(").first
    cell.locator(".jp-InputPrompt").click()  # selects the cell: the panel is not there yet
    for command in ("notebook:run-all-above", "notebook:run-cell"):
        page.locator(".lm-MenuBar-itemLabel", has_text=re.compile(r"^Run$")).click()
        page.locator(f"li.lm-Menu-item[data-command='{command}']").click()
    page.wait_for_function(
        """() => { const failed = [...document.querySelectorAll('.jp-OutputArea-output')]
                       .some(o => o.textContent.includes('Traceback (most recent call last)'));
                   const running = [...document.querySelectorAll("""
        """'.jp-Notebook .jp-CodeCell .jp-InputPrompt')]
                       .some(p => p.textContent.includes('*'));
                   return failed || (!running """
        """&& document.querySelector('.training-panel .panel-train')); }""",
        timeout=900_000,
        polling=500,
    )
    errors = page.locator(".jp-OutputArea-output", has_text="Traceback (most recent call last)")
    assert not errors.count(), f"{stem}: a cell failed:\n" + errors.first.inner_text()[-3000:]


def _tab_to(page, selector: str, key: str, limit: int = 40) -> list:
    """Press ``key`` (Tab or Shift+Tab) until the focus is on ``selector``; return the stops
    on the way."""
    stops = []
    for _ in range(limit):
        page.keyboard.press(key)
        stops.append(_active(page))
        if page.evaluate("(s) => document.activeElement.matches(s)", selector):
            return stops
    raise AssertionError(f"{key} x{limit} never reached {selector}: {stops}")


@pytest.mark.parametrize("stem", ["03_numpy_mlp"])
def test_panel_by_keyboard(jupyterlab, browser, stem):
    """Lab 03's panel without the mouse: every control named; Shift-Tab/Tab, arrows and Enter
    train it."""
    page = _open_notebook(jupyterlab, browser, stem)
    started = time.perf_counter()
    _run_to_panel(page, stem)
    ran = time.perf_counter() - started
    page.screenshot(path=str(SHOTS / f"{stem}_5_keyboard_start.png"))
    panel = page.locator(".training-panel").first
    panel.scroll_into_view_if_needed()
    page.wait_for_function(
        "() => [...document.querySelectorAll('.training-panel .noUi-handle')]"
        ".every(h => h.hasAttribute('aria-labelledby'))",
        timeout=20_000,
    )

    # 1. Names: every slider, text box and button of the panel has a non-empty accessible name.
    snapshot = panel.aria_snapshot()
    controls = NAMED.findall(snapshot)
    names = [f"{role} {name!r}" for role, name in controls]
    settings = ("learning rate", "batch size", "hidden width", "epochs")  # lab 03's panel
    problems = []  # checked to the end, so that one run reports every defect
    if len(controls) != 2 * len(settings) + 1:  # a slider and a box each, and Train
        problems.append(f"{len(controls)} controls, not {2 * len(settings) + 1}")
    if not all(name.strip() for _, name in controls):
        problems.append("a control without a name")
    for slider in settings:
        if panel.get_by_role("slider", name=slider, exact=True).count() != 1:
            problems.append(f"no slider named {slider!r}")
        if panel.get_by_role("textbox", name=re.compile(f"^{slider}: type a value")).count() != 1:
            problems.append(f"no text box named {slider!r}: ...")
    train = panel.locator(".panel-train")
    if panel.get_by_role("button", name="Train", exact=True).count() != 1:
        problems.append("no button named Train")
    valuetext = (
        panel.locator(".panel-slider-learning_rate .noUi-handle").get_attribute("aria-valuetext")
        or ""
    )
    lr_shown = panel.locator(".panel-input-learning_rate input").input_value()
    if not re.fullmatch(r"[\d.e-]+", valuetext) or float(valuetext) != pytest.approx(
        float(lr_shown), rel=1e-2
    ):
        problems.append(f"learning rate slider says {valuetext!r}, the box {lr_shown!r}")

    # 2. Contrast of the Train button as the browser draws it.
    colors = train.evaluate(
        "(b) => [getComputedStyle(b).color, getComputedStyle(b).backgroundColor]"
    )
    button_contrast = _contrast(*colors)
    if button_contrast < 4.5:
        problems.append(f"Train: {colors} contrast {button_contrast:.2f} < 4.5")

    # 3. Keyboard only. Select the cell after the panel's (a click on its prompt, outside the
    # panel), then Shift-Tab back into the panel to the learning-rate slider.
    status = panel.locator(".panel-status")
    last_run = max(map(int, re.findall(r"run (\d+)", _text(status))), default=0)
    panel_cell = (
        page.locator(".jp-Notebook .jp-Cell").filter(has=page.locator(".training-panel")).first
    )
    after = panel_cell.locator("xpath=following-sibling::div[contains(@class,'jp-Cell')][1]")
    after.locator(".jp-InputPrompt").click()
    assert not _active(page)["inPanel"]
    back = _tab_to(page, ".panel-slider-learning_rate .noUi-handle", "Shift+Tab")
    focus_stops = {"learning rate slider": _active(page)}
    lr_box = panel.locator(".panel-input-learning_rate input")
    hw_box = panel.locator(".panel-input-hidden_width input")
    lr_before, hw_before = lr_box.input_value(), hw_box.input_value()
    for _ in range(3):
        page.keyboard.press("ArrowLeft")  # 0.1 decade each: the learning rate halves
    page.wait_for_function(
        "([el, old]) => el.value !== old", arg=[lr_box.element_handle(), lr_before], timeout=20_000
    )
    stops = _tab_to(page, ".panel-slider-hidden_width .noUi-handle", "Tab")
    focus_stops["hidden width slider"] = stops[-1]
    for _ in range(4):
        page.keyboard.press("ArrowRight")
    page.wait_for_function(
        "([el, old]) => el.value !== old", arg=[hw_box.element_handle(), hw_before], timeout=20_000
    )
    page.wait_for_timeout(500)
    moved = {"learning_rate": lr_box.input_value(), "hidden_width": hw_box.input_value()}
    assert float(moved["learning_rate"]) < float(lr_before), (lr_before, moved)
    assert int(moved["hidden_width"]) == int(hw_before) + 4, (hw_before, moved)
    stops = _tab_to(page, ".panel-train", "Tab")
    focus_stops["hidden width box"] = stops[0]
    focus_stops["Train"] = stops[-1]
    panel.screenshot(path=str(SHOTS / f"{stem}_6_keyboard_focus_train.png"))
    for where, active in focus_stops.items():
        style, width = active["outline"].split()[:2]
        if style == "none" or float(width.rstrip("px")) < 2:
            problems.append(f"no visible focus on {where}: {active}")
    run = last_run + 1
    pressed = time.perf_counter()
    page.keyboard.press("Enter")
    page.wait_for_function(
        f"(el) => /run {run}: (ok|diverged|not learning)/.test(el.innerText)",
        arg=status.element_handle(),
        timeout=600_000,
        polling=200,
    )
    trained = time.perf_counter() - pressed
    panel.screenshot(path=str(SHOTS / f"{stem}_7_keyboard_trained.png"))
    assert f"run {run}: ok" in _text(status), _text(status)
    rows = panel.locator(".panel-table tr")
    row = rows.nth(rows.count() - 1).inner_text().split()
    assert (
        row[0] == str(run)
        and f"{float(moved['learning_rate']):.2e}" in row
        and moved["hidden_width"] in row
    ), (moved, row)
    assert _active(page)["owner"] == "panel-train", "the focus stays on Train after the run"
    assert not problems, "\n".join(problems) + "\n" + snapshot
    total = time.perf_counter() - started
    page.close()
    print(
        f"\n{stem} by keyboard: {len(controls)} named controls ({', '.join(names)}); "
        f"Train contrast {button_contrast:.2f}:1; Shift-Tab x{len(back)} into the panel; "
        f"moved {moved}; Enter -> run {run} ok in {trained:.1f} s; "
        f"cells up to the panel {ran:.1f} s; test {total:.1f} s"
    )
    (SHOTS / f"{stem}_keyboard.json").write_text(
        json.dumps(
            {
                "names": names,
                "train_contrast": button_contrast,
                "shift_tabs": len(back),
                "moved": moved,
                "enter_to_done_s": trained,
                "run_to_panel_s": ran,
                "test_s": total,
                "focus": focus_stops,
            },
            indent=1,
        )
    )
