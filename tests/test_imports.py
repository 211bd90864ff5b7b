"""course_utils' modules import each other in one direction only: no import cycle.

The graph is read from the source with ``ast``, every ``import`` counted wherever it stands:
at the top, inside a function (a "lazy" import) or under ``TYPE_CHECKING``.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "course_utils"


def all_modules(package: Path = PACKAGE) -> dict[str, Path]:
    """Dotted name -> file, for every module of ``package`` (a package is its ``__init__.py``)."""
    modules = {}
    for path in sorted(package.rglob("*.py")):
        parts = list(path.relative_to(package.parent).with_suffix("").parts)
        modules[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    return modules


def resolve(name: str, modules: dict[str, Path]) -> str | None:
    """The course_utils module that importing ``name`` runs: ``name`` itself, or its nearest package."""
    while name:
        if name in modules:
            return name
        name = name.rpartition(".")[0]
    return None


def imported_names(module: str, path: Path) -> list[str]:
    """Every dotted name ``module`` imports, relative imports made absolute.

    ``from p import n`` gives ``p.n``: :func:`resolve` then finds the submodule ``p.n`` or, when
    ``n`` is a name defined in ``p``, the package ``p`` itself.
    """
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    names = []
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            names += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = package.split(".")[: len(package.split(".")) - node.level + 1] if node.level else []
            source = ".".join([*base, node.module] if node.module else base)
            names += [f"{source}.{alias.name}" for alias in node.names]
    return names


def import_graph(modules: dict[str, Path] | None = None) -> dict[str, set[str]]:
    """Module -> the course_utils modules it imports (anywhere in its source)."""
    modules = modules if modules is not None else all_modules()
    graph = {}
    for module, path in modules.items():
        targets = {resolve(name, modules) for name in imported_names(module, path)}
        graph[module] = {t for t in targets if t is not None and t != module}
    return graph


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """Return one cycle as a list of modules (first == last), or None when the graph is acyclic."""
    state: dict[str, int] = {}  # 1: on the current path, 2: done

    def visit(node: str, path: list[str]) -> list[str] | None:
        state[node] = 1
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == 1:
                return path[path.index(nxt) :] + [node, nxt] if nxt in path else [node, nxt]
            if nxt not in state and (cycle := visit(nxt, [*path, node])):
                return cycle
        state[node] = 2
        return None

    for start in sorted(graph):
        if start not in state and (cycle := visit(start, [])):
            return cycle
    return None


def test_the_graph_reader_sees_lazy_and_relative_imports(tmp_path):
    """The reader itself, on a hand-made cycle: a top-level import one way, a lazy one back."""
    pkg = tmp_path / "course_utils"
    (pkg / "sub").mkdir(parents=True)
    (pkg / "a.py").write_text("from course_utils.sub import b\n")
    (pkg / "sub" / "__init__.py").write_text("")
    (pkg / "sub" / "b.py").write_text("def f():\n    from .. import a\n    return a\n")
    (pkg / "c.py").write_text("from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from .sub.b import f\n")
    graph = import_graph(all_modules(pkg))
    assert graph["course_utils.a"] == {"course_utils.sub.b"}
    assert graph["course_utils.sub.b"] == {"course_utils.a"}  # lazy and relative
    assert graph["course_utils.c"] == {"course_utils.sub.b"}  # `f` is a name in b, not a module
    assert find_cycle(graph) == ["course_utils.a", "course_utils.sub.b", "course_utils.a"]
    assert find_cycle({"x": {"y"}, "y": {"z"}, "z": {"x"}}) == ["x", "y", "z", "x"]
    assert find_cycle({"x": {"y"}, "y": set()}) is None


def test_course_utils_has_no_import_cycle():
    cycle = find_cycle(import_graph())
    assert cycle is None, (
        f"import cycle in course_utils: {' -> '.join(cycle or [])}. Fix: move what both need into a module "
        f"that imports neither (settings go to course_utils/config.py), so imports go one way."
    )


def test_config_is_a_leaf_and_data_does_not_import_env():
    graph = import_graph()
    assert not any(t.startswith("course_utils") for t in graph["course_utils.config"]), graph["course_utils.config"]
    data_modules = [m for m in graph if m == "course_utils.data" or m.startswith("course_utils.data.")]
    assert len(data_modules) > 1, "course_utils.data is expected to be a package"
    offenders = sorted(m for m in data_modules if "course_utils.env" in graph[m])
    assert offenders == [], f"{offenders} import course_utils.env: data must not depend on env (env uses data)"


def test_env_still_offers_what_the_notebooks_import():
    from course_utils import config, env

    assert env.pick is config.pick and env.quick_mode is config.quick_mode
    for name in ("pick", "quick_mode", "seed_everything", "pick_device", "setup", "CourseSetup"):
        assert name in env.__all__ and callable(getattr(env, name))


def test_python_m_course_utils_data_prepares_and_says_what(tmp_path):
    """`make setup` runs `python -m course_utils.data`: the package's __main__ must work."""
    out = subprocess.run(
        [sys.executable, "-m", "course_utils.data", "--root", str(tmp_path), "--quick"],
        capture_output=True, text=True, check=True, cwd=ROOT,
    )
    assert out.stdout.startswith("source=sample root=") and "train=6000 test=1000" in out.stdout
    assert "RuntimeWarning" not in out.stderr
