"""Cell values against their declared kind: counts, signed counts (本年增/减) and money (万元)."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal

from ..report import Finding, Report, Value
from .facts import FormatFacts, facts_for
from .quoting import quoted_value
from .registry import finding, rule

MONEY_DECIMALS = 4
MONEY_IMPLAUSIBLE = Decimal(10) ** 6  # 万元, i.e. 100 亿元: more likely a unit slip than a real amount


@rule("value.money_large")
@rule("value.money_precision")
@rule("value.not_integer")
@rule("value.negative")
def values(report: Report) -> Iterator[Finding]:
    """Counts are integers ≥ 0; ``signed`` columns are integers; money is a decimal ≥ 0 in 万元."""
    facts = facts_for(report.format)
    if _all_plain(facts, report.cells):
        return
    for key, value in report.cells.items():
        kind = facts.kind.get(key)
        if value is None or kind is None:
            continue
        if type(value) is int and kind != "money" and (value >= 0 or kind == "signed"):
            continue  # the common case, decided without building a message
        label = facts.quoted(key)
        printed = report.printed.get(key) or str(value)
        if isinstance(value, Decimal) and not value.is_finite():
            yield finding("value.not_integer", [key], f"{label}不是数字：{printed}",
                          f"{key} is not a number: {printed}")
        elif kind == "money":
            yield from _money(key, label, value, printed)
        elif isinstance(value, Decimal) and value != value.to_integral_value():
            quoted, quoted_en = quoted_value(report, key)
            yield finding("value.not_integer", [key], f"{label}应为整数，{quoted}",
                          f"{key} must be a whole number; {quoted_en}")
        elif kind == "count" and value < 0:
            yield finding("value.negative", [key], f"{label}为负数 {printed}：件数不能为负",
                          f"{key} is negative ({printed}); counts cannot be negative")


_NONE = type(None)
_KEYS_OF_KIND: dict[str, tuple[FormatFacts, dict[str, tuple[str, ...]]]] = {}


def _all_plain(facts: FormatFacts, cells: dict[str, Value]) -> bool:
    """No cell can give a finding (the rule's common case, decided in C-level passes, no per-cell
    branching): counts whole numbers ≥ 0, signed counts whole numbers, money within the plausible
    range and precision, or blank. False: the rule's own loop decides."""
    cached = _KEYS_OF_KIND.get(facts.format.version)
    if cached is None or cached[0] is not facts:
        by_kind: dict[str, list[str]] = {}
        for key, kind in facts.kind.items():
            by_kind.setdefault(kind, []).append(key)
        cached = _KEYS_OF_KIND[facts.format.version] = (facts, {k: tuple(v) for k, v in by_kind.items()})
    by_kind = cached[1]
    if set(by_kind) - {"count", "signed", "money"}:
        return False
    counts = [*map(cells.get, by_kind.get("count", ()))]
    if not set(map(type, counts)) <= {int, _NONE} or min(filter(None, counts), default=0) < 0:
        return False
    if not set(map(type, map(cells.get, by_kind.get("signed", ())))) <= {int, _NONE}:
        return False
    for value in map(cells.get, by_kind.get("money", ())):
        if value is None:
            continue
        if type(value) is int:
            if not 0 <= value <= MONEY_IMPLAUSIBLE:
                return False
        elif type(value) is not Decimal or not value.is_finite() or not 0 <= value <= MONEY_IMPLAUSIBLE \
                or value.as_tuple().exponent < -MONEY_DECIMALS:
            return False
    return True


def _money(key: str, label: str, value: int | Decimal, printed: str) -> Iterator[Finding]:
    if value < 0:
        yield finding("value.negative", [key], f"{label}为负数 {printed}：金额不能为负",
                      f"{key} is negative ({printed}); amounts cannot be negative")
    if isinstance(value, Decimal):
        exponent = value.as_tuple().exponent
        if isinstance(exponent, int) and -exponent > MONEY_DECIMALS:
            yield finding("value.money_precision", [key],
                          f"{label}为 {printed}，超过{MONEY_DECIMALS}位小数（单位：万元）",
                          f"{key} is {printed}: more than {MONEY_DECIMALS} decimals (unit: 万元)")
    if value > MONEY_IMPLAUSIBLE:
        yield finding("value.money_large", [key],
                      f"{label}为 {printed} 万元，数额异常大，请核对单位（万元，不是元）",
                      f"{key} is {printed} 万元, implausibly large; check the unit (万元, not 元)")
