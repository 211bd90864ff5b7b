"""The hints: what usually causes an error, and the notes and phrases several checks share.

:data:`HINTS` maps an error message (a regular expression) to its usual cause and fix, first match
wins; :data:`WARNING_NOTES` names the modern form of old PyTorch idioms that still run but warn
(``volatile=True``); :func:`bare_call_notes` reads the learner's bytecode for a method named without parentheses
(``model.eval`` alone), the one note that reads the code instead of watching it run.
"""

from __future__ import annotations

import dis
import re
import types
from collections.abc import Callable
from typing import Any

__all__ = [
    "CAUSE_KEYS", "HINTS", "PROBABILITIES", "SOFTMAX_WHY", "WARNING_NOTES", "and_list", "bare_call_notes",
    "cause_key", "hint_for", "warning_notes",
]

#: (pattern of "ErrorName: message", hint), the first that matches is shown.
HINTS: list[tuple[str, str]] = [
    (r"same device|Expected all tensors to be on", "the model and the batch are on different devices: "
     "move both with `.to(device)` (`model.to(device)` once, `X, y = X.to(device), y.to(device)` per batch)."),
    (r"mat1 and mat2 shapes cannot be multiplied", "a Linear layer received a different number of "
     "features than its in_features: print the shapes (`print(x.shape)`) just before that layer."),
    (r"does not require grad and does not have a grad_fn", "the loss is not connected to the "
     "parameters: was it computed under `torch.no_grad()`, or turned into a number with `.item()` "
     "before `loss.backward()`?"),
    (r"has no attribute 'backward'", "`.item()` turns the loss into a plain Python number, which has "
     "no `backward`: call `loss.backward()` on the tensor, and use `loss.item()` only to record it."),
    (r"backward through the graph a second time", "each loss gets exactly one `loss.backward()`: "
     "compute a fresh `loss = loss_fn(pred, y)` for every batch."),
    # old PyTorch (0.3 and before): name the modern form
    (r"invalid index of a 0-dim tensor", "`loss.data[0]` (or `loss[0]`) is how PyTorch 0.3 and older read "
     "a loss: since PyTorch 0.4 a loss is a 0-dim tensor, which has no element 0. Read its number with "
     "`loss.item()`."),
    (r"name 'Variable' is not defined", "`Variable(...)` is from PyTorch 0.3 and older: since 0.4 every "
     "tensor records gradients itself, so drop the wrapper (`X` instead of `Variable(X)`), and measure "
     "under `with torch.no_grad():` instead of `volatile=True`."),
    (r"(?i)Torch not compiled with CUDA|no NVIDIA driver|no CUDA GPUs", "`.cuda()` or `.to(\"cuda\")` asks for "
     "a GPU by name, so the code runs only where there is one: write `.to(device)` (`device = info.device`, from "
     "`setup()`), which runs on the CPU, a GPU or a Mac alike."),
    (r"^UnboundLocalError", "a total is updated before it has a first value (`total += ...` needs "
     "`total` to exist): set `test_loss, correct = 0, 0` before the loop; check the spelling of "
     "the name, the same everywhere."),
    (r"is not defined", "a name is used before it is defined: check its spelling, and run the "
     "cells above (imports, setup) first."),
    (r"result type Float can't be cast to the desired output type Long", "`correct` became an integer "
     "tensor (`(pred.argmax(1) == y).sum()` counts in integers), which cannot be divided in place: add "
     "`.type(torch.float).sum().item()`, so the count is a Python number."),
    # the spies' class names (see .spies): the learner's code got one of them in another argument's place
    (r"'(BatchLoader|_TrainProbe|_TableProbe|_SpyLoss|_SpyOptimizer)' object", "the arguments arrive "
     "in a different order than your signature names them: check the signature, "
     "`train(dataloader, model, loss_fn, optimizer)`, `test(dataloader, model, loss_fn)`."),
    (r"'(tuple|list)' object has no attribute|tuple indices must be integers", "each batch is a pair: "
     "`for X, y in dataloader:`."),
    (r"'int' object has no attribute '(to|flatten|view|shape|size)'", "`enumerate` gives the batch "
     "number first, then the pair: `for batch, (X, y) in enumerate(dataloader):`."),
    (r"too many values to unpack|not enough values to unpack", "each batch of the dataloader is a "
     "pair: `for X, y in dataloader:`."),
    (r"object is not callable", "something that is not a function is called with `(...)`: check "
     "that no variable hides a function's name (e.g. `loss = loss(...)`)."),
    (r"object is not iterable", "loop over the dataloader itself: `for X, y in dataloader:`."),
    (r"positional argument", "check the signature: `train(dataloader, model, loss_fn, optimizer)`, "
     "`test(dataloader, model, loss_fn)`, and `Net()` with no arguments."),
    (r"Expected floating point type for target|expected scalar type Long|Long but found Float",
     "the loss function takes the logits first and the labels second: `loss_fn(pred, y)`."),
    (r"must match the size of tensor", "two tensors of different shapes are combined: print their "
     "shapes; for predictions, `pred.argmax(1)` gives one class per image."),
]
#: (pattern of "ErrorName: message", key): errors whose cause has a ladder of hints of its own (:mod:`.ladders`);
#: any other error's key is ``raised_<ErrorName>``.
CAUSE_KEYS: list[tuple[str, str]] = [
    (r"(?i)Torch not compiled with CUDA|no NVIDIA driver|no CUDA GPUs", "gpu_by_name"),
    (r"same device|Expected all tensors to be on", "devices_differ"),
]
DEFAULT_HINT = (
    "read the message and the line it names; printing the shapes of the tensors on that line "
    "(`print(X.shape, pred.shape)`) usually shows the problem."
)

#: Why the network returns raw logits (check_net, and the loss spies of check_train and check_test).
SOFTMAX_WHY = ("nn.CrossEntropyLoss applies log-softmax itself, so a softmax here squashes the "
               "scores twice and weakens the gradients")
#: A softmax before the loss (check_train and check_test).
PROBABILITIES = (
    "loss_fn receives probabilities (every row is \u2265 0 and sums to 1: a softmax before the loss), "
    "but it wants raw logits: " + SOFTMAX_WHY + ". Pass the model's output as it is, "
    "`loss = loss_fn(pred, y)` with `pred = model(X)`; use softmax only to show probabilities."
)

#: (pattern of a warning the learner's code raised, note naming the modern form): old PyTorch idioms that still run.
WARNING_NOTES: list[tuple[str, str]] = [
    (r"volatile was removed", "note: `volatile=True` was removed in PyTorch 0.4 and now does nothing (and "
     "`Variable(...)` is no longer needed): to measure without recording gradients, wrap the loop in "
     "`with torch.no_grad():`."),
    (r"Implicit dimension choice for (log_)?softmax", "note: a softmax without `dim` is an old form that "
     "guesses the dimension: name the dimension of the classes, `F.softmax(pred, dim=1)`."),
    (r"size_average and reduce args will be deprecated", "note: `size_average` and `reduce` are old loss "
     "options: write `reduction='sum'` (or leave the default, `reduction='mean'`)."),
]

_CALLED_METHODS = ("train", "eval", "zero_grad", "backward", "step", "item")


def hint_for(error: str) -> str:
    """The hint for ``error`` ("ErrorName: message"): the first of :data:`HINTS` that matches, or a general one."""
    return next((hint for pattern, hint in HINTS if re.search(pattern, error)), DEFAULT_HINT)


def cause_key(error: str) -> str | None:
    """The key of the usual cause of ``error`` ("ErrorName: message"), from :data:`CAUSE_KEYS`; None if none matches."""
    return next((key for pattern, key in CAUSE_KEYS if re.search(pattern, error)), None)


def and_list(items: list[str]) -> str:
    """'a', 'a and b', 'a, b and c'."""
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def _bare_attributes(code: types.CodeType) -> list[str]:
    """'model.eval' for each statement in ``code`` that names a method without calling it."""
    found = []
    ins = list(dis.get_instructions(code))
    for i, instruction in enumerate(ins):
        if (instruction.opname in ("LOAD_ATTR", "LOAD_METHOD") and instruction.argval in _CALLED_METHODS
                and i + 1 < len(ins) and ins[i + 1].opname == "POP_TOP"):
            owner = ins[i - 1] if i else None
            simple = owner is not None and owner.opname in ("LOAD_FAST", "LOAD_GLOBAL", "LOAD_NAME", "LOAD_DEREF")
            found.append(f"{owner.argval}.{instruction.argval}" if simple else f".{instruction.argval}")
    for const in code.co_consts:
        if isinstance(const, types.CodeType):
            found += _bare_attributes(const)
    return list(dict.fromkeys(found))


def bare_call_notes(fn: Callable[..., Any], problems: list[str]) -> list[str]:
    """A note on missing parentheses (`model.eval` alone), when the check found problems."""
    code = getattr(fn, "__code__", None)
    if not problems or not isinstance(code, types.CodeType):
        return []
    bare = _bare_attributes(code)
    if not bare:
        return []
    verb = "does nothing (it names the method" if len(bare) == 1 else "do nothing (each names a method"
    return [
        f"note the parentheses: {and_list([f'`{b}`' for b in bare])} alone {verb} without calling it); "
        f"write {and_list([f'`{b}()`' for b in bare])}."
    ]


def warning_notes(warned: list[str]) -> list[str]:
    """A note naming the modern form for each old PyTorch idiom among the warnings ``warned`` (in table order)."""
    return [note for pattern, note in WARNING_NOTES if any(re.search(pattern, text) for text in warned)]
