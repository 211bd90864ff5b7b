"""The checks judge what learner's code computes, whatever its shape (issue 15, part 1).

Learners arrive with loops from the PyTorch Quickstart, tutorials and old homework. Here: the
Quickstart's own ``train`` and ``test`` verbatim, the course's own code imported instead of written,
spies that public PyTorch APIs accept as the real thing, and code from old PyTorch versions. The
variants that a builder can make (printed results, gradient accumulation, a conv1 padded for 28x28)
are in ``test_checks_test.py``, ``test_checks_train.py`` and ``test_checks_net.py``, next to the others
of their kind.
"""

from __future__ import annotations

import pytest
import torch
from learner_code import QUICKSTART_TEST, QUICKSTART_TRAIN, notebook_cell, typed
from progress_sandbox import private_progress  # noqa: F401 (autouse: checks record into a temporary file)
from torch import nn

import course_utils.reference
from course_utils import checks
from course_utils.checks import CORRECT, INCORRECT, NOT_ATTEMPTED, spies

CPU = torch.device("cpu")

# --------------------------------------------------------------------------- the PyTorch Quickstart, verbatim


def test_the_quickstarts_own_test_is_judged_on_the_numbers_it_prints():
    result = checks.check_test(notebook_cell(QUICKSTART_TEST, device=CPU)["test"])
    assert result.status == CORRECT, str(result)
    assert "printed the accuracy 55.6% (5 of 9 right) and the average loss" in result.messages[0], str(result)
    assert result.messages[1].startswith("note: test printed the average loss and the accuracy and returned nothing")
    assert "Accuracy: 55.6%" in result.output


def test_the_quickstarts_own_train_passes():
    result = checks.check_train(notebook_cell(QUICKSTART_TRAIN, device=CPU)["train"])
    assert result.status == CORRECT and len(result.messages) == 1, str(result)
    assert "forward \u2192 loss \u2192 backward \u2192 step \u2192 zero_grad" in result.messages[0], str(result)
    assert "loss: " in result.output and "[    8/   20]" in result.output


def test_the_quickstarts_test_with_a_wrong_count_gets_its_diagnosis():
    wrong = QUICKSTART_TEST.replace("test_loss /= num_batches", "test_loss /= size")
    result = checks.check_test(notebook_cell(wrong, device=CPU)["test"])
    assert result.status == INCORRECT, str(result)
    assert result.messages[0].startswith("the loss is averaged over the wrong count: test printed"), str(result)


# --------------------------------------------------------------------------- the course's own code, handed in

IMPORTED = {  # how a learner hands in the course's copy -> (check, the object, its name in the message)
    "from course_utils.reference import Net": (
        checks.check_net,
        notebook_cell("from course_utils.reference import Net")["Net"],
        "Net",
    ),
    "an instance of the course's Net": (checks.check_net, course_utils.reference.Net(), "Net"),
    "from course_utils.reference import train": (
        checks.check_train,
        notebook_cell("from course_utils.reference import train")["train"],
        "train",
    ),
    "course_utils.reference.test": (checks.check_test, course_utils.reference.test, "test"),
}


@pytest.mark.parametrize("check, code, name", IMPORTED.values(), ids=IMPORTED)
def test_the_courses_own_code_is_recognised_and_their_own_asked_for(check, code, name):
    result = check(code)
    assert result.status == NOT_ATTEMPTED and len(result.messages) == 1, str(result)
    assert f"this {name} is the course's own copy, `course_utils.reference.{name}`" in result.messages[0]
    assert "instead of importing it" in result.messages[0]


@pytest.mark.parametrize("check, code, name", IMPORTED.values(), ids=IMPORTED)
def test_the_same_code_typed_by_the_learner_passes(check, code, name):
    mine = typed(getattr(course_utils.reference, name))
    if isinstance(code, nn.Module):
        mine = mine()  # an instance of the learner's own class
    assert check(mine).status == CORRECT


def test_a_learners_subclass_of_the_courses_net_is_theirs():
    class Net(course_utils.reference.Net):
        """The course's layers, the learner's own class."""

    assert checks.check_net(Net).status == CORRECT


# --------------------------------------------------------------------------- spies that PyTorch accepts

SPIES = {  # the spy -> the class it stands for
    "optimizer": (lambda: spies._SpyOptimizer([nn.Parameter(torch.zeros(2))], spies.Recorder()), torch.optim.SGD),
    "training model": (lambda: spies._TrainProbe(spies.Recorder()), nn.Module),
    "test model": (lambda: spies._TableProbe(torch.zeros(9, 10), spies.Recorder()), nn.Module),
    "loss function": (lambda: spies._SpyLoss(spies.Recorder(), wrap=True), nn.CrossEntropyLoss),
}


@pytest.mark.parametrize("make, cls", SPIES.values(), ids=SPIES)
def test_each_spy_is_a_real_instance_of_what_it_stands_for(make, cls):
    assert isinstance(make(), cls)


def test_the_optimizer_spy_still_reads_as_sgd_and_steps_as_sgd():
    weight = nn.Parameter(torch.ones(2))
    optimizer = spies._SpyOptimizer([weight], spies.Recorder(), lr=0.5)
    assert repr(optimizer).startswith("SGD (") and isinstance(optimizer, torch.optim.Optimizer)
    weight.grad = torch.tensor([1.0, -2.0])
    optimizer.step()
    assert torch.equal(weight.detach(), torch.tensor([0.5, 2.0]))  # p -= lr * grad, as torch.optim.SGD


def test_a_test_loop_that_checks_its_arguments_passes():
    def test(dataloader, model, loss_fn):
        assert isinstance(model, nn.Module) and isinstance(loss_fn, nn.CrossEntropyLoss)
        return typed(course_utils.reference.test)(dataloader, model, loss_fn)

    assert checks.check_test(test).status == CORRECT


# --------------------------------------------------------------------------- code from old PyTorch (0.3 and before)

#: The pytorch/examples MNIST test loop of PyTorch 0.3, with the lines that changed since as fields.
OLD_TEST = """
def test(dataloader, model, loss_fn):
    model.eval()
    test_loss, correct = 0, 0
    for data, target in dataloader:
        data, target = {variables}
        output = model(data)
        test_loss += {loss}
        pred = output.data.max(1, keepdim=True)[1]
        correct += pred.eq(target.data.view_as(pred)).sum().item()
    test_loss /= len(dataloader.dataset)
    return test_loss, correct / len(dataloader.dataset)
"""
MODERN_LOSS = "F.cross_entropy(output, target, reduction='sum').item()"
OLD_CODE = {  # case -> (fields of OLD_TEST, names the notebook defines, what the messages must say)
    "Variable, never imported": (
        {"variables": "Variable(data, volatile=True), Variable(target)", "loss": MODERN_LOSS},
        {},
        ["NameError", "drop the wrapper (`X` instead of `Variable(X)`)"],
    ),
    "Variable(data, volatile=True)": (
        {"variables": "Variable(data, volatile=True), Variable(target)", "loss": MODERN_LOSS},
        {"Variable": torch.autograd.Variable},
        ["with torch.no_grad():", "note: `volatile=True` was removed in PyTorch 0.4"],
    ),
    "loss.data[0], size_average=False": (
        {"variables": "data, target", "loss": "F.cross_entropy(output, target, size_average=False).data[0]"},
        {},
        ["IndexError", "Read its number with `loss.item()`", "note: `size_average` and `reduce` are old"],
    ),
}


@pytest.mark.parametrize("fields, names, words", OLD_CODE.values(), ids=OLD_CODE)
def test_old_pytorch_code_gets_the_modern_form(fields, names, words):
    result = checks.check_test(notebook_cell(OLD_TEST.format(**fields), **names)["test"])
    text = " ".join(result.messages)
    assert result.status == INCORRECT and all(said in text for said in words), str(result)
    assert "print the shapes" not in text and "printing the shapes" not in text, str(result)
