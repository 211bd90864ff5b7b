"""The class grader, ``python -m course_utils.grade``: a handful of synthetic submissions end to end, then its parts.

The end-to-end run (one, shared by the tests that read its files) grades
:data:`benchmarks.submissions.SMALL_CLASS` in nbgrader's layout: correct work, a mistake in two
learners and one in one, and every kind of bad input (an endless loop, a cell that raises, a write
outside the folder, broken JSON, a file that is not a notebook). Its timing is in ``make bench``
(``benchmarks/grading.py``), not here.
"""

from __future__ import annotations

import csv
import json
import subprocess
import sys
import textwrap
from datetime import datetime, timezone
from pathlib import Path

import nbformat
import pytest
from learner_code import notebook_cell
from progress_sandbox import private_progress  # noqa: F401

from benchmarks import cli, grading, report, submissions
from course_utils import checks
from course_utils.checks import train_rules
from course_utils.grade import COLUMNS, summarise
from course_utils.grade.__main__ import parse_args
from course_utils.grade.kernel import Ran
from course_utils.grade.layout import Submission, find
from course_utils.grade.notebook import Unreadable, load, plan
from course_utils.grade.render import markdown, page
from course_utils.grade.rows import Row, rows
from course_utils.progress import Attempt

ROOT = Path(__file__).resolve().parent.parent
EXERCISES = ROOT / "notebooks" / "exercises"
#: seconds per learner cell: the endless loop costs this much; the grader's set-up (PyTorch's import) has its own limit
TIMEOUT = 30


def snapshot(folder: Path) -> dict[str, bytes]:
    """Every file under ``folder`` (its path below it) and its bytes."""
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def graded(tmp_path_factory: pytest.TempPathFactory) -> dict:
    """The small class, built and graded once: the expected rows, the folder before and after, the output."""
    tmp = tmp_path_factory.mktemp("grade")
    folder, out = tmp / "course", tmp / "out"
    expected = submissions.build(folder, submissions.SMALL_CLASS, nbgrader=True)
    before = snapshot(folder)
    command = [sys.executable, "-m", "course_utils.grade", str(folder), "--out", str(out), "--timeout", str(TIMEOUT)]
    run = subprocess.run(command, cwd=tmp, capture_output=True, text=True, timeout=900)
    assert run.returncode == 0, run.stderr
    return {"expected": expected, "folder": folder, "before": before, "out": out, "stderr": run.stderr}


# --------------------------------------------------------------------------- end to end


def test_every_submission_gets_its_expected_row(graded):
    rows_read = submissions.read_grades(graded["out"] / "grades.csv")
    assert submissions.mismatches(graded["expected"], rows_read) == []
    assert len(rows_read) == len(graded["expected"]) == 9  # the notebook of all three pieces gives three rows


def test_grades_csv_has_its_columns(graded):
    with open(graded["out"] / "grades.csv", newline="") as fh:
        header = next(csv.reader(fh))
    assert tuple(header) == COLUMNS
    assert header[:4] == ["student", "exercise", "level", "status"] and {"score", "keys"} <= set(header)


def test_rows_say_what_happened_to_bad_input(graded):
    by_status = {r["status"]: r for r in submissions.read_grades(graded["out"] / "grades.csv")}
    refused = by_status["refused"]["problem"]
    assert f"tried to write outside its folder: {graded['folder'] / 'submitted'}" in refused
    assert f"cell 7 ran longer than {TIMEOUT} s" in by_status["timeout"]["problem"]  # the answer cell of train_3
    assert "cell 7 raised NameError" in by_status["error"]["problem"]
    assert "not valid JSON" in by_status["broken JSON"]["problem"]
    assert by_status["not a notebook"]["notebook"] == "hw1/train.py"
    assert by_status["incorrect"]["level"] in ("3", "all")  # the level the checks recorded


def test_the_submissions_folder_is_unchanged(graded):
    assert snapshot(graded["folder"]) == graded["before"]
    assert not list(graded["folder"].rglob("graded.txt"))  # the refused write left nothing


def test_the_report_lists_the_mistakes_by_frequency_in_the_checks_words(graded):
    text = (graded["out"] / "report.md").read_text()
    assert "7 learners handed in 7 files." in text
    mistakes = text.split("## The most common mistakes")[1].split("## Not graded")[0]
    first, second = mistakes.index("`zero_grad_between`"), mistakes.index("`not_in_eval_mode`")
    assert first < second
    assert "`zero_grad_between`, train): 2 learners." in mistakes
    assert "`not_in_eval_mode`, test): 1 learner." in mistakes
    assert train_rules.zero_grad_between.doc in mistakes  # the rule's own description
    code = submissions.ANSWERS["train: zero_grad between"](Path("."))
    said = checks.check_train(notebook_cell(code)["train"]).messages[0]  # what the check tells this learner
    assert f"> {said}" in mistakes
    assert "| train | 5 | 0 | 2 | 0 | 3 |" in text  # 2 incorrect; a timeout, an error and a refused write
    not_graded = text.split("## Not graded")[1]
    for status in ("timeout", "error", "refused", "broken JSON", "not a notebook"):
        assert f"| {status} |" in not_graded


def test_the_html_report_says_the_same(graded):
    html = (graded["out"] / "report.html").read_text()
    assert html.startswith("<!DOCTYPE html>") and "<script" not in html
    assert html.index("<code>zero_grad_between</code>") < html.index("<code>not_in_eval_mode</code>")
    assert "<blockquote>optimizer.zero_grad() runs between" in html


# --------------------------------------------------------------------------- the folders


def test_layouts_plain_nbgrader_and_flat(tmp_path):
    for relative in ("plain/ann/train.ipynb", "plain/ann/extra/notes.txt", "plain/bob.ipynb",
                     "plain/ann/.ipynb_checkpoints/train-checkpoint.ipynb", "nb/submitted/cy/hw1/test.ipynb",
                     "nb/submitted/cy/hw1/timestamp.txt", "nb/source/hw1/test.ipynb"):
        (tmp_path / relative).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / relative).write_text("{}")
    assert [(s.student, s.name) for s in find(tmp_path / "plain")] == [
        ("ann", "extra/notes.txt"), ("ann", "train.ipynb"), ("bob", "bob.ipynb")]
    assert [(s.student, s.name) for s in find(tmp_path / "nb")] == [("cy", "hw1/test.ipynb")]


# --------------------------------------------------------------------------- a notebook: reading it, the cells to run


def _submission(tmp_path: Path, name: str, content: bytes) -> Submission:
    path = tmp_path / name
    path.write_bytes(content)
    return Submission("ann", path, name)


def test_files_that_are_not_notebooks_are_named(tmp_path):
    cases = {"a.py": (b"print(1)", "not a notebook"), "b.ipynb": (b'{"cells": [', "broken JSON"),
             "c.ipynb": (b"\xff\xfe", "broken JSON"), "d.ipynb": (b'{"hello": 1}', "not a notebook")}
    for name, (content, status) in cases.items():
        with pytest.raises(Unreadable) as caught:
            load(_submission(tmp_path, name, content))
        assert caught.value.status == status and name in str(caught.value)


def test_the_cells_run_stop_at_the_last_check_and_skip_try_it():
    nb = nbformat.read(EXERCISES / "all_from_blank.ipynb", as_version=4)
    chosen = plan(nb)
    assert chosen.pieces == ("net", "train", "test") and chosen.level == "all"
    tags = [nb.cells[i].metadata.get("tags", []) for i in chosen.cells]
    assert ["check"] in tags and not any({"try-it", "progress"} & set(t) for t in tags)
    assert nb.cells[chosen.cells[-1]].metadata["tags"] == ["check"]
    assert chosen.cells[0] == next(i for i, c in enumerate(nb.cells) if c.cell_type == "code")


def test_pieces_come_from_the_check_calls_when_the_metadata_is_gone():
    nb = nbformat.v4.new_notebook(cells=[
        nbformat.v4.new_code_cell("import torch"), nbformat.v4.new_code_cell("r = checks.check_test(test)"),
        nbformat.v4.new_code_cell("print('after the check')")])
    assert plan(nb).pieces == ("test",) and plan(nb).cells == (0, 1) and plan(nb).level == ""
    nb.cells.pop(1)
    assert plan(nb).cells == ()  # no check: nothing to run


# --------------------------------------------------------------------------- rows


def _attempt(exercise: str, status: str, keys: tuple[str, ...] = (), level: str = "3") -> Attempt:
    return Attempt(datetime(2026, 1, 1, tzinfo=timezone.utc), exercise, level, status, keys)


def test_rows_the_last_verdict_of_each_piece_and_why_there_is_none():
    sub = Submission("ann", Path("all.ipynb"), "all.ipynb")
    chosen = plan(nbformat.read(EXERCISES / "all_from_blank.ipynb", as_version=4))
    tried = [_attempt("net", "incorrect", ("fc1_in_features",), "all"), _attempt("net", "correct", (), "all")]
    ran = Ran(attempts=tried, problems=["cell 8 ran longer than 60 s"], stopped="timeout")
    got = rows(sub, chosen, ran)
    assert [(r.exercise, r.status, r.score, r.level) for r in got] == [
        ("net", "correct", 1, "all"), ("train", "timeout", 0, "all"), ("test", "timeout", 0, "all")]
    assert all(r.problem == "cell 8 ran longer than 60 s" for r in got)


def test_a_refused_write_voids_every_verdict():
    sub = Submission("ann", Path("t.ipynb"), "t.ipynb")
    chosen = plan(nbformat.read(EXERCISES / "train_3_from_blank.ipynb", as_version=4))
    ran = Ran(attempts=[_attempt("train", "correct")], refused=["tried to write outside its folder: /x"])
    (row,) = rows(sub, chosen, ran)
    assert (row.status, row.score, row.problem) == ("refused", 0, "tried to write outside its folder: /x")


def test_a_piece_checked_but_not_expected_still_gets_a_row():
    sub = Submission("ann", Path("t.ipynb"), "t.ipynb")
    chosen = plan(nbformat.read(EXERCISES / "train_3_from_blank.ipynb", as_version=4))
    got = rows(sub, chosen, Ran(attempts=[_attempt("test", "not attempted")]))
    assert [(r.exercise, r.status, r.problem) for r in got] == [
        ("train", "no check", "no check of train ran"), ("test", "not attempted", "")]


# --------------------------------------------------------------------------- the summary and the report


def _row(student: str, exercise: str, status: str, keys: tuple[str, ...] = ()) -> Row:
    return Row(student, exercise, "3", status, int(status == "correct"), keys, f"{exercise}.ipynb")


def test_mistakes_count_each_learner_once_most_common_first():
    made = [_row(student, piece, "incorrect", (key,)) for student, piece, key in (
        ("a", "train", "zero_grad_between"), ("a", "train", "zero_grad_between"), ("b", "train", "softmax_before_loss"),
        ("b", "test", "softmax_before_loss"), ("c", "train", "softmax_before_loss"), ("c", "test", "not_in_eval_mode"))]
    made.append(_row("d", "test", "correct"))
    summary = summarise(made)
    assert [(m.key, m.learners) for m in summary.mistakes] == [
        ("softmax_before_loss", 2), ("not_in_eval_mode", 1), ("zero_grad_between", 1)]  # ties: by key
    assert summary.mistakes[0].exercises == ("train", "test")
    assert summary.mistakes[0].about == train_rules.softmax_before_loss.doc


def test_each_piece_counts_a_learner_once_by_their_best_status():
    summary = summarise([_row("a", "train", "incorrect"), _row("a", "train", "correct"), _row("b", "train", "timeout"),
                         _row("c", "train", "not attempted"), _row("d", "", "broken JSON")])
    (train,) = summary.pieces
    assert (train.learners, train.statuses) == (3, {"correct": 1, "not attempted": 1, "timeout": 1})
    assert summary.learners == 4 and [r.status for r in summary.not_graded] == ["timeout", "broken JSON"]


def test_the_report_escapes_html_and_shows_code():
    made = [_row("ann", "train", "incorrect", ("raised_TypeError",)),
            Row("<i>bob</i>", "", "", "error", 0, notebook="x.ipynb", problem="<script>alert(1)</script>")]
    made[0].messages["raised_TypeError"] = "train raised TypeError: `x < y` failed"
    html = page(summarise(made), "hw <1>")
    assert "<script>" not in html and "&lt;script&gt;" in html and "&lt;i&gt;bob&lt;/i&gt;" in html
    assert "<code>x &lt; y</code>" in html and "Class report: hw &lt;1&gt;" in html
    assert "<b>TypeError raised</b>" in html  # an error's key, in words (course_utils.progress.mistakes)
    assert "> train raised TypeError: `x < y` failed" in markdown(summarise(made), "hw")


# --------------------------------------------------------------------------- the guard, in a fresh interpreter

GUARD_SCRIPT = textwrap.dedent("""
    import importlib.util, json, os, subprocess, sys
    from pathlib import Path
    spec = importlib.util.spec_from_file_location("guard", sys.argv[3])  # the module alone: no torch to import
    guard = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(guard)
    install, refusals = guard.install, guard.refusals
    inside, outside = Path(sys.argv[1]), Path(sys.argv[2])
    install([inside], inside / "log.jsonl")
    os.chdir(inside)
    attempts = {
        "write inside": lambda: open(inside / "a.txt", "w").write("ok"),
        "write /dev/null": lambda: open(os.devnull, "w").write("ok"),
        "read outside": lambda: (outside / "keep.txt").read_text(),
        "write outside": lambda: open(outside / "new.txt", "w"),
        "write ../": lambda: open("../escape.txt", "w"),
        "append via os.open": lambda: os.open(outside / "keep.txt", os.O_WRONLY | os.O_APPEND),
        "remove": lambda: os.remove(outside / "keep.txt"),
        "rename out": lambda: os.rename(inside / "a.txt", outside / "moved.txt"),
        "mkdir": lambda: os.mkdir(outside / "d"),
        "through a link": lambda: (os.symlink(outside, inside / "link"), open(inside / "link" / "x", "w")),
        "process": lambda: subprocess.run(["true"]),
    }
    said = {}
    for name, attempt in attempts.items():
        try:
            attempt()
            said[name] = "ok"
        except PermissionError as exc:
            said[name] = str(exc)
    print(json.dumps({"said": said, "refusals": refusals(inside / "log.jsonl")}))
""")


def test_the_guard_refuses_changes_outside_its_folder_and_names_them(tmp_path):
    inside, outside = tmp_path / "inside", tmp_path / "outside"
    inside.mkdir()
    outside.mkdir()
    (outside / "keep.txt").write_text("keep")
    script = [sys.executable, "-c", GUARD_SCRIPT, str(inside), str(outside), str(ROOT / "course_utils/grade/guard.py")]
    run = subprocess.run(script, capture_output=True, text=True, check=True, cwd=ROOT)
    found = json.loads(run.stdout.splitlines()[-1])
    said = found["said"]
    assert [n for n, s in said.items() if s == "ok"] == ["write inside", "write /dev/null", "read outside"]
    assert f"refused to change {outside / 'new.txt'}" in said["write outside"]
    assert f"refused to change {tmp_path / 'escape.txt'}" in said["write ../"]
    assert "refused to start a process (true)" in said["process"]
    assert sorted(p.name for p in outside.iterdir()) == ["keep.txt"] and (outside / "keep.txt").read_text() == "keep"
    assert f"tried to write outside its folder: {outside / 'moved.txt'}" in found["refusals"]
    assert "tried to start a process: true" in found["refusals"]


# --------------------------------------------------------------------------- the command line


def test_the_command_line_refuses_an_output_inside_the_submissions(tmp_path, capsys):
    (tmp_path / "subs").mkdir()
    assert parse_args([str(tmp_path / "subs"), "--out", str(tmp_path / "out")]).timeout == 60
    subs = str(tmp_path / "subs")
    for argv, why in (([subs, "--out", str(tmp_path / "subs" / "grades")], "inside the submissions"),
                      ([str(tmp_path / "none")], "is not a folder"), ([subs, "--jobs", "0"], "--jobs")):
        with pytest.raises(SystemExit) as stopped:
            parse_args(argv)
        assert stopped.value.code == 2 and why in capsys.readouterr().err
    assert list((tmp_path / "subs").iterdir()) == []


# --------------------------------------------------------------------------- the bench part and its helpers


#: piece -> the name the learner's code defines, and its check
CHECKED = {"net": ("Net", checks.check_net), "train": ("train", checks.check_train),
           "test": ("test", checks.check_test)}


@pytest.mark.parametrize("name", [n for n, k in submissions.KINDS.items()
                                  if k.spoil is None and all(e.status in ("correct", "incorrect") for e in k.expected)])
def test_each_synthetic_answer_gets_its_verdict_from_the_checks(name):
    """The builder's expectations hold for the checks themselves, in this process: its mistakes are real ones."""
    kind = submissions.KINDS[name]
    for want in kind.expected:
        symbol, check = CHECKED[want.exercise]
        code = submissions.ANSWERS[kind.answers[want.exercise]](Path("."))
        found = check(notebook_cell(code)[symbol])
        assert (found.status, tuple(found.keys)) == (want.status, want.keys), found


def test_mismatches_names_each_wrong_row():
    want = [submissions.ExpectedRow("s01", "t.ipynb", submissions.Expected("train", "incorrect", ("k",)))]
    right = {"student": "s01", "notebook": "t.ipynb", "exercise": "train", "status": "incorrect", "keys": "k",
             "score": "0", "problem": ""}
    assert submissions.mismatches(want, [right]) == []
    wrong = dict(right, status="correct", score="1")
    extra = dict(right, exercise="test")
    assert submissions.mismatches(want, [wrong, extra]) == [
        "s01/t.ipynb train: expected incorrect ['k'], got correct ['k'] score 1",
        "s01/t.ipynb test: a row that was not expected"]


def test_the_grading_part_is_registered_and_rendered():
    assert cli.parse_args(["--only", "grading"]).only == ["grading"]
    assert (cli.parse_args([]).grade_submissions, cli.parse_args([]).grade_repeats) == (30, 3)
    result = {"submissions": 30, "repeats": 3, "timeout_s": 60, "jobs": 2, "kinds": {"correct train": 30}, "rows": 30,
              "seconds": [200.0, 190.5, 320.0], "median_s": 200.0, "mismatches": []}
    text = grading.grading_markdown(result)
    assert "## 4. Grading a class: 30 synthetic submissions" in text and "| 2 | 190.5 s |" in text
    assert "- median: 200.0 s (target ≤ 300 s on 2 cores: met)" in text
    assert "Every one of the 30 rows was as expected" in text
    results = report.read_results(ROOT / "benchmarks" / "RESULTS.json")
    assert "4. Grading a class" in report.render_markdown(dict(results, grading=result), None, Path("RESULTS.md"))
    assert "met" not in grading.grading_markdown(dict(result, median_s=301.0)).split("median:")[1]
