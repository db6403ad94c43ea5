"""Reading a filled data-entry workbook (``gknb template``) back into a ``Report``: the input side of
``gknb.render.workbook``, whose layout (``plan``, sheet names, grid rows) it reads by.

A formula's value is taken as Excel cached it, or computed from its inputs when no program has
calculated the file yet; a number typed over a formula is taken as typed. Problems become findings
(``workbook.*``), never exceptions.
"""

from __future__ import annotations

import hashlib
import io
import re

from openpyxl import Workbook, load_workbook
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from ..catalogue import finding
from ..document import Source
from ..errors import UnreadableFile
from ..formats import FORMATS, Format, Table, format_for_year
from ..regions import LEVEL_LABELS
from ..render.grid import table_grid
from ..render.workbook import GRID_TOP, META_FIELDS, META_SHEET, Plan, plan, sheet_name
from ..report import SECTION_KEYS, Finding, Meta, Report, Value
from . import bad_value, parse_value

LEVEL_BY_LABEL = {label: key for key, label in LEVEL_LABELS.items()}


def read_workbook(raw: bytes, path: str) -> Report:
    """A ``Report`` (not yet checked) from a filled workbook. Raises ``UnreadableFile`` only when the
    bytes are not an XLSX workbook at all."""
    try:
        formulas = load_workbook(io.BytesIO(raw), data_only=False)
        cached = load_workbook(io.BytesIO(raw), data_only=True)
    except Exception as exc:  # openpyxl fails on broken packages in many ways (KeyError, XMLSyntaxError …)
        raise UnreadableFile("不是有效的 Excel 工作簿（.xlsx）：文件已损坏或是其他格式（.xls 请先另存为 .xlsx）",
                             "not a valid Excel workbook (.xlsx): damaged or of another kind (save an .xls as .xlsx first)",
                             path) from exc
    found: list[Finding] = []
    meta, sections = _read_meta(formulas, found)
    fmt = FORMATS.get(str(meta.template)) or format_for_year(meta.year) or _guess_format(formulas)
    source = Source(path, hashlib.sha256(raw).hexdigest(), "xlsx", size=len(raw))
    report = Report(source=source, meta=meta, sections=sections, section_order=list(SECTION_KEYS))
    if fmt is None:
        found.append(finding("workbook.no_format", (), "无法确定工作簿使用的格式版本（请填写报告年度）",
                             "cannot tell the workbook's format version (fill in the report year)"))
        report.parse_findings = found
        return report
    meta.template = fmt.version
    report.cells = _read_cells(plan(fmt), formulas, cached, found)
    report.parse_findings = found
    return report


def _read_meta(book: Workbook, found: list[Finding]) -> tuple[Meta, dict[str, str | None]]:
    meta, sections = Meta(), dict.fromkeys(SECTION_KEYS)
    if META_SHEET not in book.sheetnames:
        found.append(finding("workbook.missing_sheet", (), f"工作簿缺少工作表「{META_SHEET}」，报告标题、年度和正文无法读取",
                             f"the workbook has no sheet {META_SHEET!r}: title, year and text cannot be read"))
        return meta, sections
    labels = {label: key for key, label in META_FIELDS}
    for row in book[META_SHEET].iter_rows(min_row=GRID_TOP, max_col=3, values_only=True):
        label, value, key = (list(row) + [None] * 3)[:3]
        key = str(key) if key else f"meta.{labels[label]}" if label in labels else None
        if key is None or value is None or str(value).strip() == "":
            continue
        group, _, name = key.partition(".")
        if group == "sections" and name in sections:
            sections[name] = str(value)
        elif name == "year":
            parsed, problem = parse_value(value, "count")
            if problem or not isinstance(parsed, int) or not 1990 <= parsed <= 2100:
                found.append(finding("workbook.bad_value", (), f"「报告年度」的内容「{value}」不是有效年份",
                                     f"report year {value!r} is not a valid year"))
            else:
                meta.year = parsed
        elif name in meta.region:
            meta.region[name] = str(value).strip()
        elif name == "level":  # the drop-down's Chinese name (区县级), or a key typed in
            meta.level = LEVEL_BY_LABEL.get(str(value).strip(), str(value).strip())
        elif name in ("title", "agency", "template", "published"):
            setattr(meta, name, value.date().isoformat() if hasattr(value, "date") else str(value).strip())
    return meta, sections


def _guess_format(book: Workbook) -> Format | None:
    """The format whose labels the table sheets print, when the meta sheet does not say."""
    def score(fmt: Format) -> int:
        hits = 0
        for table in fmt.tables:
            name = sheet_name(fmt, table)
            if name in book.sheetnames:
                ws = book[name]
                hits += sum(_text(ws.cell(GRID_TOP + c.row, c.col + 1).value) == _text(c.text)
                            for c in table_grid(table).cells if not c.key)
        return hits
    best = max(FORMATS.values(), key=score)
    return best if score(best) else None


def _text(value: object) -> str:
    return re.sub(r"\s+", "", str(value)) if value is not None else ""


def _read_cells(layout: Plan, formulas: Workbook, cached: Workbook, found: list[Finding]) -> dict[str, Value]:
    fmt = layout.fmt
    kinds = {k: c.kind for k, (_t, _b, _r, c) in fmt.cell_info().items()}
    cells: dict[str, Value] = dict.fromkeys(fmt.cell_keys())
    pending: set[str] = set()
    for table in fmt.tables:
        name = sheet_name(fmt, table)
        keys = [c.key for c in layout.grids[table.key].cells if c.key]
        if name not in formulas.sheetnames:
            found.append(finding("workbook.missing_sheet", keys, f"工作簿缺少工作表「{name}」，该表数据按空白处理",
                                 f"the workbook has no sheet {name!r}; its cells are blank"))
            continue
        _check_labels(layout, table, formulas[name], keys, found)
        for key in keys:
            ref = layout.position[key][1]
            raw = formulas[name][ref].value
            if isinstance(raw, str) and raw.startswith("="):
                value = cached[name][ref].value
                if value is None and key in layout.sums and raw == layout.formula(key):
                    pending.add(key)  # never calculated by a spreadsheet program: computed below
                    continue
                if value is None:
                    found.append(finding("workbook.formula_not_computed", (key,),
                                         f"「{fmt.cell_label(key)}」（{name}!{ref}）是未计算过的公式，按空白处理；请用 Excel/WPS 打开并保存后再试",
                                         f"{key} ({name}!{ref}) is a formula no program has calculated; treated as blank"))
                    continue
                raw = value
            parsed, problem = parse_value(raw, kinds[key])
            cells[key] = parsed
            if problem:
                found.append(bad_value("workbook.bad_value", key, fmt, raw, f"（{name}!{ref}）"))

    def compute(key: str) -> Value:
        if key in pending:
            parts = [compute(k) for k in layout.sums[key]]
            cells[key] = sum(p for p in parts if p is not None) if any(p is not None for p in parts) else None
            pending.discard(key)
        return cells[key]

    for key in list(pending):
        compute(key)
    return cells


def _check_labels(layout: Plan, table: Table, ws: Worksheet, keys: list[str], found: list[Finding]) -> None:
    """Rows or columns inserted, deleted or moved shift every value: say so on the table's cells."""
    moved = [c for c in layout.grids[table.key].cells
             if not c.key and _text(ws.cell(GRID_TOP + c.row, c.col + 1).value) != _text(c.text)]
    if moved:
        first = moved[0]
        where = f"{get_column_letter(first.col + 1)}{GRID_TOP + first.row}"
        found.append(finding(
            "workbook.layout_changed", keys,
            f"工作表「{ws.title}」的表格结构被改动（{where} 应为「{first.text}」），数值可能错位，请使用 gknb template 生成的原表",
            f"the layout of sheet {ws.title!r} was changed ({where} should read {first.text!r}); values may be misplaced",
        ))

