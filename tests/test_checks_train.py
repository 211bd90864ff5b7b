"""checks.check_train (notebook 05): every listed mistake in a training loop is diagnosed, no correct one is flagged.

The course's own loop is ``course_utils.reference.train``. The learner's variants are built by
:func:`make_train` from step names: what runs before the loop, for each batch, and after it, and
what comes back; so each variant makes exactly one mistake (or uses one other correct style).
Written out by hand, on purpose, are only: the loops with a method named without parentheses
(``model.train`` alone), because that note reads the function's own bytecode, and a loop typed in a
notebook cell with no ``device`` (source text, run with ``exec``).
"""

from __future__ import annotations

import operator
import types

import pytest
import torch
import torch.nn.functional as F
from learner_code import notebook_cell, typed
from progress_sandbox import private_progress  # noqa: F401 (autouse: checks record into a temporary file)

from course_utils import checks, reference
from course_utils.checks import CORRECT, INCORRECT, NOT_ATTEMPTED

# a notebook-style global: the learner's loops below read it, as they do in the notebooks
device = torch.device("cpu")


def grad_scaler(device_type: str):
    """``torch.amp.GradScaler(device_type)``, as a learner writes it; before torch 2.3 (no ``torch.amp.GradScaler``,
    no scaler for the CPU), the ``torch.cuda.amp.GradScaler`` a learner had then, on when CUDA is there."""
    if hasattr(torch.amp, "GradScaler"):
        return torch.amp.GradScaler(device_type)
    return torch.cuda.amp.GradScaler(enabled=device_type == "cuda" and torch.cuda.is_available())


def assert_correct(result):
    assert result.status == CORRECT and result.passed, str(result)
    assert result.messages and not any(m.lower().startswith("note") for m in result.messages), str(result)


def _penalised_loss(s):
    """Arithmetic on this batch's loss (a weight penalty, a weighted sum) is not accumulation."""
    penalty = sum(p.pow(2).sum() for p in s.model.parameters())
    s.loss = 0.5 * s.loss_fn(s.pred, s.y) + 0.5 * s.loss_fn(s.pred, s.y) + 1e-6 * penalty


def _autocast_forward_and_loss(s):
    """Mixed precision on the CPU: forward and loss under autocast (bfloat16)."""
    with torch.autocast("cpu", dtype=torch.bfloat16):
        s.pred = s.model(s.X)
        s.loss = s.loss_fn(s.pred, s.y)


def _loss_divided_by(k):
    """The loss of this batch divided by ``k`` (gradient accumulation averages ``k`` batches' gradients)."""
    return lambda s: setattr(s, "loss", s.loss_fn(s.pred, s.y) / k)


def _every(k, action, first=False):
    """``action`` only at every ``k``-th batch: the last of each k (``if (batch + 1) % k == 0:``), or the first."""
    return lambda s: action(s) if (s.batches - first) % k == 0 else None


def _isinstance_checks(s):
    """A loop that asserts what it was given, as library code does."""
    assert isinstance(s.optimizer, torch.optim.Optimizer) and isinstance(s.optimizer, torch.optim.SGD)
    assert isinstance(s.model, torch.nn.Module) and isinstance(s.loss_fn, torch.nn.CrossEntropyLoss)


#: The lines of a training loop, by name; each acts on the loop's state ``s`` (model, pred, loss ...).
STEPS = {
    "model.train()": lambda s: s.model.train(),
    "new optimizer": lambda s: setattr(s, "optimizer", torch.optim.SGD(s.model.parameters(), lr=0.1)),
    "zero_grad": lambda s: s.optimizer.zero_grad(),
    "zero_grad(set_to_none=False)": lambda s: s.optimizer.zero_grad(set_to_none=False),
    "model.zero_grad": lambda s: s.model.zero_grad(),
    "forward": lambda s: setattr(s, "pred", s.model(s.X)),
    "softmax": lambda s: setattr(s, "pred", F.softmax(s.pred, dim=1)),
    "loss": lambda s: setattr(s, "loss", s.loss_fn(s.pred, s.y)),
    "swapped loss": lambda s: setattr(s, "loss", s.loss_fn(s.y, s.pred)),  # loss_fn(y, pred)
    "loss.item()": lambda s: setattr(s, "loss", s.loss_fn(s.pred, s.y).item()),
    "penalised loss": _penalised_loss,
    "backward": lambda s: s.loss.backward(),
    "backward(retain_graph=True)": lambda s: s.loss.backward(retain_graph=True),
    "clip": lambda s: torch.nn.utils.clip_grad_norm_(s.model.parameters(), max_norm=0.01),
    "step": lambda s: s.optimizer.step(),
    "total += loss.item()": lambda s: setattr(s, "total", operator.iadd(s.total, s.loss.item())),
    "total += loss.detach()": lambda s: setattr(s, "total", operator.iadd(s.total, s.loss.detach())),
    "total += loss": lambda s: setattr(s, "total", operator.iadd(s.total, s.loss)),
    "losses.append(loss)": lambda s: s.losses.append(s.loss),
    "print": lambda s: print(f"loss: {s.loss:>7f}"),  # formatting the loss tensor itself also works
    # the optimizer used as a real one: schedulers, mixed precision, type checks
    "OneCycleLR": lambda s: setattr(s, "scheduler", torch.optim.lr_scheduler.OneCycleLR(
        s.optimizer, max_lr=0.1, total_steps=len(s.dataloader))),
    "StepLR": lambda s: setattr(s, "scheduler", torch.optim.lr_scheduler.StepLR(s.optimizer, step_size=1)),
    "scheduler.step": lambda s: s.scheduler.step(),
    "GradScaler": lambda s: setattr(s, "scaler", grad_scaler("cpu")),
    "GradScaler('cuda')": lambda s: setattr(s, "scaler", grad_scaler("cuda")),  # off without a GPU
    "scaled backward": lambda s: s.scaler.scale(s.loss).backward(),
    "scaler.step": lambda s: (s.scaler.step(s.optimizer), s.scaler.update()),
    "autocast forward and loss": _autocast_forward_and_loss,
    "isinstance checks": _isinstance_checks,
    # gradient accumulation: the loss divided by k, step and zero_grad every k batches
    **{f"loss / {k}": _loss_divided_by(k) for k in (2, 3, 4)},
    **{f"step every {k}": _every(k, lambda s: s.optimizer.step()) for k in (2, 3, 4)},
    **{f"zero_grad every {k}": _every(k, lambda s: s.optimizer.zero_grad()) for k in (2, 3, 4)},
    "zero_grad before every 2": _every(2, lambda s: s.optimizer.zero_grad(), first=True),
    "step at the last batch": lambda s: s.optimizer.step() if s.batches == len(s.dataloader) else None,
    # old PyTorch (0.3): a loss read with .data[0]
    "total += loss.data[0]": lambda s: setattr(s, "total", operator.iadd(s.total, s.loss.data[0])),
    "X.cuda() and y.cuda()": lambda s: (setattr(s, "X", s.X.cuda()), setattr(s, "y", s.y.cuda())),
}
#: What the loop returns, by name.
RETURNS = {
    None: lambda s: None,
    "mean": lambda s: s.total / s.batches,
    "losses": lambda s: s.losses,
    "stacked mean": lambda s: torch.stack(s.losses).mean(),
    "last loss": lambda s: s.loss,
}
FIVE_STEPS = "zero_grad, forward, loss, backward, step"


def make_train(each: str = FIVE_STEPS, *, before: str = "model.train()", after: str = "", returns: str | None = None):
    """A ``train(dataloader, model, loss_fn, optimizer)`` that runs the steps named (comma-separated) in
    ``before`` once before the loop, ``each`` for every batch, ``after`` once after it, and returns ``returns``."""

    def steps(names: str) -> list:
        return [STEPS[name.strip()] for name in names.split(",") if name.strip()]  # a KeyError here: a typo

    once_before, every_batch, once_after, result = steps(before), steps(each), steps(after), RETURNS[returns]

    def train(dataloader, model, loss_fn, optimizer):
        s = types.SimpleNamespace(model=model, loss_fn=loss_fn, optimizer=optimizer, dataloader=dataloader, total=0,
                                  losses=[], batches=0)
        for step in once_before:
            step(s)
        for X, y in dataloader:
            s.X, s.y = X.to(device), y.to(device)
            s.batches += 1
            for step in every_batch:
                step(s)
        for step in once_after:
            step(s)
        return result(s)

    return train


CORRECT_TRAINS = {  # correct loops that differ from the course's only in style: no note, no message but "correct"
    "the course's train, typed": typed(reference.train),
    "five steps, average loss returned": make_train(f"{FIVE_STEPS}, total += loss.item()", returns="mean"),
    "Quickstart: zero_grad after step, prints": make_train("forward, loss, backward, step, zero_grad, print"),
    "model.zero_grad()": make_train("model.zero_grad, forward, loss, backward, step"),
    "zero_grad(set_to_none=False) after the forward pass":
        make_train("forward, loss, zero_grad(set_to_none=False), backward, step, total += loss.item(), print"),
    "detached losses added up": make_train(f"{FIVE_STEPS}, total += loss.detach()", returns="mean"),
    "gradient clipping between backward and step": make_train("zero_grad, forward, loss, backward, clip, step"),
    "a penalty added to this batch's loss": make_train("zero_grad, forward, penalised loss, backward, step"),
    # the optimizer used as a real torch.optim.Optimizer
    "OneCycleLR built inside train, stepped per batch":
        make_train(f"{FIVE_STEPS}, scheduler.step", before="model.train(), OneCycleLR"),
    "StepLR built inside train, stepped after the loop":
        make_train(before="model.train(), StepLR", after="scheduler.step"),
    "GradScaler: scaler.step(optimizer)":
        make_train("zero_grad, forward, loss, scaled backward, scaler.step", before="model.train(), GradScaler"),
    "GradScaler('cuda')": make_train("zero_grad, forward, loss, scaled backward, scaler.step",
                                     before="model.train(), GradScaler('cuda')"),
    "autocast on the CPU": make_train("zero_grad, autocast forward and loss, backward, step"),
    "isinstance(optimizer, torch.optim.Optimizer)": make_train(f"isinstance checks, {FIVE_STEPS}"),
}


@pytest.mark.parametrize("train", CORRECT_TRAINS.values(), ids=CORRECT_TRAINS)
def test_correct_training_loops_pass(train):
    assert_correct(checks.check_train(train))


@pytest.mark.parametrize("train", CORRECT_TRAINS.values(), ids=CORRECT_TRAINS)
def test_training_success_message_matches_what_ran(train):
    text = checks.check_train(train).messages[0]
    assert "on 3 batches" in text and "zero_grad" in text and "backward" in text and "step" in text


def test_training_prints_are_captured(capsys):
    result = checks.check_train(CORRECT_TRAINS["Quickstart: zero_grad after step, prints"])
    assert "loss:" in result.output and "loss:" in str(result)
    assert capsys.readouterr().out == ""


# hand-written on purpose: the note on missing parentheses reads these functions' own bytecode
def train_no_parentheses(dataloader, model, loss_fn, optimizer):
    model.train  # noqa: B018 - the learner's mistake
    for X, y in dataloader:
        optimizer.zero_grad  # noqa: B018 - the learner's mistake
        loss = loss_fn(model(X), y)
        loss.backward()
        optimizer.step()


def train_backward_no_parentheses(dataloader, model, loss_fn, optimizer):
    model.train()
    for X, y in dataloader:
        optimizer.zero_grad()
        loss = loss_fn(model(X), y)
        loss.backward  # noqa: B018 - the learner's mistake
        optimizer.step()


STEP_BEFORE_BACKWARD = make_train("zero_grad, forward, loss, step, backward")
TRAIN_MISTAKES = {  # case -> (train, words the message must contain)
    "no zero_grad": (make_train("forward, loss, backward, step"), "zero_grad"),
    "zero_grad between backward and step": (make_train("forward, loss, backward, zero_grad, step"), "zero_grad"),
    "no backward": (make_train("zero_grad, forward, loss, step"), "backward"),
    "no step": (make_train("zero_grad, forward, loss, backward"), "step"),
    "step before backward": (STEP_BEFORE_BACKWARD, "step"),
    "step before backward, no zero_grad": (make_train("forward, loss, step, backward"), "step"),
    "loss_fn(y, pred)": (make_train("zero_grad, forward, swapped loss, backward, step"), "loss_fn(pred, y)"),
    "running_loss += loss": (make_train(f"{FIVE_STEPS}, total += loss"), "item"),
    "stack a list of losses": (make_train(f"{FIVE_STEPS}, losses.append(loss)", returns="stacked mean"), "item"),
    "no model.train()": (make_train(before=""), "train()"),
    "a new optimizer inside train": (make_train(before="model.train(), new optimizer"), "step"),
    "returns a list of loss tensors": (make_train(f"{FIVE_STEPS}, losses.append(loss)", returns="losses"), "item"),
    "backward and step after the loop": (
        make_train("zero_grad, forward, loss", after="backward, step"),
        "loss.backward() ran 1 time and optimizer.step() ran 1 time for 3 batches: both belong inside the loop",
    ),
    "step after the loop": (
        make_train("zero_grad, forward, loss, backward", after="step"),
        "for 3 batches: it belongs inside the loop",
    ),
    "all three after the loop": (
        make_train("forward, loss", after="zero_grad, backward, step"),
        "optimizer.zero_grad() ran 1 time, loss.backward() ran 1 time and",
    ),
    "softmax before the loss": (make_train("zero_grad, forward, softmax, loss, backward, step"), "raw logits"),
    "step twice": (make_train(f"{FIVE_STEPS}, step"), "optimizer.step() runs twice per batch"),
    "zero_grad before the loop": (
        make_train("forward, loss, backward, step", before="model.train(), zero_grad"),
        "optimizer.zero_grad() ran 1 time for 3 batches: move it inside the loop",
    ),
    "backward twice": (
        make_train("zero_grad, forward, loss, backward(retain_graph=True), backward, step"),
        "loss.backward() runs twice per batch, so the gradients are doubled",
    ),
    "returns the last loss tensor": (make_train(returns="last loss"), "return loss.item() (a number), not the tensor"),
    "model.train, optimizer.zero_grad without ()": (
        train_no_parentheses, "`model.train` and `optimizer.zero_grad` alone do nothing",
    ),
    "loss.backward without ()": (train_backward_no_parentheses, "note the parentheses: `loss.backward` alone"),
    ".cuda() (GPU or not)": (make_train(f"X.cuda() and y.cuda(), {FIVE_STEPS}"), "write `.to(device)`"
                             if not torch.cuda.is_available() else "move both with `.to(device)`"),
    "loss.data[0] (PyTorch 0.3)": (
        make_train(f"{FIVE_STEPS}, total += loss.data[0]"), "read its number with `loss.item()`"),
}


ACCUMULATING = {  # gradient accumulation, k batches per step -> (train, k)
    f"k={k}{', loss / k' if divided else ''}{', last batch steps too' if tail else ''}": (
        make_train(f"forward, {f'loss / {k}' if divided else 'loss'}, backward, step every {k}, zero_grad every {k}"
                   + (", step at the last batch" if tail else "")),
        k,
    )
    for k in (2, 3, 4) for divided in (True, False) for tail in (False, True)
}
ACCUMULATING["k=2, zero_grad at the start"] = (
    make_train("zero_grad before every 2, forward, loss / 2, backward, step every 2"), 2)


@pytest.mark.parametrize("train, k", ACCUMULATING.values(), ids=ACCUMULATING)
def test_gradient_accumulation_is_named_not_called_indentation(train, k):
    result = checks.check_train(train)
    text = " ".join(result.messages)
    assert result.status == INCORRECT and len(result.messages) == 1, str(result)
    assert text.startswith("this is gradient accumulation") and f"only every {k} batches" in text, str(result)
    assert "different algorithm" in text and "indentation" not in text, str(result)


def test_a_step_after_the_loop_is_not_taken_for_accumulation():
    result = checks.check_train(TRAIN_MISTAKES["step after the loop"][0])
    assert "accumulation" not in str(result) and "indentation" in str(result), str(result)
    # only the call that sits outside is named: backward already runs once per batch
    assert "optimizer.step() ran 1 time for 3 batches: it belongs" in str(result), str(result)
    assert "loss.backward() ran" not in str(result), str(result)


@pytest.mark.parametrize("train, keyword", TRAIN_MISTAKES.values(), ids=TRAIN_MISTAKES)
def test_training_mistakes_are_diagnosed(train, keyword):
    result = checks.check_train(train)
    assert result.status == INCORRECT and keyword.lower() in " ".join(result.messages).lower(), str(result)


WRONG_CAUSES = {  # mistakes that used to get another mistake's message
    "step twice": "runs before loss.backward()",
    "zero_grad before the loop": "never reset",
    "backward twice": "never reset",
    "returns the last loss tensor": "added up",
}


@pytest.mark.parametrize("case, wrong", WRONG_CAUSES.items(), ids=WRONG_CAUSES)
def test_training_mistakes_get_their_own_message(case, wrong):
    result = checks.check_train(TRAIN_MISTAKES[case][0])
    assert wrong not in " ".join(result.messages), str(result)
    assert len(result.messages) == 1, str(result)


def test_training_message_shows_the_order_seen():
    text = " ".join(checks.check_train(STEP_BEFORE_BACKWARD).messages)
    assert "zero_grad \u2192 forward \u2192 loss \u2192 step \u2192 backward" in text


def train_todo(dataloader, model, loss_fn, optimizer):
    """A fill-in exercise as generated: the key lines replaced."""
    model.train()
    for X, y in dataloader:
        X, y = X.to(device), y.to(device)
        # YOUR CODE HERE
        raise NotImplementedError


@pytest.mark.parametrize("train", [None, train_todo], ids=["None", "raise NotImplementedError"])
def test_training_not_attempted(train):
    result = checks.check_train(train)
    assert result.status == NOT_ATTEMPTED and not result.passed, str(result)


def test_training_exception_is_explained():
    result = checks.check_train(make_train("zero_grad, forward, loss.item(), backward, step"))
    assert result.status == INCORRECT
    text = " ".join(result.messages)
    assert "AttributeError" in text and "'float' object has no attribute 'backward'" in text
    assert "Hint:" in text and "loss.backward()" in text


def test_arguments_in_another_order_get_a_hint_for_the_signature():
    def train(model, dataloader, loss_fn, optimizer):  # the learner's signature: model first
        return make_train()(dataloader, model, loss_fn, optimizer)

    result = checks.check_train(train)
    text = " ".join(result.messages)
    assert result.status == INCORRECT and "'BatchLoader' object has no attribute 'train'" in text, str(result)
    assert "`train(dataloader, model, loss_fn, optimizer)`" in text.split("Hint:", 1)[1], str(result)
    assert "print the shapes" not in text and "printing the shapes" not in text, str(result)


TRAIN_NEEDS_DEVICE = """
def train(dataloader, model, loss_fn, optimizer):
    model.train()
    for X, y in dataloader:
        X, y = X.to(device), y.to(device)
        optimizer.zero_grad()
        loss = loss_fn(model(X), y)
        loss.backward()
        optimizer.step()
"""


def test_missing_global_device_is_reported_not_fatal():
    namespace = notebook_cell(TRAIN_NEEDS_DEVICE)  # a notebook where `device` was never defined
    result = checks.check_train(namespace["train"])
    assert result.status == CORRECT, str(result)  # the loop itself is right
    note = " ".join(result.messages)
    assert "`device`" in note and "device = info.device" in note
    assert "device" not in namespace  # the learner's notebook is left alone


def test_global_device_is_not_touched():
    assert_correct(checks.check_train(make_train()))
    assert device == torch.device("cpu") and globals()["device"] is device


def test_attribute_named_device_is_not_a_global():
    assert_correct(checks.check_train(typed(reference.train)))  # reads next(model.parameters()).device


def test_a_loop_that_moves_batches_to_info_device_runs_on_the_cpu():
    """On a GPU machine `info.device` is cuda; the checks' data is on the CPU (simulated with 'meta')."""
    from course_utils.env import CourseSetup

    info = CourseSetup(seed=0, device=torch.device("meta"), quick=True, data=None)
    namespace = notebook_cell(TRAIN_NEEDS_DEVICE.replace("to(device)", "to(info.device)"), info=info)
    assert_correct(checks.check_train(namespace["train"]))
    assert namespace["info"].device == torch.device("meta")  # the notebook's own info is untouched
