"""The report's outline as printed: the numerals of the six headings, sub-items printed at the top
level, and sections that are present but say nothing (第五部分「无」, problems without 改进).

These are the source-format errors review offices name (KIROGOVCOMPARE SourceOutlineAuditService:
"后半部分将法定二至六部分写成了一至五", "顶级编号出现重启"; 30号: 存在的主要问题**及改进情况**).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from functools import cache

from ..formats import FORMATS
from ..report import Finding, Report
from ..text import chinese_number, nfkc, normalize_label
from .facts import facts_for
from .registry import finding, rule

NUMERALS = "一二三四五六七八九十"
_PRINTED_NUMERAL = re.compile(rf"^\s*(?:第)?([{NUMERALS}]{{1,2}})\s*(?:部分)?\s*[、.．,，]")
_TOP_ITEM = re.compile(rf"^\s*([{NUMERALS}]{{1,2}})\s*、\s*(\S.*)$")
SUBITEM_MAX_CHARS = 30  # a heading-like line: short, not a sentence
EMPTY_MIN_CHARS = 10  # P1 narrative_sec5_gap: "无" or fewer than 10 characters
PROSE_REQUIRED = ("overview", "problems")  # sections whose content is prose (二–四 carry tables)
_NOTHING = re.compile(r"^(?:无|暂无|没有|本年度无|无相关情况|无其他需要报告的事项)$")
IMPROVEMENT = re.compile(
    r"改进|改善|整改|下一步|下步|今后|下一年|来年|明年|措施|努力|计划|力争|拟|将|进一步|加强|提升|提高|完善|强化|加大|优化"
)
# "有待进一步提高", "需加强": words of improvement inside the statement of a problem
_STILL_A_PROBLEM = re.compile(r"(?:有待|亟待|亟需|仍需|尚需|还需|需要|需|不够|不足|欠)$")


def _numeral(text: str) -> int:
    return chinese_number(text) or 0


@cache
def _table_row_starts() -> tuple[str, ...]:
    """Comparison forms of the numbered table rows (一、本年新收…, 四、结转下年度…) that prose may keep."""
    labels = {normalize_label(text) for fmt in FORMATS.values() for table in fmt.tables
              for text in (*table.group_labels, *(r.label for b in table.blocks for r in b.rows))}
    return tuple(sorted(label[:5] for label in labels if _PRINTED_NUMERAL.match(label)))


@rule("section.numbering", needs_format=False)
def numbering(report: Report) -> Iterator[Finding]:
    """Each heading prints its official numeral (一 … 六): not shifted (二–六 as 一–五), not restarted."""
    if report.format is None or not report.headings:
        return
    facts = facts_for(report.format)
    printed: list[tuple[str, str, str]] = []  # (section key, printed numeral, official numeral)
    for key in dict.fromkeys(report.section_order):
        heading = unicodedata.normalize("NFKC", report.headings.get(key, ""))
        match = _PRINTED_NUMERAL.match(heading)
        official = facts.section_headings.get(key, "").split("、")[0]
        if match and official:
            printed.append((key, match[1], official))
    wrong = [(key, got, want) for key, got, want in printed if got != want]
    if not wrong:
        return
    shifted = all(_numeral(got) == _numeral(want) - 1 for _k, got, want in wrong) and len(wrong) >= 2
    values = [_numeral(got) for _k, got, _w in printed]
    restarted = any(b <= a for a, b in zip(values, values[1:], strict=False))
    listed = "；".join(f"「{report.headings[key][:20]}」应为「{want}、」" for key, _g, want in wrong)
    if shifted:
        what, what_en = f"法定第{wrong[0][2]}至第{wrong[-1][2]}部分的编号整体少一位", "numbered one too low"
    elif restarted:
        what, what_en = "章节编号重新开始或重复", "numbering restarts or repeats"
    else:
        what, what_en = "章节编号与统一格式不一致", "numerals differ from the official ones"
    yield finding(
        "section.numbering", (), f"{what}：{listed}（统一格式为一至六）",
        f"section headings {what_en}: " + ", ".join(f"{key} printed {got}、 for {want}、" for key, got, want in wrong),
    )


@rule("section.subitem_promoted", needs_format=False)
def promoted_subitems(report: Report) -> Iterator[Finding]:
    """Inside a section, sub-items are （一）（二）…; a line numbered 一、二、 is a second top-level numbering."""
    if report.format is None:
        return
    facts = facts_for(report.format)
    rows = _table_row_starts()
    for key, heading in facts.section_headings.items():
        lines = []
        for line in (report.sections.get(key) or "").splitlines():
            text = nfkc(line).strip()  # one line: nfkc's remembered folding of it
            match = _TOP_ITEM.match(text)
            if (match and len(text) <= SUBITEM_MAX_CHARS and not text.endswith(("。", ";", "；"))
                    and not normalize_label(text).startswith(rows)):
                lines.append(text)
        if lines:
            quoted = "、".join(f"「{line}」" for line in lines[:4])
            yield finding(
                "section.subitem_promoted", (),
                f"「{heading}」中的小标题{quoted}使用了与章节相同的一级编号（一、二、…），"
                "应使用（一）（二）…，以免与法定六个部分混淆",
                f"section {key}: sub-items numbered like top-level sections ({len(lines)}: {lines[0]}); "
                "use （一）（二）…",
            )


def _improvements(text: str) -> list[str]:
    """The words of improvement in ``text`` that are not part of a problem's statement (有待提高)."""
    return [m[0] for m in IMPROVEMENT.finditer(text) if not _STILL_A_PROBLEM.search(text[max(0, m.start() - 3):m.start()])
            and not _STILL_A_PROBLEM.search(text[max(0, m.start() - 6):m.start()].replace("进一步", ""))]


class _LettersAndNumbers(dict):
    """A ``str.translate`` table keeping letters and numbers (Unicode categories L*, N*) and dropping
    every other character; each character's category is looked up once."""

    def __missing__(self, code: int) -> int | None:
        kept = code if unicodedata.category(chr(code))[0] in "LN" else None
        self[code] = kept
        return kept


_LETTERS_AND_NUMBERS = _LettersAndNumbers()


@rule("section.empty", needs_format=False)
@rule("problems.no_improvement", needs_format=False)
def empty_sections(report: Report) -> Iterator[Finding]:
    """总体情况 and 存在的主要问题及改进情况 say something (not 「无」); 五 states improvements too."""
    if report.format is None:
        return
    facts = facts_for(report.format)
    order = list(dict.fromkeys(report.section_order))
    last_of_format = next(reversed(facts.section_headings))
    for key in PROSE_REQUIRED:
        text = report.sections.get(key)
        if text is None:
            continue  # section.missing
        if order and order[-1] == key != last_of_format:
            continue  # the copy ends in this section (cut off): its emptiness says nothing
        bare = nfkc(text).translate(_LETTERS_AND_NUMBERS)
        heading = facts.section_headings.get(key, key)
        if len(bare) < EMPTY_MIN_CHARS or _NOTHING.match(bare):
            shown = text.strip()[:20] or "（空白）"
            yield finding(
                "section.empty", (), f"「{heading}」只有「{shown}」，没有实际内容",
                f"section {key} has no content beyond “{shown}”",
            )
        elif key == "problems" and not _improvements(bare):
            yield finding(
                "problems.no_improvement", (),
                f"「{heading}」只列出问题，未写改进措施或改进情况（应逐条提出改进措施）",
                "section 五 lists problems but states no improvement measures",
            )
