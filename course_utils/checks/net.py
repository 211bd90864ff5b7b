"""``check_net``: does the learner's network compute LeNet (notebook 03)?

The class is instantiated (or the instance taken as it is), then run once on a random batch of 3
images under a :class:`~.spies.Trace` that records each layer call and activation. The rules of
:mod:`.net_rules` read that record stage by stage (the layer calls, the output, the structure, the
computation); the first stage that finds a problem gives the feedback.
"""

from __future__ import annotations

from typing import Any

import torch
import torch.nn as nn

from .attempts import finish, level_name
from .hints import warning_notes
from .isolation import explain, is_not_implemented, isolated, run
from .net_rules import BATCH, CALL_RULES, COMPUTATION_RULES, LENET_TEXT, OUTPUT_RULES, STRUCTURE_RULES, NetRun
from .result import CORRECT, INCORRECT, NOT_ATTEMPTED, CheckResult, course_copy, not_attempted, result
from .rules import Finding, diagnose
from .spies import Trace

__all__ = ["check_net"]

NAME = "check_net(Net)"
_SUPER_MESSAGE = Finding(
    "Net's __init__ does not call `super().__init__()` first: nn.Module must set itself up "
    "before layers can be assigned (PyTorch says \"cannot assign module before Module.__init__() "
    "call\"). Make `super().__init__()` the first line of __init__.",
    "no_super_init",
)


def check_net(Net: Any, *, level: int | str = "lesson") -> CheckResult:
    """Check a LeNet class (or instance): a batch (N, 1, 32, 32) in, logits (N, 10) out.

    Taught in ``03_network_module``. Diagnoses, among others: fc1's in_features (16 * 5 * 5 =
    400), a flatten that swallows the batch dimension, no ReLU, a ReLU or softmax on the output
    (CrossEntropyLoss wants raw logits), wrong in_channels, a missing ``super().__init__()``,
    layers that are not registered, a number of outputs other than 10, a conv1 padded for 28x28
    input (``padding=2``), and the course's own ``Net`` handed in.

    ``level`` is where the check runs: an exercise passes its level (1, 2, 3 or "all"), a lesson
    none. The result is recorded in the progress file (:mod:`course_utils.progress`), and
    ``result.hint()`` gives hints on request.
    """
    where = level_name(level)
    with isolated():
        found = _check_net(Net)
    return finish(found, "net", where)


def _check_net(Net: Any) -> CheckResult:
    model, early, output = _build(Net)
    if early is not None:
        return early
    seen, printed = _forward(model)
    output += printed
    if is_not_implemented(seen.exc):
        return _no_forward(model, seen.exc, output)
    problems, notes = _problems(seen), warning_notes(seen.warnings)
    if problems:
        return result(NAME, INCORRECT, problems + notes, output)
    count = sum(p.numel() for p in model.parameters())
    return result(NAME, CORRECT, [
        f"Net is correct: a batch shaped {tuple(seen.X.shape)} gives logits shaped {tuple(seen.out.shape)}, "
        f"through LeNet's layers ({LENET_TEXT}) with a ReLU after the first four; "
        f"{count:,} parameters, all registered and all reached by the gradient (every layer is used in forward)."
    ] + notes, output)


def _problems(seen: NetRun) -> list[str]:
    """The messages of the first stage of rules that finds something; an error in forward ends the first stage."""
    problems = diagnose(CALL_RULES, seen)
    if seen.exc is not None:
        first_line = (str(seen.exc).strip().splitlines() or [""])[0][:200]
        return problems + [f"(the error was {type(seen.exc).__name__}: {first_line})" if problems
                           else explain(seen.exc, "Net's forward")]
    for rules in (OUTPUT_RULES, STRUCTURE_RULES, COMPUTATION_RULES):
        if problems:
            break
        problems = diagnose(rules, seen)
    return problems


def _build(Net: Any) -> tuple[nn.Module | None, CheckResult | None, str]:
    """(model, None, printed) for a class or instance that gives a module; (None, the result, printed) otherwise."""
    if Net is None:
        return None, result(NAME, NOT_ATTEMPTED, [
            "Net is still None: write your `class Net(nn.Module)` in the cell above (in place of "
            "`Net = None`), run it, then run this check again."
        ]), ""
    if not isinstance(Net, nn.Module) and not callable(Net):
        return None, result(NAME, INCORRECT, [
            f"check_net expects your class Net (or a Net() instance), got {type(Net).__name__}."
        ]), ""
    copy = course_copy(NAME, Net, "Net", "class Net(nn.Module):")
    if copy is not None:
        return None, copy, ""
    model, exc, output = (Net, None, "") if isinstance(Net, nn.Module) else run(Net)[:3]
    if is_not_implemented(exc):
        return None, not_attempted(NAME, "Net()", output), output
    if exc is not None:
        no_super = isinstance(exc, AttributeError) and "Module.__init__() call" in str(exc)
        return None, result(NAME, INCORRECT, [_SUPER_MESSAGE if no_super else explain(exc, "Net()")], output), output
    if not isinstance(model, nn.Module):
        return None, result(NAME, INCORRECT, [
            f"Net() gave a {type(model).__name__}, not a network: write `class Net(nn.Module):` so "
            f"that Net is a subclass of nn.Module."
        ], output), output
    if "_parameters" not in vars(model):
        return None, result(NAME, INCORRECT, [_SUPER_MESSAGE], output), output
    return model, None, output


def _forward(model: nn.Module) -> tuple[NetRun, str]:
    """Run ``model`` once on a random batch of 3 images, under a trace; return what it showed, and its prints."""
    first = next(model.parameters(), None)
    X = torch.randn(BATCH, 1, 32, 32, device=first.device if first is not None else None)
    names = {id(p): name.rsplit(".", 1)[0] if "." in name else name for name, p in model.named_parameters()}
    seen = NetRun(model, X, names, [])
    trace = Trace()

    def forward() -> Any:
        with trace:
            return model(X)

    seen.out, seen.exc, printed, seen.warnings = run(forward)
    seen.calls = trace.calls
    return seen, printed


def _no_forward(model: nn.Module, exc: BaseException, output: str) -> CheckResult:
    """The result when forward raises NotImplementedError: a blank, a missing forward, or a misspelled one."""
    if "missing the required \"forward\"" not in str(exc):
        return not_attempted(NAME, "Net's forward", output)
    own = sorted(k for k, v in vars(type(model)).items() if callable(v) and not k.startswith("__"))
    if own:
        return result(NAME, INCORRECT, [
            f"Net has no method called `forward` (it defines {', '.join(own)}): nn.Module "
            f"calls `forward(self, input)` when you write `model(X)`; check the spelling."
        ], output)
    return result(NAME, NOT_ATTEMPTED, [
        "Net has no forward method yet: write `def forward(self, input):`, which takes a "
        "batch shaped (N, 1, 32, 32) and returns the logits, shaped (N, 10)."
    ], output)
