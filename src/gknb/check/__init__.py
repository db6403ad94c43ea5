"""Check: Report → findings, from a registry of rules with stable codes (docs/rules.md).

>>> from gknb.check import RULES, check
>>> report = check(report)                       # sets report.findings
>>> sorted(RULES)                                # every rule code, e.g. "identity.balance"
"""

from __future__ import annotations

from ..report import Finding, Report
from . import (  # noqa: F401  (registration)
    completeness,
    crossreport,
    crossyear,
    identities,
    outline,
    period,
    plausibility,
    prose,
    structure,
    values,
)
from .facts import facts_for
from .registry import RULES, SEVERITY_RANK, Rule, rule, rule_functions, sort_registry

sort_registry()


def check(report: Report) -> Report:
    """Run every applicable rule; set ``report.findings`` and return the report.

    Findings are the parser's own remarks (``report.parse_findings``) followed by every rule's
    findings, de-duplicated, then ordered by severity (error, warning, info) and by the print
    position of their first cell; findings naming no cell come first within their severity.
    Rules that need the unified-format tables are skipped when ``report.format`` is None.
    """
    fmt = report.format
    found: list[Finding] = list(report.parse_findings)
    for function, needs_format in rule_functions():
        if needs_format and fmt is None:
            continue
        found.extend(function(report))
    position = facts_for(fmt).position if fmt is not None else {}
    unplaced = len(position)

    def order(item: Finding) -> tuple[int, int]:
        first = position.get(item.cells[0], unplaced) if item.cells else -1
        return SEVERITY_RANK.get(item.severity, len(SEVERITY_RANK)), first

    report.findings = sorted(dict.fromkeys(found), key=order)
    return report


__all__ = ["RULES", "Rule", "check", "rule"]
