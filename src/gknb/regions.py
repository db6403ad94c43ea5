"""Agency names and where they sit: normalisation, province/city/county and administrative level.

Places come from bundled tables (origins and licences in ``data/NOTICE.txt``): ``data/divisions.csv``
(GB/T 2260: 6-digit code and name of every province, prefecture and county), ``data/zones.csv``
(county-level units with a statistical code that GB/T 2260 lacks: development zones, new counties, and
names such as 平潭综合实验区 for the division they govern) and ``data/townships.csv`` (every 乡、镇、
街道、苏木 with the code of its county). A name is read from its start: a province (full or short
name), then a prefecture within it, then a county within that, then a township within that; a name
starting with a prefecture, county or township infers the levels above when the name is unique.
"""

from __future__ import annotations

import csv
import re
import unicodedata
from dataclasses import dataclass
from functools import cache
from pathlib import Path

DATA = Path(__file__).with_name("data")  # the bundled tables (installed with the package)
_PROVINCE_SUFFIXES = ("壮族自治区", "回族自治区", "维吾尔自治区", "特别行政区", "自治区", "省", "市")
_GOVERNMENT = re.compile(r"(?<=[省市县区旗州盟镇乡])政府")
LEVELS = ("province", "city", "county", "township", "street", "department")
LEVEL_LABELS = {"province": "省级", "city": "市级", "county": "县级", "township": "乡镇", "street": "街道",
                "department": "部门"}


@dataclass(frozen=True)
class Division:
    """One entry of the GB/T 2260 table."""

    code: str
    name: str

    @property
    def rank(self) -> str:
        """``province``, ``city`` (prefecture level) or ``county``."""
        if self.code.endswith("0000"):
            return "province"
        return "city" if self.code.endswith("00") else "county"


@dataclass(frozen=True)
class Place:
    """Where an agency sits: the divisions found in its name (any may be None) and its level."""

    province: Division | None = None
    city: Division | None = None
    county: Division | None = None
    level: str | None = None
    township: str | None = None  # the 乡/镇/街道 named, when the table knows it

    def region(self) -> dict[str, str | None]:
        """The ``meta.region`` dict of the JSON contract (names)."""
        return {k: d.name if d else None for k, d in
                (("province", self.province), ("city", self.city), ("county", self.county))}

    def codes(self) -> dict[str, str | None]:
        """GB/T 2260 codes of the province, prefecture and county."""
        return {k: d.code if d else None for k, d in
                (("province", self.province), ("city", self.city), ("county", self.county))}


_OWN_GOVERNMENT = ("人民政府", "管委会", "管理委员会", "党工委管委会")  # what follows a division's name
LEVEL_BY_SUFFIX = (
    (("街道办事处", "街道", "街办"), "street"),
    (("镇人民政府", "乡人民政府", "镇政府", "乡政府", "苏木", "镇", "乡"), "township"),
    (("省人民政府", "自治区人民政府"), "province"),
    (("市人民政府", "州人民政府", "盟行政公署"), "city"),
    (("县人民政府", "区人民政府", "旗人民政府", "县政府", "区政府"), "county"),
)
_DEPARTMENT_END = ("局", "委", "办", "办公室", "委员会", "厅", "中心", "署", "院", "所", "站", "队", "馆", "会", "部")


def level_of(name: str, deepest: Division | None = None) -> str | None:
    """The administrative level an agency's name ends with (乡镇/街道/部门 …), or None."""
    for suffixes, level in LEVEL_BY_SUFFIX:
        if name.endswith(suffixes):
            return level
    if name.endswith(_DEPARTMENT_END):
        return "department"
    if name.endswith(("人民政府", "政府")) and deepest is not None:
        return deepest.rank
    return None


def normalise_name(name: str) -> str:
    """One spelling per agency: NFKC, no spaces or quotes, ``…县政府`` → ``…县人民政府``."""
    text = re.sub(r"\s+", "", unicodedata.normalize("NFKC", name)).strip("《》“”\"'")
    text = _GOVERNMENT.sub("人民政府", text)
    return re.sub(r"人民政府办$", "人民政府办公室", text)


# Short forms of department names that are not themselves official (科委 for 科学技术委员会); official
# short names (卫生健康委, 管委会) are kept as printed.
ABBREVIATIONS = (
    ("科委", "科学技术委员会"), ("发改委", "发展和改革委员会"), ("卫健委", "卫生健康委员会"),
    ("住建局", "住房和城乡建设局"), ("人社局", "人力资源和社会保障局"), ("市监局", "市场监督管理局"),
    ("文旅局", "文化和旅游局"), ("医保局", "医疗保障局"), ("应急局", "应急管理局"), ("资规局", "自然资源和规划局"),
)


def expand_abbreviation(name: str) -> str:
    """``上海市科委`` → ``上海市科学技术委员会``: a department's short form at the end of a name, spelled out."""
    for short, full in ABBREVIATIONS:
        if name.endswith(short) and len(name) > len(short):
            return name[: -len(short)] + full
    return name


@cache
def divisions() -> tuple[Division, ...]:
    """The bundled table, in code order."""
    rows = [Division(code, name) for table in ("divisions.csv", "zones.csv") for code, name in _csv(table)]
    return tuple(sorted(rows, key=lambda d: d.code))


def _csv(name: str) -> list[list[str]]:
    """The rows of a bundled table, its header left out (csv.reader: the tables have no quoted fields
    to speak of, but a reader is what reads CSV)."""
    with (DATA / name).open(encoding="utf-8", newline="") as handle:
        rows = csv.reader(handle)
        next(rows)
        return list(rows)


@cache
def _township_lines() -> bytes:
    """townships.csv as it is (UTF-8), each ``county,name`` row after a newline (no field of it is
    quoted): searched as bytes, only the rows found decoded."""
    return b"\n" + (DATA / "townships.csv").read_bytes()


_COUNTIES_ASKED: set[str] = set()


@cache
def townships_of(county_code: str) -> tuple[str, ...]:
    """The 乡、镇、街道 (and 苏木) of a county-level division, by its code, in the table's order: for
    the first county asked about, read where its rows start without reading the 46,000 rows; a program
    that asks about more counties (a batch) has them all indexed once instead of searched one by one."""
    _COUNTIES_ASKED.add(county_code)
    if len(_COUNTIES_ASKED) > 1:
        return _townships_by_county().get(county_code, ())
    return _read_townships(county_code)


def _read_townships(county_code: str) -> tuple[str, ...]:
    """A county's townships from where its first row is in the table (it lists them together)."""
    lines = _township_lines()
    start = f"\n{county_code},".encode()
    names = []
    at = lines.find(start)
    while at >= 0:
        end = lines.find(b"\n", at + 1)
        names.append(lines[at + len(start): end if end >= 0 else len(lines)].decode("utf-8"))
        at = end if end >= 0 and lines.startswith(start, end) else -1
    return tuple(names)


@cache
def _townships_by_county() -> dict[str, tuple[str, ...]]:
    """County code → its townships, in the table's order."""
    index: dict[str, list[str]] = {}
    for county, name in _csv("townships.csv"):
        index.setdefault(county, []).append(name)
    return {k: tuple(v) for k, v in index.items()}


@cache
def _townships() -> dict[str, tuple[str, ...]]:
    """Township name → the codes of the counties that have a township of that name."""
    index: dict[str, list[str]] = {}
    for county, name in _csv("townships.csv"):
        index.setdefault(name, []).append(county)
    return {k: tuple(v) for k, v in index.items()}


def counties_of_township(township: str) -> tuple[Division, ...]:
    """The county-level divisions that have a 乡、镇、街道 or 苏木 named ``township`` (``河东乡``: seven)."""
    return tuple(dict.fromkeys(_by_code()[code] for code in _townships().get(township, ()) if code in _by_code()))


def _township_prefix(text: str, county: Division | None) -> tuple[str | None, Division | None]:
    """The longest township name starting ``text`` (within ``county``, or unique in the country) and its
    county; (None, None) when there is none or the name is ambiguous."""
    if county is not None:
        names = townships_of(county.code)
        for length in range(min(len(text), 16), 1, -1):
            if text[:length] in names:
                return text[:length], _by_code().get(county.code)
        return None, None
    towns = _townships()
    for length in range(min(len(text), 16), 1, -1):
        counties = towns.get(text[:length], ())
        if len(set(counties)) == 1:
            return text[:length], _by_code().get(counties[0])
        if counties:
            return None, None
    return None, None


@cache
def _by_code() -> dict[str, Division]:
    return {d.code: d for d in divisions()}


@cache
def _by_rank() -> dict[str, list[Division]]:
    """The divisions of each rank, in code order."""
    ranks: dict[str, list[Division]] = {"province": [], "city": [], "county": []}
    for division in divisions():
        ranks[division.rank].append(division)
    return ranks


@cache
def _names(rank: str) -> dict[str, tuple[Division, ...]]:
    """Name (and, for provinces, short name) → divisions of that rank."""
    index: dict[str, list[Division]] = {}
    for division in _by_rank()[rank]:
        index.setdefault(division.name, []).append(division)
        if rank == "province":
            for suffix in _PROVINCE_SUFFIXES:
                if division.name.endswith(suffix) and len(division.name) > len(suffix) + 1:
                    index.setdefault(division.name[: -len(suffix)], []).append(division)
                    break
    return {k: tuple(v) for k, v in index.items()}


def _prefix(text: str, rank: str, within: Division | None) -> tuple[Division | None, str]:
    """The longest division name of ``rank`` (inside ``within``) that starts ``text``; unique or None."""
    names = _names(rank)
    for length in range(min(len(text), 12), 1, -1):
        found = names.get(text[:length], ())
        if within is not None:
            stem = within.code[:2] if within.rank == "province" else within.code[:4]
            found = tuple(d for d in found if d.code.startswith(stem))
        if len(found) == 1:
            return found[0], text[length:]
        if found:
            return None, text
    return None, text


def _parent(division: Division, rank: str) -> Division | None:
    code = division.code[:2] + "0000" if rank == "province" else division.code[:4] + "00"
    return _by_code().get(code) if code != division.code else None


def locate(name: str) -> Place:
    """Province, prefecture and county named at the start of ``name`` (normalised), and its level."""
    text = normalise_name(name)
    rest = text
    province, rest = _prefix(rest, "province", None)
    city, rest = _prefix(rest, "city", province)
    county, rest = _prefix(rest, "county", city or province)
    township, found_in = _township_prefix(rest, county) if county or not (city or province) else (None, None)
    if township is not None:
        rest = rest[len(township):]
        county = county or found_in
    if county is not None:
        city = city or _parent(county, "city")
    if city is not None:
        province = province or _parent(city, "province")
    if county is not None:
        province = province or _parent(county, "province")
    deepest = county or city or province
    if township is not None and rest in _OWN_GOVERNMENT + ("", "办事处"):
        return Place(province, city, county, "street" if township.endswith("街道") else "township", township)
    if township is None and deepest is not None and rest in _OWN_GOVERNMENT:  # the division's own government
        return Place(province, city, county, deepest.rank, township)
    return Place(province, city, county, level_of(text, county or city or province), township)


__all__ = ["ABBREVIATIONS", "LEVELS", "LEVEL_LABELS", "Division", "Place", "counties_of_township", "divisions",
           "expand_abbreviation", "level_of", "locate", "normalise_name"]
