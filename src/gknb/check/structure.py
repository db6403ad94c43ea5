"""The report as a whole: sections, format version versus year, metadata and publication deadline."""

from __future__ import annotations

import re
from collections.abc import Iterator

from ..formats import FORMATS, first_unified_year, format_for_year
from ..report import Finding, Report
from ..text import normalize_label
from .facts import ESSENTIAL_SECTIONS, facts_for
from .registry import finding, rule

# The first report year of the unified formats: that year's notice only encouraged its use.
FIRST_UNIFIED_YEAR = first_unified_year()
# 《条例》第四十九条 (2019): departments publish by 31 January, governments by 31 March.
DEPARTMENT_DEADLINE = (1, 31)
GOVERNMENT_DEADLINE = (3, 31)
_DEPARTMENT_NAME = re.compile(r"(局|委员会|委|厅|署|办公室|办公厅)$")


@rule("section.order")
@rule("section.missing")
def sections(report: Report) -> Iterator[Finding]:
    """Every section of the format is present (三 is essential) and printed in the official order."""
    facts = facts_for(report.format)
    for key, heading in facts.section_headings.items():
        if report.sections.get(key) is None:
            yield finding(
                "section.missing", (), f"缺少章节「{heading}」", f"section missing: {heading} ({key})",
                severity="error" if key in ESSENTIAL_SECTIONS else None,
            )
    printed = [key for key in dict.fromkeys(report.section_order) if key in facts.section_index]
    ranks = [facts.section_index[key] for key in printed]
    if ranks != sorted(ranks):
        order = "、".join(facts.section_headings[key].split("、")[0] for key in printed)
        yield finding(
            "section.order", (), f"章节顺序与统一格式不一致：印刷顺序为 {order}",
            f"sections are printed out of the official order: {', '.join(printed)}",
        )


@rule("format.unknown", needs_format=False)
@rule("format.pre2019", needs_format=False)
@rule("format.year_mismatch", needs_format=False)
@rule("meta.year_missing", needs_format=False)
def format_and_year(report: Report) -> Iterator[Finding]:
    """The template used must be the one in force for the report year."""
    year, template, fmt = report.meta.year, report.meta.template, report.format
    expected = format_for_year(year)
    if year is None:
        yield finding("meta.year_missing", (), "未能识别报告年度，无法核对所用格式与期限",
                      "the report year was not found; format and deadline cannot be checked")
    if template == "pre2019":
        yield finding("format.pre2019", (), "早于统一格式的自由格式报告，不检查表格",
                      "free-form report that pre-dates the unified format; no table cells expected")
        if year is not None and expected is not None:
            lenient = year == FIRST_UNIFIED_YEAR
            yield finding(
                "format.year_mismatch", (),
                f"{year}年度报告未使用统一格式（应使用{expected.name}，{expected.notice}）"
                + ("；该年度通知仅为鼓励使用" if lenient else ""),
                f"the {year} report does not use the unified format ({expected.notice})"
                + ("; that year the notice only encouraged it" if lenient else ""),
                severity="info" if lenient else None,
            )
    elif fmt is None:
        yield finding("format.unknown", (), "未识别出年度报告统一格式的表格，表格未检查",
                      "the tables of the unified format were not recognised; cells were not checked")
    elif year is not None and not fmt.applies_to_year(year):
        should = f"应使用{expected.name}（{expected.notice}）" if expected else "该年度尚无统一格式"
        should_en = f"expected {expected.notice}" if expected else "no unified format applies to that year"
        yield finding(
            "format.year_mismatch", (),
            f"{year}年度报告使用了{fmt.version}年格式（{fmt.notice}）的表格；{should}",
            f"the {year} report uses the {fmt.version} format tables ({fmt.notice}); {should_en}",
        )


@rule("meta.agency_missing", needs_format=False)
def agency(report: Report) -> Iterator[Finding]:
    """The reporting agency must be identifiable."""
    if not (report.meta.agency or "").strip():
        yield finding("meta.agency_missing", (), "未能识别发布报告的行政机关",
                      "the agency that publishes the report was not found")


@rule("deadline.late", needs_format=False)
def deadline(report: Report) -> Iterator[Finding]:
    """Publication date (when known) against 《条例》第四十九条: 1月31日 for departments, else 3月31日."""
    meta = report.meta
    if meta.year is None or not meta.published:
        return
    from datetime import date  # only for a report that says when it was published

    try:
        published = date.fromisoformat(meta.published[:10])
    except ValueError:
        return
    month, day = GOVERNMENT_DEADLINE
    if meta.year >= FIRST_UNIFIED_YEAR and _is_department(meta.level, meta.agency):
        month, day = DEPARTMENT_DEADLINE
    due = date(meta.year + 1, month, day)
    if published > due:
        yield finding(
            "deadline.late", (),
            f"报告发布于 {published.isoformat()}，晚于法定期限 {due.isoformat()}（《条例》第四十九条）",
            f"published {published.isoformat()}, after the statutory deadline {due.isoformat()} (art. 49)",
        )


def _is_department(level: str | None, agency_name: str | None) -> bool:
    if level == "department":
        return True
    if level in {"township", "street"} or not agency_name:
        return False
    return bool(_DEPARTMENT_NAME.search(agency_name.strip()))


@rule("format.old_rows")
def other_version_rows(report: Report) -> Iterator[Finding]:
    """A row the report's format does not have, printed with numbers (the parser records it in
    ``report.labels``): e.g. the 2019 single row （六）其他处理 in a 2021 report, whose format splits
    it into three rows. Names the format's rows the old one stands for (those it heads as a group);
    quiet when any of them was read by its own label (the printed label was then their group's heading);
    numbers the aligner put there only by row order (``parse.row_by_order``) do not count."""
    fmt = report.format
    own = {f"{t.key}.{r.key}" for t in fmt.tables for b in t.blocks for r in b.rows}
    for key, printed in report.labels.items():
        if key in own or key.count(".") != 1:
            continue
        table_key, row_key = key.split(".")
        other = next((f for f in FORMATS.values() if f is not fmt and _has_row(f, table_key, row_key)), None)
        if other is None:
            continue
        label = normalize_label(other.table(table_key).row(row_key).label)
        table = fmt.table(table_key)
        stands_for = [r for b in table.blocks for r in b.rows if r.group and normalize_label(r.group) == label]
        cells = [f"{table_key}.{r.key}.{c.key}" for r in stands_for for c in table.block_of(r.key).columns]
        by_order = {k for f in report.parse_findings if f.rule == "parse.row_by_order" for k in f.cells}
        if any(report.cells.get(cell) is not None and cell not in by_order for cell in cells):
            continue  # the format's own rows were read by their labels: the label is the group heading them
        rows = "、".join(f"「{r.label}」" for r in stands_for)
        yield finding(
            "format.old_rows", cells,
            f"{fmt.version}年格式的报告印有{other.version}年格式（{other.notice}）的行「{printed}」"
            + (f"；{fmt.version}年格式将其分为{rows}，这些行未填写" if stands_for else ""),
            f"the {fmt.version}-format report prints the {other.version}-format row “{printed}” ({key})"
            + (f"; the {fmt.version} format splits it into {len(stands_for)} rows, left unfilled" if stands_for else ""),
        )


def _has_row(fmt, table_key: str, row_key: str) -> bool:
    try:
        fmt.table(table_key).row(row_key)
    except KeyError:
        return False
    return True
