"""Report data files → ``Report``: JSON (a data file or ``gknb check --json`` output), YAML, Excel.

A data file holds the canonical keys of report-model.md::

    meta:     {agency: 青山县民政局, year: 2025, title: …, published: 2026-01-20}
    sections: {overview: …, disclosure: …, requests: …, review: …, problems: …, other: …}
    cells:    {requests.new.natural_person: 8, disclosure.fees.amount: 1.25, …}

The format comes from ``meta.template`` or else from the year (``format_for_year``). Problems in the
data (a value that is not a number, a key the format does not have) become findings of the loaded
report (``data.bad_value``, ``data.unknown_key``; ``workbook.*`` for Excel), never exceptions; the
report is then checked (``gknb.check``), so its findings are complete.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

import yaml

from ..catalogue import finding
from ..check import check
from ..document import Source
from ..errors import UnreadableFile, text_position
from ..formats import FORMATS, Format, format_for_year
from ..report import SECTION_KEYS, Finding, Meta, Report, Value

DATA_SUFFIXES = (".json", ".yaml", ".yml", ".xlsx")
_META_KEYS = ("title", "agency", "year", "template", "region", "level", "published")


def is_data_file(path: str | Path) -> bool:
    """Whether ``path`` names a data file gknb renders from (by its extension)."""
    return Path(path).suffix.lower() in DATA_SUFFIXES


def load(path: str | Path) -> Report:
    """Load and check a JSON/YAML data file or an Excel workbook. Raises ``UnreadableFile``."""
    path = Path(path)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise UnreadableFile(f"无法读取文件：{exc.strerror}", f"cannot read the file: {exc.strerror}", str(path)) from exc
    suffix = path.suffix.lower()
    if suffix == ".xlsx":
        from .workbook import read_workbook

        return check(read_workbook(raw, str(path)))
    try:
        data = json.loads(raw) if suffix == ".json" else yaml.safe_load(raw)
    except UnicodeDecodeError as exc:
        raise UnreadableFile("数据文件不是 UTF-8 编码，无法读取", "the data file is not UTF-8 text", str(path)) from exc
    except (ValueError, yaml.YAMLError) as exc:
        zh, en = text_position(exc)
        kind = "JSON" if suffix == ".json" else "YAML"
        raise UnreadableFile(f"数据文件不是有效的 {kind}{zh}，无法解析", f"the data file is not valid {kind}{en}",
                             str(path)) from exc
    if not isinstance(data, Mapping):
        raise UnreadableFile("数据文件应为含 meta/sections/cells 的对象", "a data file must be a mapping with "
                             "meta/sections/cells", str(path))
    source = Source(str(path), hashlib.sha256(raw).hexdigest(), "json" if suffix == ".json" else "yaml", size=len(raw))
    return check(report_from_data(data, source))


def report_from_data(data: Mapping[str, Any], source: Source) -> Report:
    """A ``Report`` (not yet checked) from a mapping with ``meta``, ``sections`` and ``cells``.

    Findings already in the mapping (``gknb check --json`` output) are kept.
    """
    meta_in = data.get("meta") or {}
    found: list[Finding] = [
        Finding(f["rule"], f["severity"], tuple(f.get("cells", ())), f["message"], f.get("message_en", ""))
        for f in data.get("findings") or ()
        if isinstance(f, Mapping) and {"rule", "severity", "message"} <= set(f)
    ]
    meta = Meta(**{k: meta_in[k] for k in _META_KEYS if k in meta_in and k not in ("year", "template", "region")})
    meta.year = _year(meta_in.get("year"), found)
    if isinstance(meta_in.get("region"), Mapping):
        meta.region.update({k: meta_in["region"].get(k) for k in meta.region})
    fmt = FORMATS.get(str(meta_in.get("template"))) or format_for_year(meta.year)
    meta.template = fmt.version if fmt else str(meta_in.get("template") or "unknown")
    sections = dict.fromkeys(SECTION_KEYS)
    for key, text in (data.get("sections") or {}).items():
        if key in sections and text is not None:
            sections[key] = str(text)
    report = Report(source=source, meta=meta, sections=sections, section_order=list(SECTION_KEYS))
    cells_in = data.get("cells") or {}
    if fmt is not None:
        info = fmt.cell_info()
        report.cells = dict.fromkeys(fmt.cell_keys())
        for key, raw in cells_in.items():
            if key not in info:
                found.append(finding("data.unknown_key", (), f"数据中的单元格键 {key} 不属于 {fmt.version} 版格式，已忽略",
                                     f"cell key {key} is not part of the {fmt.version} format; ignored"))
                continue
            value, problem = parse_value(raw, info[key][3].kind)
            report.cells[key] = value
            if problem:
                found.append(bad_value("data.bad_value", key, fmt, raw))
    report.parse_findings = found
    return report


def parse_value(raw: object, kind: str) -> tuple[Value, bool]:
    """A cell value from JSON/YAML/Excel: ``(value, problem)``; blank → None, non-numbers are a problem.

    Counts keep a fraction or a sign as given, so the checker names them (``value.not_integer``,
    ``value.negative``); money is a ``Decimal`` exactly as written.
    """
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return None, False
    if isinstance(raw, bool):
        return None, True
    if isinstance(raw, int):
        return (Decimal(raw) if kind == "money" else raw), False
    try:
        number = Decimal(str(raw).strip().replace(",", "")) if isinstance(raw, (str, float, Decimal)) else None
    except InvalidOperation:
        number = None
    if number is None or not number.is_finite():
        return None, True
    if kind != "money" and number == number.to_integral_value():
        return int(number), False
    return number, False


def bad_value(rule: str, key: str, fmt: Format, raw: object, where: str = "") -> Finding:
    """The finding for a cell whose content is not a number."""
    label = fmt.cell_label(key)
    return finding(rule, (key,), f"「{label}」{where}的内容「{raw}」不是数字，按空白处理",
                   f"{key}{' ' + where if where else ''}: {raw!r} is not a number; treated as blank")


def _year(raw: object, found: list[Finding]) -> int | None:
    if raw is None or raw == "":
        return None
    try:
        year = int(str(raw).strip().removesuffix("年"))
    except ValueError:
        year = None
    if year is None or not 1990 <= year <= 2100:
        found.append(finding("data.bad_value", (), f"报告年度「{raw}」无效", f"invalid report year {raw!r}"))
        return None
    return year
