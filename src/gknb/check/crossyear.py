"""Checks across years of one agency (formats-detail.md §6.4; §7 item 3 on copied reports).

These rules need the same agency's other reports, which only the store has: ``gknb.check(report)``
runs them with no other years, and they then find nothing. The pipeline (``pipeline.write``) calls
``cross_year(report, [previous])`` with the pairs of stored years the store hands it, and gives the
findings back to the store; every finding compares year Y with year Y−1.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator, Sequence
from functools import lru_cache

from ..formats import FORMATS, Format
from ..report import Finding, Report
from .registry import finding, rule

JUMP_RATIO = 10  # a count at least ten times (or a tenth of) last year's …
JUMP_MIN_CHANGE = 100  # … and changed by at least this much
COPY_RATIO = 0.9
COPY_MIN_CHARS = 100  # shorter sections (“无。”) are alike by nature


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
    yield from links(report, previous, fmt, before)
    yield from jumps(report, previous, fmt)


def previous_year(report: Report, others: Sequence[Report]) -> Report | None:
    """The last of ``others`` whose year is the year before ``report``'s."""
    year = report.meta.year
    if year is None:
        return None
    found = [o for o in others if o.meta.year == year - 1 and o is not report]
    return found[-1] if found else None


def links(report: Report, previous: Report, fmt: Format, before: Format) -> Iterator[Finding]:
    """The format's declared links with the year before (``Format.year_links``: identity 5, the 2019
    上一年项目数量, the 2021 现行有效件数), each where both years' formats have its cells."""
    year, last = report.meta.year, previous.meta.year
    for eq in fmt.year_equations(before):
        now = report.cells.get(eq.now)
        then = [previous.cells.get(k) for k in eq.before]
        plus = [report.cells.get(k) for k in eq.plus]
        minus = [report.cells.get(k) for k in eq.minus]
        if now is None or any(v is None for v in (*then, *plus, *minus)):
            continue
        expected = sum(then) + sum(plus) - sum(minus)
        if now == expected:
            continue
        label = fmt.cell_label
        head = f"{year} 年报告“{label(eq.now)}”为 {now}"
        head_en = f"{year} report {eq.now} = {now}"
        if len(eq.before) == 1 and not eq.plus and not eq.minus:
            yield finding(
                eq.link.code, eq.cells,
                f"{head}，而 {last} 年报告“{before.cell_label(eq.before[0])}”为 {then[0]}，二者应相等",
                f"{head_en}, but the {last} report {eq.before[0]} = {then[0]}; they should be equal",
            )
            continue
        terms = "、".join(f"“{before.cell_label(k)}” {v}" for k, v in zip(eq.before, then, strict=True))
        terms += "".join(f"加本年“{label(k)}” {v}" for k, v in zip(eq.plus, plus, strict=True))
        terms += "".join(f"减本年“{label(k)}” {v}" for k, v in zip(eq.minus, minus, strict=True))
        terms_en = " + ".join(f"{k} {v}" for k, v in zip(eq.before, then, strict=True))
        terms_en += "".join(f" + {k} {v}" for k, v in zip(eq.plus, plus, strict=True))
        terms_en += "".join(f" − {k} {v}" for k, v in zip(eq.minus, minus, strict=True))
        yield finding(
            eq.link.code, eq.cells,
            f"{head}，按 {last} 年报告{terms}应为 {expected}",
            f"{head_en}; from the {last} report, {terms_en} gives {expected}",
        )


def jumps(report: Report, previous: Report, fmt: Format) -> Iterator[Finding]:
    """Headline counts (``Format.headline``) that grew or shrank tenfold and by at least ``JUMP_MIN_CHANGE``."""
    for key in fmt.headline:
        now, then = report.cells.get(key), previous.cells.get(key)
        if now is None or then is None:
            continue
        low, high = sorted((now, then))
        if high - low >= JUMP_MIN_CHANGE and high >= JUMP_RATIO * max(low, 1):
            label = fmt.cell_label(key)
            yield finding(
                "crossyear.jump", (key,),
                f"“{label}”从 {previous.meta.year} 年的 {then} 变为 {report.meta.year} 年的 {now}，变化异常大，请核实",
                f"{key} went from {then} ({previous.meta.year}) to {now} ({report.meta.year}); please verify",
            )


def copied_text(report: Report, previous: Report) -> Iterator[Finding]:
    """Sections whose text is ≥ ``COPY_RATIO`` alike last year's (numbers and punctuation ignored)."""
    sections = (report.format or previous.format or FORMATS[next(iter(FORMATS))]).sections
    for section in sections:
        key, name, name_en = section.key, section.heading, section.title_en
        now, then = normalised_text(report.sections.get(key)), normalised_text(previous.sections.get(key))
        if min(len(now), len(then)) < COPY_MIN_CHARS:
            continue
        # difflib's, compiled: the same matches and ratios (loaded only for a report with last year's beside it)
        from cydifflib import SequenceMatcher

        matcher = SequenceMatcher(None, then, now, autojunk=False)
        if matcher.real_quick_ratio() < COPY_RATIO or matcher.quick_ratio() < COPY_RATIO:
            continue
        ratio = matcher.ratio()
        if ratio >= COPY_RATIO:
            yield finding(
                "crossyear.copied_text", (),
                f"“{name}”与 {previous.meta.year} 年报告的文字 {ratio:.0%} 相同",
                f"section {name_en} is {ratio:.0%} identical to the {previous.meta.year} report",
            )


_NUMBER = re.compile(r"\d+(?:\.\d+)?")
_NOT_LETTER_OR_NUMBER = re.compile(r"[^\w#]|_")  # \w: letters and numbers (str.isalnum), and _


@lru_cache(maxsize=256)  # a report is compared with the year before and with the year after
def normalised_text(text: str | None) -> str:
    """Text for similarity: NFKC, no spaces or punctuation, every number as ``#``."""
    if not text:
        return ""
    return _NOT_LETTER_OR_NUMBER.sub("", _NUMBER.sub("#", unicodedata.normalize("NFKC", text)))

