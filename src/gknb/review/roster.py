"""The roster: the units that must publish, and per year who published, late, not at all.

A roster comes from a CSV or XLSX file (columns 名称/name, 地区/region, 层级/level, 截止日期/due —
headers in Chinese or English, only the name required), from the division table for a region (the
region's own 人民政府 and those of its counties; ``data/divisions.csv`` stops at the county, so
乡镇/街道 and departments come from a file or from the units the store already knows there).

Deadlines: 《条例》第四十九条 — departments by 1月31日, governments (乡镇/街道 included) by 3月31日 of the
next year; ``Deadlines`` overrides them for a region (local rules are often earlier, S3/S9), and a
roster line's own due date wins over both.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from ..errors import GknbError
from ..regions import divisions, locate, normalise_name, townships_of
from ..store import Store
from .region import UnitReport, region_year

STATUSES = {"published": "已发布", "late": "逾期发布", "missing": "未发布", "unknown_date": "已发布（日期不明）"}
HEADERS = {
    "name": ("名称", "单位", "单位名称", "机关", "name", "unit", "agency"),
    "region": ("地区", "区域", "所属地区", "region", "area"),
    "level": ("层级", "级别", "类型", "level", "kind"),
    "due": ("截止日期", "截止时间", "发布期限", "期限", "due", "deadline"),
}
LEVEL_WORDS = {"部门": "department", "省级": "province", "市级": "city", "县级": "county", "乡镇": "township",
               "街道": "street", "政府": "county"}


class RosterError(GknbError):
    """The roster file cannot be read (no name column, a bad date …)."""

    code = "roster.invalid"


@dataclass(frozen=True)
class RosterEntry:
    """A unit that must publish: its name (normalised), region, level and own due date (month, day)."""

    name: str
    region: str | None = None
    level: str | None = None
    due: tuple[int, int] | None = None


@dataclass(frozen=True)
class Deadlines:
    """Publication deadlines (month, day of the year after the report year) by kind of unit."""

    department: tuple[int, int] = (1, 31)
    government: tuple[int, int] = (3, 31)

    def due(self, entry: RosterEntry, year: int) -> date:
        """The date by which ``entry`` must publish its report of ``year``."""
        month, day = entry.due or (self.department if _is_department(entry) else self.government)
        return date(year + 1, month, day)


@dataclass
class RosterLine:
    """One unit's state for a year: ``status`` (a key of ``STATUSES``), its due date, the report."""

    entry: RosterEntry
    status: str
    due: date
    unit: UnitReport | None = None
    sources: list[str] = field(default_factory=list)

    @property
    def duplicated(self) -> bool:
        """The report is stored more than once (several sources)."""
        return len(self.sources) > 1


def _is_department(entry: RosterEntry) -> bool:
    level = entry.level or locate(entry.name).level
    return level == "department"


def parse_due(text: str | None) -> tuple[int, int] | None:
    """``1月31日``, ``01-31``, ``2024-01-31`` or ``1/31`` → (month, day); None when empty."""
    if text is None or not str(text).strip():
        return None
    if isinstance(text, date):
        return text.month, text.day
    match = re.search(r"(?:\d{4}\s*[-年./])?\s*(\d{1,2})\s*[-月./]\s*(\d{1,2})", str(text))
    if match is None or not (1 <= int(match[1]) <= 12 and 1 <= int(match[2]) <= 31):
        raise RosterError(f"截止日期「{text}」无法识别（应如 1月31日 或 01-31）",
                          f"due date {text!r} is not a month and day (e.g. 01-31)")
    return int(match[1]), int(match[2])


def _level(text: str | None) -> str | None:
    if not text or not str(text).strip():
        return None
    text = str(text).strip()
    return LEVEL_WORDS.get(text, text)


def load_roster(path: str | Path, data: bytes | None = None) -> list[RosterEntry]:
    """The roster in a CSV (UTF-8, with or without BOM, or GB18030) or XLSX file."""
    name = str(path)
    raw = data if data is not None else Path(path).read_bytes()
    if name.lower().endswith((".xlsx", ".xlsm")):
        rows = _xlsx_rows(raw)
    else:
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError:
            text = raw.decode("gb18030", errors="replace")
        rows = [row for row in csv.reader(io.StringIO(text)) if any(cell.strip() for cell in row)]
    return roster_from_rows(rows)


def _xlsx_rows(raw: bytes) -> list[list[str]]:
    from openpyxl import load_workbook

    try:
        sheet = load_workbook(io.BytesIO(raw), read_only=True, data_only=True).worksheets[0]
    except Exception as exc:  # openpyxl raises many kinds on a damaged file
        raise RosterError("名单文件不是可读的 Excel 工作簿", "the roster is not a readable Excel workbook") from exc
    return [["" if c is None else (c if isinstance(c, date) else str(c)) for c in row]
            for row in sheet.iter_rows(values_only=True) if any(c not in (None, "") for c in row)]


def roster_from_rows(rows: Sequence[Sequence[object]]) -> list[RosterEntry]:
    """Roster entries from a header row and data rows."""
    if not rows:
        raise RosterError("名单为空", "the roster is empty")
    header = [str(cell).strip().lower() for cell in rows[0]]
    column = {field_: next((i for i, h in enumerate(header) if h in names), None)
              for field_, names in HEADERS.items()}
    if column["name"] is None:
        raise RosterError("名单缺少「名称」列（可用：名称、单位、name）",
                          "the roster has no name column (名称, 单位 or name)")
    entries: dict[str, RosterEntry] = {}
    for row in rows[1:]:
        def cell(field_: str, row: Sequence[object] = row) -> object | None:
            index = column[field_]
            return row[index] if index is not None and index < len(row) else None

        name = str(cell("name") or "").strip()
        if not name:
            continue
        entry = RosterEntry(normalise_name(name), str(cell("region") or "").strip() or None,
                            _level(cell("level")), parse_due(cell("due")))  # type: ignore[arg-type]
        entries.setdefault(entry.name, entry)
    return list(entries.values())


def roster_from_divisions(region: str, *, townships: bool = False) -> list[RosterEntry]:
    """The 人民政府 of ``region`` and of every county-level division in it (a city or province name);
    ``townships``: also every 乡、镇 (人民政府) and 街道 (办事处) of those counties, named with their
    county (``桐庐县分水镇人民政府``)."""
    place = locate(region)
    top = place.county or place.city or place.province
    if top is None:
        raise RosterError(f"行政区划表中没有「{region}」", f"{region!r} is not in the division table")
    stem = top.code[:2] if top.rank == "province" else top.code[:4] if top.rank == "city" else top.code
    found = [top] + [d for d in divisions() if d.code != top.code and d.code.startswith(stem)
                     and (d.rank == "county" or (top.rank == "province" and d.rank == "city"))]
    entries = [RosterEntry(normalise_name(d.name + "人民政府"), top.name, d.rank) for d in found]
    if townships:
        for county in (d for d in found if d.rank == "county"):
            for town in townships_of(county.code):
                street = town.endswith("街道")
                entries.append(RosterEntry(county.name + town + ("办事处" if street else "人民政府"), county.name,
                                           "street" if street else "township"))
    return entries


def _place_key(name: str, county: str | None = None) -> tuple[str, str] | None:
    """A township's or street's unit as (county code, township name), however its name is written
    (``桐庐县分水镇政府``; ``分水镇人民政府`` of a report whose region names its ``county``); None for
    other units or where the county is not known."""
    place = locate(name)
    if (place.township is None or place.county is None) and county and not name.startswith(county):
        place = locate(county + name)
    if place.township is None or place.county is None:
        return None
    return place.county.code, place.township


def _unit_key(unit: UnitReport) -> tuple[str, str] | None:
    return _place_key(unit.agency, unit.report.meta.region.get("county"))


def roster_from_store(store: Store, region: str) -> list[RosterEntry]:
    """Every unit of ``region`` the store holds a report of (any year): last year's publishers."""
    return [RosterEntry(a.name, region, a.level) for a in store.agencies()
            if region in (a.province, a.city, a.county)]


def merge(*rosters: Iterable[RosterEntry]) -> list[RosterEntry]:
    """One entry per name, the first roster's entry winning."""
    out: dict[str, RosterEntry] = {}
    for roster in rosters:
        for entry in roster:
            out.setdefault(entry.name, entry)
    return list(out.values())


def roster_status(store: Store, roster: Sequence[RosterEntry], year: int, region: str | None = None,
                  deadlines: Deadlines | None = None, units: Sequence[UnitReport] | None = None) -> list[RosterLine]:
    """Each roster unit's state for ``year``: published (on time), late, published without a known
    date, or missing; by status (missing first), then name."""
    deadlines = deadlines or Deadlines()
    units = list(units) if units is not None else region_year(store, region, year)
    by_name = {normalise_name(u.agency): u for u in units}
    by_place = {key: u for u in units if (key := _unit_key(u)) is not None}
    lines = []
    for entry in roster:
        due = deadlines.due(entry, year)
        unit = by_name.get(entry.name)
        if unit is None and entry.level in ("township", "street") and (key := _place_key(entry.name)):
            unit = by_place.get(key)  # a township's report names it without its county, or the county without it
        if unit is None:
            lines.append(RosterLine(entry, "missing", due))
            continue
        if unit.published is None:
            status = "unknown_date"
        else:
            status = "late" if date.fromisoformat(unit.published[:10]) > due else "published"
        lines.append(RosterLine(entry, status, due, unit, list(unit.sources)))
    order = {"missing": 0, "late": 1, "unknown_date": 2, "published": 3}
    return sorted(lines, key=lambda line: (order[line.status], line.entry.name))


def not_on_roster(roster: Sequence[RosterEntry], units: Sequence[UnitReport]) -> list[UnitReport]:
    """Reports of units the roster does not list (a misspelt name, or a unit to add)."""
    names = {entry.name for entry in roster}
    places = {key for entry in roster if entry.level in ("township", "street") and (key := _place_key(entry.name))}
    return [u for u in units if normalise_name(u.agency) not in names and _unit_key(u) not in places]
