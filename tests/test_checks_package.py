"""course_utils.checks as a whole: the result and its rendering, the rules, the recorder, and what every check promises.

The learner's code here is the course's own (``course_utils.reference``), and a few functions that
misbehave on purpose. The checks of each piece are in ``test_checks_net.py``, ``test_checks_train.py``
and ``test_checks_test.py``.
"""

from __future__ import annotations

import contextvars
import threading

import pytest
import torch
from learner_code import typed
from progress_sandbox import private_progress  # noqa: F401 (autouse: checks record into a temporary file)

import course_utils.checks.test as checks_test
import course_utils.checks.train as checks_train
from course_utils import checks, reference
from course_utils.checks import (
    CORRECT,
    INCORRECT,
    NOT_ATTEMPTED,
    CheckResult,
    layer_rules,
    metric_rules,
    net_rules,
    result,
    spies,
)
from course_utils.checks.rules import FirstOf, Rule, describe, diagnose, first_of, rule

ALL_RULES = {
    "net": [*net_rules.CALL_RULES, layer_rules.LAYER_RULES, *net_rules.OUTPUT_RULES, *net_rules.STRUCTURE_RULES,
            *net_rules.COMPUTATION_RULES],
    "train": [*checks_train.RULES, *checks_train.LAST_RULES],
    "test": [*checks_test.RULES, *metric_rules.VALUE_RULES],
}


def test_public_names():
    assert set(checks.__all__) == {"CORRECT", "INCORRECT", "NOT_ATTEMPTED", "CheckResult", "check_net", "check_test",
                                   "check_train", "solution"}
    assert (CORRECT, INCORRECT, NOT_ATTEMPTED) == ("correct", "incorrect", "not attempted")
    assert callable(checks.check_net) and callable(checks.check_train) and callable(checks.check_test)


# --------------------------------------------------------------------------- the result


def test_result_renders_as_text_and_html():
    def never_divided(dataloader, model, loss_fn):
        loss, accuracy = reference.test(dataloader, model, loss_fn)
        return loss, accuracy * len(dataloader.dataset)  # the count of correct predictions

    incorrect = checks.check_test(never_divided)
    assert incorrect.status == INCORRECT and not incorrect.passed
    text = str(incorrect)
    assert text.startswith("check_test(test): incorrect") and repr(incorrect) == text
    page = incorrect._repr_html_()
    assert "check_test(test): incorrect" in page and "<li>" in page and "#c62828" in page
    assert "<code>" in page  # `code` in messages is shown as code
    good = checks.check_net(typed(reference.Net))
    assert good.passed and "correct" in good._repr_html_() and "#2e7d32" in good._repr_html_()


def test_html_is_the_template_filled_in():
    box = CheckResult("check_x(x)", NOT_ATTEMPTED, ["write `x`", "then <run> it"], "hello\rworld\n")
    page = box._repr_html_()
    assert "$" not in page and page.startswith('<div style="border-left: 6px solid #757575;')
    assert "<li>write <code>x</code></li><li>then &lt;run&gt; it</li>" in page
    assert "<details><summary>what your code printed</summary><pre>world</pre></details>" in page
    assert str(box) == "check_x(x): not attempted\n- write `x`\n- then <run> it\nyour code printed:\n    world"
    assert "<details>" not in CheckResult("c", CORRECT, ["ok"])._repr_html_()


def test_html_escapes_learner_output():
    class Loud(reference.Net):
        def forward(self, input):
            print("<script>alert(1)</script>")
            return super().forward(input)

    page = checks.check_net(Loud)._repr_html_()
    assert "<script>" not in page and "&lt;script&gt;" in page


def test_long_output_is_trimmed_to_20_lines():
    printed = result.trim("\n".join(f"line {i}" for i in range(30)))
    assert printed.splitlines()[-1] == "... (10 more lines)" and len(printed.splitlines()) == 21


# --------------------------------------------------------------------------- what every check promises


def test_checks_leave_the_global_random_state_alone(monkeypatch):
    reseeded = []  # torch.manual_seed would also reset every GPU's generator
    monkeypatch.setattr(torch.cuda, "manual_seed_all", lambda seed: reseeded.append(("cuda", seed)))
    monkeypatch.setattr(torch.mps, "manual_seed", lambda seed: reseeded.append(("mps", seed)))
    torch.manual_seed(123)
    reseeded.clear()
    state = torch.get_rng_state()
    for check, code in ((checks.check_net, reference.Net), (checks.check_train, reference.train),
                        (checks.check_test, reference.test)):
        assert check(typed(code)).passed
    assert torch.equal(state, torch.get_rng_state())
    assert reseeded == []


def test_checks_never_raise_for_strange_learner_code():
    def explode(*args):
        raise SystemExit("bye")

    def keyboard(*args):
        raise ValueError

    for check in (checks.check_net, checks.check_train, checks.check_test):
        for learner in (explode, keyboard, "not a function", 3.5):
            found = check(learner)
            assert found.status == INCORRECT and found.messages, (check.__name__, learner, str(found))


# --------------------------------------------------------------------------- the rules


@pytest.mark.parametrize("check", ALL_RULES)
def test_every_rule_says_which_mistake_it_diagnoses(check):
    lines = describe(ALL_RULES[check])
    names = [line.split(":", 1)[0] for line in lines]
    assert len(names) == len(set(names)), names
    for line in lines:
        name, doc = line.split(": ", 1)
        assert doc.strip() and not doc.startswith(name), line


def test_a_rule_is_a_small_function():
    for leaves in ALL_RULES.values():
        for r in leaves:
            for leaf in r.rules if isinstance(r, FirstOf) else (r,):
                lines = leaf.check.__code__.co_lines()
                numbers = [line for _, _, line in lines if line is not None]
                assert max(numbers) - min(numbers) <= 40, leaf.name


def test_diagnose_runs_in_order_stops_and_takes_the_first_of_alternatives():
    @rule
    def a(seen):
        """a"""
        return "a" if "a" in seen else None

    @rule(stop=True)
    def b(seen):
        """b"""
        return "b" if "b" in seen else None

    @rule
    def c(seen):
        """c"""
        return "c" if "c" in seen else None

    assert isinstance(a, Rule) and b.stop and not a.stop
    assert diagnose([a, b, c], "ac") == ["a", "c"]
    assert diagnose([a, b, c], "abc") == ["a", "b"]  # b stops the list
    assert diagnose([first_of(c, a), b], "ac") == ["c"]  # only the first alternative speaks
    assert describe([a, first_of(b, c)]) == ["a: a", "b: b", "c: c"]


# --------------------------------------------------------------------------- the recorder


def test_the_recorder_is_a_context_variable_not_a_module_global():
    assert not any(isinstance(value, list) for name, value in vars(spies).items() if "recorder" in name.lower())
    assert isinstance(spies._ACTIVE, contextvars.ContextVar) and spies._ACTIVE.get() is None
    outer, inner = spies.Recorder(), spies.Recorder()
    with spies.recording(outer):
        with spies.recording(inner):
            assert spies._ACTIVE.get() is inner
        assert spies._ACTIVE.get() is outer
    assert spies._ACTIVE.get() is None


def test_loss_tensors_report_to_the_active_recorder_only():
    def losses(recorder):
        loss_fn = spies._SpyLoss(recorder, wrap=True)
        w = torch.ones(10, requires_grad=True)
        first = loss_fn(w.expand(2, 10), torch.tensor([1, 2]))
        recorder.forwards.append((True, True, 2))  # a second batch
        second = loss_fn(w.expand(2, 10) * 2, torch.tensor([1, 2]))
        return first, second

    watched, unwatched = spies.Recorder(), spies.Recorder()
    with spies.recording(watched):
        first, second = losses(watched)
        _ = first + second  # a loss of an earlier batch, added up while it carries its graph
    assert watched.accumulated == 1
    first, second = losses(unwatched)
    _ = first + second  # outside recording(): nobody is told
    assert unwatched.accumulated == 0


def test_a_check_in_another_thread_does_not_see_this_threads_recorder():
    seen = []
    with spies.recording(spies.Recorder()):
        thread = threading.Thread(target=lambda: seen.append(spies._ACTIVE.get()))
        thread.start()
        thread.join()
        assert seen == [None]
        assert checks.check_train(typed(reference.train)).status == CORRECT
