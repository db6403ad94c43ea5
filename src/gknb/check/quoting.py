"""How a finding quotes a cell's value: as printed, or — once a person has corrected the cell — as it
is now, with what was printed beside it, so a message never argues with a value that was replaced."""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

from ..report import Report

_SEPARATORS = re.compile(r"[\s,，]")


def quoted_value(report: Report, key: str) -> tuple[str, str]:
    """``("印刷为 12", "printed 12")``, or ``("现为 5，印刷为 0", "now 5, printed 0")`` when the value
    differs from the number printed (a correction)."""
    value = report.cells.get(key)
    printed = report.printed.get(key) or ("空白" if value is None else str(value))
    try:
        number = Decimal(_SEPARATORS.sub("", printed))
    except InvalidOperation:
        number = None
    if number is None or (value is not None and number == value):
        return f"印刷为 {printed}", f"printed {printed}"
    shown = "空白" if value is None else str(value)
    return f"现为 {shown}，印刷为 {printed}", f"now {shown}, printed {printed}"
