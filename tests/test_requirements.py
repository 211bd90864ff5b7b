"""requirements.txt and environment.yml list the same packages with the same bounds; course_utils'
runtime dependencies (pyproject.toml) are what its modules import, and the repo-only tools stay out."""

import ast
import re
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
REQUIRED = {"torch", "torchvision", "jupyterlab", "matplotlib", "nbval", "ipywidgets", "tqdm", "pytest"}


def requirement_lines() -> list[str]:
    lines = (ROOT / "requirements.txt").read_text().splitlines()
    return [ln.split("#")[0].strip() for ln in lines if ln.split("#")[0].strip()]


def environment_pip_lines() -> list[str]:
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    pip_sections = [d["pip"] for d in env["dependencies"] if isinstance(d, dict) and "pip" in d]
    assert len(pip_sections) == 1, "environment.yml needs exactly one pip section"
    assert "pip" in env["dependencies"]
    return [str(x).strip() for x in pip_sections[0]]


def test_requirements_and_environment_agree():
    assert sorted(requirement_lines()) == sorted(environment_pip_lines())


def test_every_course_package_has_a_lower_bound():
    names = {}
    for line in requirement_lines():
        if line.startswith("-e"):
            continue
        name, _, bound = line.partition(">=")
        assert bound, f"{line!r} needs a lower bound (name>=version)"
        names[name.strip().lower()] = bound
    assert REQUIRED <= set(names), REQUIRED - set(names)
    assert "-e ." in requirement_lines(), "requirements.txt installs course_utils in editable mode"


def test_environment_asks_for_python_310_or_newer():
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    assert "python>=3.10" in env["dependencies"]


# packages course_utils imports that arrive with one of its dependencies (IPython comes with ipywidgets)
BROUGHT_BY = {"IPython": "ipywidgets"}
BUILD_TOOLS = {"nbformat", "nbclient", "nbconvert"}  # imported by tools/ (python -m tools), not by course_utils


def _course_utils_imports() -> set[str]:
    names = set()
    for path in (ROOT / "course_utils").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if isinstance(node, ast.Import):
                names |= {alias.name.split(".")[0] for alias in node.names}
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names.add(node.module.split(".")[0])
    return {n for n in names if n not in sys.stdlib_module_names and n not in ("course_utils", "__future__")}


def test_runtime_dependencies_are_what_course_utils_imports():
    tomllib = pytest.importorskip("tomllib")
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())
    deps = {re.split(r"[<>=!~\[ ;]", d, maxsplit=1)[0].lower() for d in project["project"]["dependencies"]}
    imported = {BROUGHT_BY.get(name, name).lower() for name in _course_utils_imports()}
    assert imported <= deps, f"course_utils imports {sorted(imported - deps)}: add them to [project].dependencies"
    assert deps <= imported, f"no module of course_utils imports {sorted(deps - imported)}: drop them from dependencies"
    packages = project["tool"]["setuptools"]["packages"]["find"]["include"]
    assert all(p.startswith("course_utils") for p in packages), f"only course_utils is installed, not {packages}"


def test_build_tools_packages_are_in_requirements():
    listed = {ln.partition(">=")[0].strip().lower() for ln in requirement_lines()}
    assert BUILD_TOOLS <= listed, f"python -m tools needs {sorted(BUILD_TOOLS - listed)} in requirements.txt"
