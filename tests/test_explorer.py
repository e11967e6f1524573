"""utils/explorer*.py: the grid runner, its JSON and the explorer in a browser.

The browser tests open pages from 127.0.0.1 in Debian's headless chromium
with every other request refused: one page holding only the explorer's HTML
and the shipped Plotly.js, and tests/explorer/explorer_example.ipynb built
with the book's own configuration (book/_config.yml, book/_ext).  They are
skipped when chromium (or, for the book build, book/node_modules) is
missing.
"""

from __future__ import annotations

import json
import math
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from offline_browser import chromium, move_every_slider, open_page, serve

from utils import explorer
from utils.explorer_grid import run_grid
from utils.explorer_html import explorer_html, numbers_line
from utils.training_checks import TrainingDiverged

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "tests" / "explorer" / "explorer_example.ipynb"
GRID = {"learning_rate": [0.1, 0.5, 2.0], "hidden_width": [8, 32, 128]}


def start_run(params):
    """A fake lab start_run: curves that depend on both settings."""
    speed = params["learning_rate"] * params["hidden_width"] / (params["hidden_width"] + 16)
    epoch = [0]

    def step():
        epoch[0] += 1
        loss = 2.3 * math.exp(-speed * epoch[0]) + 0.1
        return {
            "train_loss": loss,
            "val_loss": 1.1 * loss,
            "train_accuracy": 1 - loss / 2.5,
            "val_accuracy": 0.95 - loss / 2.5,
        }

    return step


# ----- the grid runner -----------------------------------------------------
def test_run_grid_trains_every_combination_in_order():
    calls = []

    def train(params):
        calls.append(dict(params))
        return start_run(params)

    results = run_grid(train, GRID, fixed={"epochs": 4})
    assert len(calls) == 9 and all(c["epochs"] == 4 for c in calls)
    assert [r["key"] for r in results["runs"]][:4] == ["0-0", "0-1", "0-2", "1-0"]
    run = results["runs"][5]
    assert run["params"] == {"learning_rate": 0.5, "hidden_width": 128}
    assert run["status"] == "ok" and run["epochs_run"] == 4
    assert len(run["history"]["val_accuracy"]) == 4
    assert run["final"]["train_loss"] == run["history"]["train_loss"][-1]
    assert results["params"] == GRID and results["fixed"] == {"epochs": 4}


def test_run_grid_results_are_plain_json():
    import numpy as np

    def train(params):
        x = np.float32(params["a"])
        return {
            "train_loss": np.array([x, np.inf, np.nan]),
            "val_accuracy": [np.float64(0.5), x / 10, 0.25],
        }

    results = run_grid(train, {"a": [np.int64(1), 2]})
    text = json.dumps(results, allow_nan=False)  # no NaN, no numpy type
    again = json.loads(text)
    assert again["params"] == {"a": [1, 2]}
    assert again["runs"][1]["history"]["train_loss"] == [2.0, None, None]
    assert again["runs"][0]["final"] == {"train_loss": None, "val_accuracy": 0.25}


def test_history_functions_and_epochs_argument():
    results = run_grid(lambda p: {"f": [p["x"] * k for k in range(3)]}, {"x": [1.0, 2.0]})
    assert results["runs"][1]["history"]["f"] == [0.0, 2.0, 4.0]
    steps = run_grid(start_run, {"learning_rate": [1.0], "hidden_width": [16]}, epochs=2)
    assert steps["runs"][0]["epochs_run"] == 2
    with pytest.raises(ValueError, match="number of epochs"):
        run_grid(start_run, GRID)


def test_a_diverging_run_is_recorded_not_raised():
    def train(params):
        state = {"loss": 1.0}

        def step():
            state["loss"] *= params["growth"]
            return {"train_loss": state["loss"], "val_accuracy": 0.5}

        return step

    results = run_grid(train, {"growth": [0.9, 1e3]}, fixed={"epochs": 6})
    calm, wild = results["runs"]
    assert calm["status"] == "ok" and calm["epochs_run"] == 6
    assert wild["status"] == "diverged" and wild["epochs_run"] < 6
    assert "diverged" in wild["message"]
    line = numbers_line(wild)
    assert "Stopped, diverged" in line

    def broken(params):
        raise TrainingDiverged("the loss is nan")

    assert run_grid(broken, {"x": [1]})["runs"][0]["status"] == ("diverged")


def test_grid_must_list_values():
    with pytest.raises(ValueError, match="non-empty list"):
        run_grid(start_run, {"learning_rate": []})
    with pytest.raises(ValueError, match="at least one"):
        run_grid(start_run, {})


# ----- the static explorer -------------------------------------------------
def _payload(page: str) -> dict:
    start = page.index('class="explorer-data">') + len('class="explorer-data">')
    return json.loads(page[start : page.index("</script>", start)])


def test_explorer_html_holds_every_combination_and_the_sizes():
    results = run_grid(start_run, GRID, fixed={"epochs": 5})
    page = explorer_html(
        results,
        title="Fake",
        sizes="1,000 images, 5 epochs",
        numbers=[("val_accuracy", "validation accuracy", "{:.4f}")],
        start={"learning_rate": 2.0},
    )
    payload = _payload(page)
    assert sorted(payload["runs"]) == sorted(r["key"] for r in results["runs"])
    assert [p["text"] for p in payload["params"]] == [["0.1", "0.5", "2"], ["8", "32", "128"]]
    first = payload["runs"]["0-0"]
    assert len(first["traces"]) == 4  # loss and accuracy, train and val
    assert first["traces"][2]["xaxis"] == "x2"
    assert first["numbers"].startswith("learning rate 0.1, hidden width 8: validation accuracy 0.")
    assert payload["layout"]["yaxis2"]["range"][1] < 1.05  # one range: all
    assert 'value="2"' in page and 'value="1"' in page  # lr 2.0, width 32
    assert "1,000 images, 5 epochs" in page and "9 trainings" in page
    assert "quick profile" in page or "full profile" in page
    assert "cdn" not in page.lower() and "https:" not in page
    with pytest.raises(ValueError, match="not one of"):
        explorer_html(results, title="x", sizes="y", start={"learning_rate": 3.0})


def test_explorer_html_escapes_script_ends():
    results = run_grid(lambda p: {"f": [1.0, 2.0]}, {"mode": ["</script><b>", "plain"]})
    page = explorer_html(results, title="<i>", sizes="s", panels=[{"y": ["f"]}])
    assert "</script><b>" not in page and "&lt;i&gt;" in page
    assert _payload(page)["params"][0]["text"][0] == "</script><b>"


def test_show_explorer_trains_only_in_the_book(monkeypatch):
    import ipywidgets

    shown = []
    monkeypatch.setattr("IPython.display.display", lambda obj, raw=False: shown.append((obj, raw)))
    calls = []

    def train(params):
        calls.append(params)
        return start_run(params)

    widget = ipywidgets.IntSlider()
    monkeypatch.setenv("WORKBOOK_BOOK", "0")
    explorer.show_explorer(widget, train, GRID, fixed={"epochs": 2}, title="T", sizes="s")
    bundle, raw = shown.pop()
    assert raw and not calls and "text/html" not in bundle
    view = "application/vnd.jupyter.widget-view+json"
    assert bundle[view]["model_id"] == widget.model_id
    monkeypatch.setenv("WORKBOOK_BOOK", "1")
    explorer.show_explorer(widget, train, GRID, fixed={"epochs": 2}, title="T", sizes="s")
    bundle, raw = shown.pop()
    assert len(calls) == 9 and view in bundle
    assert 'class="workbook-explorer"' in bundle["text/html"]


def test_book_build_sets_the_flag_and_prefers_html(monkeypatch, tmp_path):
    from types import SimpleNamespace

    from myst_nb.core.render import get_mime_priority

    from utils.config import book_build

    config = yaml.safe_load((ROOT / "book" / "_config.yml").read_text())
    overrides = config["sphinx"]["config"]["nb_mime_priority_overrides"]
    order = get_mime_priority("html", [tuple(o) for o in overrides])
    view = "application/vnd.jupyter.widget-view+json"
    assert order.index("text/html") < order.index(view)
    assert order.index(view) < order.index("text/plain")  # other widgets
    monkeypatch.syspath_prepend(str(ROOT / "book" / "_ext"))
    import workbook_build

    monkeypatch.setenv("WORKBOOK_BOOK", "0")  # restored after the test
    monkeypatch.setenv("TQDM_DISABLE", "1")
    assert not book_build()
    workbook_build.choose_cache(SimpleNamespace(outdir=str(tmp_path / "h")), SimpleNamespace())
    assert book_build()


# ----- in a browser --------------------------------------------------------
@pytest.fixture(scope="module")
def browser():
    """Headless Debian chromium driven by Playwright (skipped without it)."""
    with chromium(missing=pytest.skip) as launched:
        yield launched


def test_sliders_redraw_a_bare_explorer_page(browser, tmp_path, monkeypatch):
    """The explorer's HTML next to the shipped Plotly.js, nothing else."""
    monkeypatch.syspath_prepend(str(ROOT / "book" / "_ext"))
    from offline_assets import plotly_js

    shutil.copy(plotly_js(), tmp_path / "plotly.min.js")
    results = run_grid(start_run, GRID, fixed={"epochs": 5})
    block = explorer_html(results, title="Fake", sizes="none")
    (tmp_path / "index.html").write_text(
        "<!doctype html><html><head><meta charset='utf-8'>"
        "<script defer src='plotly.min.js'></script></head>"
        f"<body style='max-width:740px'>{block}</body></html>"
    )
    with serve(tmp_path) as base:
        tab, outside, errors = open_page(browser, base, "index.html")
        count, problems = move_every_slider(tab)
        tab.context.close()
    assert count == 1 and not problems, problems
    assert not outside and not errors, (outside, errors)


@pytest.fixture(scope="module")
def example_site(tmp_path_factory):
    """tests/explorer/explorer_example.ipynb built like the book; its html."""
    if not (ROOT / "book" / "node_modules" / "mathjax").exists():
        pytest.skip("book/node_modules is missing: npm ci --prefix book (make book does)")
    site = tmp_path_factory.mktemp("explorer-book")
    shutil.copy(EXAMPLE, site / EXAMPLE.name)
    config = yaml.safe_load((ROOT / "book" / "_config.yml").read_text())
    for key in ("repository", "launch_buttons", "html"):
        config.pop(key, None)
    config.update(
        title="Explorer example",
        exclude_patterns=["_build"],
        bibtex_bibfiles=[str(ROOT / "book" / "references.bib")],
    )
    extensions = config["sphinx"]["local_extensions"]
    for name in extensions:
        extensions[name] = str(ROOT / "book" / "_ext")
    config["sphinx"]["config"]["html_static_path"] = [str(ROOT / "book" / "_static")]
    (site / "_config.yml").write_text(
        yaml.safe_dump(config, sort_keys=False)
    )  # script order matters
    (site / "_toc.yml").write_text(yaml.safe_dump({"format": "jb-book", "root": EXAMPLE.stem}))
    env = {**os.environ, "WORKBOOK_PROFILE": "quick", "OMP_NUM_THREADS": "1"}
    env.pop("WORKBOOK_BOOK", None)  # the book build sets it itself
    command = [
        str(Path(sys.executable).parent / "jupyter-book"),
        "build",
        str(site),
        "--config",
        str(site / "_config.yml"),
        "--toc",
        str(site / "_toc.yml"),
        "-W",
        "-n",
        "--keep-going",
    ]
    done = subprocess.run(command, capture_output=True, text=True, env=env, timeout=900)
    assert done.returncode == 0, (done.stdout[-3000:], done.stderr[-3000:])
    return site / "_build" / "html"


def test_example_page_shows_the_explorer_not_the_panel(example_site):
    page = (example_site / f"{EXAMPLE.stem}.html").read_text()
    assert page.count('class="workbook-explorer"') == 1
    assert "application/vnd.jupyter.widget-view+json" not in page
    assert "_static/vendor/plotly.min.js" in page
    assert (example_site / "_static" / "vendor" / "plotly.min.js").exists()
    assert "Precomputed when the book was built (quick profile)" in page


def test_example_page_sliders_redraw_offline(example_site, browser):
    with serve(example_site) as base:
        tab, outside, errors = open_page(browser, base, f"{EXAMPLE.stem}.html")
        count, problems = move_every_slider(tab)
        shots = ROOT / "_build" / "screenshots"
        shots.mkdir(parents=True, exist_ok=True)
        tab.locator(".workbook-explorer").screenshot(path=str(shots / "explorer_example.png"))
        width = tab.evaluate(
            "[document.documentElement.scrollWidth, document.documentElement.clientWidth]"
        )
        tab.context.close()
    assert count == 1 and not problems, problems
    assert not outside, f"the page asked the network for {outside[:5]}"
    assert not errors, f"JavaScript errors: {errors[:3]}"
    assert width[0] <= width[1], f"the page is wider than the window {width}"
