"""course_utils.progress: the progress file (path, off, corrupt and foreign files, two writers at once),
the spaced-repetition schedule, the summary, the table, the timeline and the command line.

Every test writes into its own temporary file (``COURSE_PROGRESS``, set by the autouse fixture).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from progress_sandbox import private_progress  # noqa: F401 (autouse: a temporary progress file per test)

from course_utils import checks, progress, reference
from course_utils.progress import INTERVALS, Attempt, due, read, record, show, summarise
from course_utils.progress.__main__ import main
from course_utils.progress.store import data_home, locked, progress_path

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=timezone.utc)
ROOT = Path(__file__).resolve().parent.parent


def at(days: float = 0, minutes: float = 0) -> datetime:
    return T0 + timedelta(days=days, minutes=minutes)


def attempt(status: str, days: float = 0, minutes: float = 0, level: str = "3", exercise: str = "net",
            keys: tuple[str, ...] = ()) -> Attempt:
    return Attempt(at(days, minutes), exercise, level, status, keys)


# --------------------------------------------------------------------------- where the file lives


def test_the_path_honours_course_progress_and_off(monkeypatch, tmp_path):
    monkeypatch.setenv("COURSE_PROGRESS", str(tmp_path / "mine.jsonl"))
    assert progress_path() == tmp_path / "mine.jsonl"
    monkeypatch.setenv("COURSE_PROGRESS", "off")
    assert progress_path() is None
    assert record("net", 1, "correct") is False and read().attempts == []


@pytest.mark.skipif(sys.platform in ("win32", "darwin"), reason="the XDG convention is Linux's")
def test_the_default_is_under_each_users_own_data_folder(monkeypatch, tmp_path):
    monkeypatch.delenv("COURSE_PROGRESS")
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    assert progress_path() == tmp_path / "xdg" / "course_utils" / "progress.jsonl"
    monkeypatch.setenv("XDG_DATA_HOME", "relative/ignored")  # the XDG spec ignores a relative path
    monkeypatch.setenv("HOME", str(tmp_path / "alice"))
    assert data_home() == tmp_path / "alice" / ".local" / "share" / "course_utils"
    monkeypatch.setenv("HOME", str(tmp_path / "bob"))  # another user, another file
    assert progress_path() == tmp_path / "bob" / ".local" / "share" / "course_utils" / "progress.jsonl"


def test_off_records_nothing_from_a_check(monkeypatch, private_progress):  # noqa: F811
    monkeypatch.setenv("COURSE_PROGRESS", "off")
    result = checks.check_net(None, level=3)
    assert result.status == checks.NOT_ATTEMPTED
    assert not private_progress.exists() and not any(private_progress.parent.iterdir())


# --------------------------------------------------------------------------- what a check records


def test_every_check_records_one_line_without_code(private_progress):  # noqa: F811
    def summed_loss(dataloader, model, loss_fn):
        loss, accuracy = reference.test(dataloader, model, loss_fn)
        return loss * len(dataloader), accuracy

    checks.check_test(summed_loss, level=2)
    checks.check_net(None)
    lines = private_progress.read_text().splitlines()
    assert len(lines) == 2
    first, second = (json.loads(line) for line in lines)
    assert set(first) == {"v", "time", "exercise", "level", "status", "keys"}
    assert (first["exercise"], first["level"], first["status"]) == ("test", "2", "incorrect")
    assert first["keys"] == ["loss_never_averaged"]
    assert (second["exercise"], second["level"], second["status"], second["keys"]) == (
        "net", "lesson", "not attempted", [])
    assert "def " not in private_progress.read_text() and "reference" not in private_progress.read_text()


def test_a_level_that_is_not_one_is_explained():
    with pytest.raises(ValueError, match=r"level 4 is not a place a check runs: expected one of lesson, 1, 2, 3, all"):
        checks.check_net(None, level=4)


def test_a_check_never_fails_because_of_the_file(monkeypatch, tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    monkeypatch.setenv("COURSE_PROGRESS", str(blocker / "progress.jsonl"))  # its folder is a file
    with pytest.warns(progress.ProgressWarning, match="progress not recorded .* set COURSE_PROGRESS"):
        result = checks.check_net(None, level=1)
    assert result.status == checks.NOT_ATTEMPTED


# --------------------------------------------------------------------------- corrupt and foreign files


def test_a_corrupt_line_is_reported_and_the_file_kept_as_a_backup(private_progress):  # noqa: F811
    record("net", 3, "incorrect", ["fc1_in_features"], now=at(0))
    with open(private_progress, "a") as f:
        f.write('{"v": 1, "time": "2026-03-02T09:0')  # a write cut short
    record("net", 3, "correct", now=at(0, 5))  # starts a fresh line after the broken one
    original = private_progress.read_bytes()

    found = read()
    assert [a.status for a in found.attempts] == ["incorrect", "correct"]
    assert len(found.problems) == 1 and "1 line of 3 is not a progress record (line 2: not JSON" in found.problems[0]
    backups = list(private_progress.parent.glob("progress.jsonl.broken-*"))
    assert len(backups) == 1 and backups[0].read_bytes() == original  # nothing is lost
    assert str(backups[0]) in found.problems[0]
    assert read().problems == [] and len(read().attempts) == 2  # repaired: the good lines stay


@pytest.mark.parametrize("content", [b"\x89PNG\r\n\x1a\n\x00\x00binary", b'{"name": "my notes"}\n',
                                     b"[1, 2, 3]\n", b'{"v": 1, "time": "yesterday"}\n'],
                         ids=["binary", "another program's JSON", "a JSON list", "a malformed field"])
def test_a_foreign_file_is_set_aside_before_a_check_writes(private_progress, content):  # noqa: F811
    private_progress.write_bytes(content)
    with pytest.warns(progress.ProgressWarning, match="not a progress record"):
        result = checks.check_net(None, level=1)
    assert result.status == checks.NOT_ATTEMPTED
    backups = list(private_progress.parent.glob("progress.jsonl.broken-*"))
    assert len(backups) == 1 and backups[0].read_bytes() == content
    found = read()
    assert [(a.exercise, a.level) for a in found.attempts] == [("net", "1")] and found.problems == []


def test_an_unreadable_file_is_reported_not_raised(monkeypatch, tmp_path):
    monkeypatch.setenv("COURSE_PROGRESS", str(tmp_path))  # a folder, not a file
    found = read()
    assert found.attempts == [] and "could not be read" in found.problems[0]
    assert "could not be read" in str(show())


# --------------------------------------------------------------------------- two kernels at once

WRITER = textwrap.dedent("""
    import sys
    from course_utils.progress import record
    name, count = sys.argv[1], int(sys.argv[2])
    keys = [f"{name}_{i:04d}" for i in range(600)]  # a long line: written in several pieces without a lock
    for i in range(count):
        record(name, 3, "incorrect", keys + [f"n{i}"])
""")


@pytest.mark.skipif(sys.platform == "win32", reason="fcntl is POSIX's; Windows takes msvcrt's lock")
def test_two_processes_writing_at_once_leave_every_line_whole(private_progress):  # noqa: F811
    env = {**os.environ, "COURSE_PROGRESS": str(private_progress)}
    writers = [subprocess.Popen([sys.executable, "-c", WRITER, name, "150"], env=env, cwd=ROOT)
               for name in ("net", "train")]
    assert all(w.wait(timeout=120) == 0 for w in writers)
    found = read()
    assert found.problems == [], found.problems
    for name in ("net", "train"):
        mine = [a for a in found.attempts if a.exercise == name]
        assert [a.keys[-1] for a in mine] == [f"n{i}" for i in range(150)]


@pytest.mark.skipif(sys.platform == "win32", reason="fcntl is POSIX's")
def test_the_lock_is_exclusive_across_processes(private_progress):  # noqa: F811
    private_progress.write_text("")
    probe = ("import fcntl, sys\nwith open(sys.argv[1], 'ab') as f:\n    try:\n"
             "        fcntl.flock(f.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)\n    except BlockingIOError:\n"
             "        sys.exit(3)\n")
    with open(private_progress, "ab+") as handle, locked(handle):
        held = subprocess.run([sys.executable, "-c", probe, str(private_progress)], timeout=60)
    free = subprocess.run([sys.executable, "-c", probe, str(private_progress)], timeout=60)
    assert (held.returncode, free.returncode) == (3, 0)


# --------------------------------------------------------------------------- when a rebuild is due


def test_nothing_is_due_before_any_attempt():
    assert due([]) is None and due([attempt("not attempted")]) is None


def test_not_yet_correct_is_due_now():
    found = due([attempt("incorrect", 0)])
    assert found.at == at(0) and found.why == "not yet correct"


def test_on_time_rebuilds_from_blank_step_through_1_3_7_14_days():
    assert INTERVALS == (1, 3, 7, 14)
    history, day = [attempt("correct", 0, level="lesson")], 0
    for interval in (1, 3, 7, 14, 14):
        assert due(history).at == at(day + interval)
        day += interval
        history.append(attempt("correct", day))


def test_an_early_correct_keeps_the_interval_and_a_lower_level_does_not_advance():
    history = [attempt("correct", 0), attempt("correct", 1), attempt("correct", 1.5)]  # 1 day, then early
    assert due(history).at == at(1.5 + 3)
    history = [attempt("correct", 0), attempt("correct", 1, level="1")]  # on time, but filled in, not from blank
    assert due(history).at == at(1 + 1)


def test_a_failed_check_makes_it_due_now_and_the_next_interval_shorter():
    history = [attempt("correct", 0), attempt("correct", 1), attempt("correct", 4)]  # now at 7 days
    assert due(history).at == at(4 + 7)
    failed = history + [attempt("incorrect", 11, keys=("fc1_in_features",))]
    assert due(failed).at == at(11) and due(failed).why == "the last check failed"
    fixed = failed + [attempt("correct", 11, minutes=10)]
    assert due(fixed).at == at(11, 10) + timedelta(days=3)  # back one interval: 3 days, not 14


# --------------------------------------------------------------------------- the summary, the table, the figure


def test_summary_counts_attempts_passes_times_and_recurring_mistakes():
    attempts = [
        attempt("not attempted", 0, exercise="train", level="1"),
        attempt("incorrect", 0, 2, exercise="train", level="1", keys=("step_never_called",)),
        attempt("incorrect", 0, 5, exercise="train", level="1", keys=("step_never_called", "loss_tensors_added_up")),
        attempt("correct", 0, 12, exercise="train", level="1"),
        attempt("incorrect", 2, exercise="train", keys=("step_never_called",)),
        attempt("correct", 2, 3, exercise="train"),
        attempt("correct", 0, exercise="net", level="lesson"),
    ]
    net, train = summarise(attempts)  # the course's order: net before train
    assert (net.exercise, net.attempts, net.passes, net.levels_passed) == ("net", 1, 1, ("lesson",))
    assert (train.attempts, train.passes, train.levels_passed) == (5, 2, ("1", "3"))
    assert (train.first_time, train.last_time) == (timedelta(minutes=12), timedelta(minutes=3))
    assert train.recurring == (("step_never_called", 3),)  # a key in one failed check only does not recur


def test_show_gives_the_table_as_text_and_html_and_draws_the_timeline(private_progress):  # noqa: F811
    record("test", 2, "incorrect", ["accuracy_per_batch"], now=at(0))
    record("test", 2, "incorrect", ["accuracy_per_batch"], now=at(0, 4))
    record("test", 2, "correct", now=at(0, 9))
    shown = show(now=at(0.5))
    text = str(shown)
    assert text.splitlines()[0].split()[:3] == ["exercise", "attempts", "passes"]
    row = text.splitlines()[2]
    assert row.split()[:4] == ["test", "3", "1", "2"] and "accuracy divided by the batches \u00d72" in row
    assert "accuracy_per_batch" not in text  # the mistake in words, not the rule's name
    assert "in 12 hours" in row and "1 day after the last correct one" in row
    assert "<table" in shown._repr_html_() and "accuracy divided by the batches \u00d72" in shown._repr_html_()
    ax = shown.figure.axes[0]
    assert ax.get_title() and ax.get_xlabel() == "date" and ax.get_ylabel() == "exercise"
    assert [t.get_text() for t in ax.get_yticklabels()] == ["test"]
    assert {t.get_text() for t in ax.get_legend().get_texts()} >= {"correct (1)", "incorrect (2)", "rebuild due"}


def test_the_table_names_its_time_columns_and_says_what_they_measure(private_progress):  # noqa: F811
    record("net", 3, "incorrect", ["layers_differ"], now=at(0))
    record("net", 3, "correct", now=at(0, 7))
    record("net", 3, "correct", now=at(1))
    table = show(now=at(1, 1)).table()
    head, row = table[0], table[1]
    assert (row[head.index("time to correct: first")], row[head.index("latest")]) == ("7 min", "0 s")
    assert "first is the first round, latest the most recent" in str(show(now=at(1, 1)))


def test_the_timeline_keeps_the_statuses_of_one_sitting_apart(private_progress):  # noqa: F811
    """Checks minutes apart sit at one x on a scale of days: each status has a lane of its own."""
    for minute, status in enumerate(["incorrect", "correct", "not attempted"]):
        record("train", 2, status, now=at(0, minute))
    ax = show(now=at(0.5)).figure.axes[0]
    lanes = {tuple(c.get_offsets()[0])[1] for c in ax.collections[:3]}
    assert len(lanes) == 3, lanes


def test_mistake_names_are_words():
    from course_utils.progress.mistakes import mistake_name

    assert mistake_name("not_in_training_mode") == "no model.train()"
    assert mistake_name("raised_TypeError") == "TypeError raised"
    assert mistake_name("some_new_rule") == "some new rule"


def test_the_command_line_help_shows_no_markup(capsys):
    with pytest.raises(SystemExit):
        main(["--help"])
    assert "``" not in capsys.readouterr().out


def test_show_with_nothing_recorded_says_where_it_looked(private_progress):  # noqa: F811
    shown = show()
    assert shown.figure is None and f"No checks recorded yet in {private_progress}" in str(shown)


def test_the_command_line_prints_the_table_and_saves_the_figure(private_progress, tmp_path, capsys):  # noqa: F811
    record("net", "all", "correct", now=at(0))
    assert main(["--figure", str(tmp_path / "timeline.png")]) == 0
    out = capsys.readouterr().out
    assert out.splitlines()[2].startswith("net ") and "timeline saved to" in out
    assert (tmp_path / "timeline.png").stat().st_size > 0


def test_python_m_course_utils_progress_runs(private_progress):  # noqa: F811
    record("train", 1, "correct")
    done = subprocess.run([sys.executable, "-m", "course_utils.progress"], cwd=ROOT, capture_output=True, text=True,
                          env={**os.environ, "COURSE_PROGRESS": str(private_progress)}, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[2].startswith("train ") and str(private_progress) in done.stdout
