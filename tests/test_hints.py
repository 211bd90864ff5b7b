"""Help on request (issue 15, part 2): ``result.hint()`` one level more per call, ``checks.solution()``,
and check messages that leave the architecture to the hints.
"""

from __future__ import annotations

import html
import inspect
import re
from functools import partial
from pathlib import Path

import pytest
import torch.nn as nn
from progress_sandbox import private_progress  # noqa: F401 (autouse: checks record into a temporary file)
from test_checks_net import FC1_256, NET_MISTAKES, make_net
from test_checks_package import ALL_RULES
from test_checks_train import TRAIN_MISTAKES

from course_utils import checks, reference
from course_utils.checks import CORRECT, INCORRECT, NOT_ATTEMPTED, ladders
from course_utils.checks.help import ADVICE, LEVEL_WORDS
from course_utils.checks.hints import CAUSE_KEYS
from course_utils.checks.rules import describe

ROOT = Path(__file__).resolve().parent.parent
RULE_NAMES = {line.split(":")[0] for rules in ALL_RULES.values() for line in describe(rules)}


def test_hints_go_one_level_further_per_call_then_offer_the_solution():
    result = checks.check_net(FC1_256, level=3)
    assert result.status == INCORRECT and result.keys == ["fc1_in_features"]
    hints = [result.hint() for _ in range(4)]
    assert [h.level for h in hints] == [1, 2, 3, 3] and {h.count for h in hints} == {3}
    assert [h.text for h in hints[:3]] == list(ladders.DIAGNOSES["fc1_in_features"])
    assert hints[0].title == "hint 1 of 3 for check_net(Net): the idea"
    assert "next hint: where it goes" in hints[0].after and "next hint: the line's shape" in hints[1].after
    assert "checks.solution('net')" in hints[2].after and hints[3] == hints[2]
    assert "400" not in hints[0].text and "nn.Linear(16 * 5 * 5, 120)" in hints[2].text  # the answer comes last


def test_each_result_keeps_its_own_count():
    first, second = checks.check_net(FC1_256), checks.check_net(FC1_256)
    first.hint(), first.hint()
    assert second.hint().level == 1 and first.hint().level == 3


@pytest.mark.parametrize("piece, check, blank", [("net", checks.check_net, None), ("train", checks.check_train, None),
                                                 ("test", checks.check_test, None)])
def test_a_blank_gets_the_pieces_ladder(piece, check, blank):
    result = check(blank, level=1)
    assert result.status == NOT_ATTEMPTED
    assert [result.hint().text for _ in range(3)] == list(ladders.PIECES[piece])


def test_a_mistake_without_a_ladder_of_its_own_gets_the_pieces():
    def no_step(dataloader, model, loss_fn, optimizer):
        model.train()
        for X, y in dataloader:
            optimizer.zero_grad()
            loss_fn(model(X), y).backward()

    result = checks.check_train(no_step)
    assert result.status == INCORRECT and "step_never_called" in result.keys
    assert "step_never_called" not in ladders.DIAGNOSES
    assert result.hint().text == ladders.PIECES["train"][0]


def test_a_correct_result_needs_no_hint():
    result = checks.check_test(checks_test_copy())
    assert result.status == CORRECT
    hint = result.hint()
    assert hint.level == 0 and "no hint needed" in hint.text and "hint 1" not in str(hint)


def checks_test_copy():
    """The course's test as a learner types it (the checks refuse the imported copy)."""
    from learner_code import typed

    return typed(reference.test)


def test_hints_and_help_render_as_text_and_html():
    result = checks.check_net(FC1_256)
    assert "Stuck? `.hint()` on this result" in str(result) and "checks.solution('net')" in str(result)
    assert "<code>.hint()</code>" in result._repr_html_()
    hint = result.hint()
    assert str(hint).splitlines()[0] == hint.title and hint.text in str(hint)
    page = hint._repr_html_()
    assert page.startswith("<div") and "hint 1 of 3" in page and "&lt;" not in hint.title
    correct = checks.check_test(checks_test_copy())
    assert "Stuck?" not in str(correct) and "Stuck?" not in correct._repr_html_()


@pytest.mark.parametrize("piece, name", [("net", "Net"), ("train", "train"), ("test", "test")])
def test_solution_is_the_reference_code_with_the_advice(piece, name):
    shown = checks.solution(piece)
    source = inspect.getsource(getattr(reference, name)).rstrip()
    assert shown.code == source
    text = str(shown)
    assert ADVICE in text and "rebuild this from a blank page tomorrow" in ADVICE and text.endswith(source)
    page = shown._repr_html_()
    assert "<pre" in page and "from a blank page tomorrow" in page and html.escape(source) in page


def test_solution_of_an_unknown_piece_is_explained():
    with pytest.raises(ValueError, match=r"checks.solution\('loop'\): expected one of 'net', 'train', 'test'"):
        checks.solution("loop")


# --------------------------------------------------------------------------- the messages leave the answer to the hints

#: what a check's message must not say before a hint is asked for: LeNet's constructors and sizes, the course's names
RECITALS = re.compile(r"nn\.(Conv2d|Linear)\(\d|16 \* 5 \* 5|16 \u00d7 5 \u00d7 5|\(6, 1, 5, 5\)|self\.fc3\(f6\)|"
                      r"output = self|1\u21926|6\u219216|84\u219210|conv1, conv2, fc1 and fc2")
WRONG_NETS = {name: net for name, (net, _) in NET_MISTAKES.items()} | {
    "3x3 kernels in conv1": make_net(conv1=partial(nn.Conv2d, 1, 6, 3)),
    "conv2 in_channels": make_net(conv2=partial(nn.Conv2d, 3, 16, 5)),
    "nine classes": make_net(fc3=partial(nn.Linear, 84, 9)),
}


@pytest.mark.parametrize("net", WRONG_NETS.values(), ids=WRONG_NETS)
def test_net_messages_do_not_recite_the_architecture(net):
    result = checks.check_net(net, level=3)
    assert result.status == INCORRECT
    text = " ".join(result.messages)
    assert not RECITALS.search(text), text


def test_every_ladder_belongs_to_a_real_rule_and_has_three_levels():
    keys = RULE_NAMES | {key for _, key in CAUSE_KEYS} | {"no_super_init"}  # the rules', the errors' causes'
    assert set(ladders.DIAGNOSES) <= keys, set(ladders.DIAGNOSES) - keys
    assert set(ladders.PIECES) == {"net", "train", "test"}
    for steps in [*ladders.DIAGNOSES.values(), *ladders.PIECES.values()]:
        assert len(steps) == len(LEVEL_WORDS) == 3 and all(step.strip() for step in steps)


def test_the_ladders_quote_the_course_code_as_it_is():
    """A layer line or a training step in a hint is a line of course_utils.reference, the one source."""
    net_source, train_source = inspect.getsource(reference.Net), inspect.getsource(reference.train)
    quoted = [q for steps in [*ladders.DIAGNOSES.values(), ladders.PIECES["net"]] for step in steps
              for q in re.findall(r"`(self\.\w+ = nn\.\w+\(\d[^`]*)`", step)]
    assert len(quoted) >= 5 and all(q in net_source for q in quoted), [q for q in quoted if q not in net_source]
    steps = re.findall(r"`([^`]+)`", ladders.PIECES["train"][2])
    assert all(step in train_source for step in steps), [s for s in steps if s not in train_source]


#: (a mistake, words its first hint has, words its last hint has): the hints speak of the mistake that fired
SPECIFIC = {
    "softmax before the loss": (TRAIN_MISTAKES["softmax before the loss"][0], "softmax", "loss_fn(pred, y)"),
    "loss_fn(y, pred)": (TRAIN_MISTAKES["loss_fn(y, pred)"][0], "logits first", "loss_fn(pred, y)"),
    "a new optimizer inside train": (TRAIN_MISTAKES["a new optimizer inside train"][0], "the one it is given",
                                     "fourth argument"),
    ".cuda()": (TRAIN_MISTAKES[".cuda() (GPU or not)"][0], "weights", "next(model.parameters()).device"),
    "step after the loop": (TRAIN_MISTAKES["step after the loop"][0], "once per batch", "optimizer.step()"),
    "no model.train()": (TRAIN_MISTAKES["no model.train()"][0], "evaluation mode", "model.train()"),
}


@pytest.mark.parametrize("case", SPECIFIC, ids=str)
def test_train_hints_speak_of_the_mistake_that_fired(case):
    train, first, last = SPECIFIC[case]
    result = checks.check_train(train, level=3)
    assert result.status == INCORRECT and result.keys[0] in ladders.DIAGNOSES, str(result)
    hints = [result.hint() for _ in range(3)]
    assert first in hints[0].text and last in hints[2].text, [h.text for h in hints]
    assert hints[0].text != ladders.PIECES["train"][0]  # not the generic ladder


def test_a_missing_super_init_gets_its_own_hints():
    result = checks.check_net(NET_MISTAKES["no super().__init__"][0], level=3)
    assert result.keys == ["no_super_init"], str(result)
    hints = [result.hint() for _ in range(3)]
    assert "nn.Module" in hints[0].text and hints[2].text == "`super().__init__()`.", [h.text for h in hints]


def test_the_net_hints_say_which_sizes_follow_from_the_image():
    """Only fc1's in_features follows from the image; the other sizes are LeNet's choices."""
    for steps in (ladders.PIECES["net"], ladders.DIAGNOSES["layers_differ"]):
        assert "LeNet's choices" in steps[1] and "fc1's in_features" in steps[1], steps[1]
        assert "to size the layers" not in steps[1] and "their sizes follow the image" not in steps[1]


def test_the_progress_table_names_only_real_mistakes():
    from course_utils.progress.mistakes import NAMES

    keys = RULE_NAMES | {key for _, key in CAUSE_KEYS} | {"no_super_init"}
    assert set(NAMES) <= keys, set(NAMES) - keys


def test_the_solution_names_the_notebook_by_its_title():
    from course_utils.checks.help import PIECES, TITLES

    assert checks.solution("train").title == "the course's train, as 05 \u00b7 The training loop teaches it"
    for _, notebook in PIECES.values():  # each title is the start of the notebook's own heading
        heading = next(line for line in (ROOT / "notebooks" / f"{notebook}.ipynb").read_text().splitlines()
                       if '"# ' in line)
        assert TITLES[notebook] in heading, (notebook, heading)
