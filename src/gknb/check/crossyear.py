"""Checks across years of one agency (formats-detail.md §6.4; §7 item 3 on copied reports).

These rules need the same agency's other reports, which only the store has: ``gknb.check(report)``
runs them with no other years, and they then find nothing. The store calls ``cross_year(report,
others)`` with the agency's stored reports; every finding compares year Y with year Y−1.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections.abc import Iterator, Sequence

from ..formats import Format
from ..report import Finding, Report
from .registry import finding, rule

JUMP_KEYS = (
    "requests.new.total", "requests.total.total", "review.review.total", "review.litigation_direct.total",
    "review.litigation_after_review.total", "disclosure.licensing.decisions", "disclosure.punishment.decisions",
    "disclosure.coercion.decisions",
)
JUMP_RATIO = 10  # a count at least ten times (or a tenth of) last year's …
JUMP_MIN_CHANGE = 100  # … and changed by at least this much
PREV_ITEM_ROWS = ("licensing", "other_services", "punishment", "coercion", "fees")
COPY_RATIO = 0.9
COPY_MIN_CHARS = 100  # shorter sections (“无。”) are alike by nature
SECTION_NAMES = {
    "overview": ("一、总体情况", "I. Overview"),
    "disclosure": ("二、主动公开政府信息情况", "II. Proactive disclosure"),
    "requests": ("三、收到和处理政府信息公开申请情况", "III. Requests"),
    "review": ("四、政府信息公开行政复议、行政诉讼情况", "IV. Review and litigation"),
    "problems": ("五、存在的主要问题及改进情况", "V. Problems and improvements"),
    "other": ("六、其他需要报告的事项", "VI. Other matters"),
}


@rule("crossyear.carry_over")
@rule("crossyear.jump")
@rule("crossyear.prev_items")
@rule("crossyear.in_force")
@rule("crossyear.copied_text", needs_format=False)
def cross_year(report: Report, others: Sequence[Report] = ()) -> Iterator[Finding]:
    """Findings of ``report`` against the same agency's report of the year before, among ``others``."""
    previous = previous_year(report, others)
    if previous is None:
        return
    yield from copied_text(report, previous)
    fmt, before = report.format, previous.format
    if fmt is None or before is None:
        return
    yield from carry_over(report, previous, fmt)
    yield from jumps(report, previous, fmt)
    if fmt.version == before.version == "2019":
        yield from prev_items(report, previous, fmt)
    if fmt.version == before.version == "2021":
        yield from in_force(report, previous, fmt)


def previous_year(report: Report, others: Sequence[Report]) -> Report | None:
    """The last of ``others`` whose year is the year before ``report``'s."""
    year = report.meta.year
    if year is None:
        return None
    found = [o for o in others if o.meta.year == year - 1 and o is not report]
    return found[-1] if found else None


def carry_over(report: Report, previous: Report, fmt: Format) -> Iterator[Finding]:
    """Identity 5: 二、上年结转 (Y) = 四、结转下年度继续办理 (Y−1), for every column of section 三."""
    year, last = report.meta.year, previous.meta.year
    for key, *_ in fmt.table("requests").cells():
        if not key.startswith("requests.carried_over."):
            continue
        forward = key.replace(".carried_over.", ".carry_forward.")
        now, then = report.cells.get(key), previous.cells.get(forward)
        if now is None or then is None or now == then:
            continue
        label, label_prev = fmt.cell_label(key), fmt.cell_label(forward)
        yield finding(
            "crossyear.carry_over", (key, forward),
            f"{year} 年报告“{label}”为 {now}，而 {last} 年报告“{label_prev}”为 {then}，二者应相等",
            f"{year} report {key} = {now}, but the {last} report {forward} = {then}; they should be equal",
        )


def jumps(report: Report, previous: Report, fmt: Format) -> Iterator[Finding]:
    """Headline counts that grew or shrank tenfold and by at least ``JUMP_MIN_CHANGE``."""
    keys = set(fmt.cell_keys())
    for key in JUMP_KEYS:
        now, then = report.cells.get(key), previous.cells.get(key)
        if key not in keys or now is None or then is None:
            continue
        low, high = sorted((now, then))
        if high - low >= JUMP_MIN_CHANGE and high >= JUMP_RATIO * max(low, 1):
            label = fmt.cell_label(key)
            yield finding(
                "crossyear.jump", (key,),
                f"“{label}”从 {previous.meta.year} 年的 {then} 变为 {report.meta.year} 年的 {now}，变化异常大，请核实",
                f"{key} went from {then} ({previous.meta.year}) to {now} ({report.meta.year}); please verify",
            )


def prev_items(report: Report, previous: Report, fmt: Format) -> Iterator[Finding]:
    """2019 format: 上一年项目数量 (Y) = 上一年项目数量 (Y−1) + 本年增/减 (Y−1)."""
    for row in PREV_ITEM_ROWS:
        key, change = f"disclosure.{row}.prev_items", f"disclosure.{row}.change"
        now, then, delta = report.cells.get(key), previous.cells.get(key), previous.cells.get(change)
        if now is None or then is None or delta is None or now == then + delta:
            continue
        yield finding(
            "crossyear.prev_items", (key,),
            f"“{fmt.cell_label(key)}”为 {now}，而上一年报告为 {then}、本年增/减 {delta}，应为 {then + delta}",
            f"{key} = {now}, but last year's report gives {then} and a change of {delta}: expected {then + delta}",
        )


def in_force(report: Report, previous: Report, fmt: Format) -> Iterator[Finding]:
    """2021 format: 现行有效件数 (Y) ≈ 现行有效件数 (Y−1) + 本年制发 (Y) − 本年废止 (Y) (a heuristic)."""
    for row in ("regulations", "normative_docs"):
        key = f"disclosure.{row}.in_force"
        now, then = report.cells.get(key), previous.cells.get(key)
        made, repealed = report.cells.get(f"disclosure.{row}.made"), report.cells.get(f"disclosure.{row}.repealed")
        if now is None or then is None or made is None or repealed is None:
            continue
        expected = then + made - repealed
        if now == expected:
            continue
        yield finding(
            "crossyear.in_force", (key, f"disclosure.{row}.made", f"disclosure.{row}.repealed"),
            f"“{fmt.cell_label(key)}”为 {now}，按上一年 {then} 加本年制发 {made} 减废止 {repealed} 应约为 {expected}",
            f"{key} = {now}; last year's {then} + made {made} − repealed {repealed} gives {expected}",
        )


def copied_text(report: Report, previous: Report) -> Iterator[Finding]:
    """Sections whose text is ≥ ``COPY_RATIO`` alike last year's (numbers and punctuation ignored)."""
    for key, (name, name_en) in SECTION_NAMES.items():
        now, then = normalised_text(report.sections.get(key)), normalised_text(previous.sections.get(key))
        if min(len(now), len(then)) < COPY_MIN_CHARS:
            continue
        matcher = difflib.SequenceMatcher(None, then, now, autojunk=False)
        if matcher.real_quick_ratio() < COPY_RATIO or matcher.quick_ratio() < COPY_RATIO:
            continue
        ratio = matcher.ratio()
        if ratio >= COPY_RATIO:
            yield finding(
                "crossyear.copied_text", (),
                f"“{name}”与 {previous.meta.year} 年报告的文字 {ratio:.0%} 相同",
                f"section {name_en} is {ratio:.0%} identical to the {previous.meta.year} report",
            )


def normalised_text(text: str | None) -> str:
    """Text for similarity: NFKC, no spaces or punctuation, every number as ``#``."""
    if not text:
        return ""
    text = unicodedata.normalize("NFKC", text)
    text = re.sub(r"\d+(?:\.\d+)?", "#", text)
    return "".join(ch for ch in text if ch == "#" or unicodedata.category(ch)[0] in "LN")

