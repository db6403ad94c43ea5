"""Meta on every real document there is: agency, region, level and year read by gknb, against what a
reader finds in the document (``JUDGED``, read by hand; not gknb's output).

The documents: the sample reports (``src/gknb/samples``), the web-page fragments (``tests/corpus``),
the real reports with truth files (``--real``, /work/shared/corpus/real), the web page of pingtan2019
(``converters.page_of_crawler_copy``: the properties such portals declare around the crawler's copy of
its text), the copies of
them the converters make (``tests/converters.CONVERTERS``: a PDF through markitdown, pdftotext,
pdf2txt; a page through html2text, inscriptis, markitdown and chromium's copy), and the kept converter
copies of rendered reports (``tests/corpus/converters``, their agency from their truth file). An agency is *right* when it is one of the names the document gives the unit, *empty* when gknb
names none (a ``meta.agency_missing`` finding says so), *wrong* otherwise; region (province, city,
county) and level are compared exactly, where the document lets a reader know them.

    python bench/meta.py [--real DIR] [--work DIR] [-v]
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

import gknb  # noqa: E402
from converters import CONVERTERS, convert_file, medium_of, page_of_crawler_copy  # noqa: E402


@dataclass(frozen=True)
class Judged:
    """What the document says: the names it gives its unit (empty: it names none a reader could give),
    its region (province, city, county; None where it does not tell), level and year."""

    agencies: tuple[str, ...]
    region: tuple[str | None, str | None, str | None]
    level: str | None
    year: int


def _j(agencies: str, region: str, level: str | None, year: int) -> Judged:
    names = tuple(a for a in agencies.split("|") if a)
    parts = [p or None for p in region.split("/")] if region else [None, None, None]
    return Judged(names, (parts[0], parts[1], parts[2]), level, year)


# By reading each document (for the fragments: only what the fragment prints).
JUDGED: dict[str, Judged] = {
    "hongze2023": _j("淮安市洪泽区人民政府|洪泽区人民政府", "江苏省/淮安市/洪泽区", "county", 2023),
    "stcsm2024": _j("上海市科学技术委员会", "上海市//", "department", 2024),
    "pingtan2019": _j("平潭综合实验区管委会|平潭综合实验区管理委员会|平潭综合实验区党工委管委会",
                      "福建省/福州市/平潭综合实验区", "county", 2019),
    "000_a5586f6eb40696d9": _j("庆祖镇政府|庆祖镇人民政府|濮阳县庆祖镇人民政府", "河南省/濮阳市/濮阳县", "township", 2021),
    "002_295e3622999d89af": _j("松北区乐业镇|乐业镇人民政府|松北区乐业镇人民政府", "黑龙江省/哈尔滨市/松北区",
                               "township", 2021),
    "003_ef34a76a822e6c07": _j("齐都镇政府|齐都镇人民政府", "山东省/淄博市/临淄区", "township", 2019),
    "009": _j("驼峰路街道办事处", "陕西省/榆林市/榆阳区", "street", 2020),
    "023": _j("盐边县新九镇人民政府", "四川省/攀枝花市/盐边县", "township", 2021),
    # ``我局…在句容市住房和城鄉建設局官網上主動公開``: the unit is named only as the site it publishes on.
    "032": _j("句容市住房和城乡建设局|句容市住房和城鄉建設局", "江苏省/镇江市/句容市", "department", 2022),
    "034": _j("", "", None, 2020),  # 我局 (廣州人社): the unit's name is not printed
    "047": _j("审计局", "", "department", 2020),  # a district's 审计局 (我区): which district is not printed
    "048": _j("信丰县卫生健康委|信丰县卫生健康委员会", "江西省/赣州市/信丰县", "department", 2023),
    "056": _j("桃江县审计局", "湖南省/益阳市/桃江县", "department", 2020),
    "064": _j("二道区房屋征收工作管理办公室|长春市二道区房屋征收工作管理办公室", "吉林省/长春市/二道区", "department", 2022),
    "065": _j("", "", None, 2024),  # 我局 of 梅州市梅江区: which 局 is not printed
    "074": _j("乌拉特中旗巴音乌兰苏木|巴音乌兰苏木人民政府|乌拉特中旗巴音乌兰苏木人民政府",
              "内蒙古自治区/巴彦淖尔市/乌拉特中旗", "township", 2021),
    "085": _j("丰收乡|丰收乡人民政府", "", "township", 2022),  # 县委县政府: which county is not printed
    "088": _j("硚口区民政局|武汉市硚口区民政局", "湖北省/武汉市/硚口区", "department", 2021),
    # ``河东乡政府信息公开工作…我乡通过德安县政府信息公开平台``: 德安县's 河东乡
    "089": _j("河东乡|河东乡人民政府|德安县河东乡|德安县河东乡人民政府", "江西省/九江市/德安县", "township", 2022),
    "105": _j("文登区住房和城乡建设局|威海市文登区住房和城乡建设局", "山东省/威海市/文登区", "department", 2019),
    "113": _j("威海市文登区商务局", "山东省/威海市/文登区", "department", 2022),
    "123": _j("", "", None, 2019),  # 我局: the unit's name is not printed
}
JUDGED["pingtan2019-page"] = JUDGED["pingtan2019"]
# The agencies of the rendered reports (tests/converters.AGENCIES) as the division tables place them.
RENDERED = {
    "平潭综合实验区管委会": ("福建省/福州市/平潭综合实验区", "county"), "南湖区人民政府": ("浙江省/嘉兴市/南湖区", "county"),
    "城关街道办事处": ("", "street"), "花园乡人民政府": ("", "township"), "青山县民政局": ("", "department"),
}


@dataclass
class Row:
    """One document as read."""

    name: str
    judged: Judged
    agency: str | None
    region: tuple[str | None, ...]
    level: str | None
    year: int | None

    @property
    def agency_state(self) -> str:
        if self.agency in self.judged.agencies or (not self.judged.agencies and self.agency is None):
            return "right"
        return "empty" if self.agency is None else "wrong"

    def problems(self) -> list[str]:
        out = []
        if self.agency_state != "right":
            out.append(f"agency {self.agency!r} ({self.agency_state}; want {'|'.join(self.judged.agencies) or None})")
        if self.region != self.judged.region:
            out.append(f"region {'/'.join(r or '' for r in self.region)} (want {'/'.join(r or '' for r in self.judged.region)})")
        if self.level != self.judged.level:
            out.append(f"level {self.level} (want {self.judged.level})")
        if self.year != self.judged.year:
            out.append(f"year {self.year} (want {self.judged.year})")
        return out


def _read(path: Path, name: str, judged: Judged) -> Row:
    meta = gknb.read(path).meta
    region = tuple(meta.region.get(k) for k in ("province", "city", "county"))
    return Row(name, judged, meta.agency, region, meta.level, meta.year)


def _page(real: Path, work: Path) -> Path | None:
    """pingtan2019's web page: the properties its portal declares around the crawler's text."""
    copy = real / "pingtan2019.txt"
    if not copy.exists():
        return None
    page = work / "pingtan2019-page.html"
    work.mkdir(parents=True, exist_ok=True)
    page.write_bytes(page_of_crawler_copy(copy.read_text(encoding="utf-8"), site="平潭综合实验区党工委管委会",
                                          author="平潭综合实验区管委会", source="平潭县人民政府"))
    return page


def documents(real: Path, work: Path) -> list[tuple[str, Path, Judged]]:
    """Every real document and its converter copies, with what a reader finds in it."""
    out: list[tuple[str, Path, Judged]] = []
    sources = sorted((ROOT / "src" / "gknb" / "samples").glob("*.txt")) + sorted((ROOT / "tests" / "corpus").glob("*.txt"))
    sources += sorted(p for p in real.glob("*.*") if not p.name.endswith(".json") and p.name != "README.md")
    sources += [p for p in [_page(real, work)] if p is not None]
    for source in sources:
        judged = JUDGED[source.stem]
        out.append((source.name, source, judged))
        medium = medium_of(source)
        for converter in CONVERTERS:
            if medium is not None and converter.reads(medium) and converter.available():
                out.append((f"{source.name} → {converter.name}", convert_file(source, converter, work), judged))
    for truth_path in sorted((ROOT / "tests" / "corpus" / "converters").glob("*.truth.json")):
        truth = json.loads(truth_path.read_text(encoding="utf-8"))
        if not truth.get("agency"):
            continue  # a truth file of cells only
        copy = next(p for p in truth_path.parent.glob(truth_path.name.removesuffix(".truth.json") + ".*")
                    if p != truth_path)
        region, level = RENDERED[truth["agency"]]
        out.append((f"rendered {copy.name}", copy, _j(truth["agency"], region, level, truth["year"])))
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    real = next((p for p in (ROOT.parent / "shared" / "corpus" / "real", ROOT.parent.parent / "shared" / "corpus"
                             / "real") if p.is_dir()), ROOT / "tests" / "corpus" / "real")
    ap.add_argument("--real", type=Path, default=real)
    ap.add_argument("--work", type=Path, default=ROOT / "bench" / "out" / "meta")
    ap.add_argument("-v", "--verbose", action="store_true", help="every document, not only the wrong ones")
    a = ap.parse_args()
    rows = [_read(path, name, judged) for name, path, judged in documents(a.real, a.work)]
    for row in rows:
        problems = row.problems()
        if problems or a.verbose:
            print(f"{row.name}: {row.agency!r} {'/'.join(r or '' for r in row.region)} {row.level} {row.year}"
                  + (f"  ← {'; '.join(problems)}" if problems else ""))
    states = [row.agency_state for row in rows]
    n = len(rows)
    print(f"\n{n} documents: agency right {states.count('right')}/{n} ({100 * states.count('right') / n:.1f} %), "
          f"empty {states.count('empty')}, wrong {states.count('wrong')}; "
          f"region right {sum(r.region == r.judged.region for r in rows)}/{n}, "
          f"level right {sum(r.level == r.judged.level for r in rows)}/{n}, "
          f"year right {sum(r.year == r.judged.year for r in rows)}/{n}")


if __name__ == "__main__":
    main()
