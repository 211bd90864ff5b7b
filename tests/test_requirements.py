"""The versions the course installs, at both ends: requirements.txt declares the lower bounds,
requirements-lock.txt pins the versions tested (what make lab and make test install),
requirements-oldest.txt pins the floors (make test-oldest), and environment.yml installs the lock.
course_utils' runtime dependencies (pyproject.toml) are what its modules import; the repo-only tools
stay out of them."""

import ast
import json
import re
import sys
from pathlib import Path

import pytest
import yaml
from packaging.markers import Marker
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

ROOT = Path(__file__).resolve().parent.parent
REQUIRED = {"torch", "torchvision", "jupyterlab", "matplotlib", "nbval", "ipywidgets", "tqdm", "pytest"}
LOCK = "requirements-lock.txt"
FLOORS = "requirements-oldest.txt"
PYTHON_FLOOR = "3.10"  # the oldest Python the README names

# where a learner installs the lock: Linux (x86-64, ARM), macOS (Apple silicon), Windows; the oldest and a newer Python
def _platform(sys_platform: str, system: str, machine: str, os_name: str) -> dict[str, str]:
    return {"sys_platform": sys_platform, "platform_system": system, "platform_machine": machine, "os_name": os_name}


PLATFORMS = {
    "linux-x86_64": _platform("linux", "Linux", "x86_64", "posix"),
    "linux-aarch64": _platform("linux", "Linux", "aarch64", "posix"),
    "macos-arm64": _platform("darwin", "Darwin", "arm64", "posix"),
    "windows-amd64": _platform("win32", "Windows", "AMD64", "nt"),
}
PYTHONS = ["3.10.13", "3.11.7", "3.12.1", "3.13.0"]


def lines_of(text: str) -> list[str]:
    """The lines that say something: comments and blanks dropped."""
    return [ln.split("#")[0].strip() for ln in text.splitlines() if ln.split("#")[0].strip()]


def requirement_lines() -> list[str]:
    return lines_of((ROOT / "requirements.txt").read_text())


def requirements() -> dict[str, Requirement]:
    """requirements.txt as name -> Requirement, course_utils (-e .) left out."""
    reqs = [Requirement(ln) for ln in requirement_lines() if not ln.startswith("-e")]
    return {canonicalize_name(r.name): r for r in reqs}


def project() -> dict:
    try:
        import tomllib
    except ModuleNotFoundError:  # Python 3.10 (make test-oldest): tomli, which pytest needs there, is the same parser
        import tomli as tomllib
    return tomllib.loads((ROOT / "pyproject.toml").read_text())


def floor(req: Requirement) -> Version | None:
    """The version after >=, or None."""
    bounds = [Version(spec.version) for spec in req.specifier if spec.operator == ">="]
    return bounds[0] if len(bounds) == 1 else None


def pins(text: str) -> tuple[list[tuple[str, str, str]], list[str]]:
    """A pinned requirements file as (name, version, marker) triples, and its lines that are no exact pin."""
    pinned, other = [], []
    for line in lines_of(text):
        if line.startswith("-e"):
            continue
        req = Requirement(line)
        specs = list(req.specifier)
        if len(specs) == 1 and specs[0].operator == "==" and "*" not in specs[0].version and not req.extras:
            pinned.append((canonicalize_name(req.name), specs[0].version, str(req.marker or "")))
        else:
            other.append(line)
    return pinned, other


def selected(lock_pins: list[tuple[str, str, str]], platform: dict, python: str) -> dict[str, list[str]]:
    """The versions the lock installs on one platform and Python: name -> versions (exactly one each, if sound)."""
    env = {**platform, "python_version": ".".join(python.split(".")[:2]), "python_full_version": python,
           "implementation_name": "cpython", "platform_python_implementation": "CPython"}
    chosen: dict[str, list[str]] = {}
    for name, version, marker in lock_pins:
        if not marker or Marker(marker).evaluate(env):
            chosen.setdefault(name, []).append(version)
    return chosen


def lock_problems(lock_text: str, reqs: dict[str, Requirement]) -> list[str]:
    """What is wrong with a lock: a line that is no exact pin, and on each platform and Python, a
    requirement it leaves out, pins twice, or pins outside requirements.txt's bounds."""
    lock_pins, other = pins(lock_text)
    problems = [f"not an exact pin (name==version): {line}" for line in other]
    if "-e ." not in lines_of(lock_text):
        problems.append("the lock does not install course_utils (-e .)")
    for where, platform in PLATFORMS.items():
        for python in PYTHONS:
            chosen = selected(lock_pins, platform, python)
            for name, req in reqs.items():
                versions = chosen.get(name, [])
                if len(versions) != 1:
                    problems.append(f"{where}, Python {python}: {name} pinned {len(versions)} times ({versions})")
                elif not req.specifier.contains(versions[0], prereleases=True):
                    problems.append(f"{where}, Python {python}: {name}=={versions[0]} is outside {req}")
    return problems


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


def test_the_lock_pins_every_requirement_once_within_its_bounds_on_every_platform():
    """Linux, macOS and Windows, Python 3.10 to 3.13: one exact version of each package requirements.txt
    and pyproject.toml name, inside their bounds. A failure here: run make upgrade (it rewrites the lock)."""
    reqs = requirements()
    if sys.version_info >= (3, 11):
        for dep in project()["project"]["dependencies"]:
            req = Requirement(dep)
            reqs.setdefault(canonicalize_name(req.name), req)
    problems = lock_problems((ROOT / LOCK).read_text(), reqs)
    assert problems == [], "requirements-lock.txt (run make upgrade):\n" + "\n".join(problems[:20])


@pytest.mark.parametrize("damage", ["drop torch", "old torch", "range", "torch twice", "no course_utils"])
def test_the_lock_check_finds_a_damaged_lock(damage):
    """The check above can fail: each kind of damage to the real lock is found."""
    text = (ROOT / LOCK).read_text()
    torch_line = re.search(r"^torch==\S+", text, re.M).group(0)
    damaged = {
        "drop torch": text.replace(torch_line + "\n", ""),
        "old torch": text.replace(torch_line, "torch==2.1.0"),
        "range": text.replace(torch_line, "torch>=2.2"),
        "torch twice": text + "\ntorch==2.3.0 ; sys_platform == 'win32'\n",
        "no course_utils": text.replace("-e .\n", ""),
    }[damage]
    assert lock_problems(damaged, requirements()) != []


def test_the_lock_is_universal_for_the_python_floor():
    """make upgrade resolves for Python 3.10 and newer on every platform at once (the header says how),
    and pins torch and torchvision on plain lines (the README's CPU-only recipe reads them with grep)."""
    text = (ROOT / LOCK).read_text()
    header = text.split("\n-e .", 1)[0]
    assert "--universal" in header and f"--python-version {PYTHON_FLOOR}" in header, header
    assert "make upgrade" in header, "the lock is written by make upgrade"
    for name in ("torch", "torchvision"):
        assert re.search(rf"^{name}==[\w.]+$", text, re.M), f"{name} needs one plain pin in the lock: {name}==X.Y.Z"


def test_the_python_floor_is_the_same_everywhere():
    makefile = (ROOT / "Makefile").read_text()
    assert re.search(rf"^PYTHON_FLOOR\s*:?=\s*{re.escape(PYTHON_FLOOR)}\s*$", makefile, re.M)
    assert f"Python {PYTHON_FLOOR} or newer" in (ROOT / "README.md").read_text()
    if sys.version_info >= (3, 11):
        assert project()["project"]["requires-python"] == f">={PYTHON_FLOOR}"


def floor_pins() -> dict[str, Version]:
    floor_pins, other = pins((ROOT / FLOORS).read_text())
    assert other == [], f"{FLOORS} pins exact versions only: {other}"
    assert all(marker == "" for _, _, marker in floor_pins), f"{FLOORS} has no markers"
    assert "-e ." in lines_of((ROOT / FLOORS).read_text()), f"{FLOORS} installs course_utils (-e .)"
    return {name: Version(version) for name, version, _ in floor_pins}


def test_the_floor_file_pins_the_lower_bounds_of_requirements_txt():
    """requirements-oldest.txt = every lower bound of requirements.txt, pinned, plus numpy below 2 for the old torch."""
    floors = floor_pins()
    expected = {name: floor(req) for name, req in requirements().items()}
    numpy = floors.pop("numpy", None)
    course_utils_only = {canonicalize_name(Requirement(dep).name) for dep in project()["project"]["dependencies"]}
    for name in course_utils_only - set(expected):  # pinned at pyproject.toml's floor: the next test checks it
        floors.pop(name, None)
    assert floors == expected, "requirements-oldest.txt and requirements.txt's floors differ: " + str(
        {n: (floors.get(n), expected.get(n)) for n in set(floors) | set(expected) if floors.get(n) != expected.get(n)})
    assert numpy is not None and numpy < Version("2"), "the oldest torch needs numpy 1.x: pin it there"


def test_course_utils_floors_agree_with_requirements_txt():
    """pyproject.toml's lower bounds are requirements.txt's; numpy's is pinned in the floor file, as is any
    other dependency of course_utils alone that the floor file pins."""
    reqs, floors = requirements(), floor_pins()
    for dep in project()["project"]["dependencies"]:
        req = Requirement(dep)
        name = canonicalize_name(req.name)
        if name in reqs:
            assert floor(req) == floor(reqs[name]), f"pyproject.toml says {req}, requirements.txt {reqs[name]}"
        elif name in floors or name == "numpy":
            assert floors.get(name) == floor(req), f"{FLOORS} pins {name} at pyproject.toml's floor {floor(req)}"


def test_notebook_00_checks_the_same_floors():
    """00's environment check stops on torch or torchvision older than requirements.txt's floors, no older."""
    cells = json.loads((ROOT / "notebooks" / "00_start_here.ipynb").read_text())["cells"]
    source = next("".join(c["source"]) for c in cells if "NEEDED = {" in "".join(c["source"]))
    needed = ast.literal_eval(re.search(r"NEEDED = (\{.*?\})", source).group(1))
    reqs = requirements()
    for name in ("torch", "torchvision"):
        major_minor = floor(reqs[name]).release[:2]
        assert needed[name] == major_minor, f"00 checks {name} {needed[name]}, requirements.txt's floor: {major_minor}"


def environment() -> dict:
    return yaml.safe_load((ROOT / "environment.yml").read_text())


def test_environment_yml_installs_the_lock():
    """conda (and Binder, repo2docker) install the same versions as make lab: the lock, through pip."""
    deps = environment()["dependencies"]
    pip_sections = [d["pip"] for d in deps if isinstance(d, dict) and "pip" in d]
    assert len(pip_sections) == 1, "environment.yml needs exactly one pip section"
    assert "pip" in deps
    assert [str(x).strip() for x in pip_sections[0]] == [f"-r {LOCK}"]


def test_environment_yml_names_a_python_the_lock_covers():
    """One Python, pinned (repo2docker reads python=X.Y), no older than the floor the lock is resolved for."""
    pythons = [d for d in environment()["dependencies"] if isinstance(d, str) and re.match(r"python\b", d)]
    assert len(pythons) == 1 and re.fullmatch(r"python=3\.\d+", pythons[0]), pythons
    minor = int(pythons[0].split(".")[1])
    assert (3, minor) >= tuple(int(n) for n in PYTHON_FLOOR.split(".")), pythons[0]


def test_makefile_installs_the_lock_by_default_and_has_the_version_targets():
    makefile = (ROOT / "Makefile").read_text()
    assert re.search(r"^VERSIONS \?= lock$", makefile, re.M), "make lab and make test install the lock by default"
    for kind, file in {"lock": LOCK, "newest": "requirements.txt", "oldest": FLOORS}.items():
        assert re.search(rf"^REQS_{kind}\s*:= {re.escape(file)}$", makefile, re.M), kind
        assert re.search(rf"^PIP_INSTALL_{kind}\s*:= .*-r {re.escape(file)}$", makefile, re.M), kind
    assert re.search(r"^STAMP\s*:= \$\(VENV\)/\.course-installed-\$\(VERSIONS\)$", makefile, re.M)
    assert re.search(r"^\$\(STAMP\): \$\(REQS\) pyproject\.toml$", makefile, re.M), "a changed lock installs again"
    for target in ("test-newest", "test-oldest", "upgrade", "versions"):
        assert re.search(rf"^{target}:", makefile, re.M), f"make {target} is missing"
    assert "--universal" in makefile and "--python-version $(PYTHON_FLOOR)" in makefile


def test_ci_runs_the_lock_then_the_newest_then_the_oldest():
    ci = (ROOT / ".ci" / "run").read_text()
    starts = [re.search(rf"^make {target}\b(?!-)", ci, re.M) for target in ("test", "test-newest", "test-oldest")]
    assert all(starts), "make test, make test-newest and make test-oldest each start a line of .ci/run"
    assert starts[0].start() < starts[1].start() < starts[2].start()


def test_pre_commit_runs_the_locked_ruff():
    """.pre-commit-config.yaml's ruff is the one the lock installs, so a commit and make test lint alike."""
    lock_ruff = {version for name, version, _ in pins((ROOT / LOCK).read_text())[0] if name == "ruff"}
    config = yaml.safe_load((ROOT / ".pre-commit-config.yaml").read_text())
    revs = {repo["rev"].lstrip("v") for repo in config["repos"] if repo["repo"].endswith("/ruff-pre-commit")}
    assert revs == lock_ruff, f"pre-commit runs ruff {revs}, the lock pins {lock_ruff}"


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
    deps = {re.split(r"[<>=!~\[ ;]", d, maxsplit=1)[0].lower() for d in project()["project"]["dependencies"]}
    imported = {BROUGHT_BY.get(name, name).lower() for name in _course_utils_imports()}
    assert imported <= deps, f"course_utils imports {sorted(imported - deps)}: add them to [project].dependencies"
    assert deps <= imported, f"no module of course_utils imports {sorted(deps - imported)}: drop them from dependencies"
    packages = project()["tool"]["setuptools"]["packages"]["find"]["include"]
    assert all(p.startswith("course_utils") for p in packages), f"only course_utils is installed, not {packages}"


def test_build_tools_packages_are_in_requirements():
    listed = {ln.partition(">=")[0].strip().lower() for ln in requirement_lines()}
    assert BUILD_TOOLS <= listed, f"python -m tools needs {sorted(BUILD_TOOLS - listed)} in requirements.txt"
