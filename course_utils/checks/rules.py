"""Diagnoses as small rules, in the style of scientific-python's repo-review.

A rule is a function of what the check saw (a ``...Run`` object of :mod:`.net`, :mod:`.train` or
:mod:`.test`) that returns the message for the learner when it finds its mistake, and None when it
does not. Its docstring names the mistake, so an ordered list of rules documents a check:
:func:`describe` lists it, e.g. ``describe(course_utils.checks.train.RULES)``.

:func:`diagnose` runs a list in order; a rule made with ``stop=True`` ends the list when it fires
(the rules after it would not apply), and :func:`first_of` makes one rule of alternatives that
explain the same symptom, so only the first that fires speaks.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Protocol, overload

from .hints import PROBABILITIES

__all__ = ["Finding", "FirstOf", "Rule", "describe", "diagnose", "first_of", "keys_of", "rule", "softmax_before_loss"]

Check = Callable[[Any], "str | None"]


class Finding(str):
    """A rule's message that knows which rule gave it: ``key`` is the rule's name (e.g. 'fc1_in_features').

    It is the message itself (a ``str``), so it joins lists of notes as any message does; the keys
    are what the progress file records and what the hints (:mod:`.ladders`) are looked up by.
    """

    key: str

    def __new__(cls, message: str, key: str) -> Finding:
        found = super().__new__(cls, message)
        found.key = key
        return found


def keys_of(messages: Iterable[str]) -> list[str]:
    """The keys of the :class:`Finding` among ``messages``, in order, each once."""
    return list(dict.fromkeys(m.key for m in messages if isinstance(m, Finding)))


@dataclass(frozen=True)
class Rule:
    """One diagnosis: ``check(seen)`` gives the learner's message, or None when the mistake is absent.

    ``stop``: when the rule fires, the rules after it in its list are not run.
    """

    check: Check
    stop: bool = False

    def __call__(self, seen: Any) -> str | None:
        message = self.check(seen)
        if not message or isinstance(message, Finding):  # a rule made of rules keeps the inner rule's key
            return message
        return Finding(message, self.name)

    @property
    def name(self) -> str:
        """The check function's name, e.g. 'step_never_called'."""
        return self.check.__name__

    @property
    def doc(self) -> str:
        """The first line of the check's docstring: the mistake it diagnoses."""
        return (inspect.getdoc(self.check) or "").partition("\n")[0]


@dataclass(frozen=True)
class FirstOf:
    """Alternative diagnoses of one symptom, in order: only the first that fires gives its message."""

    rules: tuple[Rule, ...]
    stop: bool = False

    def __call__(self, seen: Any) -> str | None:
        return next((message for r in self.rules if (message := r(seen))), None)


@overload
def rule(check: Check, *, stop: bool = False) -> Rule: ...
@overload
def rule(check: None = None, *, stop: bool = False) -> Callable[[Check], Rule]: ...


def rule(check: Check | None = None, *, stop: bool = False) -> Rule | Callable[[Check], Rule]:
    """Decorator: make ``check`` a :class:`Rule` (``@rule`` or ``@rule(stop=True)``)."""
    if check is None:
        return lambda fn: Rule(fn, stop)
    return Rule(check, stop)


def first_of(*rules: Rule) -> FirstOf:
    """One rule: the message of the first of ``rules`` that fires."""
    return FirstOf(tuple(rules))


def diagnose(rules: Iterable[Rule | FirstOf], seen: Any) -> list[str]:
    """The messages of the rules that fire on ``seen``, in order (a firing ``stop`` rule ends the list)."""
    messages = []
    for r in rules:
        message = r(seen)
        if message:
            messages.append(message)
            if r.stop:
                break
    return messages


def _flat(rules: Iterable[Rule | FirstOf]) -> list[Rule]:
    return [leaf for r in rules for leaf in (r.rules if isinstance(r, FirstOf) else (r,))]


def describe(rules: Sequence[Rule | FirstOf]) -> list[str]:
    """One line per rule, in the order they run: 'name: the mistake it diagnoses'."""
    return [f"{r.name}: {r.doc}" for r in _flat(rules)]


class _Watched(Protocol):
    recorder: Any


@rule
def softmax_before_loss(run: _Watched) -> str | None:
    """A softmax before the loss: loss_fn received probabilities instead of raw logits."""
    return PROBABILITIES if run.recorder.probabilities else None
