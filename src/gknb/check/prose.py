"""The prose against the tables, and what the narrative sections must mention.

Text-versus-table heuristics (formats-detail.md §6.5) are deliberately conservative: a number is
compared only when its sentence names the quantity unambiguously, mentions no other year and makes
no comparison with earlier years; numbers of 条/次, years and dates never match the patterns.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from functools import cache, lru_cache

from ..report import Finding, Report, Value
from ..text import chinese_number
from .facts import FormatFacts, facts_for
from .registry import finding, rule

PROSE_SECTIONS = ("overview", "requests", "review", "disclosure")
FEE_RULES_YEAR = 2021  # 国办函〔2020〕109号 in force from 2021-01-01

_NUMERAL = "零〇一二两三四五六七八九十百千"
_NUM = rf"(?P<num>\d+|[{_NUMERAL}]+)"
_GAP = rf"[^\d{_NUMERAL},，。;:：]"  # filler inside one clause: no number, no clause break
_SENTENCE = re.compile(r"[。;!?\n]+")
_CLAUSE = re.compile(r"[,，]")
_YEAR = re.compile(r"((?:19|20)\d{2})\s*年")
_COMPARISON = re.compile(r"同比|较上年|比上年|较去年|比去年|上一年度(?!结转)|去年(?!结转)|累计|历年|以来")
_COUNT = re.compile(rf"(?:\d|[{_NUMERAL}])\s*[件起宗个]")
_REQUEST_WORDS = r"政府信息公开|信息公开|依申请公开|公开政府信息"
_RECEIVED = r"收到|受理|新收|接到|接收"
_TOPIC = re.compile(r"申请|复议|诉讼|规范性文件|结转|办结|行政许可|行政处罚|行政强制")


@dataclass(frozen=True)
class Quantity:
    """A quantity the prose states: its wording, the cells it equals (summed) and words that disqualify."""

    name: str
    zh: str
    pattern: re.Pattern[str]
    cells: tuple[str, ...]
    forbidden: str  # a pattern, compiled on first use (``_compiled``): only a stated number's gap is tried
    sentence_needs: str | None = "申请"
    sentence_excludes: str | None = None  # the sentence speaks of something else when it has this word


_NOT_REQUESTS = r"复议|诉讼|投诉|举报|建议|提案|来信|结转|办结|答复|予以|不予|部分|处理|条|次"
_NOT_REVIEW = r"诉讼|复议|、|和|及|与|或|纠正|维持|撤销|审结|决定|被告|其中"
_DOCS = r"(?:行政)?规范性文件"
_NOT_DOCS = r"规章|累计|清理|备案|审查|解读"
_NOT_DECISIONS = r"事项|清单|目录|信息|申请|复议|诉讼|累计|类|公示|双公示|案卷|听证"
_RESULT_GAP = r"(?P<gap>[^。;!?诉]{0,30}?)"  # from 行政复议 to its result, within the sentence
_RESULT_GAP_LITIGATION = r"(?P<gap>[^。;!?复]{0,30}?)"
_NOT_RESULT = r"未被|没有被|未|无"

QUANTITIES = (
    Quantity(
        "requests_new", "收到政府信息公开申请",
        re.compile(rf"(?:{_RECEIVED})(?P<gap>{_GAP}{{0,10}}?(?:{_REQUEST_WORDS}){_GAP}{{0,8}}?){_NUM}\s*件"),
        ("requests.new.total",),
        _NOT_REQUESTS + r"|公开(?!申请|政府信息|$)",
    ),
    Quantity(
        "requests_new", "收到政府信息公开申请",
        re.compile(rf"(?:{_RECEIVED})了?{_NUM}\s*件的?(?P<gap>{_REQUEST_WORDS})的?申请"),
        ("requests.new.total",),
        _NOT_REQUESTS,
    ),
    Quantity(
        "requests_handled", "共办理政府信息公开申请",
        re.compile(rf"共(?:计)?办理(?P<gap>{_GAP}{{0,12}}?申请{_GAP}{{0,6}}?){_NUM}\s*件"),
        ("requests.new.total", "requests.carried_over.total"),
        r"复议|诉讼|投诉|举报|建议|提案|来信|结转|予以|不予|部分|条|次",
    ),
    Quantity(
        "requests_closed", "办结",
        re.compile(rf"办结(?P<gap>{_GAP}{{0,6}}?){_NUM}\s*件"),
        ("requests.total.total",),
        r"率|复议|诉讼|投诉|建议|提案|结转|条|次",
    ),
    Quantity(
        "requests_granted", "予以公开",
        re.compile(rf"(?:予以公开|准予公开|同意公开)(?P<gap>{_GAP}{{0,4}}?){_NUM}\s*件"),
        ("requests.granted.total",),
        r"部分|不予|复议|诉讼|条|次",
    ),
    Quantity(
        "requests_partial", "部分公开",
        re.compile(rf"部分公开(?P<gap>{_GAP}{{0,4}}?){_NUM}\s*件"),
        ("requests.partial.total",),
        r"不予|复议|诉讼|条|次",
    ),
    Quantity(
        "review", "行政复议",
        re.compile(rf"行政复议(?P<gap>{_GAP}{{0,6}}?){_NUM}\s*[件起宗]"),
        ("review.review.total",),
        _NOT_REVIEW,
        sentence_needs=None,
    ),
    Quantity(
        "litigation", "行政诉讼",
        re.compile(rf"行政诉讼(?P<gap>{_GAP}{{0,6}}?){_NUM}\s*[件起宗]"),
        ("review.litigation_direct.total", "review.litigation_after_review.total"),
        _NOT_REVIEW,
        sentence_needs=None,
    ),
    Quantity(
        "requests_carried_over", "上年结转政府信息公开申请",
        re.compile(rf"(?:上一?年度?|去年)结转(?P<gap>{_GAP}{{0,10}}?){_NUM}\s*件"),
        ("requests.carried_over.total",),
        r"下年|下一年|复议|诉讼|办结|条|次",
        sentence_needs=None,
    ),
    Quantity(
        "requests_carry_forward", "结转下年度继续办理",
        re.compile(rf"(?:结转|转入|转)(?:至|到)?下一?年度?(?:继续)?(?:办理)?(?P<gap>{_GAP}{{0,6}}?){_NUM}\s*件"),
        ("requests.carry_forward.total",),
        r"复议|诉讼|条|次",
        sentence_needs=None,
    ),
    Quantity(
        "requests_carry_forward", "结转下年度继续办理",
        re.compile(rf"{_NUM}\s*件(?P<gap>{_GAP}{{0,4}}?)(?:结转|转入)(?:至|到)?下一?年"),
        ("requests.carry_forward.total",),
        r"复议|诉讼|已|办结|答复",
        sentence_needs=None,
    ),
    Quantity(
        "normative_docs_in_force", "现行有效行政规范性文件",
        re.compile(rf"现行有效的?(?P<gap>{_GAP}{{0,3}}?{_DOCS}{_GAP}{{0,4}}?){_NUM}\s*[件个份]"),
        ("disclosure.normative_docs.in_force",),
        _NOT_DOCS + r"|废止|制发|印发",
        sentence_needs=None,
    ),
    Quantity(
        "normative_docs_in_force", "现行有效行政规范性文件",
        re.compile(rf"{_DOCS}(?P<gap>{_GAP}{{0,8}}?)现行有效的?(?:文件)?(?:共)?{_NUM}\s*[件个份]"),
        ("disclosure.normative_docs.in_force",),
        _NOT_DOCS + r"|废止|制发|印发",
        sentence_needs=None,
    ),
    Quantity(
        "normative_docs_repealed", "废止行政规范性文件",
        re.compile(rf"(?:废止|宣布失效|废除)了?(?P<gap>{_GAP}{{0,3}}?{_DOCS}{_GAP}{{0,4}}?){_NUM}\s*[件个份]"),
        ("disclosure.normative_docs.repealed",),
        _NOT_DOCS + r"|现行|有效|制发|印发",
        sentence_needs=None,
    ),
    Quantity(
        "normative_docs_repealed", "废止行政规范性文件",
        re.compile(rf"{_DOCS}(?P<gap>{_GAP}{{0,6}}?)(?:废止|宣布失效|废除)(?:了)?{_NUM}\s*[件个份]"),
        ("disclosure.normative_docs.repealed",),
        _NOT_DOCS + r"|现行|有效|制发|印发",
        sentence_needs=None,
    ),
    Quantity(
        "licensing", "行政许可决定",
        re.compile(rf"行政许可(?:处理)?(?:决定)?(?P<gap>{_GAP}{{0,6}}?){_NUM}\s*件"),
        ("disclosure.licensing.decisions",),
        _NOT_DECISIONS,
        sentence_needs=None,
    ),
    Quantity(
        "punishment", "行政处罚决定",
        re.compile(rf"行政处罚(?:处理)?(?:决定)?(?P<gap>{_GAP}{{0,6}}?){_NUM}\s*件"),
        ("disclosure.punishment.decisions",),
        _NOT_DECISIONS,
        sentence_needs=None,
    ),
    Quantity(
        "coercion", "行政强制决定",
        re.compile(rf"行政强制(?:处理)?(?:决定)?(?P<gap>{_GAP}{{0,6}}?){_NUM}\s*件"),
        ("disclosure.coercion.decisions",),
        _NOT_DECISIONS,
        sentence_needs=None,
    ),
    Quantity(
        "review_upheld", "行政复议结果维持",
        re.compile(rf"行政复议{_RESULT_GAP}(?:结果)?(?:被)?维持(?:原(?:行政行为|决定|具体行政行为))?{_NUM}\s*[件起宗]"),
        ("review.review.upheld",),
        _NOT_RESULT,
        sentence_needs=None, sentence_excludes="诉讼",
    ),
    Quantity(
        "review_corrected", "行政复议结果纠正",
        re.compile(rf"行政复议{_RESULT_GAP}(?:结果)?(?:被)?(?:纠正|撤销|纠错){_NUM}\s*[件起宗]"),
        ("review.review.corrected",),
        _NOT_RESULT,
        sentence_needs=None, sentence_excludes="诉讼",
    ),
    Quantity(
        "litigation_upheld", "行政诉讼结果维持",
        re.compile(rf"行政诉讼{_RESULT_GAP_LITIGATION}(?:结果)?(?:被)?维持(?:原(?:行政行为|决定|具体行政行为))?{_NUM}\s*[件起宗]"),
        ("review.litigation_direct.upheld", "review.litigation_after_review.upheld"),
        _NOT_RESULT,
        sentence_needs=None, sentence_excludes="复议",
    ),
    Quantity(
        "litigation_corrected", "行政诉讼结果纠正",
        re.compile(rf"行政诉讼{_RESULT_GAP_LITIGATION}(?:结果)?(?:被)?(?:纠正|撤销|败诉){_NUM}\s*[件起宗]"),
        ("review.litigation_direct.corrected", "review.litigation_after_review.corrected"),
        _NOT_RESULT,
        sentence_needs=None, sentence_excludes="复议",
    ),
    Quantity(
        "normative_docs_made", "制发行政规范性文件",
        re.compile(rf"制发了?(?:行政)?规范性文件(?P<gap>{_GAP}{{0,4}}?){_NUM}\s*[件个份]"),
        ("disclosure.normative_docs.made",),
        r"有效|废止|清理|累计",
        sentence_needs=None,
    ),
)

_NEGATION_REQUESTS = re.compile(
    r"(?:未|没有|无)(?:收到|接到|受理|发生|接收)|无(?=(?:政府)?信息公开申请|依申请公开)"
)
_NOT_NONE_REQUESTS = re.compile(
    r"复议|诉讼|投诉|举报|法人|组织|企业|自然人|机构|个人|逾期|收费|费用|撤回|补正|重复|不予|延期|超期|以外|除|建议|提案"
)
_NEGATION_REVIEW = re.compile(
    r"(?:未|没有|无)(?:发生|出现|收到|接到|受理|产生|涉及|被申请|被提起|因)|无(?=行政复议|行政诉讼)"
)
_NOT_NONE_REVIEW = re.compile(r"纠正|撤销|败诉|胜诉|维持|违法|判决|审结|被告|未经|尚未|以外|除")
REQUESTS_NEW_TOTAL = "requests.new.total"
_MAX_DIGITS = 18
REVIEW_TOTAL = ("review.review.total",)
LITIGATION_TOTAL = ("review.litigation_direct.total", "review.litigation_after_review.total")


def _sentences(report: Report) -> tuple[str, ...]:
    """Sentences of the prose sections that speak of the report year only and compare with nothing."""
    return _year_sentences(tuple(report.sections.get(key) for key in PROSE_SECTIONS), report.meta.year)


@lru_cache(maxsize=2)  # the rules of one report ask twice in a row
def _year_sentences(texts: tuple[str | None, ...], year: int | None) -> tuple[str, ...]:
    found = []
    for text in texts:
        if not text:
            continue
        for sentence in _SENTENCE.split(unicodedata.normalize("NFKC", text)):
            if not _TOPIC.search(sentence):
                continue
            if any(int(y) != year for y in _YEAR.findall(sentence)) or _COMPARISON.search(sentence):
                continue
            found.append(sentence)
    return tuple(found)


def _table_value(report: Report, facts: FormatFacts, keys: tuple[str, ...]) -> Value:
    """The sum of ``keys`` in the table; None if the format lacks one of them or one is blank."""
    total: int | Decimal = 0
    for key in keys:
        value = report.cells.get(key) if key in facts.position else None
        if value is None:
            return None
        total += value
    return total


@rule("text.none_but_table")
@rule("text.table_mismatch")
def text_versus_table(report: Report) -> Iterator[Finding]:
    """Numbers and statements of none in the prose must agree with the cells they describe."""
    facts = facts_for(report.format)
    reported: set[tuple[str, int]] = set()
    for sentence in _sentences(report):
        for quantity in QUANTITIES:
            if quantity.sentence_needs and quantity.sentence_needs not in sentence:
                continue
            if quantity.sentence_excludes and quantity.sentence_excludes in sentence:
                continue
            for match in quantity.pattern.finditer(sentence):
                stated = _stated(match, quantity)
                if stated is None or (quantity.name, stated) in reported:
                    continue
                table = _table_value(report, facts, quantity.cells)
                if table is None or table == stated:
                    continue
                reported.add((quantity.name, stated))
                cells = " + ".join(facts.quoted(key) for key in quantity.cells)
                yield finding(
                    "text.table_mismatch", quantity.cells,
                    f"正文称{quantity.zh} {stated} 件（「{_excerpt(sentence, match)}」），"
                    f"表格{cells}为 {table}",
                    f"the text states {stated} ({quantity.name}: “{_excerpt(sentence, match)}”), "
                    f"the table has {table} ({' + '.join(quantity.cells)})",
                )
        yield from _statements_of_none(report, facts, sentence, reported)


@cache
def _compiled(pattern: str) -> re.Pattern[str]:
    """``pattern`` compiled, once: most checks state none of the quantities, and start-up is a one-file
    command's cost (issue 15)."""
    return re.compile(pattern)


def _stated(match: re.Match[str], quantity: Quantity) -> int | None:
    if _compiled(quantity.forbidden).search(match["gap"]):
        return None
    number = match["num"]  # digits or a Chinese numeral; runs of more digits than any count a report states are none
    return chinese_number(number) if len(number) <= _MAX_DIGITS else None


def _excerpt(sentence: str, match: re.Match[str]) -> str:
    start = max(0, match.start() - 12)
    return sentence[start:match.end()].strip()


def _statements_of_none(
    report: Report, facts: FormatFacts, sentence: str, reported: set[tuple[str, int]]
) -> Iterator[Finding]:
    for clause in _CLAUSE.split(sentence):
        if _COUNT.search(clause):
            continue
        negation = _NEGATION_REQUESTS.search(clause)
        if negation and not _NOT_NONE_REQUESTS.search(clause):
            rest = clause[negation.start():]
            if "申请" in rest and ("信息" in rest or "依申请" in rest):
                yield from _none_but(report, facts, "requests_new", (REQUESTS_NEW_TOTAL,), clause, reported)
            continue
        negation = _NEGATION_REVIEW.search(clause)
        if negation and not _NOT_NONE_REVIEW.search(clause):
            rest = clause[negation.start():]
            if "复议" in rest:
                yield from _none_but(report, facts, "review", REVIEW_TOTAL, clause, reported)
            if "诉讼" in rest:
                yield from _none_but(report, facts, "litigation", LITIGATION_TOTAL, clause, reported)


def _none_but(
    report: Report, facts: FormatFacts, name: str, keys: tuple[str, ...], clause: str,
    reported: set[tuple[str, int]],
) -> Iterator[Finding]:
    table = _table_value(report, facts, keys)
    if not table or (name, 0) in reported:
        return
    reported.add((name, 0))
    cells = " + ".join(facts.quoted(key) for key in keys)
    yield finding(
        "text.none_but_table", keys,
        f"正文称「{clause.strip()}」，但表格{cells}为 {table}",
        f"the text says there were none (“{clause.strip()}”), but the table has {table} ({' + '.join(keys)})",
    )


_ALL_CLOSED = re.compile(
    r"(?:所有|全部|一律|均已?|已全部|全都)[^。;，,\d]{0,8}?(?:办结|办理完毕|办理完成|处理完毕|答复完毕|完成办理)"
)
_NO_CARRY_FORWARD = re.compile(
    r"(?:无|没有|未有|不存在|无需)(?:申请)?(?:结转|转入下一?年)|结转下一?年度?(?:继续办理)?(?:的申请)?(?:为)?(?:0|零|无)(?!\d)"
)
_EXCEPTED = re.compile(r"其余|其他|除|以外|之外|结转")  # "除结转下年度的2件外，其余均已办结"
_NO_CARRIED_OVER = re.compile(r"上一?年度?(?:无|没有|未有)(?:申请)?结转|无上一?年度?结转")
CARRY_FORWARD_TOTAL = ("requests.carry_forward.total",)
CARRIED_OVER_TOTAL = ("requests.carried_over.total",)


@rule("text.closed_but_carried")
def closed_but_carried(report: Report) -> Iterator[Finding]:
    """"所有申请均已办结" or "无结转" while 四、结转下年度继续办理 > 0 (and "上年无结转" against 二、上年结转):
    the text contradicts the table (P4 SRC_TEXT_INTERNAL_CONTRADICTION)."""
    facts = facts_for(report.format)
    forward = _table_value(report, facts, CARRY_FORWARD_TOTAL)
    carried = _table_value(report, facts, CARRIED_OVER_TOTAL)
    if not forward and not carried:  # nothing in the table for the text to contradict
        return
    said: set[str] = set()
    for sentence in _sentences(report):
        for clause in _CLAUSE.split(sentence):
            if "上年" in clause or "上一年" in clause:
                keys, table, name = CARRIED_OVER_TOTAL, carried, "carried"
                if not table or name in said:  # (the clause's wording then says nothing)
                    continue
                match = _NO_CARRIED_OVER.search(clause)
            else:
                keys, table, name = CARRY_FORWARD_TOTAL, forward, "forward"
                if not table or name in said:
                    continue
                match = _NO_CARRY_FORWARD.search(clause)
                if (match is None and "申请" in sentence and not _COUNT.search(clause)
                        and not _EXCEPTED.search(sentence)):
                    match = _ALL_CLOSED.search(clause)
            if match is None:
                continue
            said.add(name)
            cells = facts.quoted(keys[0])
            yield finding(
                "text.closed_but_carried", keys,
                f"正文称「{clause.strip()[:60]}」，但表格{cells}为 {table}",
                f"the text says “{clause.strip()[:60]}”, but the table has {table} ({keys[0]})",
            )


@rule("other.fee_not_reported")
def fee_reported(report: Report) -> Iterator[Finding]:
    """From 2021 (国办函〔2020〕109号), section 六 should state the 信息处理费 charged, even if none."""
    year = report.meta.year if report.meta.year is not None else report.format.years[0]
    text = report.sections.get("other")
    if year < FEE_RULES_YEAR or text is None:
        return
    if not re.search(r"信息处理费|收费|收取.{0,8}费|费用|缴费|计费|免费", text):
        yield finding(
            "other.fee_not_reported", (),
            "「六、其他需要报告的事项」未说明信息处理费收取情况（国办函〔2020〕109号；未收取也应写明）",
            "section 六 does not say whether information-processing fees were charged "
            "(国办函〔2020〕109号; state it even when none were)",
        )


_GOVERNMENT = re.compile(r"(人民政府|政府)$")
ACCOUNTABILITY_WORDS = ("考核", "评议", "责任追究")


@rule("content.accountability_missing")
def accountability(report: Report) -> Iterator[Finding]:
    """《条例》第五十条（四）: people's governments also report 工作考核、社会评议和责任追究结果."""
    if not _GOVERNMENT.search((report.meta.agency or "").strip()):
        return
    text = "".join(t for t in report.sections.values() if t)
    missing = [word for word in ACCOUNTABILITY_WORDS if word not in text]
    if missing:
        yield finding(
            "content.accountability_missing", (),
            f"人民政府的年度报告应包括工作考核、社会评议和责任追究结果情况（《条例》第五十条），未提及：{'、'.join(missing)}",
            "a people's government report must cover assessment, public evaluation and accountability "
            f"(art. 50); not mentioned: {'、'.join(missing)}",
        )
