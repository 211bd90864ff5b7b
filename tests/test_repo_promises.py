"""The repository keeps the promises the README makes: two commands, token auth, CI runs them."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_readme_first_two_commands_are_make_lab_and_make_test():
    readme = (ROOT / "README.md").read_text()
    block = re.search(r"```(?:bash|sh)?\n(.*?)```", readme, re.S).group(1)
    commands = [ln.split("#")[0].strip() for ln in block.splitlines() if ln.split("#")[0].strip()]
    assert commands[:2] == ["make lab", "make test"]


def test_make_lab_keeps_token_authentication():
    makefile = (ROOT / "Makefile").read_text()
    lab = re.search(r"^lab:.*?(?=^\S)", makefile, re.S | re.M).group(0)
    assert "jupyter lab" in lab and "notebooks/00_start_here.ipynb" in lab
    assert "token=''" not in makefile and 'token=""' not in makefile and "token= " not in makefile
    assert "--allow-root" not in lab.replace("$(ROOT_FLAG)", ""), "--allow-root only via ROOT_FLAG (root only)"


def test_ci_runs_make_test():
    ci = (ROOT / ".ci" / "run").read_text()
    assert re.search(r"^make test\b", ci, re.M)


def test_quick_mode_is_read_in_one_place():
    """Only course_utils.config reads COURSE_QUICK; notebooks and other modules ask quick_mode()."""
    reads = re.compile(r"(environ|getenv)[^\n]*COURSE_QUICK")
    sources = {p.relative_to(ROOT).as_posix(): p.read_text() for p in (ROOT / "course_utils").rglob("*.py")}
    for nb in (ROOT / "notebooks").rglob("*.ipynb"):
        sources[nb.relative_to(ROOT).as_posix()] = nb.read_text()
    readers = sorted(name for name, text in sources.items() if reads.search(text))
    assert readers == [], f"read COURSE_QUICK through course_utils.config.quick_mode(), not in {readers}"
    assert 'QUICK_ENV = "COURSE_QUICK"' in sources["course_utils/config.py"]
    assert "os.environ.get(QUICK_ENV" in sources["course_utils/config.py"]
    indirect = re.compile(r"(environ|getenv)[^\n]*QUICK_ENV")
    others = sorted(name for name, text in sources.items() if indirect.search(text))
    others.remove("course_utils/config.py")
    assert others == [], f"read COURSE_QUICK through course_utils.config.quick_mode(), not in {others}"
