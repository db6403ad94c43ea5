"""Report metadata from its opening lines: title, agency, year, publication date, region and level.

Titles look like ``庆祖镇政府2021年政府信息公开工作年度报告`` or ``关于2021年度政府信息公开工作的
年度报告`` (agency on a line of its own). Region and level are inferred from the agency's name
through the bundled GB/T 2260 division table (``gknb.regions``).
"""

from __future__ import annotations

import re
import unicodedata

import cn2an

from ..regions import locate
from ..report import Meta

_YEAR = re.compile(r"((?:19|20)\d{2})\s*年")
_CN_YEAR = re.compile(r"([〇零一二三四五六七八九○Ｏ]{4})年")
_DATE = re.compile(r"(20\d{2})[-年./](\d{1,2})[-月./](\d{1,2})")
_TITLE_HINTS = ("政府信息公开", "信息公开", "政务公开")
_AGENCY_END = (
    "人民政府", "政府", "办事处", "街道", "委员会", "办公室", "管理局", "局", "委", "办", "厅", "署", "院",
    "中心", "镇", "乡", "苏木", "所", "站", "队", "会", "公司", "馆", "部",
)
_REPORT_NAME = re.compile(
    r"(?:关于)?(?:(?:19|20)\d{2}\s*年度?|[〇零一二三四五六七八九○]{4}年度?)?\s*(?:的)?(?:政府)?信息公开(?:工作)?(?:的)?"
    r"(?:年度)?(?:工作)?(?:情况)?(?:的)?(?:年度)?报告.*$"
)
_PROSE_AGENCY = re.compile(
    r"([\u4e00-\u9fff]{2,24}?(?:人民政府|政府|办事处|街道|委员会|办公室|局|委|办|厅|中心|镇|乡|苏木))"
    r"(?:在|认真|坚持|严格|按照|深入|根据|全面|始终|紧紧|进一步|高度|积极|继续|围绕|紧扣|扎实)"
)


_PAGE_HEADER = re.compile(r"^(?:Page|P\.|第)\s*\d+\s*(?:页)?\s*[-–—:：]?\s*", re.I)


def _clean(text: str) -> str:
    """A line without spaces, file extensions or PDF page headers (``Page 3 - …``)."""
    text = _PAGE_HEADER.sub("", unicodedata.normalize("NFKC", text).strip())
    return re.sub(r"\s+", "", re.sub(r"\.(docx?|pdf|wps|html?)$", "", text, flags=re.I))


def _year_of(text: str) -> int | None:
    match = _YEAR.search(text)
    if match:
        return int(match.group(1))
    match = _CN_YEAR.search(text)
    if match:
        try:
            return int(cn2an.cn2an(match.group(1).replace("○", "〇").replace("Ｏ", "〇"), "smart"))
        except (ValueError, KeyError):
            return None
    return None


def find_title(lines: list[str]) -> tuple[int, str] | None:
    """The title line among the first lines: it names disclosure work and a report."""
    best: tuple[int, int, str] | None = None
    for i, line in enumerate(lines[:30]):
        text = _clean(line)
        if not text or len(text) > 80 or not ("报告" in text or "年报" in text):
            continue
        score = 0
        score += 3 if any(h in text for h in _TITLE_HINTS) else 0
        score += 2 if "年度报告" in text or "年报" in text else 0
        score += 1 if _year_of(text) else 0
        score -= 4 if (">" in text or "位置" in text or "首页" in text or "。" in text) else 0
        score -= i // 10
        if score >= 3 and (best is None or score > best[0]):
            best = (score, i, text)
    return (best[1], best[2]) if best else None


def agency_from_title(title: str) -> str | None:
    """The agency named in a title: what is left once the year and the report's name are removed."""
    name = _REPORT_NAME.sub("", title)
    name = re.sub(r"(?:19|20)\d{2}(?:年度|年)?(?:年报|报告|报)?", "", name)
    name = re.sub(r"^[_\-—\s]+|[_\-—\s]+$", "", name).strip("《》“”\"'（）() ")
    name = re.sub(r"关于$", "", name)
    return name if len(name) >= 2 and not re.search(r"\d", name) else None


def _agency_line(lines: list[str], start: int) -> str | None:
    for line in lines[start : start + 6]:
        text = _clean(line)
        if 2 <= len(text) <= 30 and text.endswith(_AGENCY_END) and not re.search(r"[,，。:：>]", text):
            return text
    return None


def read_meta(lines: list[str], body: str) -> Meta:
    """Metadata from the document's first lines (``lines``) and its overview text (``body``)."""
    meta = Meta()
    found = find_title(lines)
    start = 0
    if found:
        start, meta.title = found[0] + 1, found[1]
        meta.year = _year_of(meta.title)
        meta.agency = agency_from_title(meta.title)
    if not meta.agency and found:
        # The customary print puts the agency on its own line above "2021年政府信息公开工作年度报告".
        above = _agency_line(lines[max(0, start - 3) : start - 1], 0)
        if above and _clean(lines[start - 2]) == above:
            meta.agency, meta.title = above, above + meta.title
    if not meta.agency:
        meta.agency = _agency_line(lines, start)
    if meta.year is None:
        head = "\n".join(lines[:40]) + "\n" + body[:2000]
        years = [int(y) for y in _YEAR.findall(head)]
        meta.year = years[0] if years else None
    if not meta.agency:
        match = _PROSE_AGENCY.search(body[:300])
        if match and not match.group(1).startswith(("我", "本", "全", "各", "县委", "市委", "区委")):
            meta.agency = match.group(1)
    for line in lines[:40]:
        if "发布" in line or "日期" in line or "时间" in line:
            date = _DATE.search(line)
            if date:
                y, m, d = (int(x) for x in date.groups())
                if 1 <= m <= 12 and 1 <= d <= 31:
                    meta.published = f"{y:04d}-{m:02d}-{d:02d}"
                    break
    if meta.agency:
        place = locate(meta.agency)
        meta.region, meta.level = place.region(), place.level
    return meta
