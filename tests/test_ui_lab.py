"""Lab 03 in a real JupyterLab, driven by headless Chromium (Playwright): the slider panel as a student uses it.

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
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
         "--disable-component-update", "--disable-sync"]
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
    """A JupyterLab server on 127.0.0.1 over a folder holding copies of the labs; yields (url, folder)."""
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
        json.dumps({"checkForUpdates": False, "fetchNews": "false"}))
    notebook = home / "settings" / "@jupyterlab" / "notebook-extension"
    notebook.mkdir(parents=True)
    (notebook / "tracker.jupyterlab-settings").write_text(json.dumps({"windowingMode": "none"}))
    port, token = _free_port(), secrets.token_hex(16)
    env = {**os.environ, "WORKBOOK_PROFILE": "quick", "WORKBOOK_OFFLINE": "1", "TQDM_DISABLE": "1",
           "JUPYTERLAB_SETTINGS_DIR": str(home / "settings"), "JUPYTERLAB_WORKSPACES_DIR": str(home / "ws"),
           "JUPYTER_RUNTIME_DIR": str(home / "runtime")}
    command = [str(Path(sys.executable).with_name("jupyter")), "lab", "--no-browser", "--ip=127.0.0.1",
               f"--port={port}", f"--ServerApp.token={token}", f"--ServerApp.root_dir={work}",
               "--ServerApp.disable_check_xsrf=False", "--LabApp.news_url=None"]
    if os.getuid() == 0:
        command.append("--allow-root")
    log = open(home / "server.log", "w")
    server = subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT, cwd=work,
                              start_new_session=True)
    url = f"http://127.0.0.1:{port}"
    deadline = time.time() + 120
    while True:
        try:
            urllib.request.urlopen(f"{url}/api/status?token={token}", timeout=2)
            break
        except OSError:
            if server.poll() is not None or time.time() > deadline:
                server.kill()
                pytest.fail("JupyterLab did not start: " + (home / "server.log").read_text()[-2000:])
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
    """Run every cell through JupyterLab's Run menu; wait until no cell is running; fail on an error."""
    page.locator(".lm-MenuBar-itemLabel", has_text=re.compile(r"^Run$")).click()
    page.locator("li.lm-Menu-item[data-command='runmenu:run-all']").click()
    started = time.perf_counter()
    page.wait_for_function(
        """() => { const prompts = [...document.querySelectorAll('.jp-Notebook .jp-CodeCell .jp-InputPrompt')];
                   const failed = [...document.querySelectorAll('.jp-OutputArea-output')]
                       .some(o => o.textContent.includes('Traceback (most recent call last)'));
                   const running = prompts.some(p => p.textContent.includes('*'));
                   return prompts.length > 0 && !running
                       && (failed || prompts.every(p => /\\[\\d+\\]/.test(p.textContent))); }""",
        timeout=900_000, polling=500)
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


@pytest.mark.parametrize("stem", CHOSEN)
def test_panel_in_jupyterlab(jupyterlab, browser, stem):
    url, token, work = jupyterlab
    SHOTS.mkdir(parents=True, exist_ok=True)
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    page.set_default_timeout(60_000)
    page.goto(f"{url}/lab/tree/{stem}.ipynb?token={token}")
    page.wait_for_selector(".jp-Notebook .jp-Cell", timeout=120_000)
    page.locator(".jp-StatusBar-Widget", has_text=re.compile(r"Python 3 .*\| Idle")).first.wait_for(
        timeout=180_000)  # the kernel is up
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
        page.wait_for_function("([el, old]) => el.value !== old", arg=[box.element_handle(), before],
                               timeout=20_000)
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
        arg=[status.element_handle(), button.element_handle()], timeout=30_000, polling="raf")
    assert seen
    page.wait_for_function("(el) => /epoch [1-9]\\d* of \\d+/.test(el.innerText)",
                           arg=progress.element_handle(), timeout=60_000, polling="raf")
    progress_text = _text(progress)
    panel.screenshot(path=str(SHOTS / f"{stem}_2_running.png"))
    page.wait_for_function(
        """([panel, old]) => { const img = panel.querySelector('.panel-plot img');
                                return img && img.src !== old; }""",
        arg=[panel.element_handle(), old_src], timeout=120_000, polling="raf")
    first_curve = time.perf_counter() - clicked
    page.wait_for_function(f"(el) => /run {run}: (ok|diverged|not learning)/.test(el.innerText)",
                           arg=status.element_handle(), timeout=600_000, polling="raf")
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
    page.wait_for_function("(el) => /refused/.test(el.innerText)", arg=status.element_handle(), timeout=20_000)
    refused = _text(status)
    assert "learning rate must be between 1e-05 and 10, got 0" in refused, refused
    page.wait_for_function("([el, v]) => el.value === v", arg=[box.element_handle(), kept], timeout=20_000)
    panel.screenshot(path=str(SHOTS / f"{stem}_4_refused.png"))
    page.close()
    print(f"\n{stem}: run all {seconds_all:.1f} s; Train -> first curve {first_curve:.2f} s, "
          f"-> last curve {last_curve:.2f} s ({final_progress}); progress seen: {progress_text!r}; "
          f"moved {moved}")
    (SHOTS / f"{stem}_times.json").write_text(json.dumps(
        {"run_all_s": seconds_all, "train_to_first_curve_s": first_curve, "train_to_last_curve_s": last_curve,
         "progress_seen": progress_text, "moved": moved}, indent=1))
