"""requirements.txt and environment.yml list the same packages with the same bounds."""

from pathlib import Path

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
