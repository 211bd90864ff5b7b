"""What each diagnosis key means, in the checks' own words: the docstring of the rule that fires it.

A check's rules (:mod:`course_utils.checks.rules`) are small functions whose docstring names the
mistake, e.g. ``zero_grad_between``: "A step found the gradients empty: zero_grad runs between backward
and step." The report shows that line for each common mistake, and under it what the check told one
learner (captured from their kernel, :mod:`.capture`). A key that no rule fires (an error's
``raised_TypeError``) has only the message.
"""

from __future__ import annotations

from types import ModuleType

__all__ = ["descriptions", "rule_modules"]


def rule_modules() -> dict[str, tuple[ModuleType, ...]]:
    """Piece -> the modules that hold its rules (see ``course_utils/checks/__init__.py``)."""
    from course_utils.checks import layer_rules, metric_rules, net, net_rules, test, train_rules

    return {"net": (net_rules, layer_rules, net), "train": (train_rules,), "test": (test, metric_rules)}


def descriptions(piece: str) -> dict[str, str]:
    """Key -> the mistake in words, for every rule of ``piece`` (and each fixed message that carries a key)."""
    from course_utils.checks.rules import Finding, FirstOf, Rule

    found: dict[str, str] = {}
    for module in rule_modules().get(piece, ()):
        for value in vars(module).values():
            for leaf in value.rules if isinstance(value, FirstOf) else (value,):
                if isinstance(leaf, Rule):
                    found.setdefault(leaf.name, leaf.doc)
                elif isinstance(leaf, Finding):
                    found.setdefault(leaf.key, str(leaf))
    return found
