"""Synthetic homework for the grader: learner notebooks made from the generated exercises, with the row each should get.

Used by ``tests/test_grade.py`` (a handful) and the benchmark's grading part (30). Each :data:`KINDS`
entry is one kind of submission: an exercise notebook of ``notebooks/exercises/`` with its answer cells
filled in (the course's code from :mod:`course_utils.reference`, read with :func:`inspect.getsource`,
as a learner who typed it has it, or that code with one real mistake put in), or a bad file. The
mistakes are the ones learners make: ``zero_grad`` between ``backward`` and ``step``, a softmax before
the loss, no ``model.train()``, no ``model.eval()``, the accuracy as the mean of the batch accuracies,
fc1's input size. Each kind carries the rows the grader should give it (:class:`Expected`), and
:func:`mismatches` compares them with ``grades.csv``.
"""

from __future__ import annotations

import csv
import inspect
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

__all__ = ["CLASS_OF_30", "KINDS", "SMALL_CLASS", "Expected", "ExpectedRow", "Kind", "build", "mismatches",
           "read_grades"]

ROOT = Path(__file__).resolve().parent.parent
EXERCISES = ROOT / "notebooks" / "exercises"


def _code(name: str) -> str:
    """The course's ``Net``, ``train`` or ``test`` as its source text."""
    from course_utils import reference

    return inspect.getsource(getattr(reference, name))


def _swap(code: str, old: str, new: str) -> str:
    """``code`` with its one ``old`` replaced by ``new``; a clear error when ``old`` is not there exactly once."""
    if code.count(old) != 1:
        raise ValueError(f"the course's code holds {old!r} {code.count(old)} times, not once: "
                         "update benchmarks/submissions.py")
    return code.replace(old, new)


def _zero_grad_between(code: str) -> str:
    """``optimizer.zero_grad()`` moved from the top of the loop to between backward and step."""
    lines = code.splitlines()
    zero = next(i for i, line in enumerate(lines) if line.strip() == "optimizer.zero_grad()")
    moved = lines.pop(zero)
    backward = next(i for i, line in enumerate(lines) if line.strip() == "loss.backward()")
    lines.insert(backward + 1, moved)
    return "\n".join(lines) + "\n"


#: answer name -> (the code of the cell tagged answer:<piece>, given the learner's folder)
ANSWERS: dict[str, Callable[[Path], str]] = {
    "net": lambda here: _code("Net"),
    "train": lambda here: _code("train"),
    "test": lambda here: _code("test"),
    "net: fc1 size": lambda here: _swap(_code("Net"), "self.fc1 = nn.Linear(16 * 5 * 5, 120)",
                                        "self.fc1 = nn.Linear(16 * 4 * 4, 120)"),
    "train: zero_grad between": lambda here: _zero_grad_between(_code("train")),
    "train: softmax": lambda here: _swap(_code("train"), "loss = loss_fn(pred, y)",
                                         "loss = loss_fn(F.softmax(pred, dim=1), y)"),
    "train: no model.train()": lambda here: _swap(_code("train"), "    model.train()", "    pass"),
    "test: no model.eval()": lambda here: _swap(_code("test"), "    model.eval()", "    pass"),
    "test: mean of batch accuracies": lambda here: _swap(
        _swap(_code("test"), "(pred.argmax(1) == y).type(torch.float).sum().item()",
              "(pred.argmax(1) == y).type(torch.float).mean().item()"),
        "correct /= size", "correct /= num_batches"),
    "endless loop": lambda here: "while True:  # waiting for something that never comes\n    pass\n" + _code("train"),
    "raises": lambda here: "losses = train_once(model)  # a name from another notebook\n" + _code("train"),
    "writes outside": lambda here: _code("train") + f"\nopen({str(here / 'graded.txt')!r}, 'w').write('A+')\n",
}


@dataclass(frozen=True)
class Expected:
    """One row the grader should give: the piece, its status and keys, and a phrase its problem holds."""

    exercise: str
    status: str
    keys: tuple[str, ...] = ()
    problem: str = ""


@dataclass(frozen=True)
class Kind:
    """A kind of submission: ``notebook`` (an exercise) with ``answers`` (piece -> :data:`ANSWERS` name).

    ``spoil`` turns the notebook's bytes into a bad file, saved as ``file`` (default: the exercise's name).
    """

    notebook: str
    answers: dict[str, str]
    expected: tuple[Expected, ...]
    spoil: Callable[[bytes], bytes] | None = None
    file: str = ""

    @property
    def file_name(self) -> str:
        return self.file or f"{self.notebook}.ipynb"


def _incorrect(exercise: str, key: str) -> Expected:
    return Expected(exercise, "incorrect", (key,))


KINDS: dict[str, Kind] = {
    "correct net": Kind("net_3_from_blank", {"net": "net"}, (Expected("net", "correct"),)),
    "correct train": Kind("train_3_from_blank", {"train": "train"}, (Expected("train", "correct"),)),
    "correct test": Kind("test_3_from_blank", {"test": "test"}, (Expected("test", "correct"),)),
    "correct all": Kind("all_from_blank", {"net": "net", "train": "train", "test": "test"},
                        tuple(Expected(p, "correct") for p in ("net", "train", "test"))),
    "zero_grad between": Kind("train_3_from_blank", {"train": "train: zero_grad between"},
                              (_incorrect("train", "zero_grad_between"),)),
    "softmax before the loss": Kind("train_2_rebuild", {"train": "train: softmax"},
                                    (_incorrect("train", "softmax_before_loss"),)),
    "no model.train()": Kind("train_3_from_blank", {"train": "train: no model.train()"},
                             (_incorrect("train", "not_in_training_mode"),)),
    "no model.eval()": Kind("test_3_from_blank", {"test": "test: no model.eval()"},
                            (_incorrect("test", "not_in_eval_mode"),)),
    "mean of batch accuracies": Kind("test_2_rebuild", {"test": "test: mean of batch accuracies"},
                                     (_incorrect("test", "accuracy_unweighted"),)),
    "fc1 size": Kind("net_3_from_blank", {"net": "net: fc1 size"}, (_incorrect("net", "fc1_in_features"),)),
    "blank": Kind("train_3_from_blank", {}, (Expected("train", "not attempted"),)),
    "all, two mistakes": Kind("all_from_blank", {"net": "net", "train": "train: zero_grad between",
                                                 "test": "test: no model.eval()"},
                              (Expected("net", "correct"), _incorrect("train", "zero_grad_between"),
                               _incorrect("test", "not_in_eval_mode"))),
    "endless loop": Kind("train_3_from_blank", {"train": "endless loop"},
                         (Expected("train", "timeout", problem="ran longer than"),)),
    "cell raises": Kind("train_3_from_blank", {"train": "raises"},
                        (Expected("train", "error", problem="raised NameError"),)),
    "writes outside": Kind("train_3_from_blank", {"train": "writes outside"},
                           (Expected("train", "refused", problem="graded.txt"),)),
    "broken JSON": Kind("train_3_from_blank", {"train": "train"}, (Expected("", "broken JSON"),),
                        spoil=lambda raw: raw[: len(raw) // 2]),
    "not a notebook": Kind("train_3_from_blank", {"train": "train"}, (Expected("", "not a notebook"),),
                           spoil=lambda raw: _code("train").encode(), file="train.py"),
}

#: A handful for the test: every bad-input kind, correct work, a mistake in two learners and one in one.
SMALL_CLASS = ("zero_grad between", "all, two mistakes", "endless loop", "cell raises", "writes outside",
               "broken JSON", "not a notebook")
#: The benchmark's class: mostly correct work, every mistake kind (some more common than others), blanks, bad files.
CLASS_OF_30 = (
    "correct train", "correct train", "correct train", "correct test", "correct test", "correct test",
    "correct net", "correct net", "correct all", "correct all",
    "zero_grad between", "zero_grad between", "zero_grad between", "no model.eval()", "no model.eval()",
    "softmax before the loss", "softmax before the loss", "mean of batch accuracies", "no model.train()",
    "fc1 size", "fc1 size", "all, two mistakes", "blank", "blank",
    "endless loop", "cell raises", "writes outside", "broken JSON", "not a notebook", "not a notebook",
)


@dataclass(frozen=True)
class ExpectedRow:
    """A row of grades.csv as it should be: who, which file, and :class:`Expected`."""

    student: str
    notebook: str
    expected: Expected


def _notebook_bytes(kind: Kind, here: Path) -> bytes:
    nb = json.loads((EXERCISES / f"{kind.notebook}.ipynb").read_text(encoding="utf-8"))
    for cell in nb["cells"]:
        for tag in cell.get("metadata", {}).get("tags", []):
            piece = tag.removeprefix("answer:")
            if tag.startswith("answer:") and piece in kind.answers:
                cell["source"] = ANSWERS[kind.answers[piece]](here)
    raw = (json.dumps(nb, indent=1, ensure_ascii=False) + "\n").encode()
    return kind.spoil(raw) if kind.spoil else raw


def build(folder: Path, kinds: Sequence[str], *, nbgrader: bool = False) -> list[ExpectedRow]:
    """Write one learner per kind (``s01``, ``s02`` ...) under ``folder``; return the rows the grader should give.

    The layout is ``<student>/<file>``, or with ``nbgrader`` ``submitted/<student>/hw1/<file>``.
    """
    rows = []
    for n, name in enumerate(kinds, start=1):
        kind, student = KINDS[name], f"s{n:02d}"
        here = folder / "submitted" / student / "hw1" if nbgrader else folder / student
        here.mkdir(parents=True, exist_ok=True)
        (here / kind.file_name).write_bytes(_notebook_bytes(kind, here))
        notebook = f"hw1/{kind.file_name}" if nbgrader else kind.file_name
        rows += [ExpectedRow(student, notebook, e) for e in kind.expected]
    return rows


def read_grades(path: Path) -> list[dict[str, str]]:
    """The rows of a grades.csv."""
    with open(path, newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def mismatches(expected: Sequence[ExpectedRow], rows: Sequence[dict[str, str]]) -> list[str]:
    """Each way ``rows`` (grades.csv) differ from ``expected``, in words; [] when they match."""
    by_place = {(r["student"], r["notebook"], r["exercise"]): r for r in rows}
    wrong = []
    for want in expected:
        e = want.expected
        row = by_place.pop((want.student, want.notebook, e.exercise), None)
        where = f"{want.student}/{want.notebook} {e.exercise or '(file)'}"
        if row is None:
            wrong.append(f"{where}: no row")
            continue
        got = (row["status"], tuple(row["keys"].split()), row["score"])
        if got != (e.status, e.keys, str(int(e.status == "correct"))):
            wrong.append(f"{where}: expected {e.status} {list(e.keys)}, got {got[0]} {list(got[1])} score {got[2]}")
        if e.problem not in row["problem"]:
            wrong.append(f"{where}: the problem {row['problem']!r} does not mention {e.problem!r}")
    wrong += [f"{s}/{nb} {ex or '(file)'}: a row that was not expected" for s, nb, ex in by_place]
    return wrong
