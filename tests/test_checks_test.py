"""checks.check_test (notebook 06): every listed mistake in a test loop is diagnosed, no correct variant is flagged.

The course's own loop is ``course_utils.reference.test``. The learner's variants are built by
:func:`make_test`, a Quickstart-shaped loop with options for the lines a learner gets wrong (or
writes in another correct style), so each variant makes exactly one mistake. Written out by hand, on
purpose, are only: a loop with ``model.eval`` alone (that note reads the function's own bytecode),
a misspelled total (the UnboundLocalError needs the typo in real code), and a placeholder.
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager

import pytest
import torch

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


def make_test(*, eval_mode: bool = True, context: Callable[[], AbstractContextManager] = torch.no_grad,
              loop: str = "for X, y in dataloader", softmax: bool = False, swapped: bool = False,
              classes: Callable = lambda pred: pred.argmax(1), as_float: bool = True, item: bool = True,
              average: str | None = "batch", acc_denominator: str = "size", mean_of_batches: bool = False,
              percent: bool = False, stop: str | None = None, prints: bool = False):
    """A Quickstart-shaped ``test(dataloader, model, loss_fn)`` with exactly the mistakes (or styles) asked for.

    ``average``: "batch" (the mean of the batch losses), "image" (weighted by batch size) or None (summed);
    ``acc_denominator``: "size" or "batches"; ``stop``: "return" or "break" inside the loop.
    """

    def test(dataloader, model, loss_fn):
        size, num_batches = len(dataloader.dataset), len(dataloader)
        if eval_mode:
            model.eval()
        test_loss, correct, accs = 0, 0, []
        with context():
            for X, y in LOOPS[loop](dataloader):
                X, y = X.to(device), y.to(device)
                pred = model(X).softmax(1) if softmax else model(X)
                loss = loss_fn(y, pred) if swapped else loss_fn(pred, y)
                right = (classes(pred) == y).type(torch.float).sum() if as_float else (classes(pred) == y).sum()
                test_loss += (loss.item() if item else loss) * (len(X) if average == "image" else 1)
                correct += right.item() if item else right
                accs.append(float(right) / len(X))
                if stop == "return":
                    return test_loss / num_batches, correct / size
                if stop == "break":
                    break
        test_loss /= {"batch": num_batches, "image": size, None: 1}[average]
        if mean_of_batches:
            correct = sum(accs) / len(accs)
        else:
            correct /= {"size": size, "batches": num_batches}[acc_denominator]  # in place, as the learner writes it
        if percent:
            correct *= 100
        if prints:
            print(f"Test Error: \n Accuracy: {(100 * correct):>0.1f}%, Avg loss: {test_loss:>8f} \n")
        return test_loss, correct

    return test


CORRECT_TESTS = {
    "the course's test": reference.test,
    "builder's default": make_test(),
    "Quickstart, with its print": make_test(prints=True),
    "inference_mode, loss per image": make_test(context=torch.inference_mode, average="image"),
    "torch.max(pred, 1)": make_test(classes=lambda pred: torch.max(pred, 1)[1]),
}


@pytest.mark.parametrize("test", CORRECT_TESTS.values(), ids=CORRECT_TESTS)
def test_correct_test_loops_pass(test):
    result = checks.check_test(test)
    assert result.status == CORRECT and result.passed, str(result)
    assert result.messages and not any(m.lower().startswith("note") for m in result.messages), str(result)


def test_test_loop_prints_are_captured(capsys):
    result = checks.check_test(CORRECT_TESTS["Quickstart, with its print"])
    assert "Accuracy: 55.6%" in result.output
    assert capsys.readouterr().out == ""


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
    "accuracy / batches": (make_test(acc_denominator="batches"), "accuracy"),
    "mean of batch accuracies": (make_test(mean_of_batches=True), "accuracy"),
    "tensors returned": (make_test(item=False), "item"),
    "loss never averaged": (make_test(average=None), "average"),
    "percent": (make_test(percent=True), "fraction"),
    "return inside the loop": (make_test(stop="return"), "the loop used only 1 of the 3 batches"),
    "break inside the loop": (make_test(stop="break"), "the loop used only 1 of the 3 batches"),
    "model.eval without ()": (learner_test_eval_no_parentheses, "note the parentheses: `model.eval` alone"),
    "softmax before the loss": (make_test(softmax=True), "raw logits"),
    "loss_fn(y, pred)": (make_test(swapped=True), "loss_fn(pred, y)"),
}


@pytest.mark.parametrize("test, keyword", TEST_MISTAKES.values(), ids=TEST_MISTAKES)
def test_test_loop_mistakes_are_diagnosed(test, keyword):
    result = checks.check_test(test)
    assert result.status == INCORRECT and keyword.lower() in " ".join(result.messages).lower(), str(result)


def test_no_grad_is_detected_even_when_the_check_runs_under_no_grad():
    with torch.no_grad():
        result = checks.check_test(make_test(context=torch.enable_grad))
    assert result.status == INCORRECT and "no_grad" in " ".join(result.messages), str(result)


def test_test_loop_that_only_prints_is_incorrect():
    def test(dataloader, model, loss_fn):
        make_test(prints=True)(dataloader, model, loss_fn)  # prints, returns nothing here

    result = checks.check_test(test)
    assert result.status == INCORRECT and "return" in " ".join(result.messages)


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
    namespace = {"torch": torch}  # a notebook where `device` was never defined
    exec(compile(TEST_NEEDS_DEVICE, "<notebook cell>", "exec"), namespace)
    result = checks.check_test(namespace["test"])
    assert result.status == CORRECT and "device = info.device" in " ".join(result.messages), str(result)
