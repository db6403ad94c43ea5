"""The Excel data-entry workbook (openpyxl): write the template (reading a filled one back is
``gknb.data.workbook``, on the input side).

One sheet for the report's facts and section text (``报告信息``), one per table named by its section
heading, each table in its official grid. Cells that an identity of the format defines as a sum
(总计 column, （七）总计 row, section 四 总计) are live formulas; identities that are not a plain sum
(勾稽关系) get a check row under the table. Input cells validate their numbers (counts whole and
≥ 0, 本年增/减 whole and signed, money decimal ≥ 0).
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass

from openpyxl import Workbook
from openpyxl.formatting.rule import FormulaRule
from openpyxl.styles import Alignment, Border, Font, PatternFill, Protection, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from ..formats import Equation, Format, Table
from ..regions import LEVEL_LABELS
from ..report import Meta, Report
from .grid import Grid, column_widths, table_grid

META_SHEET = "报告信息"
GRID_TOP = 4  # the official grid starts on this sheet row
FONT = "宋体"
META_FIELDS = (  # (key, label)
    ("title", "报告标题"), ("agency", "机关名称"), ("year", "报告年度"), ("template", "格式版本"),
    ("published", "发布日期"), ("province", "省（自治区、直辖市）"), ("city", "市（地、州）"),
    ("county", "县（市、区）"), ("level", "行政层级"),
)
INPUT_FILL = PatternFill("solid", fgColor="FFFDE7")
FORMULA_FILL = PatternFill("solid", fgColor="E8E8E8")
HEAD_FILL = PatternFill("solid", fgColor="F2F2F2")
THIN = Side(style="thin", color="000000")
BORDER = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
CENTER = Alignment(horizontal="center", vertical="center", wrap_text=True)
LEFT = Alignment(horizontal="left", vertical="center", wrap_text=True)
OK_MARK, BAD_MARK = "✓ 平衡", "✗ 不平衡"
UNLOCKED = Protection(locked=False)  # the input cells of a protected sheet


@dataclass(frozen=True)
class Plan:
    """Where each table's cells sit, which are formulas (key → summed keys) and which equations are checked."""

    fmt: Format
    grids: dict[str, Grid]
    position: dict[str, tuple[str, str]]  # cell key → (sheet, "C5")
    sums: dict[str, tuple[str, ...]]
    checks: tuple[Equation, ...]

    def formula(self, key: str) -> str:
        """The formula of a summed cell: blank while all its inputs are blank."""
        sheet = self.position[key][0]
        refs = _ranges([self.position[k][1] for k in self.sums[key] if self.position[k][0] == sheet])
        return f'=IF(COUNT({refs})=0,"",SUM({refs}))'


def sheet_name(fmt: Format, table: Table) -> str:
    """The sheet of a table: its section heading (e.g. ``三、收到和处理政府信息公开申请情况``)."""
    return next(s.heading for s in fmt.sections if s.key == table.section)[:31]


def plan(fmt: Format) -> Plan:
    """The workbook layout of ``fmt``, derived from its declaration and identities."""
    table_grids = {t.key: table_grid(t) for t in fmt.tables}
    position = {
        cell.key: (sheet_name(fmt, t), f"{get_column_letter(cell.col + 1)}{GRID_TOP + cell.row}")
        for t in fmt.tables for cell in table_grids[t.key].cells if cell.key
    }
    sums: dict[str, tuple[str, ...]] = {}
    checks = []
    for equation in fmt.identities():
        if len(equation.lhs) == 1 and len(equation.rhs) > 1:
            sums.setdefault(equation.lhs[0], equation.rhs)
        elif len(equation.lhs) > 1:
            checks.append(equation)
    return Plan(fmt, table_grids, position, sums, tuple(checks))


def build_workbook(fmt: Format, *, year: int | None = None, report: Report | None = None) -> bytes:
    """The data-entry workbook for ``fmt`` (filled with ``report``'s data when given) as XLSX bytes.

    A summed cell gets its formula unless the report's value differs from the sum of its inputs; then
    the report's value is written as typed, so reading the workbook back gives the report exactly.
    """
    layout = plan(fmt)
    book = Workbook()
    _meta_sheet(book.active, fmt, year, report)
    for table in fmt.tables:
        _table_sheet(book.create_sheet(sheet_name(fmt, table)), layout, table, report)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _meta_sheet(ws: Worksheet, fmt: Format, year: int | None, report: Report | None) -> None:
    ws.title = META_SHEET
    ws["A1"] = "政府信息公开工作年度报告 · 数据录入表"
    ws["A1"].font = Font(name=FONT, size=16, bold=True)
    ws.merge_cells("A1:B1")
    ws["A2"] = (f"格式：{fmt.name}（{fmt.notice}）。黄色单元格填写，灰色单元格为公式自动计算。"
                "填好后运行：gknb render 本文件.xlsx --to docx")
    ws["A2"].alignment = LEFT
    ws.merge_cells("A2:B2")
    ws.row_dimensions[2].height = 36
    meta = report.meta if report else Meta(year=year)
    values = {
        "title": meta.title, "agency": meta.agency, "year": meta.year, "template": fmt.version,
        "published": meta.published, "level": meta.level, **meta.region,
    }
    row = GRID_TOP
    for key, label in META_FIELDS:
        _meta_row(ws, row, label, values.get(key), f"meta.{key}", height=None)
        row += 1
    for section in fmt.sections:
        text = report.sections.get(section.key) if report else None
        _meta_row(ws, row, section.heading, text, f"sections.{section.key}", height=150)
        row += 1
    ws.column_dimensions["A"].width = 34
    ws.column_dimensions["B"].width = 90
    ws.column_dimensions["C"].hidden = True
    ws.freeze_panes = f"A{GRID_TOP}"
    _print_setup(ws, landscape=False)
    level = next(ws.cell(r, 2) for r in range(GRID_TOP, row) if ws.cell(r, 3).value == "meta.level")
    level.value = LEVEL_LABELS.get(str(level.value), level.value)
    choices = DataValidation("list", formula1=f'"{",".join(LEVEL_LABELS.values())}"', allow_blank=True,
                             error="请从下拉列表中选择行政层级", errorTitle="层级无效")
    choices.add(level.coordinate)
    ws.add_data_validation(choices)
    _protect(ws)


def _protect(ws: Worksheet) -> None:
    """Lock every cell but the input ones (no password: it keeps the layout from slips, not a secret);
    rows and columns may still be resized."""
    ws.protection.sheet = True
    ws.protection.formatColumns = ws.protection.formatRows = False


def _meta_row(ws: Worksheet, row: int, label: str, value: object, key: str, height: float | None) -> None:
    ws.cell(row, 1, label).font = Font(name=FONT, bold=True)
    cell = ws.cell(row, 2, value)
    cell.fill, cell.alignment, cell.font = INPUT_FILL, Alignment(vertical="top", wrap_text=True), Font(name=FONT)
    cell.protection = UNLOCKED
    ws.cell(row, 3, key)
    for col in (1, 2):
        ws.cell(row, col).border = BORDER
    if height:
        ws.row_dimensions[row].height = height


def _table_sheet(ws: Worksheet, layout: Plan, table: Table, report: Report | None) -> None:
    grid = layout.grids[table.key]
    ws["A1"] = ws.title
    ws["A1"].font = Font(name=FONT, size=14, bold=True)
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=grid.width)
    kinds = {k: c.kind for k, (_t, _b, _r, c) in layout.fmt.cell_info().items()}
    validations = {
        "count": DataValidation("whole", operator="greaterThanOrEqual", formula1="0", allow_blank=True,
                                error="请填写不小于 0 的整数", errorTitle="数值无效"),
        "signed": DataValidation("whole", operator="between", formula1="-1000000000", formula2="1000000000",
                                 allow_blank=True, error="请填写整数（减少填负数）", errorTitle="数值无效"),
        "money": DataValidation("decimal", operator="greaterThanOrEqual", formula1="0", allow_blank=True,
                                error="请填写不小于 0 的金额（万元）", errorTitle="数值无效"),
    }
    for cell in grid.cells:
        row, col = GRID_TOP + cell.row, cell.col + 1
        target = ws.cell(row, col)
        if cell.key and cell.key in layout.sums and (report is None or _sums_up(layout, report, cell.key)):
            target.value, target.fill = layout.formula(cell.key), FORMULA_FILL
        elif cell.key:
            target.value = report.cells.get(cell.key) if report else None
            target.fill, target.protection = INPUT_FILL, UNLOCKED
            validations[kinds[cell.key]].add(target.coordinate)
            if kinds[cell.key] == "money":
                target.number_format = "0.00##"
        else:
            target.value = cell.text
            target.fill = HEAD_FILL if cell.role in ("caption", "header") else PatternFill()
        target.font = Font(name=FONT, bold=cell.role == "caption")
        target.alignment = LEFT if cell.role == "label" else CENTER
        for dr in range(cell.rowspan):
            for dc in range(cell.colspan):
                ws.cell(row + dr, col + dc).border = BORDER
        if cell.rowspan > 1 or cell.colspan > 1:
            ws.merge_cells(start_row=row, start_column=col, end_row=row + cell.rowspan - 1,
                           end_column=col + cell.colspan - 1)
    for validation in validations.values():
        if validation.sqref:
            ws.add_data_validation(validation)
    _check_row(ws, layout, table, grid)
    for i, width in enumerate(column_widths(grid, 11.0 * grid.width)):
        ws.column_dimensions[get_column_letter(i + 1)].width = max(width, 6)
    stub = table.blocks[0].layout.stub if table.blocks[0].layout else 0
    single = len(table.blocks) == 1
    ws.freeze_panes = f"{get_column_letter(stub + 1)}{GRID_TOP + grid.header_rows}" if single else f"A{GRID_TOP}"
    _print_setup(ws, landscape=grid.width > 6)
    if single:
        ws.print_title_rows = f"{GRID_TOP}:{GRID_TOP + grid.header_rows - 1}"
    _protect(ws)


def _sums_up(layout: Plan, report: Report, key: str) -> bool:
    """Whether the formula of ``key`` gives the report's own value (else the value is written as typed)."""
    parts = [report.cells.get(k) for k in layout.sums[key]]
    total = sum(p for p in parts if p is not None) if any(p is not None for p in parts) else None
    return report.cells.get(key) == total


def _check_row(ws: Worksheet, layout: Plan, table: Table, grid: Grid) -> None:
    """One row per checked identity rule under the table: ✓/✗ per column, red when broken."""
    checks = [e for e in layout.checks if e.rule.table == table.key]
    row = GRID_TOP + grid.height + 1
    for rule in dict.fromkeys(e.rule for e in checks):
        ws.cell(row, 1, f"检查：{rule.label}").alignment = LEFT
        stub = table.blocks[0].layout.stub if table.blocks[0].layout else 1
        ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=max(stub, 1))
        ws.row_dimensions[row].height = 42
        for equation in (e for e in checks if e.rule is rule):
            lhs = [layout.position[k][1] for k in equation.lhs]
            rhs = [layout.position[k][1] for k in equation.rhs]
            column = re.sub(r"\d", "", lhs[0])
            everything = ",".join(lhs + rhs)
            ws[f"{column}{row}"] = (f'=IF(COUNT({everything})<{len(lhs) + len(rhs)},"",'
                                    f'IF({"+".join(lhs)}={"+".join(rhs)},"{OK_MARK}","{BAD_MARK}"))')
            ws[f"{column}{row}"].alignment = CENTER
        last = get_column_letter(grid.width)
        ws.conditional_formatting.add(
            f"A{row}:{last}{row}",
            FormulaRule(formula=[f'ISNUMBER(SEARCH("✗",A{row}))'], font=Font(color="C00000", bold=True),
                        fill=PatternFill("solid", fgColor="FDE2E2")),
        )
        row += 1


def _print_setup(ws: Worksheet, *, landscape: bool) -> None:
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.orientation = "landscape" if landscape else "portrait"
    ws.page_setup.fitToWidth, ws.page_setup.fitToHeight = 1, 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_options.horizontalCentered = True


def _ranges(refs: list[str]) -> str:
    """``C5,C6,C7,E5`` → ``C5:C7,E5``: runs down a column or along a row become ranges."""
    cells = [(re.sub(r"\d", "", r), int(re.sub(r"\D", "", r))) for r in refs]
    out: list[str] = []
    i = 0
    while i < len(cells):
        j = i
        step = _next_in_column if i + 1 < len(cells) and _next_in_column(cells[i], cells[i + 1]) else _next_in_row
        while j + 1 < len(cells) and step(cells[j], cells[j + 1]):
            j += 1
        out.append(refs[i] + (f":{refs[j]}" if j > i else ""))
        i = j + 1
    return ",".join(out)


def _next_in_column(a: tuple[str, int], b: tuple[str, int]) -> bool:
    return a[0] == b[0] and b[1] == a[1] + 1


def _next_in_row(a: tuple[str, int], b: tuple[str, int]) -> bool:
    return a[1] == b[1] and _col(b[0]) == _col(a[0]) + 1


def _col(letters: str) -> int:
    number = 0
    for ch in letters:
        number = number * 26 + ord(ch) - 64
    return number
