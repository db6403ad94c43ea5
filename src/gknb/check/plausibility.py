"""Soft checks of section 二 (warnings): numbers that are possible but unlikely to be right."""

from __future__ import annotations

import re
from collections.abc import Iterator

from ..report import Finding, Report
from .facts import FormatFacts, facts_for
from .registry import finding, rule
from .values import MONEY_IMPLAUSIBLE

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


def stated_pairs(report: Report, first: str, second: str) -> Iterator[tuple[str, str]]:
    """The keys of columns ``first`` and ``second`` of every row that has both, where both are stated."""
    for a, b in _column_pairs(facts_for(report.format), first, second):
        if report.cells.get(a) is not None and report.cells.get(b) is not None:
            yield a, b


_PAIRS: dict[tuple[str, str, str], tuple[FormatFacts, tuple[tuple[str, str], ...]]] = {}


def _column_pairs(facts: FormatFacts, first: str, second: str) -> tuple[tuple[str, str], ...]:
    """The keys of columns ``first`` and ``second`` of every row of the format that has both (remembered
    per format)."""
    cached = _PAIRS.get((facts.format.version, first, second))
    if cached is not None and cached[0] is facts:
        return cached[1]
    pairs = []
    for table in facts.tables:
        for row in table.rows:
            a = next((k for k in row.cells if k.endswith(f".{first}")), None)
            b = next((k for k in row.cells if k.endswith(f".{second}")), None)
            if a is not None and b is not None:
                pairs.append((a, b))
    _PAIRS[facts.format.version, first, second] = (facts, tuple(pairs))
    return tuple(pairs)


@rule("plausibility.published_total")
def published_total(report: Report) -> Iterator[Finding]:
    """Where a row has both, 对外公开总数量 must be at least 本年新公开数量."""
    facts = facts_for(report.format)
    cells = report.cells
    for total, new in stated_pairs(report, TOTAL_PUBLISHED, NEW_PUBLISHED):
        if cells[total] < cells[new]:
            yield finding(
                "plausibility.published_total", (total, new),
                f"{facts.quoted(total)}为 {cells[total]}，小于{facts.quoted(new)} {cells[new]}",
                f"{total} ({cells[total]}) is smaller than {new} ({cells[new]})",
            )


# 2021 format, section 二 第二十条第（一）项 (stable column keys).
MADE, IN_FORCE = "made", "in_force"
_EXPLAINED = re.compile(r"失效|废止|清理|到期|有效期|修订|修改|整合|合并|宣布")


@rule("plausibility.in_force_below_made")
def in_force_below_made(report: Report) -> Iterator[Finding]:
    """现行有效件数 includes this year's 本年制发件数 unless some lapsed or were repealed within the year;
    a smaller count is reported unless the prose of 一/二 explains it (失效, 废止, 清理, 有效期 …)."""
    facts = facts_for(report.format)
    cells = report.cells
    prose = (report.sections.get("overview") or "") + (report.sections.get("disclosure") or "")
    for in_force, made in stated_pairs(report, IN_FORCE, MADE):
        if cells[in_force] < cells[made] and not _EXPLAINED.search(prose):
            yield finding(
                "plausibility.in_force_below_made", (in_force, made),
                f"{facts.quoted(in_force)}为 {cells[in_force]}，小于{facts.quoted(made)} {cells[made]}，"
                "正文未说明原因（本年制发的文件一般应计入现行有效件数）",
                f"{in_force} ({cells[in_force]}) is smaller than {made} ({cells[made]}) and the text gives no "
                "reason (documents made this year are normally in force)",
            )


# 本年收费金额 (万元) above which a unit of this level has more likely printed 元: 1,000 万元 (1千万元)
# for a 乡镇/街道, 10,000 万元 (1亿元) for a county or its departments, 100,000 万元 for a city.
# Provinces are left to value.money_large (10^6 万元).
MONEY_LIMITS = {"township": 1_000, "county": 10_000, "city": 100_000}
_TOWNSHIP_NAME = re.compile(r"(镇|乡|苏木|街道办事处|街道办|街道)(人民政府|政府)?$")


def unit_level(report: Report) -> str | None:
    """township, county, city or province: the level of government the unit belongs to."""
    meta = report.meta
    if meta.level in {"township", "street"} or _TOWNSHIP_NAME.search((meta.agency or "").strip()):
        return "township"
    if meta.level in {"county", "city", "province"}:
        return meta.level
    if meta.level == "department":
        for level in ("county", "city", "province"):
            if meta.region.get(level):
                return level
    return None


@rule("plausibility.money_level")
def money_level(report: Report) -> Iterator[Finding]:
    """A 乡镇 with 125000 万元 of fees has most likely written 元 in a 万元 column."""
    level = unit_level(report)
    limit = MONEY_LIMITS.get(level or "")
    if limit is None:
        return
    facts = facts_for(report.format)
    for key, kind in facts.kind.items():
        value = report.cells.get(key)
        if kind != "money" or value is None or not limit < value <= MONEY_IMPLAUSIBLE:
            continue
        printed = report.printed.get(key) or str(value)
        yuan = value / 10_000
        yield finding(
            "plausibility.money_level", (key,),
            f"{facts.quoted(key)}为 {printed} 万元（即 {value * 10_000:,.0f} 元），对{LEVEL_NAMES[level]}机关异常大，"
            f"可能是按元填写（应为 {yuan} 万元），请核对单位",
            f"{key} is {printed} 万元 — implausibly large for a {level}-level unit; probably 元 were written "
            f"(that would be {yuan} 万元)",
        )


LEVEL_NAMES = {"township": "乡镇（街道）", "county": "县级", "city": "市级"}
