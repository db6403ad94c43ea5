"""Soft checks of section 二 (warnings): numbers that are possible but unlikely to be right."""

from __future__ import annotations

import re
from collections.abc import Iterator

from ..report import Finding, Report
from .facts import facts_for
from .registry import finding, rule

# Under the 立法法 only provinces and 设区的市 make 规章 (stable row key of the report model).
REGULATIONS_ROW = "regulations"
REPEALED_COLUMN = "repealed"  # repealing a 规章 is not making one
BELOW_CITY_LEVELS = frozenset({"county", "township", "street"})
_BELOW_CITY_NAME = re.compile(r"(镇|乡|苏木|街道办事处|街道办|街道|县|旗)(人民政府|政府)?$")
# 2019 format: 对外公开总数量 ≥ 本年新公开数量 (stable column keys).
NEW_PUBLISHED, TOTAL_PUBLISHED = "new_published", "total_published"


def _below_city(report: Report) -> bool:
    meta = report.meta
    if meta.level in BELOW_CITY_LEVELS:
        return True
    if meta.level == "department" and meta.region.get("county"):
        return True
    return bool(_BELOW_CITY_NAME.search((meta.agency or "").strip()))


@rule("plausibility.regulations_level")
def regulations_level(report: Report) -> Iterator[Finding]:
    """A county, township or street office (or a county department) makes no 规章."""
    if not _below_city(report):
        return
    facts = facts_for(report.format)
    for table in facts.tables:
        for row in table.rows:
            if row.key != REGULATIONS_ROW:
                continue
            nonzero = [
                key for key in row.cells
                if not key.endswith(f".{REPEALED_COLUMN}") and (report.cells.get(key) or 0) > 0
            ]
            if nonzero:
                stated = "、".join(f"{facts.quoted(k)} = {report.cells[k]}" for k in nonzero)
                yield finding(
                    "plausibility.regulations_level", nonzero,
                    f"{stated}：按《立法法》只有省级和设区的市级政府制定规章，县级及以下机关一般应为0",
                    f"{', '.join(nonzero)} > 0: only provinces and cities with districts make 规章 "
                    "under the 立法法; a county-level or lower agency should report 0",
                )


@rule("plausibility.published_total")
def published_total(report: Report) -> Iterator[Finding]:
    """Where a row has both, 对外公开总数量 must be at least 本年新公开数量."""
    facts = facts_for(report.format)
    cells = report.cells
    for table in facts.tables:
        for row in table.rows:
            new = next((k for k in row.cells if k.endswith(f".{NEW_PUBLISHED}")), None)
            total = next((k for k in row.cells if k.endswith(f".{TOTAL_PUBLISHED}")), None)
            if new is None or total is None or cells.get(new) is None or cells.get(total) is None:
                continue
            if cells[total] < cells[new]:
                yield finding(
                    "plausibility.published_total", (total, new),
                    f"{facts.quoted(total)}为 {cells[total]}，小于{facts.quoted(new)} {cells[new]}",
                    f"{total} ({cells[total]}) is smaller than {new} ({cells[new]})",
                )
