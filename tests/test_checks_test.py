"""checks.check_test (notebook 06): every listed mistake in a test loop is diagnosed, no correct variant is flagged.

The course's own loop is ``course_utils.reference.test``. The learner's variants are built by
:func:`make_test`, a Quickstart-shaped loop with options for the lines a learner gets wrong (or
writes in another correct style), so each variant makes exactly one mistake. Written out by hand, on
purpose, are only: a loop with ``model.eval`` alone (that note reads the function's own bytecode),
a misspelled total (the UnboundLocalError needs the typo in real code), and a placeholder.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from contextlib import AbstractContextManager

import pytest
import torch
from learner_code import notebook_cell, typed
from progress_sandbox import private_progress  # noqa: F401 (autouse: checks record into a temporary file)

from course_utils import checks, reference
from course_utils.checks import CORRECT, INCORRECT, NOT_ATTEMPTED

# a notebook-style global: the learner's loops below read it, as they do in the notebooks
device = torch.device("cpu")

#: How the loop's `for` line takes the batches apart (the key is the learner's line).
LOOPS = {
    "for X, y in dataloader": lambda dataloader: dataloader,
    "for X in dataloader": lambda dataloader: ((batch, None) for batch in dataloader),  # X is the (X, y) pair
    "for X, y in enumerate(dataloader)": enumerate,  # X is the batch number
}


#: How the loop prints its results (the key names where the line comes from), given (avg loss, accuracy, images).
PRINTS = {
    "Quickstart": lambda loss, acc, size: f"Test Error: \n Accuracy: {(100 * acc):>0.1f}%, Avg loss: {loss:>8f} \n",
    "pytorch/examples mnist": lambda loss, acc, size: (
        f"\nTest set: Average loss: {loss:.4f}, Accuracy: {round(acc * size)}/{size} ({100.0 * acc:.0f}%)\n"
    ),
    "key=value": lambda loss, acc, size: f"test_loss={loss:.4f} test_acc={acc:.4f}",
    "CIFAR tutorial, accuracy only": lambda loss, acc, size: (
        f"Accuracy of the network on the {size} test images: {int(100 * acc)} %"  # cut off, as `100 * correct // total`
    ),
}
#: What the loop returns, given (avg loss, accuracy).
RETURNS = {"both": lambda loss, acc: (loss, acc), "nothing": lambda loss, acc: None,
           "accuracy": lambda loss, acc: acc, "loss": lambda loss, acc: loss}


def make_test(*, eval_mode: bool = True, context: Callable[[], AbstractContextManager] = torch.no_grad,
              loop: str = "for X, y in dataloader", softmax: bool = False, swapped: bool = False,
              classes: Callable = lambda pred: pred.argmax(1), as_float: bool = True, item: bool = True,
              average: str | None = "batch", acc_denominator: str = "size", mean_of_batches: bool = False,
              percent: bool = False, stop: str | None = None, prints: str | None = None, returns: str = "both",
              inputs: Callable = lambda X: X):
    """A Quickstart-shaped ``test(dataloader, model, loss_fn)`` with exactly the mistakes (or styles) asked for.

    ``average``: "batch" (the mean of the batch losses), "image" (weighted by batch size), "sum/size" (the
    sum of the batch means over the number of images), "sum/batch_idx" (over the last batch's number), or
    None (summed); ``acc_denominator``: "size", "total" (`total += y.size(0)`) or "batches"; ``stop``:
    "return" or "break" inside the loop; ``prints``: a key of PRINTS; ``returns``: a key of RETURNS;
    ``inputs``: what happens to each batch X before the model (an old `Variable(X, volatile=True)`).
    """

    def test(dataloader, model, loss_fn):
        size, num_batches = len(dataloader.dataset), len(dataloader)
        if eval_mode:
            model.eval()
        test_loss, correct, total, accs, batch_idx = 0, 0, 0, [], 0
        with context():
            for batch_idx, (X, y) in enumerate(LOOPS[loop](dataloader)):  # noqa: B007 - "sum/batch_idx" reads it after
                X, y = inputs(X.to(device)), y.to(device)
                pred = model(X).softmax(1) if softmax else model(X)
                loss = loss_fn(y, pred) if swapped else loss_fn(pred, y)
                right = (classes(pred) == y).type(torch.float).sum() if as_float else (classes(pred) == y).sum()
                test_loss += (loss.item() if item else loss) * (len(X) if average == "image" else 1)
                correct += right.item() if item else right
                total += y.size(0)
                accs.append(float(right) / len(X))
                if stop == "return":
                    return test_loss / num_batches, correct / size
                if stop == "break":
                    break
        counts = {"batch": num_batches, "image": size, "sum/size": size, "sum/batch_idx": batch_idx, None: 1}
        test_loss /= counts[average]
        if mean_of_batches:
            correct = sum(accs) / len(accs)
        else:
            correct /= {"size": size, "total": total, "batches": num_batches}[acc_denominator]  # in place, as learners
        if percent:
            correct *= 100
        if prints:
            print(PRINTS[prints](test_loss, correct, size))
        return RETURNS[returns](test_loss, correct)

    return test


def no_grad_decorated(test):
    """``test`` with `@torch.no_grad()` on the function instead of a `with` block."""
    return torch.no_grad()(test)


CORRECT_TESTS = {  # correct loops that differ from the course's only in style: no note, no message but "correct"
    "the course's test, typed": typed(reference.test),
    "builder's default": make_test(),
    "Quickstart, returning as well as printing": make_test(prints="Quickstart"),
    "inference_mode, loss per image": make_test(context=torch.inference_mode, average="image"),
    "torch.max(pred, 1)[1]": make_test(classes=lambda pred: torch.max(pred, 1)[1]),
    "pred.max(1)[1]": make_test(classes=lambda pred: pred.max(1)[1]),
    "argmax(dim=1), counted as an integer": make_test(classes=lambda pred: pred.argmax(dim=1), as_float=False),
    "total += y.size(0)": make_test(acc_denominator="total"),
    "@torch.no_grad() on the function": no_grad_decorated(make_test(context=contextlib.nullcontext)),
    "total += y.size(0), inference_mode, max(1)[1]": make_test(
        acc_denominator="total", context=torch.inference_mode, classes=lambda pred: pred.max(1)[1]),
}


@pytest.mark.parametrize("test", CORRECT_TESTS.values(), ids=CORRECT_TESTS)
def test_correct_test_loops_pass(test):
    result = checks.check_test(test)
    assert result.status == CORRECT and result.passed, str(result)
    assert result.messages and not any(m.lower().startswith("note") for m in result.messages), str(result)


def test_test_loop_prints_are_captured(capsys):
    result = checks.check_test(CORRECT_TESTS["Quickstart, returning as well as printing"])
    assert "Accuracy: 55.6%" in result.output
    assert capsys.readouterr().out == ""


PRINTED_ONLY = "printed the average loss and the accuracy and returned nothing"
ONLY_ACCURACY = "returned only the accuracy"
IN_PERCENT = "returned the accuracy in percent (55.56)"
#: Right numbers, reported otherwise than the course's test: correct, with a note on the course's contract.
CONTRACT_TESTS = {  # case -> (test, the words of each note, in order)
    "Quickstart's print, no return": (make_test(prints="Quickstart", returns="nothing"), [PRINTED_ONLY]),
    "pytorch/examples' print (5/9), no return": (
        make_test(prints="pytorch/examples mnist", returns="nothing"), [PRINTED_ONLY]),
    "key=value print, no return": (make_test(prints="key=value", returns="nothing"), [PRINTED_ONLY]),
    "prints the accuracy only, cut off to 55 %": (
        make_test(prints="CIFAR tutorial, accuracy only", returns="nothing"),
        ["printed the accuracy and returned nothing"]),
    "returns only the accuracy": (make_test(returns="accuracy"), [ONLY_ACCURACY]),
    "returns the accuracy in percent": (make_test(percent=True), [IN_PERCENT]),
    "returns only the accuracy, in percent": (make_test(returns="accuracy", percent=True), [ONLY_ACCURACY, IN_PERCENT]),
    "returns only the accuracy, prints the loss": (make_test(returns="accuracy", prints="key=value"), [ONLY_ACCURACY]),
    "returns only the loss, prints the accuracy": (
        make_test(returns="loss", prints="Quickstart"), ["returned only the average loss"]),
}


@pytest.mark.parametrize("test, notes", CONTRACT_TESTS.values(), ids=CONTRACT_TESTS)
def test_right_numbers_reported_otherwise_pass_with_a_note(test, notes):
    result = checks.check_test(test)
    assert result.status == CORRECT and result.messages[0].startswith("test is correct"), str(result)
    assert len(result.messages) == 1 + len(notes), str(result)
    for message, words in zip(result.messages[1:], notes):
        assert message.startswith("note: ") and words in message, str(result)
    assert "return test_loss, correct" in " ".join(result.messages[1:]), str(result)


def test_printed_numbers_are_judged_as_printed():
    text = checks.check_test(make_test(prints="Quickstart", returns="nothing")).messages[0]
    assert "printed the accuracy 55.6% (5 of 9 right) and the average loss 1.8" in text, text


# hand-written on purpose: the note on missing parentheses reads this function's own bytecode
def learner_test_eval_no_parentheses(dataloader, model, loss_fn):
    model.eval  # noqa: B018 - the learner's mistake
    test_loss, correct = 0, 0
    with torch.no_grad():
        for X, y in dataloader:
            pred = model(X)
            test_loss += loss_fn(pred, y).item()
            correct += (pred.argmax(1) == y).type(torch.float).sum().item()
    return test_loss / len(dataloader), correct / len(dataloader.dataset)


TEST_MISTAKES = {  # case -> (test, words the message must contain)
    "no no_grad": (make_test(context=torch.enable_grad), "no_grad"),
    "no eval": (make_test(eval_mode=False), "eval"),
    "argmax(0)": (make_test(classes=lambda pred: pred.argmax(0)), "argmax"),
    "argmax()": (make_test(classes=lambda pred: pred.argmax()), "argmax"),
    "accuracy / batches": (make_test(acc_denominator="batches"), "divided by the number of batches (3)"),
    "mean of batch accuracies": (make_test(mean_of_batches=True), "plain mean of the batch accuracies"),
    "tensors returned": (make_test(item=False), "item"),
    "loss never averaged": (make_test(average=None), "summed but never averaged"),
    "loss / number of images": (make_test(average="sum/size"), "averaged over the wrong count"),
    "loss / batch_idx": (make_test(average="sum/batch_idx"), "the last batch's index"),
    "return inside the loop": (make_test(stop="return"), "the loop used only 1 of the 3 batches"),
    "break inside the loop": (make_test(stop="break"), "the loop used only 1 of the 3 batches"),
    "model.eval without ()": (learner_test_eval_no_parentheses, "note the parentheses: `model.eval` alone"),
    "softmax before the loss": (make_test(softmax=True), "raw logits"),
    "loss_fn(y, pred)": (make_test(swapped=True), "loss_fn(pred, y)"),
    # the same mistakes in a loop that prints its numbers (the Quickstart's shape) and returns nothing
    "prints the mean of batch accuracies": (
        make_test(mean_of_batches=True, prints="Quickstart", returns="nothing"),
        "plain mean of the batch accuracies (test printed 41.7%)"),
    "prints the loss / number of images": (
        make_test(average="sum/size", prints="Quickstart", returns="nothing"),
        "averaged over the wrong count: test printed"),
    "prints the accuracy / batches": (
        make_test(acc_denominator="batches", prints="Quickstart", returns="nothing"),
        "divided by the number of batches (3): test printed 166.7%"),
    "prints the loss never averaged": (
        make_test(average=None, prints="pytorch/examples mnist", returns="nothing"), "summed but never averaged"),
    "prints from a loop without eval": (make_test(eval_mode=False, prints="Quickstart", returns="nothing"), "eval()"),
    # reported otherwise, and wrong
    "returns only the loss": (make_test(returns="loss"), "test returned only the average loss"),
}


@pytest.mark.parametrize("test, keyword", TEST_MISTAKES.values(), ids=TEST_MISTAKES)
def test_test_loop_mistakes_are_diagnosed(test, keyword):
    result = checks.check_test(test)
    assert result.status == INCORRECT and keyword.lower() in " ".join(result.messages).lower(), str(result)


def test_no_grad_is_detected_even_when_the_check_runs_under_no_grad():
    with torch.no_grad():
        result = checks.check_test(make_test(context=torch.enable_grad))
    assert result.status == INCORRECT and "no_grad" in " ".join(result.messages), str(result)


def test_test_loop_that_neither_returns_nor_prints_is_incorrect():
    def test(dataloader, model, loss_fn):
        make_test()(dataloader, model, loss_fn)  # computes, but neither returns nor prints the numbers

    result = checks.check_test(test)
    assert result.status == INCORRECT and "test returned nothing (None)" in " ".join(result.messages), str(result)


def test_test_loop_not_attempted():
    def test(dataloader, model, loss_fn):
        model.eval()
        # YOUR CODE HERE
        raise NotImplementedError

    for learner in (None, test):
        result = checks.check_test(learner)
        assert result.status == NOT_ATTEMPTED and not result.passed, str(result)


def test_test_loop_exception_is_explained():
    result = checks.check_test(make_test(loop="for X in dataloader"))
    text = " ".join(result.messages)
    assert result.status == INCORRECT and "Hint:" in text and "Error" in text


# hand-written on purpose: the typo `corect` makes the UnboundLocalError the hint is about
def learner_test_misspelled_total(dataloader, model, loss_fn):
    model.eval()
    test_loss, correct = 0, 0
    with torch.no_grad():
        for X, y in dataloader:
            pred = model(X)
            test_loss += loss_fn(pred, y).item()
            corect += (pred.argmax(1) == y).type(torch.float).sum().item()  # noqa: F821, F841 - the learner's typo
    return test_loss / len(dataloader), correct / len(dataloader.dataset)


HINT_MISTAKES = {  # the learner's error -> the hint that names its cause (not "print the shapes")
    "correct is an integer tensor": (
        make_test(as_float=False, item=False), "`correct` became an integer tensor",
        "`.type(torch.float).sum().item()`"),
    "misspelled total": (
        learner_test_misspelled_total, "UnboundLocalError",
        "set `test_loss, correct = 0, 0` before the loop; check the spelling"),
    "for X in dataloader": (make_test(loop="for X in dataloader"), "'tuple' object", "`for X, y in dataloader:`"),
    "for X, y in enumerate(dataloader)": (
        make_test(loop="for X, y in enumerate(dataloader)"), "'int' object",
        "`for batch, (X, y) in enumerate(dataloader):`"),
}


@pytest.mark.parametrize("test, error, hint", HINT_MISTAKES.values(), ids=HINT_MISTAKES)
def test_errors_get_a_hint_for_their_cause(test, error, hint):
    result = checks.check_test(test)
    text = " ".join(result.messages)
    assert result.status == INCORRECT and error in text, str(result)
    assert f"Hint: {hint}" in text or hint in text.split("Hint:", 1)[1], str(result)
    assert "print the shapes" not in text and "printing the shapes" not in text, str(result)


TEST_NEEDS_DEVICE = """
def test(dataloader, model, loss_fn):
    model.eval()
    loss, right = 0.0, 0.0
    with torch.no_grad():
        for X, y in dataloader:
            X, y = X.to(device), y.to(device)
            pred = model(X)
            loss += loss_fn(pred, y).item()
            right += (pred.argmax(1) == y).sum().item()
    return loss / len(dataloader), right / len(dataloader.dataset)
"""


def test_test_loop_missing_device_is_a_note():
    result = checks.check_test(notebook_cell(TEST_NEEDS_DEVICE)["test"])  # a notebook with no `device`
    assert result.status == CORRECT and "device = info.device" in " ".join(result.messages), str(result)
