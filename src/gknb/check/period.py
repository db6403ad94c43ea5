"""The report year against its other clues: the 统计期限 sentence, the title and the body.

The parser takes the report year from the title when it has one. Reviewers check that the title's
year, the 统计期限 (DB51/T 2660—2019 §2.1: 上一年度 1月1日 至 12月31日) and the body's year agree;
when they do not, the year gknb uses may be the wrong one, and a finding says which clue it took.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator

from ..report import Finding, Report
from ..text import nfkc
from .registry import finding, rule

_CN_DIGITS = str.maketrans("〇零○Ｏ一二三四五六七八九", "0000123456789")
_YEAR = re.compile(r"((?:19|20)\d{2})\s*年")
_DAY = (r"(?:(?P<{0}y>(?:19|20)\d{{2}})\s*[年./-]\s*)?(?P<{0}m>\d{{1,2}})\s*[月./-]\s*(?P<{0}d>\d{{1,2}})"
        r"(?:\s*[日号])?")
PERIOD = re.compile(
    r"(?:自|从)?\s*" + _DAY.format("a") + r"\s*(?:起|开始)?\s*(?:至|到|—+|–|-|~|～|－)\s*" + _DAY.format("b")
)
_PERIOD_WORDS = re.compile(r"统计|数据|本报告|报告所列")
# The overview's opening: "2022年，…" / "2022年度，…" / "2022年以来" names the year it reports on.
_BODY_YEAR = re.compile(r"^\s*(?:[(（]?[一1][)）、.]?\s*)?((?:19|20)\d{2})\s*年度?(?:[,，]|以来|全年|是|我|本)")
WHOLE_YEAR = ((1, 1), (12, 31))
_SENTENCE = re.compile(r"[。;；\n]")


def title_year(title: str | None) -> int | None:
    """The year a title names (Arabic or Chinese digits: 2022年, 二〇二二年), if any."""
    if not title:
        return None
    match = _YEAR.search(unicodedata.normalize("NFKC", title).translate(_CN_DIGITS))
    return int(match[1]) if match else None


def body_year(report: Report) -> int | None:
    """The year the overview's opening sentence reports on (``2022年，本局…``), if it names one."""
    text = nfkc(report.sections.get("overview") or "")
    match = _BODY_YEAR.match(text)
    return int(match[1]) if match else None


def statistics_period(report: Report) -> tuple[str, tuple[int, int, int], tuple[int, int, int]] | None:
    """The 统计期限 the report states — (sentence, start, end) as (year, month, day) — from the text
    before 一、总体情况 or the overview's first paragraphs; a missing end year is the start year."""
    text = nfkc(report.preamble + "\n" + (report.sections.get("overview") or "")[:800])
    for sentence in _SENTENCE.split(text):
        if not _PERIOD_WORDS.search(sentence):
            continue
        match = PERIOD.search(sentence)
        if match is None or match["ay"] is None:
            continue
        start = (int(match["ay"]), int(match["am"]), int(match["ad"]))
        end = (int(match["by"] or match["ay"]), int(match["bm"]), int(match["bd"]))
        return sentence.strip(), start, end
    return None


def _day(value: tuple[int, int, int]) -> str:
    return f"{value[0]}年{value[1]}月{value[2]}日"


@rule("period.year_mismatch", needs_format=False)
@rule("period.not_whole_year", needs_format=False)
@rule("meta.year_conflict", needs_format=False)
def report_year(report: Report) -> Iterator[Finding]:
    """The 统计期限 is the report year from 1月1日 to 12月31日; the title and the body name one year."""
    year, in_title, in_body = report.meta.year, title_year(report.meta.title), body_year(report)
    source = "标题" if in_title is not None and in_title == year else "正文"
    source_en = "the title" if source == "标题" else "the text"
    period = statistics_period(report)
    if period is not None and year is not None:
        sentence, start, end = period
        quoted = f"「{sentence[:80]}」"
        if start[0] != year or end[0] != year:
            yield finding(
                "period.year_mismatch", (),
                f"统计期限{quoted}为 {start[0]}"
                + (f"—{end[0]}" if end[0] != start[0] else "")
                + f" 年，而报告年度为 {year} 年（取自{source}），请核对报告年度与统计期限",
                f"the statistics period ({_day(start)} – {_day(end)}) is not of the report year {year} "
                f"(taken from {source_en}); check the year and the period",
            )
        elif (start[1:], end[1:]) != WHOLE_YEAR:
            yield finding(
                "period.not_whole_year", (),
                f"统计期限{quoted}为 {_day(start)} 至 {_day(end)}，应为 {year}年1月1日至{year}年12月31日",
                f"the statistics period runs {_day(start)} – {_day(end)}; it should be the whole year {year}",
            )
    if in_title is not None and in_body is not None and in_title != in_body:
        period_note = f"，统计期限为 {period[1][0]} 年" if period is not None else ""
        period_note_en = f", the statistics period {period[1][0]}" if period is not None else ""
        yield finding(
            "meta.year_conflict", (),
            f"标题为 {in_title} 年，正文开头为 {in_body} 年{period_note}；gknb 按 {year} 年（取自{source}）检查，"
            "请确认报告年度",
            f"the title says {in_title}, the text opens with {in_body}{period_note_en}; gknb checked it as "
            f"{year} (from {source_en}): confirm the report year",
        )
