"""Exports of the store — CSV long and wide, XLSX, Parquet, JSON — and import of a JSON export.

CSV long has one row per cell (report, agency, year, key, official label, value as exact text);
CSV wide one row per report; XLSX one sheet per table with the official labels and frozen headers
(cells a person corrected are marked: the ``corrected`` column of the CSVs, and a fill and a note in
XLSX); text that a spreadsheet would run as a formula (starting = + - @, tab or CR) is neutralised;
Parquet the long table (needs pyarrow: ``pip install gknb[parquet]``); JSON the report-model contract
plus each report's ``store`` entry (location, version). ``import_json`` restores a JSON export.
"""

from __future__ import annotations

import csv
import hashlib
import json
import re
from collections.abc import Callable, Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlalchemy import select

from ..catalogue import severity_label, stage_of
from ..document import Provenance, Source
from ..errors import UnreadableFile, text_position
from ..formats import FORMATS, cell_label
from ..pipeline.write import store_report
from ..report import SECTION_KEYS, Finding, Meta, Report
from ..store import Store
from ..store.models import AuditRow, CellRow, FindingRow, ReportRow
from ..workspace.service import REVIEW_STATUSES

FORMAT_NAMES = ("csv-long", "csv-wide", "xlsx", "parquet", "json")
META_COLUMNS = ("report_id", "agency", "year", "template", "province", "city", "county", "level", "title",
                "location", "version", "corrected", "review_status", "review_comment")
LONG_COLUMNS = ("report_id", "agency", "year", "template", "province", "level", "key", "label", "value",
                "corrected")
_NUMBER = re.compile(r"-?\d+(\.\d+)?")
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")  # what makes Excel, WPS or LibreOffice run a cell as a formula
TABLE_SHEETS = {"disclosure": "二、主动公开", "requests": "三、依申请公开", "review": "四、复议诉讼"}


def all_keys() -> list[str]:
    """Every cell key of every format: the 2021 keys in print order, then the others'."""
    return list(dict.fromkeys(k for fmt in FORMATS.values() for k in fmt.cell_keys()))


def _meta_rows(store: Store, where: dict[str, Any] | None) -> list[dict[str, Any]]:
    ids = store.select_reports(where).subquery()
    with store.session() as session:
        rows = session.scalars(select(ReportRow).where(ReportRow.id.in_(select(ids)))
                               .order_by(ReportRow.agency, ReportRow.year, ReportRow.id)).all()
        comments = _review_comments(session, [r.id for r in rows])
        return [{"report_id": r.id, "agency": r.agency, "year": r.year, "template": r.template,
                 "province": r.province, "city": r.city, "county": r.county, "level": r.level,
                 "title": r.title, "location": r.location, "version": r.version,
                 "corrected": " ".join(r.extra.get("verified", [])),
                 "review_status": r.review_status, "review_comment": comments.get(r.id)} for r in rows]


def _review_comments(session: Any, ids: list[int]) -> dict[int, str | None]:
    """Each report's latest review decision's comment (the 审核意见)."""
    out: dict[int, str | None] = {}
    for start in range(0, len(ids), 500):
        for report_id, comment in session.execute(
            select(AuditRow.report_id, AuditRow.comment).where(
                AuditRow.report_id.in_(ids[start : start + 500]), AuditRow.action == "review").order_by(AuditRow.id)
        ):
            out[report_id] = comment  # the newest last
    return out


def _cells(store: Store, ids: list[int]) -> dict[int, list[tuple[str, str | None]]]:
    out: dict[int, list[tuple[str, str | None]]] = {i: [] for i in ids}
    with store.session() as session:
        for start in range(0, len(ids), 500):
            chunk = ids[start : start + 500]
            for report_id, key, value in session.execute(
                select(CellRow.report_id, CellRow.key, CellRow.value)
                .where(CellRow.report_id.in_(chunk)).order_by(CellRow.id)
            ):
                out[report_id].append((key, value))
    return out


def long_rows(store: Store, where: dict[str, Any] | None = None) -> Iterator[dict[str, Any]]:
    """One dict per stored cell (``LONG_COLUMNS``), value as exact text (None when blank)."""
    metas = _meta_rows(store, where)
    cells = _cells(store, [m["report_id"] for m in metas])
    for meta in metas:
        corrected = set(meta["corrected"].split())
        for key, value in cells[meta["report_id"]]:
            label = cell_label(key, meta["template"])
            yield {**{c: meta[c] for c in LONG_COLUMNS[:6]}, "key": key, "label": label, "value": value,
                   "corrected": "1" if key in corrected else ""}


def wide_rows(store: Store, where: dict[str, Any] | None = None, *,
              location_name: Callable[[str], str] | None = None) -> tuple[list[str], list[dict[str, Any]]]:
    """The columns and one dict per report: meta columns, then every cell key; ``location_name``
    turns a stored location into the name shown (the web's, without server folders)."""
    metas = _meta_rows(store, where)
    if location_name is not None:
        metas = [{**meta, "location": location_name(meta["location"])} for meta in metas]
    cells = _cells(store, [m["report_id"] for m in metas])
    keys = all_keys()
    rows = [{**meta, **dict.fromkeys(keys), **dict(cells[meta["report_id"]])} for meta in metas]
    return [*META_COLUMNS, *keys], rows


def export(store: Store, fmt: str, out: str | Path, where: dict[str, Any] | None = None, *,
           location_name: Callable[[str], str] | None = None) -> int:
    """Write the reports matching ``where`` to ``out`` in ``fmt``; returns the number of reports.
    ``location_name`` names each report's source in the wide CSV and XLSX (see ``wide_rows``)."""
    out = Path(out)
    if fmt == "csv-long":
        with out.open("w", encoding="utf-8-sig", newline="") as handle:
            writer = csv.DictWriter(handle, LONG_COLUMNS)
            writer.writeheader()
            reports = set()
            for row in long_rows(store, where):
                reports.add(row["report_id"])
                writer.writerow(neutralised(row))
        return len(reports)
    if fmt == "csv-wide":
        columns, rows = wide_rows(store, where, location_name=location_name)
        with out.open("w", encoding="utf-8-sig", newline="") as handle:
            writer = csv.DictWriter(handle, columns)
            writer.writeheader()
            writer.writerows(neutralised(row) for row in rows)
        return len(rows)
    if fmt == "xlsx":
        return _xlsx(store, out, where, location_name)
    if fmt == "parquet":
        return _parquet(store, out, where)
    if fmt == "json":
        return _json(store, out, where)
    raise ValueError(f"unknown export format {fmt!r}; one of {', '.join(FORMAT_NAMES)}")


def neutralised(row: dict[str, Any]) -> dict[str, Any]:
    """A CSV row whose text cannot run as a formula: text starting with a ``FORMULA_PREFIXES``
    character gets a leading apostrophe (OWASP's advice; spreadsheets show the text as typed).
    A number (``-3``, a signed cell's value) stays as it is."""
    return {k: "'" + v if isinstance(v, str) and v.startswith(FORMULA_PREFIXES) and not _NUMBER.fullmatch(v) else v
            for k, v in row.items()}


def _xlsx(store: Store, out: Path, where: dict[str, Any] | None,
          location_name: Callable[[str], str] | None = None) -> int:
    from openpyxl import Workbook
    from openpyxl.comments import Comment
    from openpyxl.styles import Font, PatternFill

    columns, rows = wide_rows(store, where, location_name=location_name)
    book = Workbook()
    sheet = book.active
    sheet.title = "报告"
    meta_labels = ("编号", "机关", "年度", "格式", "省", "市", "县", "层级", "标题", "来源", "版本", "人工更正的单元格",
                   "审核状态", "审核意见")
    shown = [{**row, "review_status": REVIEW_STATUSES.get(row["review_status"], row["review_status"])} for row in rows]
    _sheet(sheet, list(meta_labels), list(META_COLUMNS), shown, Font(bold=True))
    for table, title in TABLE_SHEETS.items():
        keys = [k for k in columns if k.startswith(f"{table}.")]
        sheet = book.create_sheet(title)
        _sheet(sheet, ["编号", "机关", "年度", *(cell_label(k) for k in keys)],
               ["report_id", "agency", "year", *keys], rows, Font(bold=True), numbers=True)
        _mark_corrected(sheet, keys, rows, PatternFill("solid", fgColor="EFE7FB"), Comment)
    findings = book.create_sheet("检查结果")
    finding_rows = _finding_rows(store, [r["report_id"] for r in rows])
    _sheet(findings, ["编号", "规则", "级别", "单元格", "说明", "message"],
           ["report_id", "rule", "severity", "cells", "message", "message_en"], finding_rows, Font(bold=True))
    book.save(out)
    return len(rows)


def _sheet(sheet: Any, labels: list[str], keys: list[str], rows: list[dict[str, Any]], bold: Any, *,
           numbers: bool = False) -> None:
    """Two header rows (official labels, keys), frozen; then one row per report."""
    sheet.append(labels)
    sheet.append(keys)
    for cell in (*sheet[1], *sheet[2]):
        cell.font = bold
    for row in rows:
        values = [row.get(k) for k in keys]
        if numbers:
            values = values[:3] + [_number(v) for v in values[3:]]
        sheet.append(values)
        for cell in sheet[sheet.max_row]:
            if isinstance(cell.value, str) and cell.value.startswith(FORMULA_PREFIXES):
                cell.data_type = "s"  # text, never a formula (openpyxl takes "=…" for one)
                cell.quotePrefix = True
    sheet.freeze_panes = "D3" if numbers else "A3"


def _mark_corrected(sheet: Any, keys: list[str], rows: list[dict[str, Any]], fill: Any, comment: Any) -> None:
    """Fill and annotate the cells of a table sheet that a person corrected (columns D… are ``keys``)."""
    column = {key: i + 4 for i, key in enumerate(keys)}
    for number, row in enumerate(rows, start=3):
        for key in row["corrected"].split():
            if key in column:
                cell = sheet.cell(number, column[key])
                cell.fill = fill
                cell.comment = comment("已人工更正（见修改记录）/ corrected by a reviewer", "gknb")


def _number(text: str | None) -> int | Decimal | None:
    if text is None:
        return None
    return Decimal(text) if "." in text else int(text)


def _finding_rows(store: Store, ids: list[int]) -> list[dict[str, Any]]:
    with store.session() as session:
        found = session.scalars(select(FindingRow).where(FindingRow.report_id.in_(ids))
                                .order_by(FindingRow.report_id, FindingRow.scope.desc(), FindingRow.position))
        return [{"report_id": f.report_id, "rule": f.rule, "severity": severity_label(f.severity),
                 "cells": " ".join(f.cells),
                 "message": f.message, "message_en": f.message_en} for f in found]


def _parquet(store: Store, out: Path, where: dict[str, Any] | None) -> int:
    try:
        import pyarrow as pa
        import pyarrow.parquet as pq
    except ImportError as exc:
        raise RuntimeError("Parquet 导出需要 pyarrow：pip install 'gknb[parquet]' / "
                           "Parquet export needs pyarrow: pip install 'gknb[parquet]'") from exc
    rows = list(long_rows(store, where))
    schema = pa.schema([("report_id", pa.int64()), ("agency", pa.string()), ("year", pa.int32()),
                        ("template", pa.string()), ("province", pa.string()), ("level", pa.string()),
                        ("key", pa.string()), ("label", pa.string()), ("value", pa.string())])
    table = pa.Table.from_pylist(rows, schema=schema)
    pq.write_table(table, out)
    return len({r["report_id"] for r in rows})


def _json(store: Store, out: Path, where: dict[str, Any] | None) -> int:
    metas = _meta_rows(store, where)
    with out.open("w", encoding="utf-8") as handle:
        handle.write("[\n")
        for i, meta in enumerate(metas):
            entry = store.load(meta["report_id"]).as_dict()
            entry["store"] = {"id": meta["report_id"], "location": meta["location"], "version": meta["version"]}
            handle.write(("," if i else "") + json.dumps(entry, ensure_ascii=False) + "\n")
        handle.write("]\n")
    return len(metas)


def report_from_dict(data: dict[str, Any]) -> Report:
    """A report from its JSON contract form (cross-year findings left out: the store recomputes them)."""
    source = data.get("source") or {}
    meta = data.get("meta") or {}
    region = meta.get("region") or {}
    return Report(
        source=Source(path=source.get("path", "<import>"), sha256=source.get("sha256", ""),
                      format=source.get("format", "json")),
        meta=Meta(title=meta.get("title"), agency=meta.get("agency"), year=meta.get("year"),
                  template=meta.get("template", "unknown"),
                  region={k: region.get(k) for k in ("province", "city", "county")},
                  level=meta.get("level"), published=meta.get("published")),
        sections={k: (data.get("sections") or {}).get(k) for k in SECTION_KEYS},
        cells={k: _value(v) for k, v in (data.get("cells") or {}).items()},
        provenance={k: Provenance(**{f: tuple(x) if f == "bbox" else x for f, x in p.items()})
                    for k, p in (data.get("provenance") or {}).items()},
        findings=[Finding(f["rule"], f["severity"], tuple(f["cells"]), f["message"], f["message_en"])
                  for f in data.get("findings") or [] if stage_of(f["rule"]) != "cross-year"],
    )


def _value(value: Any) -> int | Decimal | None:
    if value is None or isinstance(value, int):
        return value
    return Decimal(str(value))


def import_json(store: Store, path: str | Path) -> list[tuple[str, str]]:
    """Store every report of a JSON export (array, single object or JSON lines): (location, status)."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise UnreadableFile("导入文件不是 UTF-8 编码的 JSON", "the file to import is not UTF-8 JSON", str(path)) from exc
    except OSError as exc:
        raise UnreadableFile(f"无法读取导入文件：{exc.strerror}", f"cannot read the file to import: {exc.strerror}",
                             str(path)) from exc
    try:
        entries = json.loads(text, parse_float=Decimal)
    except json.JSONDecodeError:
        try:
            entries = [json.loads(line, parse_float=Decimal) for line in text.splitlines() if line.strip()]
        except json.JSONDecodeError as exc:
            zh, en = text_position(exc)
            raise UnreadableFile(f"不是 gknb 的 JSON 导出文件：JSON 格式有误{zh}", f"not a gknb JSON export: invalid JSON{en}",
                                 str(path)) from exc
    if isinstance(entries, dict):
        entries = [entries]
    run_id = store.start_run([str(path)])
    out = []
    for entry in entries:
        location = (entry.get("store") or {}).get("location") or (entry.get("source") or {}).get("path", "")
        if "error" in entry:
            store.record(run_id, location, "failed", error=entry["error"])
            out.append((location, "failed"))
            continue
        report = report_from_dict(entry)
        if not report.source.sha256:
            canonical = json.dumps(entry, ensure_ascii=False, sort_keys=True, default=str).encode("utf-8")
            report.source.sha256 = hashlib.sha256(canonical).hexdigest()
        added = store_report(store, report, None, location=location, run_id=run_id, infer_place=False)
        store.record(run_id, location, added.status, sha256=report.source.sha256,
                     report_id=added.report_id)
        out.append((location, added.status))
    store.finish_run(run_id)
    return out
