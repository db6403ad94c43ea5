"""The rule registry: every check has a stable code, a default severity and a bilingual title.

A rule function takes a ``Report`` and yields ``Finding``s. One function may emit several related
codes (e.g. all identity findings come from one pass over the equations); it is then registered once
per code by stacking ``@rule`` decorators, and ``check`` runs it once.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Literal

from ..report import Finding, Report

Severity = Literal["error", "warning", "info"]
SEVERITY_RANK: dict[str, int] = {"error": 0, "warning": 1, "info": 2}
SEVERITY_LABELS: dict[str, str] = {"error": "错误", "warning": "警告", "info": "提示"}  # as users read them

RuleFunction = Callable[[Report], Iterable[Finding]]


@dataclass(frozen=True)
class Rule:
    """A registered check: ``code`` is stable and documented in docs/rules.md."""

    code: str
    severity: Severity
    title: str
    title_en: str
    function: RuleFunction
    needs_format: bool = True  # skipped when the report has no unified-format tables (pre2019/unknown)


RULES: dict[str, Rule] = {}


def rule(
    code: str, severity: Severity, title: str, title_en: str, *, needs_format: bool = True
) -> Callable[[RuleFunction], RuleFunction]:
    """Register the decorated function as the producer of findings with ``code``."""

    def register(function: RuleFunction) -> RuleFunction:
        if code in RULES:
            raise ValueError(f"rule code registered twice: {code}")
        RULES[code] = Rule(code, severity, title, title_en, function, needs_format)
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


def finding(code: str, cells: Iterable[str], message: str, message_en: str,
            severity: Severity | None = None) -> Finding:
    """A finding of a registered rule, at the rule's default severity unless told otherwise."""
    return Finding(code, severity or RULES[code].severity, tuple(dict.fromkeys(cells)), message, message_en)
