"""The spies: instrumented objects that record what the learner's code does with them.

The checks watch the code run rather than read its text. ``check_train`` (notebook 05) and
``check_test`` (notebook 06) hand the learner's function a model that records its mode and the
gradient mode at every forward pass (:class:`_TrainProbe`, :class:`_TableProbe`), an optimizer that
records each ``zero_grad`` and ``step`` with the state of the gradients (:class:`_SpyOptimizer`), and
a loss function that notices swapped arguments and returns loss tensors that notice being added up
(:class:`_SpyLoss`, :class:`_LossTensor`). All of them write to one :class:`Recorder`; the loss tensors
find it through a context variable set by :func:`recording`. :class:`Trace` records the tensor
operations (``relu``, ``linear``, ``argmax`` ...) run inside it (``check_net``, notebook 03).

Each spy is a real instance of the class it stands for (``nn.Module``, ``nn.CrossEntropyLoss``,
``torch.optim.SGD``, ``torch.Tensor``), so every public PyTorch API the learner's code hands it to
accepts it. The learner's code holds these objects, so their class names show in its error
messages; the hints (:mod:`.hints`) match those names, which is why they keep their leading underscore.
"""

from __future__ import annotations

import contextlib
import contextvars
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.overrides import TorchFunctionMode

__all__ = [
    "Call",
    "Recorder",
    "Trace",
    "_LossTensor",
    "_SpyLoss",
    "_SpyOptimizer",
    "_TableProbe",
    "_TrainProbe",
    "recording",
]


@dataclass
class Call:
    """One tensor operation seen by :class:`Trace`: its name, arguments and result."""

    name: str
    args: tuple
    kwargs: dict
    result: Any = None

    def arg(self, index: int, name: str, default: Any = None) -> Any:
        """The argument at position ``index``, or by keyword ``name``."""
        if len(self.args) > index:
            return self.args[index]
        return self.kwargs.get(name, default)


class Trace(TorchFunctionMode):
    """Record the top-level tensor operations (name, args, kwargs, result) run inside it."""

    def __init__(self, watch: set[str] | None = None) -> None:
        super().__init__()
        self.watch = watch
        self.calls: list[Call] = []

    def __torch_function__(self, func: Callable, types: Any, args: tuple = (), kwargs: dict | None = None) -> Any:
        kwargs = kwargs or {}
        name = getattr(func, "__name__", "")
        call = None
        if self.watch is None or name in self.watch:
            call = Call(name, args, kwargs)
            self.calls.append(call)
        result = func(*args, **kwargs)
        if call is not None:
            call.result = result
        return result


class Recorder:
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

    def on_forward(self, training: bool, X: Any) -> None:
        """The model runs a forward pass on the batch ``X``."""
        self.events.append("forward")
        self.forwards.append((training, torch.is_grad_enabled(), len(X)))

    def on_grad(self, index: int, param: torch.Tensor) -> None:
        """A backward pass reaches ``param`` (before its gradient is accumulated into ``.grad``)."""
        if param.grad is not None and bool(param.grad.any()):
            self._stale = True  # old gradients still there: this backward adds to them
        if index == 0:
            self.events.append("backward")
            self._backwards_since_step += 1

    def on_step(self, params: list[torch.Tensor]) -> None:
        """The optimizer steps: record whether the gradients were empty, fresh or accumulated."""
        empty = all(p.grad is None or not bool(p.grad.any()) for p in params)
        state = "empty" if empty else ("accumulated" if self._stale else "fresh")
        self.events.append("step")
        self.steps.append((state, self._backwards_since_step))
        self._backwards_since_step = 0
        self._stale = False


#: The recorder that loss tensors report to, set by :func:`recording` while the learner's code runs.
_ACTIVE: contextvars.ContextVar[Recorder | None] = contextvars.ContextVar("checks_recorder", default=None)


@contextlib.contextmanager
def recording(recorder: Recorder) -> Iterator[Recorder]:
    """Make ``recorder`` the one that :class:`_LossTensor` reports to, inside the ``with`` block."""
    token = _ACTIVE.set(recorder)
    try:
        yield recorder
    finally:
        _ACTIVE.reset(token)


_ACCUMULATING = {"add", "__add__", "__radd__", "__iadd__", "add_", "stack", "cat", "concat", "hstack", "vstack", "sum"}


class _LossTensor(torch.Tensor):
    """A loss tensor that notices being added up, across batches, while it still carries its graph.

    ``_batch`` numbers the forward pass its loss comes from (results inherit the latest of their
    operands'), so arithmetic within one batch (a penalty term, a weighted sum of two losses) is
    fine, and only adding a graph-carrying loss from an earlier batch counts as accumulating.
    """

    _batch = 0

    @classmethod
    def __torch_function__(cls, func: Callable, types: Any, args: tuple = (), kwargs: dict | None = None) -> Any:
        kwargs = kwargs or {}
        flat = list(args) + list(kwargs.values())
        flat += [t for a in args if isinstance(a, (list, tuple)) for t in a]
        batches = [t._batch for t in flat if isinstance(t, _LossTensor)]
        recorder = _ACTIVE.get()
        if recorder is not None and getattr(func, "__name__", "") in _ACCUMULATING:
            if any(isinstance(t, _LossTensor) and t.requires_grad and t._batch < recorder.losses for t in flat):
                recorder.accumulated += 1
        result = super().__torch_function__(func, types, args, kwargs)
        if isinstance(result, _LossTensor) and batches:
            result._batch = max(batches)
        return result

    def __format__(self, spec: str) -> str:  # f"{loss:>7f}" works on a 0-dim tensor, as usual
        if self.dim() == 0:
            return self.item().__format__(spec)
        return torch.Tensor.__format__(self.detach().as_subclass(torch.Tensor), spec)

    def __repr__(self, *, tensor_contents: Any = None) -> str:  # looks like an ordinary tensor
        text = repr(self.detach().as_subclass(torch.Tensor))
        node = self.grad_fn
        while node is not None and type(node).__name__ == "AliasBackward0" and node.next_functions:
            node = node.next_functions[0][0]
        if node is not None and text.endswith(")"):
            text = f"{text[:-1]}, grad_fn=<{type(node).__name__}>)"
        return text


class _SpyLoss(nn.CrossEntropyLoss):
    """nn.CrossEntropyLoss that records each call and repairs (but reports) swapped arguments."""

    def __init__(self, recorder: Recorder, wrap: bool) -> None:
        super().__init__()
        self._recorder = recorder
        self._wrap = wrap  # return a _LossTensor, which notices being added up

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


class _SpyOptimizer(torch.optim.SGD):
    """A real ``torch.optim.SGD`` (plain, ``p -= lr * p.grad``) that records each zero_grad and step.

    It is an instance of the class it stands for, so every public PyTorch API accepts it: an LR
    scheduler built inside ``train`` (``OneCycleLR(optimizer, ...)``), ``GradScaler.step(optimizer)``,
    ``isinstance(optimizer, torch.optim.Optimizer)``. Building the first optimizer of a session
    imports ``torch._dynamo`` (a second or two, once), as any optimizer the learner creates would.
    """

    def __init__(self, params: Any, recorder: Recorder, lr: float = 0.01) -> None:
        super().__init__(params, lr=lr)
        self._recorder = recorder

    def _params(self) -> list[torch.Tensor]:
        return [p for group in self.param_groups for p in group["params"]]

    def zero_grad(self, set_to_none: bool = True) -> None:
        self._recorder.events.append("zero_grad")
        super().zero_grad(set_to_none)

    def step(self, closure: Callable[[], Any] | None = None) -> Any:
        loss = None
        if closure is not None:
            with torch.enable_grad():
                loss = closure()
        self._recorder.on_step(self._params())
        super().step()
        return loss

    def __repr__(self) -> str:  # reads as the SGD it stands for
        return super().__repr__().replace(type(self).__name__, "SGD", 1)


class _TrainProbe(nn.Module):
    """A tiny classifier (flatten + linear) that records its mode at every forward pass."""

    def __init__(self, recorder: Recorder) -> None:
        super().__init__()
        self.flatten = nn.Flatten()
        self.fc = nn.Linear(32 * 32, 10)
        self._recorder = recorder

    def forward(self, X: torch.Tensor) -> torch.Tensor:
        self._recorder.on_forward(self.training, X)
        return self.fc(self.flatten(X))

    def zero_grad(self, set_to_none: bool = True) -> None:
        self._recorder.events.append("zero_grad")
        super().zero_grad(set_to_none)


class _TableProbe(nn.Module):
    """A model with preset logits: image i (its pixel [0, 0, 0] holds i) gets row i of ``table``.

    It records, at every forward pass, whether it was in training mode and whether gradients
    were being tracked; its logits carry a graph (through ``scale``) when they are.
    """

    def __init__(self, table: torch.Tensor, recorder: Recorder) -> None:
        super().__init__()
        self.register_buffer("table", table)
        self.scale = nn.Parameter(torch.ones(()))
        self._recorder = recorder

    def forward(self, X: torch.Tensor) -> torch.Tensor:
        self._recorder.on_forward(self.training, X)
        index = X[:, 0, 0, 0].round().long()
        return self.table[index] * self.scale
