"""environment.yml (conda) must describe the same environment as pyproject.toml."""
import re
import subprocess
import sys
import tomllib
from pathlib import Path

import yaml

ROOT = Path(__file__).parents[1]


def _name(requirement):
    return re.split(r"[<>=!\[ ;]", requirement, maxsplit=1)[0].lower().replace("_", "-")


def _environment():
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    conda = [d for d in env["dependencies"] if isinstance(d, str)]
    pip = next(d["pip"] for d in env["dependencies"] if isinstance(d, dict))
    return env, conda, pip


def test_environment_lists_every_project_dependency():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    wanted = {_name(r) for r in project["dependencies"] + project["optional-dependencies"]["dev"]}
    env, conda, pip = _environment()
    assert env["name"] == "dl-workbook" and "conda-forge" in env["channels"]
    listed = {_name(r) for r in conda + pip}
    assert wanted <= listed, f"missing from environment.yml: {sorted(wanted - listed)}"


def test_pip_section_resolves():
    _, _, pip = _environment()
    result = subprocess.run([sys.executable, "-m", "pip", "install", "--dry-run", "--quiet", *pip],
                            capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stderr[-2000:]
