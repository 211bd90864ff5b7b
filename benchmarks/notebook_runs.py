"""Parts 2 and 3: every notebook's wall time, and its results read from the kernel as data.

Each notebook runs through ``tools.runner.run_notebook``, the runner of ``make execute``: top to
bottom in a fresh kernel whose working folder is ``notebooks/``, from memory (the committed file
is not written). After its last cell the runner reads the variables named in :data:`READINGS`
from the kernel as JSON; nothing is parsed out of printed text.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

__all__ = [
    "EPOCH_ACCURACY_KEYS",
    "READINGS",
    "epoch_accuracies",
    "epoch_accuracy_key",
    "notebook_result",
    "run",
    "teaching_notebooks",
]

#: What the report needs from a notebook (by file-name prefix): result key -> the kernel variable.
#: 07 and 08 end with ``test_loss, accuracy = test(test_loader, model, loss_fn)`` and print it as
#: ``final test accuracy``; 07's ``history`` holds the per-epoch lists of its default run (training
#: and validation: 07 chooses its epoch on validation and measures the test set once); 08's
#: ``train_seconds`` is the training time of its final run (printed as ``training time``).
READINGS: dict[str, dict[str, str]] = {
    "07_": {"final_accuracy": "accuracy", "history": "history"},
    "08_": {"final_accuracy": "accuracy", "training_seconds": "train_seconds"},
}


def teaching_notebooks(patterns: Sequence[str] = ()) -> list[Path]:
    """``notebooks/NN_*.ipynb``; with ``patterns``, only those whose name contains one of them."""
    from tools.notebooks import teaching_notebooks as every_notebook

    found = every_notebook()
    if patterns:
        found = [p for p in found if any(pat in p.name for pat in patterns)]
    return found


def readings_for(name: str) -> dict[str, str]:
    """The :data:`READINGS` of the notebook called ``name`` (empty for most notebooks)."""
    return next((wanted for prefix, wanted in READINGS.items() if name.startswith(prefix)), {})


#: The keys of a ``history`` that hold a per-epoch accuracy, in order of preference: validation first
#: (07's runs since it holds out a validation split), then test (what 07 recorded before).
EPOCH_ACCURACY_KEYS = (
    "validation accuracy",
    "validation_accuracy",
    "val accuracy",
    "val_accuracy",
    "val_acc",
    "test accuracy",
    "test_accuracy",
    "test_acc",
    "accuracy",
)


def epoch_accuracy_key(history: object) -> str | None:
    """The key of ``history`` that holds the per-epoch accuracy (see :data:`EPOCH_ACCURACY_KEYS`), or None.

    Keys not in the list are matched loosely: one naming the accuracy and the validation set, else
    one naming the accuracy and the test set.
    """
    if not isinstance(history, Mapping) or not history:
        return None
    for key in EPOCH_ACCURACY_KEYS:
        if key in history:
            return key
    names = [k for k in history if isinstance(k, str) and "acc" in k.lower()]
    for split in ("val", "test"):
        found = [k for k in names if split in k.lower()]
        if found:
            return found[0]
    return None


def epoch_accuracies(history: object) -> list[float]:
    """The per-epoch accuracy from a notebook's ``history``, under :func:`epoch_accuracy_key`; [] when none."""
    key = epoch_accuracy_key(history)
    return [float(a) for a in history[key]] if key is not None else []  # type: ignore[index]


def _number(value: object) -> float | None:
    """``value`` as a float when it is a number (not a bool), else None."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return float(value)
    return None


def notebook_result(name: str, mode: str, seconds: float, error: str | None, values: Mapping[str, object]) -> dict:
    """One row of the results: wall time, status and what :data:`READINGS` names for ``name``.

    ``values`` are the variables read from the kernel (``RunResult.values``). The keys
    ``final_accuracy`` and ``training_seconds`` are None when the notebook has no such value;
    ``epoch_accuracy`` is the per-epoch accuracy when the notebook has a ``history``, and
    ``epoch_accuracy_key`` the key it was read from (``"validation accuracy"`` for 07).
    """
    wanted = readings_for(name)
    result: dict = {
        "notebook": name,
        "mode": mode,
        "seconds": seconds,
        "status": "ok" if error is None else f"failed: {error}",
        "final_accuracy": _number(values.get(wanted.get("final_accuracy", ""))),
        "training_seconds": _number(values.get(wanted.get("training_seconds", ""))),
    }
    if "history" in wanted:
        history = values.get(wanted["history"])
        result["epoch_accuracy"] = epoch_accuracies(history)
        result["epoch_accuracy_source"] = wanted["history"]
        result["epoch_accuracy_key"] = epoch_accuracy_key(history)
    return result


def run(path: Path, *, quick: bool, timeout: int) -> dict:
    """Run the notebook at ``path`` (``timeout``: seconds a cell may take); return :func:`notebook_result`."""
    from tools.runner import run_notebook

    collect = sorted(set(readings_for(path.name).values()))
    outcome = run_notebook(path, quick=quick, timeout=timeout, collect=collect)
    return notebook_result(path.name, "quick" if quick else "full", outcome.seconds, outcome.error, outcome.values)
