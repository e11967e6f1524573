"""The three descriptions of the environment agree, checked offline.

pyproject.toml is the source of truth (lower bounds); environment.yml (conda)
must list the same packages with the same bounds; constraints.txt (the
versions CI tested) must pin a version inside those bounds.
"""

import tomllib
from pathlib import Path

import pytest
import yaml
from packaging.requirements import Requirement
from packaging.specifiers import SpecifierSet
from packaging.utils import canonicalize_name
from packaging.version import Version

ROOT = Path(__file__).parents[1]
PROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
CONDA_ONLY = {"python", "pip", "make"}  # tools conda provides; not Python requirements


def _requirements(lines):
    """{canonical name: SpecifierSet} of PEP 508 lines (conda's `name>=x` lines parse the same)."""
    parsed = [Requirement(line) for line in lines]
    names = [canonicalize_name(r.name) for r in parsed]
    assert len(names) == len(set(names)), (
        f"listed twice: {sorted({n for n in names if names.count(n) > 1})}"
    )
    return {name: r.specifier for name, r in zip(names, parsed)}


def project_requirements():
    return _requirements(PROJECT["dependencies"] + PROJECT["optional-dependencies"]["dev"])


def environment():
    """(the environment.yml document, its conda lines, its pip lines)."""
    doc = yaml.safe_load((ROOT / "environment.yml").read_text())
    conda = [d for d in doc["dependencies"] if isinstance(d, str)]
    pip = [line for d in doc["dependencies"] if isinstance(d, dict) for line in d["pip"]]
    return doc, conda, pip


def constraints():
    pins = {}
    for line in (ROOT / "constraints.txt").read_text().splitlines():
        if line.strip() and not line.startswith("#"):
            name, version = line.split("==")
            pins[canonicalize_name(name)] = Version(version)
    return pins


def test_environment_yml_lists_the_project_requirements_with_the_same_bounds():
    doc, conda, pip = environment()
    assert doc["name"] == "dl-workbook" and doc["channels"] == ["conda-forge"]
    listed = _requirements([line for line in conda if line.split("=")[0] not in CONDA_ONLY] + pip)
    wanted = project_requirements()
    assert set(listed) == set(wanted), (
        f"missing from environment.yml: {sorted(set(wanted) - set(listed))}; "
        f"not in pyproject.toml: {sorted(set(listed) - set(wanted))}"
    )
    differ = {
        name: (str(listed[name]), str(wanted[name]))
        for name in wanted
        if listed[name] != wanted[name]
    }
    assert not differ, f"bounds differ (environment.yml, pyproject.toml): {differ}"


def test_environment_yml_python_meets_requires_python():
    _, conda, _ = environment()
    (python,) = [line for line in conda if line.startswith("python=")]
    version = Version(python.split("=", 1)[1])
    assert version in SpecifierSet(PROJECT["requires-python"]), (python, PROJECT["requires-python"])


def test_pyproject_keeps_lower_bounds_and_constraints_leave_out_the_workbook():
    assert not [r for r in PROJECT["dependencies"] if "==" in r], (
        "pyproject.toml keeps lower bounds"
    )
    assert canonicalize_name(PROJECT["name"]) not in constraints(), (
        "the workbook itself is not a constraint"
    )


@pytest.mark.parametrize("name, specifier", sorted(project_requirements().items()), ids=str)
def test_constraints_pin_a_version_within_the_bounds(name, specifier):
    pins = constraints()
    assert name in pins, f"constraints.txt does not pin {name}: run make constraints"
    assert specifier.contains(pins[name], prereleases=True), (
        f"constraints.txt pins {name}=={pins[name]}, outside pyproject.toml's {specifier}: "
        "make setup would fail; upgrade .venv and run make constraints"
    )
