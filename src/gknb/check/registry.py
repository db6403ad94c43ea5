"""The rule registry: which function produces the findings of each check code.

The codes themselves (severity, titles, description) are declared in the one catalogue,
``gknb.catalogue``; ``@rule(code)`` binds a function to a catalogued code of the ``check`` or
``cross-year`` stage. A rule function takes a ``Report`` and yields ``Finding``s. One function may emit
several related codes (e.g. all identity findings come from one pass over the equations); it is then
registered once per code by stacking ``@rule`` decorators, and ``check`` runs it once.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from ..catalogue import CATALOGUE, CHECK_STAGES, SEVERITY_RANK, Code, Severity, finding
from ..report import Finding, Report

RuleFunction = Callable[[Report], Iterable[Finding]]


@dataclass(frozen=True)
class Rule:
    """A registered check: its catalogue entry, the function that emits it, whether it needs a format."""

    entry: Code
    function: RuleFunction
    needs_format: bool = True  # skipped when the report has no unified-format tables (pre2019/unknown)

    @property
    def code(self) -> str:
        return self.entry.code

    @property
    def severity(self) -> Severity:
        return self.entry.severity

    @property
    def title(self) -> str:
        return self.entry.title

    @property
    def title_en(self) -> str:
        return self.entry.title_en


RULES: dict[str, Rule] = {}


def rule(code: str, *, needs_format: bool = True) -> Callable[[RuleFunction], RuleFunction]:
    """Register the decorated function as the producer of findings with ``code`` (a catalogued code)."""
    entry = CATALOGUE.get(code)
    if entry is None or entry.stage not in CHECK_STAGES:
        raise ValueError(f"{code}: not a check code of the catalogue (declare it in gknb/catalogue.py)")

    def register(function: RuleFunction) -> RuleFunction:
        if code in RULES:
            raise ValueError(f"rule code registered twice: {code}")
        RULES[code] = Rule(entry, function, needs_format)
        return function

    return register


def sort_registry() -> None:
    """Order ``RULES`` by code, so listings are stable whatever the import and decorator order."""
    ordered = sorted(RULES.items())
    RULES.clear()
    RULES.update(ordered)


def rule_functions() -> list[tuple[RuleFunction, bool]]:
    """Each distinct rule function once, in registration order, with whether it needs a format."""
    seen: dict[RuleFunction, bool] = {}
    for registered in RULES.values():
        seen.setdefault(registered.function, registered.needs_format)
    return list(seen.items())


__all__ = ["RULES", "SEVERITY_RANK", "Rule", "finding", "rule", "rule_functions", "sort_registry"]
