"""The two ways to install clvlib (pip/Makefile and conda) must pin the same versions."""

from __future__ import annotations

import tomllib
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent


def _pyproject_pins() -> set[str]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    extras = project["optional-dependencies"]  # dev and spark: both installed by make venv
    return set(project["dependencies"]).union(*extras.values())


def _environment_pins() -> set[str]:
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    pip_section = next(d["pip"] for d in env["dependencies"] if isinstance(d, dict))
    return {p for p in pip_section if p != "-e ."}


def test_environment_yml_mirrors_pyproject():
    assert _environment_pins() == _pyproject_pins()


def test_every_dependency_is_pinned_exactly():
    unpinned = [d for d in _pyproject_pins() if "==" not in d]
    assert unpinned == []


def test_lock_file_agrees_with_direct_pins():
    lock = {}
    for line in (ROOT / "requirements.lock").read_text().splitlines():
        if "==" in line and not line.startswith("#"):
            name, version = line.split("==", 1)
            lock[name.lower().replace("_", "-")] = version.strip()
    for pin in _pyproject_pins():
        name, version = pin.split("==")
        name = name.split("[")[0].lower().replace("_", "-")
        assert lock.get(name) == version, f"{name}: pyproject {version}, lock {lock.get(name)}"


def test_ci_runs_the_readme_test_command():
    assert "make test" in (ROOT / ".ci" / "run").read_text()
    assert "make test" in (ROOT / "README.md").read_text()
