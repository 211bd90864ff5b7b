"""The nbgrader course folder ``nbgrader/``: generated from the exercises, committed, graded by the real nbgrader.

- the committed ``nbgrader/source/`` is what ``make assignments`` writes, and the command line says so;
- each assignment notebook holds the course's code between nbgrader's solution markers and one graded
  check per piece; run in this process, cell by cell as autograde runs them (as ``tests/test_exercises.py``
  runs the exercises), the instructor's version passes every check and the learner's version (nbgrader's
  own release) says *not attempted*;
- the real nbgrader, the venv's ``bin/nbgrader`` by subprocess, in a temporary copy of the course folder:
  ``generate_assignment``, three submissions of ``all_from_blank`` by three students (correct, the
  ``zero_grad`` mistake, blank), ``autograde`` and ``generate_feedback``; the scores in the gradebook (nbgrader's
  ``Gradebook`` API) and the check's diagnosis in the mistaken submission's feedback.

One kernel per graded notebook is the cost (three); everything else runs in this process. Nothing is
downloaded: ``setup()`` never downloads, and the grader's kernels run in quick mode on the course's sample.
"""

from __future__ import annotations

import contextlib
import html
import inspect
import io
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from learner_code import notebook_cell

from course_utils import checks, reference
from course_utils.checks import CORRECT, INCORRECT, NOT_ATTEMPTED
from tools import assignments
from tools.assignments import ASSIGNMENTS, COURSE, POINTS
from tools.exercises import PIECE, find_sources, solution
from tools.exercises.markers import BEGIN, END
from tools.notebooks import ROOT

pytestmark = pytest.mark.nbgrader

NBGRADER = Path(sys.executable).parent / "nbgrader"
ALL = "all_from_blank"
COURSE_ID = "lenet-course"  # nbgrader_config.py's course_id
#: student -> what they submit for all_from_blank, and the points each check must give
STUDENTS = {
    "ada": ("correct", {"net": POINTS, "train": POINTS, "test": POINTS}),
    "bob": ("zero_grad between backward and step", {"net": POINTS, "train": 0, "test": POINTS}),
    "cy": ("blank", {"net": 0, "train": 0, "test": 0}),
}
#: a kernel the grading machine does not have, as a learner's JupyterHub may name it
FOREIGN_KERNEL = {"display_name": "Python (their hub)", "language": "python", "name": "their-hub-python"}


def course_solutions() -> dict[str, str]:
    """The course's code for each piece, as the exercises take it from the teaching notebooks."""
    return {name: solution(source.definition) for name, source in find_sources().items()}


def zero_grad_between(code: str) -> str:
    """A training loop with its ``optimizer.zero_grad()`` line moved between ``loss.backward()`` and the step."""
    lines = code.splitlines()
    zero = [i for i, line in enumerate(lines) if line.strip() == "optimizer.zero_grad()"]
    backward = [i for i, line in enumerate(lines) if line.strip() == "loss.backward()"]
    assert len(zero) == len(backward) == 1 and zero[0] < backward[0], "expected the course's five steps, in order"
    moved = lines.pop(zero[0])
    lines.insert(backward[0], moved)  # backward moved up one line: this is just after it
    return "\n".join(lines)


def answers_of(kind: str) -> dict[str, str]:
    """What a student writes in each answer cell (nothing, for a blank submission)."""
    if kind == "blank":
        return {}
    answers = course_solutions()
    if kind.startswith("zero_grad"):
        answers["train"] = zero_grad_between(answers["train"])
    return answers


def with_answers(nb: nbformat.NotebookNode, answers: dict[str, str]) -> nbformat.NotebookNode:
    """A copy of a released notebook with each answer cell (grade id ``<piece>_answer``) holding ``answers[piece]``."""
    nb = nbformat.from_dict(nb)
    for cell in nb.cells:
        grade_id = cell.metadata.get("nbgrader", {}).get("grade_id", "")
        piece = grade_id.removesuffix("_answer")
        if grade_id.endswith("_answer") and piece in answers:
            cell.source = answers[piece]
    return nb


def run_cells(nb: nbformat.NotebookNode) -> tuple[dict, dict[str, BaseException]]:
    """Run the code cells top to bottom in a fresh namespace, going on after an error as autograde does.

    Returns the namespace and the errors by cell id; what the cells print is discarded.
    """
    namespace: dict = {"__name__": "__assignment__"}
    errors = {}
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
        for cell in nb.cells:
            if cell.cell_type != "code":
                continue
            try:
                exec(compile(cell.source, f"<{cell.id}>", "exec"), namespace)
            except Exception as exc:  # a learner's error is a result here, as in autograde
                errors[cell.id] = exc
    return namespace, errors


def nbgrader(course: Path, env: dict[str, str], *args: str) -> None:
    """Run the real ``nbgrader`` command line in ``course``; fail with the end of its log when it fails."""
    assert NBGRADER.is_file(), f"no {NBGRADER}: install the course's requirements (pip install -r requirements.txt)"
    done = subprocess.run([str(NBGRADER), *args], cwd=course, env=env, capture_output=True, text=True, timeout=900)
    assert done.returncode == 0, f"nbgrader {' '.join(args)} failed:\n{done.stdout[-3000:]}\n{done.stderr[-6000:]}"


def source_notebook(name: str, course: Path = COURSE) -> nbformat.NotebookNode:
    return nbformat.read(course / "source" / name / f"{name}.ipynb", as_version=4)


def graded_cells(nb: nbformat.NotebookNode) -> dict[str, dict]:
    """The nbgrader metadata of each cell that has some, by grade id."""
    return {c.metadata["nbgrader"]["grade_id"]: c.metadata["nbgrader"] for c in nb.cells if "nbgrader" in c.metadata}


def page_text(path: Path) -> str:
    """The visible text of an HTML page (tags dropped, entities decoded)."""
    return html.unescape(re.sub(r"<[^>]+>", "", path.read_text()))


# --------------------------------------------------------------------------- generated and committed


def test_committed_assignments_are_what_make_assignments_writes():
    built = assignments.build()
    stale = assignments.stale(built)
    expected = {f"{name}/{book}" for name, books in built.items() for book in books}
    found = {p.relative_to(COURSE / "source").as_posix() for p in (COURSE / "source").rglob("*.ipynb")
             if ".ipynb_checkpoints" not in p.parts}
    assert not stale and found == expected, (
        f"nbgrader/source/ is out of date (stale: {stale}, extra: {sorted(found - expected)}): run `make assignments`"
    )


def test_python_m_tools_assignments_checks_the_committed_notebooks():
    done = subprocess.run([sys.executable, "-m", "tools", "assignments", "--check"], cwd=ROOT,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert f"{len(ASSIGNMENTS)} assignment notebooks up to date" in done.stdout


def test_command_line_writes_checks_and_removes_only_its_own(tmp_path, capsys):
    out = tmp_path / "course"
    assert assignments.main(["--out", str(out), "--check"]) == 1
    assert assignments.main(["--out", str(out)]) == 0
    assert assignments.main(["--out", str(out), "--check"]) == 0
    old = out / "source" / "old_name"  # an assignment an older generator wrote, and one of the instructor's
    old.mkdir()
    shutil.copy2(out / "source" / ALL / f"{ALL}.ipynb", old / "old_name.ipynb")
    mine = out / "source" / "week_1"
    mine.mkdir()
    nbformat.write(nbformat.v4.new_notebook(), mine / "week_1.ipynb")
    assert assignments.main(["--out", str(out)]) == 0
    assert not old.exists() and (mine / "week_1.ipynb").exists()
    assert assignments.main(["--notebooks", str(tmp_path / "nothing"), "--out", str(out)]) == 1
    assert "exercise:net" in capsys.readouterr().err


def test_the_assignments_are_one_per_piece_and_all_three():
    pieces = {a.name: a.pieces for a in ASSIGNMENTS}
    assert pieces == {"net_from_blank": ("net",), "train_from_blank": ("train",), "test_from_blank": ("test",),
                      ALL: ("net", "train", "test")}


@pytest.mark.parametrize("assignment", ASSIGNMENTS, ids=lambda a: a.name)
def test_answer_cells_hold_the_course_s_code_between_the_markers(assignment):
    nb = source_notebook(assignment.name)
    for piece in assignment.pieces:
        (cell,) = [c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id") == f"{piece}_answer"]
        meta = cell.metadata["nbgrader"]
        assert meta["solution"] and not meta["grade"] and not meta["locked"], "an autograded answer cell"
        placeholder, rest = cell.source.split("\n", 1)
        assert placeholder.startswith(f"{PIECE[piece].symbol} = None"), "the check reads None as not attempted"
        begin, *code, end = rest.splitlines()
        assert (begin, end) == (BEGIN, END)
        # the course's code, as course_utils.reference holds it (exported from the same teaching cells)
        assert "\n".join(code) == inspect.getsource(getattr(reference, PIECE[piece].symbol)).rstrip("\n")


@pytest.mark.parametrize("assignment", ASSIGNMENTS, ids=lambda a: a.name)
def test_each_check_is_a_locked_test_worth_its_points(assignment):
    cells = graded_cells(source_notebook(assignment.name))
    tests = {gid: meta for gid, meta in cells.items() if meta["grade"]}
    assert set(tests) == {f"{piece}_check" for piece in assignment.pieces}
    assert all(meta["points"] == POINTS and meta["locked"] and not meta["solution"] for meta in tests.values())
    assert sum(meta["points"] for meta in tests.values()) == assignment.points
    assert cells["setup"]["locked"] and not cells["setup"]["grade"], "the set-up is read-only"


@pytest.mark.parametrize("assignment", ASSIGNMENTS, ids=lambda a: a.name)
def test_the_instructor_s_version_passes_every_check(assignment):
    namespace, errors = run_cells(source_notebook(assignment.name))
    assert not errors, errors
    assert {namespace[f"result_{p}"].status for p in assignment.pieces} == {CORRECT}


# --------------------------------------------------------------------------- the real nbgrader


@pytest.fixture(scope="module")
def graded(tmp_path_factory) -> tuple[Path, Path]:
    """A copy of the course folder after generate_assignment, three submissions, autograde and generate_feedback.

    The instructor's own progress file is set (``COURSE_PROGRESS``), outside the course folder, to see that
    the grader's kernels do not write it. Returns the course folder and that file.
    """
    course = tmp_path_factory.mktemp("nbgrader") / "course"
    course.mkdir()
    shutil.copy2(COURSE / "nbgrader_config.py", course)
    shutil.copytree(COURSE / "source", course / "source", ignore=shutil.ignore_patterns(".ipynb_checkpoints"))
    progress = course.parent / "instructor-progress.jsonl"
    env = {**os.environ, "COURSE_PROGRESS": str(progress)}
    nbgrader(course, env, "generate_assignment", "*")
    released = nbformat.read(course / "release" / ALL / f"{ALL}.ipynb", as_version=4)
    for student, (kind, _) in STUDENTS.items():
        nb = with_answers(released, answers_of(kind))
        if student == "bob":
            nb.metadata["kernelspec"] = dict(FOREIGN_KERNEL)
        path = course / "submitted" / student / ALL / f"{ALL}.ipynb"
        path.parent.mkdir(parents=True)
        nbformat.write(nb, path)
    nbgrader(course, env, "autograde", ALL)
    nbgrader(course, env, "generate_feedback", ALL)
    return course, progress


def test_release_has_nbgrader_s_stub_in_place_of_each_solution(graded):
    course, _ = graded
    for assignment in ASSIGNMENTS:
        released = nbformat.read(course / "release" / assignment.name / assignment.notebook, as_version=4)
        text = "\n".join(c.source for c in released.cells if c.cell_type == "code")
        assert "BEGIN SOLUTION" not in text and "optimizer.step()" not in text and "nn.Conv2d" not in text
        assert text.count("raise NotImplementedError()") == len(assignment.pieces)


def test_the_release_says_not_attempted(graded):
    course, _ = graded
    for assignment in ASSIGNMENTS:
        released = nbformat.read(course / "release" / assignment.name / assignment.notebook, as_version=4)
        namespace, errors = run_cells(released)
        for piece in assignment.pieces:
            assert namespace[f"result_{piece}"].status == NOT_ATTEMPTED
            assert isinstance(errors[f"{piece}_check"], AssertionError), "a check that fails fails its cell"


def test_the_gradebook_holds_each_check_s_points(graded):
    from nbgrader.api import Gradebook

    course, _ = graded
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}", course_id=COURSE_ID) as gb:
        assert gb.find_assignment(ALL).course_id == COURSE_ID
        for student, (kind, points) in STUDENTS.items():
            scores = {piece: gb.find_grade(f"{piece}_check", ALL, ALL, student).score for piece in points}
            assert scores == points, (student, kind)
            submission = gb.find_submission(ALL, student)
            assert submission.score == sum(points.values()) and submission.max_score == 3 * POINTS
            assert not submission.needs_manual_grade


def test_the_feedback_shows_the_check_s_diagnosis(graded):
    course, _ = graded
    mistaken = checks.check_train(notebook_cell(answers_of("zero_grad")["train"])["train"])
    assert mistaken.status == INCORRECT and "zero_grad_between" in mistaken.keys, str(mistaken)
    feedback = page_text(course / "feedback" / "bob" / ALL / f"{ALL}.html")
    assert f"check_train(train): {INCORRECT}" in feedback
    for message in mistaken.messages:
        assert message in feedback, f"the feedback does not show the check's words: {message}"
    assert f"check_net(Net): {CORRECT}" in feedback and f"check_test(test): {CORRECT}" in feedback
    blank = page_text(course / "feedback" / "cy" / ALL / f"{ALL}.html")
    assert blank.count(f": {NOT_ATTEMPTED}") == 3 and "is still None" in blank


def test_the_grader_s_kernels_write_no_progress_file(graded):
    _, progress = graded
    assert not progress.exists(), "autograde recorded the learners' checks in the instructor's progress file"
