"""Checks that tell a learner what is wrong with their network, training loop or test loop.

Used by the teaching notebooks ``03_network_module`` (the network), ``05_training_loop`` (the
training loop) and ``06_test_loop_and_metrics`` (the test loop), and by every exercise
notebook under ``notebooks/exercises/``::

    from course_utils import checks
    checks.check_net(Net)        # class or instance; 1x32x32 input, 10 logits out
    checks.check_train(train)    # train(dataloader, model, loss_fn, optimizer)
    checks.check_test(test)      # test(dataloader, model, loss_fn) -> (avg_loss, accuracy)

Each call returns a :class:`CheckResult` (``.passed``, ``.status``, ``.messages``) that a
notebook shows as coloured feedback. A check never raises because of the learner's code:
``NotImplementedError`` means "not attempted", any other exception is explained.

How the checks see mistakes: they *watch the code run* rather than read its text. The learner's
function gets tiny synthetic data (no dataset, a few milliseconds of work) and instrumented
objects: a model that records its mode and the gradient mode at every forward pass, an
optimizer that records each ``zero_grad`` and ``step`` with the state of the gradients, a loss
function that notices swapped arguments and returns loss tensors that notice being added up,
hooks on the parameters that record each backward pass, and a ``TorchFunctionMode`` that
records the tensor operations (``relu``, ``linear``, ``argmax`` ...). The learner's code runs
on the CPU, with its prints captured, and PyTorch's global random state left as it was. Only one
note reads the code itself: a method named without parentheses (``model.eval`` alone), found in
the function's bytecode.
"""

from __future__ import annotations

import contextlib
import dataclasses
import dis
import html
import io
import math
import re
import traceback
import types
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.overrides import TorchFunctionMode

__all__ = [
    "CORRECT",
    "INCORRECT",
    "NOT_ATTEMPTED",
    "CheckResult",
    "check_net",
    "check_test",
    "check_train",
]

CORRECT = "correct"
INCORRECT = "incorrect"
NOT_ATTEMPTED = "not attempted"

_STYLE = {  # status -> (symbol, border colour, background)
    CORRECT: ("\u2714", "#2e7d32", "#e8f5e9"),
    INCORRECT: ("\u2718", "#c62828", "#ffebee"),
    NOT_ATTEMPTED: ("\u2026", "#757575", "#f5f5f5"),
}


# --------------------------------------------------------------------------- the result


@dataclass
class CheckResult:
    """What a check found: ``status`` is "correct", "incorrect" or "not attempted".

    ``messages`` explain the status in words (what was expected, what was found, the fix);
    ``output`` is what the learner's code printed while it was checked. In a notebook the
    result shows as a coloured box; ``str(result)`` gives the same as plain text.
    """

    name: str
    status: str
    messages: list[str] = field(default_factory=list)
    output: str = ""

    @property
    def passed(self) -> bool:
        """True when the status is "correct"."""
        return self.status == CORRECT

    def __str__(self) -> str:
        lines = [f"{self.name}: {self.status}"]
        lines += [f"- {message}" for message in self.messages]
        printed = _trim(self.output)
        if printed:
            lines.append("your code printed:")
            lines += [f"    {line}" for line in printed.splitlines()]
        return "\n".join(lines)

    def __repr__(self) -> str:
        return str(self)

    def _repr_html_(self) -> str:
        symbol, colour, background = _STYLE.get(self.status, _STYLE[NOT_ATTEMPTED])
        items = "".join(f"<li>{_html_inline(m)}</li>" for m in self.messages)
        printed = _trim(self.output)
        details = (
            f"<details><summary>what your code printed</summary><pre>{html.escape(printed)}</pre></details>"
            if printed
            else ""
        )
        return (
            f'<div style="border-left: 6px solid {colour}; background: {background}; '
            f'color: #212121; padding: 0.4em 0.9em; margin: 0.3em 0;">'
            f'<b style="color: {colour};">{symbol} {html.escape(self.name)}: {self.status}</b>'
            f'<ul style="margin: 0.3em 0;">{items}</ul>{details}</div>'
        )


def _html_inline(text: str) -> str:
    """Escape ``text`` for HTML and show `backticked` parts as code."""
    return re.sub(r"`([^`]+)`", r"<code>\1</code>", html.escape(text))


def _trim(text: str, max_lines: int = 20) -> str:
    """The printed text as a terminal shows it (progress bars rewrite their line), at most 20 lines."""
    lines = [next((part for part in reversed(line.split("\r")) if part.strip()), "")
             for line in text.replace("\r\n", "\n").rstrip().split("\n")]
    lines = [line for line in lines if line.strip()]
    if len(lines) > max_lines:
        lines = lines[:max_lines] + [f"... ({len(lines) - max_lines} more lines)"]
    return "\n".join(lines)


def _result(name: str, status: str, messages: list[str], output: str = "") -> CheckResult:
    return CheckResult(name, status, list(messages), output)


# --------------------------------------------------------------------------- running learner code


@contextlib.contextmanager
def _isolated():
    """Seeded, gradient-enabled, and leaving PyTorch's global random state untouched."""
    with torch.random.fork_rng(devices=[]), torch.enable_grad():
        torch.random.default_generator.manual_seed(0)  # the CPU's only: manual_seed would reset the GPU's too
        yield


def _run(fn: Callable, *args) -> tuple[Any, BaseException | None, str]:
    """Call ``fn(*args)``; return (value, exception or None, what it printed).

    Prints are captured; in a notebook, rich displays (a tqdm progress bar, say) are captured
    too, through IPython's own ``capture_output``, so that only the check's feedback shows.
    """
    value, error = None, None
    with contextlib.ExitStack() as stack:
        capture = _ipython_capture()
        if capture is not None:
            captured = stack.enter_context(capture)
            read = lambda: captured.stdout + captured.stderr  # noqa: E731
        else:
            buffer = io.StringIO()
            stack.enter_context(contextlib.redirect_stdout(buffer))
            stack.enter_context(contextlib.redirect_stderr(buffer))
            read = buffer.getvalue
        stack.enter_context(warnings.catch_warnings())
        warnings.simplefilter("ignore")
        try:
            value = fn(*args)
        except (Exception, SystemExit) as exc:  # the learner's code may raise anything
            error = exc
    return value, error, read()


def _ipython_capture():
    """IPython's ``capture_output()`` when running inside IPython (a notebook), else None."""
    try:
        from IPython import get_ipython
        from IPython.utils.capture import capture_output
    except ImportError:
        return None
    return capture_output() if get_ipython() is not None else None


def _uses_global(code: types.CodeType, name: str) -> bool:
    """True when ``code`` (or a function/comprehension inside it) reads the global ``name``."""
    for ins in dis.get_instructions(code):
        if ins.opname in ("LOAD_GLOBAL", "LOAD_NAME") and ins.argval == name:
            return True
    return any(_uses_global(c, name) for c in code.co_consts if isinstance(c, types.CodeType))


def _on_cpu(fn: Callable, what: str) -> tuple[Callable, list[str]]:
    """Return ``fn`` seeing ``device = cpu`` (a copy of its globals: the notebook is untouched).

    The checks' data and models live on the CPU; a learner's loop that moves batches with
    ``X.to(device)``, or ``X.to(info.device)``, must not send them to a GPU. A missing
    ``device`` gives a note.
    """
    if not isinstance(fn, types.FunctionType):
        return fn, []
    uses_device = _uses_global(fn.__code__, "device")
    info = fn.__globals__.get("info")
    uses_info = _uses_global(fn.__code__, "info") and hasattr(info, "device") and dataclasses.is_dataclass(info)
    if not uses_device and not uses_info:
        return fn, []
    notes = []
    if uses_device and "device" not in fn.__globals__:
        notes.append(
            f"note: your {what} uses a global variable `device`, which is not defined in this "
            f"notebook, so it would stop with a NameError. The check ran it on the CPU. Define it "
            f"once near the top: `device = info.device` (after `info = setup(seed=0)`)."
        )
    namespace = dict(fn.__globals__)
    if uses_device:
        namespace["device"] = torch.device("cpu")
    if uses_info:
        namespace["info"] = dataclasses.replace(info, device=torch.device("cpu"))
    copy = types.FunctionType(fn.__code__, namespace, fn.__name__, fn.__defaults__, fn.__closure__)
    copy.__kwdefaults__ = fn.__kwdefaults__
    return copy, notes


_TORCH_DIR = str(Path(torch.__file__).resolve().parent)
_THIS_FILE = str(Path(__file__).resolve())

_HINTS: list[tuple[str, str]] = [
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
    (r"^UnboundLocalError", "a total is updated before it has a first value (`total += ...` needs "
     "`total` to exist): set `test_loss, correct = 0, 0` before the loop; check the spelling of "
     "the name, the same everywhere."),
    (r"is not defined", "a name is used before it is defined: check its spelling, and run the "
     "cells above (imports, setup) first."),
    (r"result type Float can't be cast to the desired output type Long", "`correct` became an integer "
     "tensor (`(pred.argmax(1) == y).sum()` counts in integers), which cannot be divided in place: add "
     "`.type(torch.float).sum().item()`, so the count is a Python number."),
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


def _where(exc: BaseException) -> str:
    """' (line N: `code`)' for the learner's deepest frame, or '' when none is found."""
    frames = traceback.extract_tb(exc.__traceback__)
    mine = [
        f for f in frames
        if not f.filename.startswith(_TORCH_DIR) and str(Path(f.filename).resolve()) != _THIS_FILE
        and "contextlib" not in f.filename
    ]
    if not mine:
        return ""
    frame = mine[-1]
    code = (frame.line or "").strip()
    return f" (line {frame.lineno}: `{code}`)" if code else f" (line {frame.lineno})"


def _explain(exc: BaseException, what: str) -> str:
    """Say which exception the learner's code raised, where, and what usually fixes it."""
    text = str(exc).strip()
    first = text.splitlines()[0] if text else ""
    if len(first) > 300:
        first = first[:300] + "..."
    full = f"{type(exc).__name__}: {text}"
    hint = next((h for pattern, h in _HINTS if re.search(pattern, full)), (
        "read the message and the line it names; printing the shapes of the tensors on that line "
        "(`print(X.shape, pred.shape)`) usually shows the problem."
    ))
    return f"{what} raised {type(exc).__name__}: {first}{_where(exc)}. Hint: {hint}"


class _Trace(TorchFunctionMode):
    """Record the top-level tensor operations (name, args, kwargs, result) run inside it."""

    def __init__(self, watch: set[str] | None = None) -> None:
        super().__init__()
        self.watch = watch
        self.calls: list[_Call] = []

    def __torch_function__(self, func, types, args=(), kwargs=None):
        kwargs = kwargs or {}
        name = getattr(func, "__name__", "")
        call = None
        if self.watch is None or name in self.watch:
            call = _Call(name, args, kwargs)
            self.calls.append(call)
        result = func(*args, **kwargs)
        if call is not None:
            call.result = result
        return result


@dataclass
class _Call:
    name: str
    args: tuple
    kwargs: dict
    result: Any = None

    def arg(self, index: int, name: str, default: Any = None) -> Any:
        if len(self.args) > index:
            return self.args[index]
        return self.kwargs.get(name, default)


def _not_attempted(name: str, what: str, output: str = "") -> CheckResult:
    return _result(name, NOT_ATTEMPTED, [
        f"{what} still raises NotImplementedError: replace `raise NotImplementedError` with your "
        f"code, run that cell, then run this check again."
    ], output)


def _is_nie(exc: BaseException | None) -> bool:
    return isinstance(exc, NotImplementedError)


# --------------------------------------------------------------------------- check_net

#: LeNet's layers in the order forward uses them: (operation, weight shape).
LENET_LAYERS: tuple[tuple[str, tuple[int, ...]], ...] = (
    ("conv2d", (6, 1, 5, 5)),
    ("conv2d", (16, 6, 5, 5)),
    ("linear", (120, 400)),
    ("linear", (84, 120)),
    ("linear", (10, 84)),
)
_LENET_TEXT = "conv 1\u21926 (5\u00d75), conv 6\u219216 (5\u00d75), linear 400\u2192120, 120\u219284, 84\u219210"
_ACTIVATIONS = {
    "relu", "relu_", "relu6", "leaky_relu", "leaky_relu_", "gelu", "elu", "elu_", "selu", "celu",
    "silu", "mish", "sigmoid", "sigmoid_", "tanh", "tanh_", "hardtanh", "hardtanh_", "softplus",
    "prelu", "rrelu", "hardswish", "hardsigmoid", "logsigmoid", "softsign", "threshold", "clamp",
    "clamp_min", "clip",
}
_OUTPUT_SQUASHERS = {
    "relu", "relu_", "relu6", "softmax", "_softmax", "sigmoid", "sigmoid_", "clamp", "clamp_min",
    "clip", "hardtanh", "softplus", "abs",
}
#: Why the network returns raw logits (shared by check_net and the loss spies of check_train and check_test).
_SOFTMAX_WHY = ("nn.CrossEntropyLoss applies log-softmax itself, so a softmax here squashes the "
                "scores twice and weakens the gradients")
_BATCH = 3  # not 1 (a flatten without a batch dimension would go unnoticed) and not 10


def _layer_names(model: nn.Module) -> dict[int, str]:
    """id(weight tensor) -> the layer's attribute path, e.g. 'conv1' or 'features.0'."""
    names = {}
    for name, param in model.named_parameters():
        names[id(param)] = name.rsplit(".", 1)[0] if "." in name else name
    return names


def _plain_containers(model: nn.Module) -> list[str]:
    """Attributes that hold layers in a plain list, tuple or dict (so they are not registered)."""
    found = []
    for name, value in vars(model).items():
        if name.startswith("_"):  # nn.Module's own registries (_modules, _parameters, ...)
            continue
        items = value.values() if isinstance(value, dict) else value if isinstance(value, (list, tuple)) else ()
        if any(isinstance(item, nn.Module) for item in items):
            found.append(name)
    return found


def _shape(t: Any) -> str:
    return str(tuple(t.shape)) if isinstance(t, torch.Tensor) else type(t).__name__


def check_net(Net) -> CheckResult:
    """Check a LeNet class (or instance): a batch (N, 1, 32, 32) in, logits (N, 10) out.

    Taught in ``03_network_module``. Diagnoses, among others: fc1's in_features (16 * 5 * 5 =
    400), a flatten that swallows the batch dimension, no ReLU, a ReLU or softmax on the output
    (CrossEntropyLoss wants raw logits), wrong in_channels, a missing ``super().__init__()``,
    layers that are not registered, and a number of outputs other than 10.
    """
    with _isolated():
        return _check_net(Net)


def _check_net(Net) -> CheckResult:
    name = "check_net(Net)"
    if Net is None:
        return _result(name, NOT_ATTEMPTED, [
            "Net is still None: write your `class Net(nn.Module)` in the cell above (in place of "
            "`Net = None`), run it, then run this check again."
        ])
    output = ""
    if isinstance(Net, nn.Module):
        model = Net
    elif callable(Net):
        model, exc, output = _run(Net)
        if _is_nie(exc):
            return _not_attempted(name, "Net()", output)
        if isinstance(exc, AttributeError) and "Module.__init__() call" in str(exc):
            return _result(name, INCORRECT, [_SUPER_MESSAGE], output)
        if exc is not None:
            return _result(name, INCORRECT, [_explain(exc, "Net()")], output)
    else:
        return _result(name, INCORRECT, [
            f"check_net expects your class Net (or a Net() instance), got {type(Net).__name__}."
        ])
    if not isinstance(model, nn.Module):
        return _result(name, INCORRECT, [
            f"Net() gave a {type(model).__name__}, not a network: write `class Net(nn.Module):` so "
            f"that Net is a subclass of nn.Module."
        ], output)
    if "_parameters" not in vars(model):
        return _result(name, INCORRECT, [_SUPER_MESSAGE], output)

    first = next(model.parameters(), None)
    X = torch.randn(_BATCH, 1, 32, 32, device=first.device if first is not None else None)
    names = _layer_names(model)
    trace = _Trace()

    def forward():
        with trace:
            return model(X)

    out, exc, printed = _run(forward)
    output += printed
    if _is_nie(exc):
        if "missing the required \"forward\"" in str(exc):
            own = sorted(k for k, v in vars(type(model)).items() if callable(v) and not k.startswith("__"))
            if own:
                return _result(name, INCORRECT, [
                    f"Net has no method called `forward` (it defines {', '.join(own)}): nn.Module "
                    f"calls `forward(self, input)` when you write `model(X)`; check the spelling."
                ], output)
            return _result(name, NOT_ATTEMPTED, [
                "Net has no forward method yet: write `def forward(self, input):`, which takes a "
                "batch shaped (N, 1, 32, 32) and returns the logits, shaped (N, 10)."
            ], output)
        return _not_attempted(name, "Net's forward", output)

    problems = _net_call_problems(model, trace.calls, names)
    if exc is not None:
        if problems:
            first_line = (str(exc).strip().splitlines() or [""])[0][:200]
            problems.append(f"(the error was {type(exc).__name__}: {first_line})")
        else:
            problems.append(_explain(exc, "Net's forward"))
        return _result(name, INCORRECT, problems, output)
    if problems:
        return _result(name, INCORRECT, problems, output)
    problems = _net_output_problems(out, trace.calls)
    if problems:
        return _result(name, INCORRECT, problems, output)
    problems = _net_structure_problems(model, out, trace.calls)
    if problems:
        return _result(name, INCORRECT, problems, output)
    problems = _net_computation_problems(X, out, trace.calls)
    if problems:
        return _result(name, INCORRECT, problems, output)
    count = sum(p.numel() for p in model.parameters())
    return _result(name, CORRECT, [
        f"Net is correct: a batch shaped {tuple(X.shape)} gives logits shaped {tuple(out.shape)}, "
        f"through LeNet's layers ({_LENET_TEXT}) with a ReLU after the first four; "
        f"{count:,} parameters, all registered and all trained."
    ], output)


_SUPER_MESSAGE = (
    "Net's __init__ does not call `super().__init__()` first: nn.Module must set itself up "
    "before layers can be assigned (PyTorch says \"cannot assign module before Module.__init__() "
    "call\"). Make `super().__init__()` the first line of __init__."
)


def _net_call_problems(model: nn.Module, calls: list[_Call], names: dict[int, str]) -> list[str]:
    """Problems visible in the layer calls: unregistered layers, channels, flatten, in_features."""
    problems: list[str] = []
    layer_calls = [c for c in calls if c.name in ("conv2d", "linear")]
    stray = [c for c in layer_calls if id(c.arg(1, "weight")) not in names]
    if stray or not names:
        containers = _plain_containers(model)
        if containers:
            where = ", ".join(f"`self.{c}`" for c in containers)
            how = (f"{where} is a plain Python list (or dict), so the layers in it are not registered: "
                   f"use `nn.ModuleList([...])` or `nn.Sequential(...)`, or assign each layer to "
                   f"`self.name`.")
        elif not names:
            how = ("Net has no parameters at all: create the layers in __init__ as attributes, "
                   "`self.conv1 = nn.Conv2d(1, 6, 5)` and so on.")
        else:
            how = ("a layer is created inside forward (e.g. `nn.Linear(...)(x)`): it gets new random "
                   "weights at every call. Create every layer once, in __init__, as `self.name = ...`.")
        problems.append(
            f"some layers are not registered, so their weights are missing from `model.parameters()` "
            f"and the optimizer would never train them: {how}"
        )
    first_linear, first_conv = True, True
    for call in layer_calls:
        x, weight = call.arg(0, "input"), call.arg(1, "weight")
        if not isinstance(x, torch.Tensor) or not isinstance(weight, torch.Tensor):
            continue
        layer = names.get(id(weight), "a layer created in forward")
        if call.name == "conv2d":
            groups = call.arg(6, "groups", 1) or 1
            expected = weight.shape[1] * groups
            if x.dim() >= 3 and x.shape[-3] != expected:
                if first_conv:
                    problems.append(
                        f"{layer} has in_channels={expected}, but the images have {x.shape[-3]} "
                        f"channel: Fashion-MNIST is greyscale, so the first convolution is "
                        f"`nn.Conv2d(1, 6, 5)` (in_channels=1)."
                    )
                else:
                    problems.append(
                        f"{layer} has in_channels={expected}, but it receives {x.shape[-3]} channels "
                        f"(the out_channels of the layer before): make them match, "
                        f"`nn.Conv2d(6, 16, 5)` for conv2."
                    )
                break
            first_conv = False
        else:
            in_features = weight.shape[1]
            if first_linear and (x.dim() < 2 or x.shape[0] != _BATCH):
                problems.append(
                    f"{layer} receives a tensor shaped {_shape(x)} for a batch of {_BATCH} images "
                    f"(expected ({_BATCH}, 400)): the flatten swallowed the batch dimension. Use "
                    f"`torch.flatten(x, 1)`, which keeps dimension 0 (the batch) and flattens the "
                    f"rest, or `x.view(x.size(0), -1)`."
                )
                break
            if first_linear and x.shape[-1] != in_features:
                problems.append(
                    f"{layer} expects in_features={in_features} but receives {x.shape[-1]} features "
                    f"per image. A 32\u00d732 image becomes 28\u00d728 after conv1 (5\u00d75), 14\u00d714 "
                    f"after pooling, 10\u00d710 after conv2, 5\u00d75 after pooling: 16 maps of 5\u00d75, "
                    f"so fc1 needs 16 \u00d7 5 \u00d7 5 = 400 inputs: `nn.Linear(16 * 5 * 5, 120)`"
                    + ("" if x.shape[-1] == 400 else "; check the kernel sizes and the poolings too")
                    + "."
                )
                break
            if not first_linear and x.shape[-1] != in_features:
                problems.append(
                    f"{layer} expects in_features={in_features} but receives {x.shape[-1]} features "
                    f"(the out_features of the layer before): make them match."
                )
                break
            first_linear = False
    return problems


def _net_output_problems(out: Any, calls: list[_Call]) -> list[str]:
    if not isinstance(out, torch.Tensor):
        what = "nothing (None)" if out is None else f"a {type(out).__name__}"
        return [f"forward returns {what}: end forward with `return output`, the tensor of logits."]
    problems = []
    if out.dim() != 2 or out.shape[0] != _BATCH:
        return [
            f"for a batch of {_BATCH} images the output has shape {tuple(out.shape)}, expected "
            f"({_BATCH}, 10): the batch dimension got mixed with the others, usually by a flatten. "
            f"Use `torch.flatten(x, 1)`, which keeps dimension 0 (the batch)."
        ]
    if out.shape[1] != 10:
        problems.append(
            f"the network gives {out.shape[1]} scores per image, but Fashion-MNIST has 10 classes: "
            f"the last layer must be `nn.Linear(84, 10)`."
        )
    activations = [c for c in calls if c.name in _ACTIVATIONS]
    if not activations:
        problems.append(
            "there is no non-linearity: without `F.relu` between the layers, the stacked "
            "convolutions and linear layers collapse into a single linear function. Apply "
            "`F.relu` after conv1, conv2, fc1 and fc2."
        )
    producer = next((c for c in reversed(calls) if c.result is out), None)
    if producer is not None and producer.name in ("log_softmax", "_log_softmax"):
        problems.append(
            "the output goes through `log_softmax`, but the network must return raw logits (any real "
            "number, one score per class): nn.CrossEntropyLoss applies log-softmax itself (log_softmax "
            "belongs with nn.NLLLoss, which this course does not use). Return the last layer's output "
            "as it is, `output = self.fc3(f6)`."
        )
        return problems
    squashed = producer is not None and producer.name in _OUTPUT_SQUASHERS
    detached = out.detach()
    sums_to_one = bool(torch.allclose(detached.sum(1), torch.ones(_BATCH, device=out.device)))
    if squashed or sums_to_one or bool((detached >= 0).all()):
        which = producer.name if squashed else ("softmax" if sums_to_one else "relu")
        if "softmax" in which or "sigmoid" in which:
            why = _SOFTMAX_WHY
        else:
            why = "a ReLU here turns every negative score into 0, so the network cannot express \"surely not\""
        problems.append(
            f"the output goes through `{which}`, but the network must return raw logits (any real "
            f"number, one score per class): {why}. Return the last layer's output as it is, "
            f"`output = self.fc3(f6)`."
        )
    return problems


def _net_structure_problems(model: nn.Module, out: torch.Tensor, calls: list[_Call]) -> list[str]:
    problems = []
    if not out.requires_grad:
        return [
            "the output carries no gradient: forward must not use `torch.no_grad()`, `.detach()` "
            "or `.item()`, or training could not compute gradients through it."
        ]
    params = list(model.parameters())
    saved = [p.grad for p in params]  # an instance passed in keeps the gradients it had
    for p in params:
        p.grad = None
    out.sum().backward()
    unused = sorted({n.rsplit(".", 1)[0] for n, p in model.named_parameters() if p.grad is None})
    for p, grad in zip(params, saved):
        p.grad = grad
    if unused:
        problems.append(
            f"these layers are created in __init__ but never used in forward: {', '.join(unused)}. "
            f"Every layer must be called in forward, in order."
        )
    layers = tuple((c.name, tuple(c.arg(1, "weight").shape)) for c in calls if c.name in ("conv2d", "linear"))
    if layers != LENET_LAYERS:
        found = ", ".join(f"{op} {shape}" for op, shape in layers)
        problems.append(
            f"the layers differ from LeNet's: expected {_LENET_TEXT} (weights "
            f"{', '.join(str(s) for _, s in LENET_LAYERS)}), found {found}."
        )
    relus = sum(c.name in _ACTIVATIONS for c in calls)
    if relus != 4:
        problems.append(
            f"LeNet applies a relu after conv1, conv2, fc1 and fc2 (4 in all, none on the output); "
            f"yours applies {relus} activation{'s' if relus != 1 else ''}."
        )
    return problems


_POOLS = {
    "max_pool2d", "avg_pool2d", "adaptive_avg_pool2d", "adaptive_max_pool2d", "lp_pool2d", "fractional_max_pool2d",
}
_RANDOM = {"dropout", "dropout_", "dropout2d", "feature_dropout", "alpha_dropout", "rrelu"}


def _lenet_reference(X: torch.Tensor, layers: list[tuple[torch.Tensor, torch.Tensor | None]]) -> torch.Tensor:
    """LeNet's forward (notebook 03) with the learner's own weights: relu, max_pool2d(2), flatten(x, 1)."""
    (w1, b1), (w2, b2), (w3, b3), (w4, b4), (w5, b5) = layers
    s2 = F.max_pool2d(F.relu(F.conv2d(X, w1, b1)), 2)
    s4 = torch.flatten(F.max_pool2d(F.relu(F.conv2d(s2, w2, b2)), 2), 1)
    return F.linear(F.relu(F.linear(F.relu(F.linear(s4, w3, b3)), w4, b4)), w5, b5)


def _net_computation_problems(X: torch.Tensor, out: torch.Tensor, calls: list[_Call]) -> list[str]:
    """Same layers as LeNet: does forward also compute what LeNet's forward computes with them?

    Recomputes LeNet's forward (notebook 03) with the learner's own weights, so other activations (sigmoid,
    leaky_relu), other pooling (average) and extra operations (dropout) are caught even when every
    shape is right.
    """
    layers = [(c.arg(1, "weight"), c.arg(2, "bias")) for c in calls if c.name in ("conv2d", "linear")]
    try:
        with torch.no_grad():
            expected = _lenet_reference(X, layers)
        same = expected.shape == out.shape and torch.allclose(out.detach(), expected, rtol=1e-4, atol=1e-5)
    except (RuntimeError, ValueError):  # the layers fit only the learner's own way of calling them
        same = False
    if same:
        return []
    names = [c.name for c in calls]
    found = []
    others = sorted({n for n in names if n in _ACTIVATIONS and n not in ("relu", "relu_")})
    if others:
        found.append(f"activation {', '.join(others)} where LeNet uses `F.relu`")
    pools = [n for n in names if n in _POOLS]
    if any(n != "max_pool2d" for n in pools) or len(pools) != 2:
        found.append(
            f"pooling {', '.join(pools) or 'none'} where LeNet uses `F.max_pool2d(x, 2)` twice, "
            f"after each convolution's relu"
        )
    randoms = sorted({n for n in names if n in _RANDOM})
    if randoms:
        found.append(f"{', '.join(randoms)}, which LeNet's forward (notebook 03) does not have")
    detail = "; ".join(found) if found else (
        "an extra operation or a different order somewhere in forward; compare it line by line "
        "with LeNet's forward in notebook 03"
    )
    return [
        f"every layer has LeNet's shape, but forward computes something else with them: {detail}. "
        f"LeNet's forward (notebook 03) is relu(conv1) → max_pool2d 2 → relu(conv2) → max_pool2d 2 → "
        f"flatten(x, 1) → relu(fc1) → relu(fc2) → fc3, with nothing else in between."
    ]


# --------------------------------------------------------------------------- spies shared by train and test

_ACCUMULATING = {"add", "__add__", "__radd__", "__iadd__", "add_", "stack", "cat", "concat", "hstack", "vstack", "sum"}
_recorder_stack: list[_Recorder] = []


class _LossTensor(torch.Tensor):
    """A loss tensor that notices being added up, across batches, while it still carries its graph.

    ``_batch`` numbers the forward pass its loss comes from (results inherit the latest of their
    operands'), so arithmetic within one batch (a penalty term, a weighted sum of two losses) is
    fine, and only adding a graph-carrying loss from an earlier batch counts as accumulating.
    """

    _batch = 0

    @classmethod
    def __torch_function__(cls, func, types, args=(), kwargs=None):
        kwargs = kwargs or {}
        flat = list(args) + list(kwargs.values())
        flat += [t for a in args if isinstance(a, (list, tuple)) for t in a]
        batches = [t._batch for t in flat if isinstance(t, _LossTensor)]
        if _recorder_stack and getattr(func, "__name__", "") in _ACCUMULATING:
            latest = _recorder_stack[-1].losses
            if any(isinstance(t, _LossTensor) and t.requires_grad and t._batch < latest for t in flat):
                _recorder_stack[-1].accumulated += 1
        result = super().__torch_function__(func, types, args, kwargs)
        if isinstance(result, _LossTensor) and batches:
            result._batch = max(batches)
        return result

    def __format__(self, spec: str) -> str:  # f"{loss:>7f}" works on a 0-dim tensor, as usual
        if self.dim() == 0:
            return self.item().__format__(spec)
        return torch.Tensor.__format__(self.detach().as_subclass(torch.Tensor), spec)

    def __repr__(self, *, tensor_contents=None) -> str:  # looks like an ordinary tensor
        text = repr(self.detach().as_subclass(torch.Tensor))
        node = self.grad_fn
        while node is not None and type(node).__name__ == "AliasBackward0" and node.next_functions:
            node = node.next_functions[0][0]
        if node is not None and text.endswith(")"):
            text = f"{text[:-1]}, grad_fn=<{type(node).__name__}>)"
        return text


class _Recorder:
    """Everything the spies saw while the learner's function ran."""

    def __init__(self) -> None:
        self.events: list[str] = []  # forward, loss, backward, zero_grad, step
        self.forwards: list[tuple[bool, bool, int]] = []  # (training, grad enabled, batch size)
        self.swapped = 0
        self.accumulated = 0
        self.probabilities = 0  # loss calls whose input rows are probabilities (a softmax before the loss)
        self.losses = 0  # the number of the forward pass the latest loss belongs to
        self.steps: list[tuple[str, int]] = []  # (gradient state, backwards since previous step)
        self._backwards_since_step = 0
        self._stale = False  # a backward since the last step added to gradients left over

    def on_grad(self, index: int, param: torch.Tensor) -> None:
        """A backward pass reaches ``param`` (before its gradient is accumulated into ``.grad``)."""
        if param.grad is not None and bool(param.grad.any()):
            self._stale = True  # old gradients still there: this backward adds to them
        if index == 0:
            self.events.append("backward")
            self._backwards_since_step += 1

    def on_step(self, params: list[torch.Tensor]) -> None:
        empty = all(p.grad is None or not bool(p.grad.any()) for p in params)
        state = "empty" if empty else ("accumulated" if self._stale else "fresh")
        self.events.append("step")
        self.steps.append((state, self._backwards_since_step))
        self._backwards_since_step = 0
        self._stale = False


class _SpyLoss(nn.CrossEntropyLoss):
    """nn.CrossEntropyLoss that records each call and repairs (but reports) swapped arguments."""

    def __init__(self, recorder: _Recorder, wrap: bool) -> None:
        super().__init__()
        self._recorder = recorder
        self._wrap = wrap

    def forward(self, input: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
        if (isinstance(input, torch.Tensor) and isinstance(target, torch.Tensor)
                and not input.is_floating_point() and target.is_floating_point()):
            self._recorder.swapped += 1
            input, target = target, input
        if isinstance(input, torch.Tensor) and input.is_floating_point() and input.dim() == 2 and input.numel():
            rows = input.detach()
            if bool((rows >= 0).all()) and torch.allclose(rows.sum(1), torch.ones_like(rows[:, 0]), atol=1e-4):
                self._recorder.probabilities += 1
        self._recorder.events.append("loss")
        self._recorder.losses = len(self._recorder.forwards)  # a loss belongs to the latest forward pass
        loss = F.cross_entropy(input, target)
        if not self._wrap:
            return loss
        wrapped = loss.as_subclass(_LossTensor)
        wrapped._batch = self._recorder.losses
        return wrapped


class _SpyOptimizer:
    """Plain SGD (``p -= lr * p.grad``) that records each zero_grad and step, with the gradients' state.

    It has what a training loop uses from an optimizer (``zero_grad``, ``step``,
    ``param_groups``) but is not a ``torch.optim.Optimizer``: building one of those imports
    ``torch._dynamo`` (about 2 s the first time), too slow for a check.
    """

    def __init__(self, params, recorder: _Recorder, lr: float = 0.01) -> None:
        self.param_groups = [{"params": list(params), "lr": lr}]
        self.defaults = {"lr": lr}
        self.state: dict = {}
        self._recorder = recorder

    def _params(self) -> list[torch.Tensor]:
        return [p for group in self.param_groups for p in group["params"]]

    def zero_grad(self, set_to_none: bool = True) -> None:
        self._recorder.events.append("zero_grad")
        for p in self._params():
            if p.grad is not None:
                if set_to_none:
                    p.grad = None
                else:
                    p.grad.detach_()
                    p.grad.zero_()

    def step(self, closure=None):
        loss = None
        if closure is not None:
            with torch.enable_grad():
                loss = closure()
        self._recorder.on_step(self._params())
        with torch.no_grad():
            for group in self.param_groups:
                for p in group["params"]:
                    if p.grad is not None:
                        p.add_(p.grad, alpha=-group["lr"])
        return loss

    def __repr__(self) -> str:
        return f"SGD (lr={self.defaults['lr']})"


# --------------------------------------------------------------------------- check_train


class _TrainProbe(nn.Module):
    """A tiny classifier (flatten + linear) that records its mode at every forward pass."""

    def __init__(self, recorder: _Recorder) -> None:
        super().__init__()
        self.flatten = nn.Flatten()
        self.fc = nn.Linear(32 * 32, 10)
        self._recorder = recorder

    def forward(self, X: torch.Tensor) -> torch.Tensor:
        self._recorder.events.append("forward")
        self._recorder.forwards.append((self.training, torch.is_grad_enabled(), len(X)))
        return self.fc(self.flatten(X))

    def zero_grad(self, set_to_none: bool = True) -> None:
        self._recorder.events.append("zero_grad")
        super().zero_grad(set_to_none)


def _train_data():
    from course_utils.data import BatchLoader

    X = torch.randn(20, 1, 32, 32)
    y = torch.randint(0, 10, (20,))
    return BatchLoader(X, y, batch_size=8)  # 3 batches: 8, 8 and 4 images


def _order(events: list[str]) -> str:
    """The events of the first batch, e.g. 'zero_grad \u2192 forward \u2192 loss \u2192 backward \u2192 step'."""
    starts = [i for i, e in enumerate(events) if e == "forward"]
    part = events[: starts[1]] if len(starts) > 1 else events[:12]
    if part and part[0] == "zero_grad":  # zeroing at the start: a trailing zero_grad is the next batch's
        while len(part) > 1 and part[-1] == "zero_grad":
            part = part[:-1]
    return " \u2192 ".join(part) if part else "nothing"


_PROBABILITIES = (
    "loss_fn receives probabilities (every row is \u2265 0 and sums to 1: a softmax before the loss), "
    "but it wants raw logits: " + _SOFTMAX_WHY + ". Pass the model's output as it is, "
    "`loss = loss_fn(pred, y)` with `pred = model(X)`; use softmax only to show probabilities."
)
_TIMES = {1: "once", 2: "twice", 3: "three times"}


def _times(count: int, batches: int) -> str:
    """'twice per batch' for 6 calls in 3 batches; '7 times for 3 batches' when it does not divide."""
    if batches and count % batches == 0:
        k = count // batches
        return f"{_TIMES.get(k, f'{k} times')} per batch"
    return f"{count} times for {batches} batches"


def _ran(name: str, count: int) -> str:
    return f"{name} ran {count} time{'s' if count != 1 else ''}"


def _and_list(items: list[str]) -> str:
    """'a', 'a and b', 'a, b and c'."""
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def _count_problem(events: list[str], batches: int) -> tuple[str, bool]:
    """A message when zero_grad, backward or step does not run once per batch (indentation), else ''.

    ``batches`` is the number of forward passes. Too few calls mean a call sits after (or before)
    the loop; too many mean it is written twice inside the loop. The flag says whether the order
    seen in one batch helps: not when zero_grad alone sits before the loop (the batch shows none).
    """
    n = {name: events.count(name) for name in ("zero_grad", "backward", "step")}
    if n["backward"] < batches or n["step"] < batches:
        parts = [_ran("loss.backward()", n["backward"]), _ran("optimizer.step()", n["step"])]
        which = "both belong"
        if 0 < n["zero_grad"] < batches:
            parts.insert(0, _ran("optimizer.zero_grad()", n["zero_grad"]))
            which = "all three belong"
        return (
            f"{_and_list(parts)} for {batches} batches: {which} inside the loop, once per batch (check the "
            f"indentation: the lines after `for X, y in dataloader:` must be indented under it)."
        ), True
    if 0 < n["zero_grad"] < batches:
        return (
            f"{_ran('optimizer.zero_grad()', n['zero_grad'])} for {batches} batches: move it inside "
            f"the loop, once per batch, so that each loss.backward() starts from zero gradients instead "
            f"of adding to those of the previous batches."
        ), False
    if n["step"] > batches:
        return (
            f"optimizer.step() runs {_times(n['step'], batches)}: each extra step applies the same "
            f"gradients again, so the weights move too far. Call it once per batch, after `loss.backward()`."
        ), True
    if n["backward"] > batches:
        return (
            f"loss.backward() runs {_times(n['backward'], batches)}, so the gradients are doubled: each "
            f"backward adds to `.grad`. Call it once per batch, on that batch's loss (and drop "
            f"`retain_graph=True`)."
        ), True
    return "", False


_CALLED_METHODS = ("train", "eval", "zero_grad", "backward", "step", "item")


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


def _bare_call_notes(fn: Callable, problems: list[str]) -> list[str]:
    """A note on missing parentheses (`model.eval` alone), when the check found problems."""
    code = getattr(fn, "__code__", None)
    if not problems or not isinstance(code, types.CodeType):
        return []
    bare = _bare_attributes(code)
    if not bare:
        return []
    verb = "does nothing (it names the method" if len(bare) == 1 else "do nothing (each names a method"
    return [
        f"note the parentheses: {_and_list([f'`{b}`' for b in bare])} alone {verb} without calling it); "
        f"write {_and_list([f'`{b}()`' for b in bare])}."
    ]


def _function_precheck(name: str, fn, what: str, signature: str) -> CheckResult | None:
    """The result for a placeholder (``None``: not attempted) or a non-function; None otherwise."""
    if fn is None:
        return _result(name, NOT_ATTEMPTED, [
            f"{what} is still None: write your `{signature}` in the cell above "
            f"(in place of `{what} = None`), run it, then run this check again."
        ])
    if not callable(fn):
        return _result(name, INCORRECT, [f"{what} should be a function, got {type(fn).__name__}."])
    return None


def check_train(train) -> CheckResult:
    """Check ``train(dataloader, model, loss_fn, optimizer)`` on 3 tiny synthetic batches.

    Taught in ``05_training_loop``. Diagnoses: a missing or misplaced ``zero_grad``, a missing
    ``backward``, a missing or early ``step``, any of the three not run once per batch (outside
    the loop, or twice in it), ``loss_fn(y, pred)``, a softmax before the loss, loss tensors
    added up or returned instead of ``.item()``, and a missing ``model.train()``. Accepts ``zero_grad`` at the start
    of the step or after ``step``, ``model.zero_grad()`` and ``set_to_none``; prints are captured
    and the return value is not needed.
    """
    with _isolated():
        return _check_train(train)


def _check_train(train) -> CheckResult:
    name = "check_train(train)"
    early = _function_precheck(name, train, "train", "def train(dataloader, model, loss_fn, optimizer):")
    if early is not None:
        return early
    fn, notes = _on_cpu(train, "train")
    recorder = _Recorder()
    loader = _train_data()
    model = _TrainProbe(recorder)
    model.eval()  # as a test loop leaves it: train must switch it back with model.train()
    params = list(model.parameters())
    for i, p in enumerate(params):
        p.register_hook(lambda grad, i=i, p=p: recorder.on_grad(i, p))
    loss_fn = _SpyLoss(recorder, wrap=True)
    optimizer = _SpyOptimizer(params, recorder)
    before = [p.detach().clone() for p in params]

    _recorder_stack.append(recorder)
    try:
        value, exc, output = _run(fn, loader, model, loss_fn, optimizer)
    finally:
        _recorder_stack.pop()
    if _is_nie(exc):
        return _not_attempted(name, "train", output)

    problems: list[str] = []
    events = recorder.events
    n_forward = len(recorder.forwards)
    if n_forward == 0 and exc is None:
        problems.append(
            "the model was never called: loop over the batches, `for X, y in dataloader:`, and "
            "compute the predictions with `pred = model(X)`."
        )
    if any(not training for training, _, _ in recorder.forwards):
        problems.append(
            "model.train() was never called before the forward passes: the model was still in "
            "evaluation mode (as a test loop leaves it), where dropout and batch normalisation "
            "behave as at test time. Start train with `model.train()`."
        )
    if recorder.swapped:
        problems.append(
            "loss_fn was called with its arguments swapped, `loss_fn(y, pred)`: the predictions "
            "(logits) come first, the labels second: `loss = loss_fn(pred, y)`."
        )
    elif n_forward and "loss" not in events and exc is None:
        problems.append(
            "loss_fn was never called: compute the loss with the loss function you are given, "
            "`loss = loss_fn(pred, y)`."
        )
    n_backward, steps = events.count("backward"), recorder.steps
    order = f"Order seen in one batch: {_order(events)}."
    if n_forward and exc is None:
        if n_backward == 0:
            problems.append(
                "loss.backward() was never called: without it no gradients are computed, so "
                f"optimizer.step() has nothing to apply. Call `loss.backward()` after the loss. {order}"
            )
        if not steps and any(not torch.equal(b, p.detach()) for b, p in zip(before, params)):
            problems.append(
                "the weights changed, but optimizer.step() of the `optimizer` you were given was never "
                "called: use that optimizer (`optimizer.step()`, `optimizer.zero_grad()`) rather than "
                "creating a new one inside train."
            )
        elif not steps:
            problems.append(
                "optimizer.step() was never called: the gradients are computed but the weights "
                f"never change. Call `optimizer.step()` after `loss.backward()`. {order}"
            )
        elif n_backward:
            counted, with_order = _count_problem(events, n_forward)
            if counted:
                problems.append(f"{counted} {order}" if with_order else counted)
            elif any(since == 0 for _, since in steps):
                problems.append(
                    "optimizer.step() runs before loss.backward(): each step applies the gradients "
                    "of the previous batch (or none). The order is `loss.backward()`, then "
                    f"`optimizer.step()`. {order}"
                )
            elif any(state == "empty" for state, _ in steps):
                problems.append(
                    "optimizer.zero_grad() runs between loss.backward() and optimizer.step(): it "
                    "erases the fresh gradients, so step changes nothing. Zero the gradients at the "
                    f"start of each step (before `loss.backward()`), or after `optimizer.step()`. {order}"
                )
            elif any(state == "accumulated" for state, _ in steps):
                problems.append(
                    "the gradients are never reset: without `optimizer.zero_grad()` once per batch, "
                    "each loss.backward() adds to the gradients of all the previous batches. Call "
                    f"`optimizer.zero_grad()` at the start of each step. {order}"
                )
    if recorder.probabilities:
        problems.append(_PROBABILITIES)
    if recorder.accumulated:
        problems.append(
            "loss tensors are added up (e.g. `total_loss += loss`): each one keeps its whole "
            "computation graph alive, so memory grows with every batch. Add the number instead: "
            "`total_loss += loss.item()`."
        )
    elif isinstance(value, torch.Tensor) and value.requires_grad:
        problems.append(
            "train returns the loss tensor itself, which keeps its computation graph (and so the "
            "batch's activations) alive: return loss.item() (a number), not the tensor."
        )
    elif isinstance(value, (list, tuple)) and any(isinstance(v, torch.Tensor) and v.requires_grad for v in value):
        problems.append(
            "train returns loss tensors, and each one keeps its whole computation graph alive, so "
            "memory grows with every batch: collect the numbers instead, `losses.append(loss.item())`."
        )
    problems += _bare_call_notes(fn, problems)
    if exc is not None:
        problems.append(_explain(exc, "train"))
    if problems:
        return _result(name, INCORRECT, problems + notes, output)
    changed = any(not torch.equal(b, p.detach()) for b, p in zip(before, params))
    if not changed:
        return _result(name, INCORRECT, [
            f"the weights did not change: check that `optimizer.step()` runs once per batch. {order}"
        ] + notes, output)
    n_batches = len(loader)
    if n_forward < n_batches:
        return _result(name, INCORRECT, [
            f"the loop used only {n_forward} of the {n_batches} batches: loop over all of them, "
            f"`for X, y in dataloader:`."
        ] + notes, output)
    return _result(name, CORRECT, [
        f"train is correct: on {n_batches} batches it ran {_order(events)} in training mode, "
        f"with fresh gradients at every step, and the weights changed."
    ] + notes, output)


# --------------------------------------------------------------------------- check_test


class _TableProbe(nn.Module):
    """A model with preset logits: image i (its pixel [0, 0, 0] holds i) gets row i of ``table``.

    It records, at every forward pass, whether it was in training mode and whether gradients
    were being tracked; its logits carry a graph (through ``scale``) when they are.
    """

    def __init__(self, table: torch.Tensor, recorder: _Recorder) -> None:
        super().__init__()
        self.register_buffer("table", table)
        self.scale = nn.Parameter(torch.ones(()))
        self._recorder = recorder

    def forward(self, X: torch.Tensor) -> torch.Tensor:
        self._recorder.events.append("forward")
        self._recorder.forwards.append((self.training, torch.is_grad_enabled(), len(X)))
        index = X[:, 0, 0, 0].round().long()
        return self.table[index] * self.scale


#: The test check's data: 9 images in batches of 4, 4 and 1; labels, predicted classes and the
#: resulting counts (3, 2 and 0 right: 5 of 9). Uneven batches make every wrong denominator show.
_TEST_LABELS = (3, 1, 4, 1, 5, 9, 2, 6, 5)
_TEST_PREDS = (3, 1, 4, 0, 5, 9, 7, 8, 2)
_TEST_BATCH = 4


def _test_setup():
    from course_utils.data import BatchLoader

    n = len(_TEST_LABELS)
    y = torch.tensor(_TEST_LABELS)
    table = torch.zeros(n, 10)
    for i, (label, guess) in enumerate(zip(_TEST_LABELS, _TEST_PREDS)):
        table[i, guess] = 2.0 + 0.5 * i
        if guess != label:
            table[i, label] = 1.0 + 0.25 * i
    X = torch.zeros(n, 1, 32, 32)
    X[:, 0, 0, 0] = torch.arange(n, dtype=torch.float)
    loader = BatchLoader(X, y, batch_size=_TEST_BATCH)
    per_image = F.cross_entropy(table, y, reduction="none")
    batches = [(per_image[i:i + _TEST_BATCH], (torch.tensor(_TEST_PREDS[i:i + _TEST_BATCH]) == y[i:i + _TEST_BATCH]))
               for i in range(0, n, _TEST_BATCH)]
    batch_means = [float(b.mean()) for b, _ in batches]
    right = [int(r.sum()) for _, r in batches]
    facts = {
        "n": n,
        "n_batches": len(batches),
        "per_batch": sum(batch_means) / len(batches),
        "per_image": float(per_image.sum()) / n,
        "sum_batch": sum(batch_means),
        "sum_image": float(per_image.sum()),
        "correct": sum(right),
        "accuracy": sum(right) / n,
        "unweighted": sum(r / len(b) for r, (b, _) in zip(right, batches)) / len(batches),
    }
    return table, loader, facts


def _close(a: float, b: float) -> bool:
    return math.isclose(a, b, rel_tol=1e-4, abs_tol=1e-6)


def _as_number(v: Any) -> float | None:
    if isinstance(v, torch.Tensor):
        return float(v.detach().reshape(-1)[0]) if v.numel() == 1 else None
    if isinstance(v, bool):
        return None
    try:
        return float(v)
    except (TypeError, ValueError):
        return None


def _argmax_problems(calls: list[_Call]) -> list[str]:
    for call in calls:
        t = call.arg(0, "input")
        if not isinstance(t, torch.Tensor) or t.dim() != 2 or t.shape[-1] != 10:
            continue
        dim = call.arg(1, "dim")
        if call.name == "argmax" and dim is None:
            what = f"`{call.name}()` without a dimension picks one position in the whole flattened batch"
        elif isinstance(dim, int) and dim not in (1, -1):
            what = f"`{call.name}({dim})` compares the images of the batch with each other (dimension {dim})"
        else:
            continue
        return [
            f"{what}, instead of picking the best of the 10 classes for each image: pred has shape "
            f"(batch, 10), so the predicted classes are `pred.argmax(1)`, one per image."
        ]
    return []


def check_test(test) -> CheckResult:
    """Check ``test(dataloader, model, loss_fn) -> (avg_loss, accuracy)`` on a model with preset logits.

    Taught in ``06_test_loop_and_metrics``. Diagnoses: no ``torch.no_grad()`` (or
    ``inference_mode``), no ``model.eval()``, ``argmax`` over the wrong dimension, accuracy
    divided by the wrong count, tensors returned instead of numbers (``.item()``), the loss
    summed but never averaged, accuracy in percent instead of a fraction, a ``return`` or
    ``break`` inside the loop, and a softmax before the loss. Accepts the
    average loss per batch or per sample, and accuracy weighted by batch size.
    """
    with _isolated():
        return _check_test(test)


def _check_test(test) -> CheckResult:
    name = "check_test(test)"
    early = _function_precheck(name, test, "test", "def test(dataloader, model, loss_fn):")
    if early is not None:
        return early
    fn, notes = _on_cpu(test, "test")
    recorder = _Recorder()
    table, loader, facts = _test_setup()
    model = _TableProbe(table, recorder)
    model.train()  # as a training loop leaves it: test must switch it with model.eval()
    loss_fn = _SpyLoss(recorder, wrap=False)
    trace = _Trace(watch={"argmax", "max"})

    def call():
        with trace:
            return fn(loader, model, loss_fn)

    value, exc, output = _run(call)
    if _is_nie(exc):
        return _not_attempted(name, "test", output)

    problems: list[str] = []
    if not recorder.forwards and exc is None:
        problems.append(
            "the model was never called: loop over the batches, `for X, y in dataloader:`, and "
            "compute `pred = model(X)`."
        )
    if any(training for training, _, _ in recorder.forwards):
        problems.append(
            "model.eval() was never called: the model stayed in training mode, where dropout drops "
            "activations at random and batch normalisation uses each batch's statistics, so the "
            "results would be noisy and wrong. Start test with `model.eval()`."
        )
    if any(grad for _, grad, _ in recorder.forwards):
        problems.append(
            "the forward passes ran with gradient tracking on: wrap the loop in `with "
            "torch.no_grad():` (or `torch.inference_mode()`). A test loop only measures, so "
            "recording the computation graph wastes memory and time."
        )
    if recorder.swapped:
        problems.append(
            "loss_fn was called with its arguments swapped, `loss_fn(y, pred)`: the predictions "
            "(logits) come first, the labels second: `loss_fn(pred, y)`."
        )
    if recorder.probabilities:
        problems.append(_PROBABILITIES)
    argmax = _argmax_problems(trace.calls)
    problems += argmax
    if exc is not None:
        problems.append(_explain(exc, "test"))
        return _result(name, INCORRECT, problems + _bare_call_notes(fn, problems) + notes, output)
    n_forward, n_batches = len(recorder.forwards), len(loader)
    if 0 < n_forward < n_batches:
        problems.append(
            f"the loop used only {n_forward} of the {n_batches} batches: a `return` or `break` inside "
            f"the loop ends it early. Loop over all of them, `for X, y in dataloader:`, and return "
            f"after the loop (check the indentation of `return`)."
        )
    else:
        problems += _test_value_problems(value, facts, skip_accuracy=bool(argmax))
    if problems:
        return _result(name, INCORRECT, problems + _bare_call_notes(fn, problems) + notes, output)
    loss, accuracy = (_as_number(v) for v in value)
    return _result(name, CORRECT, [
        f"test is correct: in evaluation mode without gradient tracking, on {facts['n']} images in "
        f"batches of 4, 4 and 1, it returned the average loss {loss:.4f} and the accuracy "
        f"{accuracy:.4f} ({facts['correct']} of {facts['n']} right) as Python numbers."
    ] + notes, output)


def _test_value_problems(value: Any, facts: dict, skip_accuracy: bool) -> list[str]:
    if value is None:
        return [
            "test returned nothing (None): it must return the two numbers, "
            "`return test_loss, correct` (the average loss, then the accuracy as a fraction)."
        ]
    if not isinstance(value, (tuple, list)) or len(value) != 2:
        return [
            f"test returned {type(value).__name__} {value!r:.80}: it must return two numbers, "
            f"`return test_loss, correct` (the average loss, then the accuracy)."
        ]
    problems = []
    if any(isinstance(v, torch.Tensor) for v in value):
        kinds = ", ".join(type(v).__name__ for v in value)
        problems.append(
            f"test returned tensors ({kinds}) instead of numbers: add `.item()` to each batch's "
            f"values, `test_loss += loss_fn(pred, y).item()` and `correct += (...).sum().item()`, "
            f"so the totals are plain Python numbers."
        )
    loss, accuracy = (_as_number(v) for v in value)
    if loss is None or accuracy is None:
        problems.append(f"test should return two numbers, got {value!r:.120}.")
        return problems
    f = facts
    loss_ok = _close(loss, f["per_batch"]) or _close(loss, f["per_image"])
    accuracy_ok = _close(accuracy, f["accuracy"])
    if not loss_ok and not accuracy_ok and _close(loss, f["accuracy"]) and (
            _close(accuracy, f["per_batch"]) or _close(accuracy, f["per_image"])):
        return problems + [
            "test returned (accuracy, average loss): the order is the average loss first, then "
            "the accuracy: `return test_loss, correct`."
        ]
    expected_loss = (
        f"{f['per_batch']:.4f} (the mean of the batch losses) or {f['per_image']:.4f} (the mean over images)"
    )
    if not loss_ok:
        if _close(loss, f["sum_batch"]) or _close(loss, f["sum_image"]):
            problems.append(
                f"the loss is summed but never averaged: got {loss:.4f}, the total over "
                f"{f['n_batches']} batches. Divide by the number of batches, "
                f"`test_loss /= len(dataloader)`: expected {expected_loss}."
            )
        elif _close(loss, f["sum_batch"] / f["n"]) or _close(loss, f["sum_image"] / f["n_batches"]):
            problems.append(
                f"the loss is averaged over the wrong count: got {loss:.4f}. The sum of the batch "
                f"losses (each already a mean over its batch) divides by the number of batches, "
                f"`len(dataloader)`: expected {expected_loss}."
            )
        else:
            problems.append(f"the average loss should be {expected_loss}; test returned {loss:.4f}.")
    if skip_accuracy or accuracy_ok:
        return problems
    n, c, nb = f["n"], f["correct"], f["n_batches"]
    expected = f"{c}/{n} = {f['accuracy']:.4f}"
    if _close(accuracy, 100 * f["accuracy"]):
        problems.append(
            f"the accuracy is in percent ({accuracy:.2f}) instead of a fraction: test returns a "
            f"fraction between 0 and 1 ({f['accuracy']:.4f}); multiply by 100 only to print it, "
            f"`print(f\"Accuracy: {{100 * correct:.1f}}%\")`."
        )
    elif _close(accuracy, c / nb) or _close(accuracy, 100 * c / nb):
        problems.append(
            f"the accuracy is divided by the number of batches ({nb}): got {accuracy:.4f}. Divide the "
            f"count of correct predictions by the number of images, `len(dataloader.dataset)`: "
            f"expected {expected}."
        )
    elif _close(accuracy, c / _TEST_BATCH):
        problems.append(
            f"the accuracy is divided by the batch size ({_TEST_BATCH}): got {accuracy:.4f}. Divide "
            f"by the number of images, `len(dataloader.dataset)`: expected {expected}."
        )
    elif _close(accuracy, c):
        problems.append(
            f"the accuracy is the count of correct predictions ({c}), never divided: divide it by "
            f"the number of images, `correct /= len(dataloader.dataset)`: expected {expected}."
        )
    elif _close(accuracy, f["unweighted"]) or _close(accuracy, 100 * f["unweighted"]):
        problems.append(
            f"the accuracy is the plain mean of the batch accuracies ({accuracy:.4f}), which counts "
            f"the last, smaller batch as much as the full ones: count the correct predictions (or "
            f"weight each batch by its size) and divide by `len(dataloader.dataset)`: expected {expected}."
        )
    else:
        problems.append(
            f"the accuracy should be the fraction of correct predictions, {expected}; test returned "
            f"{accuracy:.4f}. Count `(pred.argmax(1) == y).type(torch.float).sum().item()` per batch "
            f"and divide the total by `len(dataloader.dataset)`."
        )
    return problems
