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

from course_utils import checks, reference
from course_utils.checks import CORRECT, INCORRECT, NOT_ATTEMPTED

# a notebook-style global: the learner's loops below read it, as they do in the notebooks
device = torch.device("cpu")


def assert_correct(result):
    assert result.status == CORRECT and result.passed, str(result)
    assert result.messages and not any(m.lower().startswith("note") for m in result.messages), str(result)


def _penalised_loss(s):
    """Arithmetic on this batch's loss (a weight penalty, a weighted sum) is not accumulation."""
    penalty = sum(p.pow(2).sum() for p in s.model.parameters())
    s.loss = 0.5 * s.loss_fn(s.pred, s.y) + 0.5 * s.loss_fn(s.pred, s.y) + 1e-6 * penalty


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
        s = types.SimpleNamespace(model=model, loss_fn=loss_fn, optimizer=optimizer, total=0, losses=[], batches=0)
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


CORRECT_TRAINS = {
    "the course's train": reference.train,
    "five steps, average loss returned": make_train(f"{FIVE_STEPS}, total += loss.item()", returns="mean"),
    "Quickstart: zero_grad after step, prints": make_train("forward, loss, backward, step, zero_grad, print"),
    "model.zero_grad()": make_train("model.zero_grad, forward, loss, backward, step"),
    "zero_grad(set_to_none=False) after the forward pass":
        make_train("forward, loss, zero_grad(set_to_none=False), backward, step, total += loss.item(), print"),
    "detached losses added up": make_train(f"{FIVE_STEPS}, total += loss.detach()", returns="mean"),
    "gradient clipping between backward and step": make_train("zero_grad, forward, loss, backward, clip, step"),
    "a penalty added to this batch's loss": make_train("zero_grad, forward, penalised loss, backward, step"),
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
        "loss.backward() ran 3 times and optimizer.step() ran 1 time for 3 batches",
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
}


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
    namespace = {"torch": torch}  # a notebook where `device` was never defined
    exec(compile(TRAIN_NEEDS_DEVICE, "<notebook cell>", "exec"), namespace)
    result = checks.check_train(namespace["train"])
    assert result.status == CORRECT, str(result)  # the loop itself is right
    note = " ".join(result.messages)
    assert "`device`" in note and "device = info.device" in note
    assert "device" not in namespace  # the learner's notebook is left alone


def test_global_device_is_not_touched():
    assert_correct(checks.check_train(make_train()))
    assert device == torch.device("cpu") and globals()["device"] is device


def test_attribute_named_device_is_not_a_global():
    assert_correct(checks.check_train(reference.train))  # reads next(model.parameters()).device


def test_a_loop_that_moves_batches_to_info_device_runs_on_the_cpu():
    """On a GPU machine `info.device` is cuda; the checks' data is on the CPU (simulated with 'meta')."""
    from course_utils.env import CourseSetup

    info = CourseSetup(seed=0, device=torch.device("meta"), quick=True, data=None)
    namespace = {"info": info, "torch": torch}
    exec(TRAIN_NEEDS_DEVICE.replace("to(device)", "to(info.device)"), namespace)
    assert_correct(checks.check_train(namespace["train"]))
    assert namespace["info"].device == torch.device("meta")  # the notebook's own info is untouched
