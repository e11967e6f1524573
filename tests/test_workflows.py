"""GitHub Actions workflows (checked by actionlint) and the Makefile's set-up and lab targets.

constraints.txt is checked with the other environment files in test_environment.py.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
WORKFLOWS = ROOT / ".github" / "workflows"


def _workflow(name):
    doc = yaml.safe_load((WORKFLOWS / name).read_text())
    return doc, doc.get("on", doc.get(True))  # YAML 1.1 reads the key `on` as True


def _steps(doc):
    return [step for job in doc["jobs"].values() for step in job.get("steps", [])]


def test_actionlint_passes():
    actionlint = Path(sys.executable).with_name("actionlint")
    actionlint = str(actionlint) if actionlint.exists() else shutil.which("actionlint")
    assert actionlint, (
        "actionlint is missing: it comes with the dev extras (pip install -e '.[dev]')"
    )
    files = sorted(WORKFLOWS.glob("*.yml"))
    assert {f.name for f in files} >= {"tests.yml", "weekly.yml", "pages.yml"}
    result = subprocess.run(
        [actionlint, "-no-color", "-oneline", *map(str, files)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_tests_run_on_push_and_pull_request_with_the_ci_script():
    doc, on = _workflow("tests.yml")
    assert "push" in on and "pull_request" in on
    runs = " ".join(step.get("run", "") for step in _steps(doc))
    assert "bash .ci/run" in runs and "chromium" in runs


def test_weekly_full_profile_on_latest_releases_without_cache():
    doc, on = _workflow("weekly.yml")
    assert on["schedule"][0]["cron"] and "workflow_dispatch" in on
    job = next(iter(doc["jobs"].values()))
    assert job["env"]["WORKBOOK_PROFILE"] == "full" and job["env"]["PIP_NO_CACHE_DIR"] == "1"
    text = (WORKFLOWS / "weekly.yml").read_text()
    assert not re.search(r"(-c|--constraint)[ =]\S*constraints", text), (
        "latest releases: no constraints"
    )
    assert "--upgrade" in text and not any(
        "actions/cache" in s.get("uses", "") for s in _steps(doc)
    )


def test_pages_publishes_the_built_book():
    doc, on = _workflow("pages.yml")
    assert on["push"]["branches"] == ["main"]
    assert doc["permissions"]["pages"] == "write" and doc["permissions"]["id-token"] == "write"
    steps = _steps(doc)
    upload = next(
        s for s in steps if s.get("uses", "").startswith("actions/upload-pages-artifact@")
    )
    assert upload["with"]["path"] == "_build/html"
    assert any(s.get("run") == "make book" for s in steps)
    assert any(s.get("uses", "").startswith("actions/deploy-pages@") for s in steps)


def _make(*args, **env):
    return subprocess.run(
        ["make", "--no-print-directory", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env={**os.environ, **env},
        timeout=60,
    )


@pytest.mark.skipif(shutil.which("make") is None, reason="make is not installed")
def test_setup_checks_the_python_version_first(tmp_path):
    old = tmp_path / "python3.10"
    old.write_text('#!/bin/sh\n[ "$1" = --version ] && echo "Python 3.10.12" && exit 0\nexit 1\n')
    old.chmod(0o755)
    venv = tmp_path / "venv"
    for python, shown in ((old, "Python 3.10.12"), (tmp_path / "no-such-python", "not found")):
        result = _make("setup", f"PYTHON={python}", f"VENV={venv}")
        assert (
            result.returncode != 0
            and "needs Python 3.11 or newer" in result.stderr
            and shown in result.stderr
        )
        assert "make setup PYTHON=python3.11" in result.stderr and "pip" not in result.stderr
        assert not venv.exists()
    dry = _make("-n", "setup", f"VENV={venv}")
    assert "pip install -c constraints.txt -e '.[dev]'" in dry.stdout


@pytest.mark.skipif(shutil.which("make") is None, reason="make is not installed")
def test_lab_starts_as_root_and_prints_the_url():
    dry = _make("-n", "lab", f"VENV={ROOT / '.venv'}")
    command = next(line for line in dry.stdout.splitlines() if "jupyter lab" in line)
    assert ("--allow-root" in command) == (os.getuid() == 0)
    assert (
        "WORKBOOK_PROFILE=quick make lab" in dry.stdout
        and "http://127.0.0.1:8888/lab?token=" in dry.stdout
    )
