"""Blank cells and missing tables: a blank is not 0, and says so — unless gknb itself may not have
read the cell (a parse finding names it): then the finding says that instead of blaming the report."""

from __future__ import annotations

from collections.abc import Iterator

from ..report import Finding, Report
from .facts import ESSENTIAL_SECTIONS, FormatFacts, RowFacts, facts_for
from .registry import finding, rule

UNREAD = ("parse.row_missing", "parse.cells_glued", "parse.table_by_columns")  # their cells were not read at all: no cell.blank
UNSURE_SEVERITIES = ("warning", "error")  # a parse finding this severe makes a blank unsure


def _parse_named(report: Report) -> tuple[set[str], set[str]]:
    """Cells the parser did not read (``UNREAD``) and cells whose reading a parse finding doubts."""
    unread: set[str] = set()
    unsure: set[str] = set()
    for item in report.parse_findings:
        if item.rule in UNREAD:
            unread.update(item.cells)
        elif item.rule.startswith("parse.") and item.severity in UNSURE_SEVERITIES:
            unsure.update(item.cells)
    return unread, unsure - unread


@rule("table.missing")
@rule("cell.blank")
def completeness(report: Report) -> Iterator[Finding]:
    """``cell.blank`` per row naming its blank cells (wholly blank neighbouring rows together);
    ``table.missing`` instead when a table has no value at all. Cells a parse finding names are not
    blamed on the report: unread ones (a row not found, glued digits, a table printed by columns) are left to that finding, doubtful
    ones are named as "not read, possibly blank"."""
    facts = facts_for(report.format)
    cells = report.cells
    unread, unsure = _parse_named(report)
    for table in facts.tables:
        if None not in map(cells.get, table.cells):
            continue  # every cell read: nothing blank, nothing missing
        if all(key in unread for key in table.cells):
            continue  # the parse finding says the table was not read
        if all(cells.get(key) is None for key in table.cells):
            heading = facts.section_headings.get(table.section, table.section)
            yield finding(
                "table.missing", table.cells,
                f"「{heading}」的表格没有任何数据（未找到或全部空白）",
                f"the table of section {table.section} has no values at all (not found or all blank)",
                severity="error" if table.section in ESSENTIAL_SECTIONS else "warning",
            )
            continue
        run: list[RowFacts] = []  # consecutive rows blank from end to end, reported together
        for row in table.rows:
            blanks = [key for key in row.cells if cells.get(key) is None and key not in unread]
            doubtful = [key for key in blanks if key in unsure]
            blanks = [key for key in blanks if key not in unsure]
            if len(blanks) == len(row.cells):
                run.append(row)
                continue
            yield from _blank_rows(facts, run)
            run = []
            if doubtful:
                columns = "、".join(row.column_labels[key] for key in doubtful)
                yield finding(
                    "cell.blank", doubtful,
                    f"「{row.label}」的{columns}未读出数字：可能原表空白，也可能是 gknb 未能从这份文件读出"
                    "（见同一单元格的解析提示），请核对原文",
                    f"no number read: {', '.join(doubtful)} — blank in the report, or not read from this file "
                    "(see the parse finding on the same cells); check the original",
                )
            if blanks:
                columns = "、".join(row.column_labels[key] for key in blanks)
                yield finding(
                    "cell.blank", blanks,
                    f"「{row.label}」的{columns}空白：空白不等于0，没有数据应填0",
                    f"blank: {', '.join(blanks)} — a blank is not 0; write 0 when there is nothing to report",
                )
        yield from _blank_rows(facts, run)


def _blank_rows(facts: FormatFacts, rows: list[RowFacts]) -> Iterator[Finding]:
    """One finding for a run of wholly blank rows (a single cell is named by its full label)."""
    if not rows:
        return
    keys = [key for row in rows for key in row.cells]
    if len(keys) == 1:
        where = facts.quoted(keys[0])
    elif len(rows) == 1:
        where = f"「{rows[0].label}」整行（{len(keys)} 个单元格）"
    else:
        where = f"「{rows[0].label}」至「{rows[-1].label}」共 {len(rows)} 行（{len(keys)} 个单元格）"
    yield finding(
        "cell.blank", keys,
        f"{where}空白：空白不等于0，没有数据应填0",
        f"blank: {len(rows)} row(s), {len(keys)} cell(s) from {keys[0]} — a blank is not 0; "
        "write 0 when there is nothing to report",
    )
