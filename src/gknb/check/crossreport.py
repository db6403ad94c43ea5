"""Checks across the units of one year: text copied from another unit's report (S12 鲤城 score sheet:
"年度报告与往年或与其他单位雷同扣5分"; 30号 §(四): "内容雷同、敷衍塞责").

Like the cross-year rules these need other reports; ``same_year_copies(reports)`` is a pure function
over the reports of a region and year (the review deliverables call it on what the store holds),
and ``check(report)`` alone finds nothing for them.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterator, Sequence

from ..report import Finding, Report
from .crossyear import COPY_MIN_CHARS, COPY_RATIO, SECTION_NAMES, normalised_text
from .registry import finding, rule

SHINGLE = 4  # characters per shingle for the quick pre-filter
SHINGLE_MIN_OVERLAP = 0.6  # Jaccard of shingles below which two texts cannot be 90 % alike
MAX_NAMED = 5  # other units named in one finding


@rule("crossreport.copied_text", "warning", "章节文字与其他单位同年报告高度相同",
      "section text the same as another unit's report of the same year", needs_format=False)
def cross_report(report: Report, others: Sequence[Report] = ()) -> Iterator[Finding]:
    """Findings of ``report`` against the other units' reports of its year among ``others``."""
    index = len(others)
    yield from same_year_copies([*others, report])[index]


def same_year_copies(reports: Sequence[Report]) -> list[list[Finding]]:
    """For each report (same order), one finding per section whose text (numbers, punctuation and the
    unit's own name set aside) is ≥ ``COPY_RATIO`` alike the same section of another unit's report of
    the same year; it names those units (a copy across a region names several)."""
    texts = [_texts(report) for report in reports]
    shingles = [{key: _shingles(text) for key, text in unit.items()} for unit in texts]
    alike: list[dict[str, list[tuple[int, float]]]] = [{} for _ in reports]
    for i, first in enumerate(reports):
        for j in range(i + 1, len(reports)):
            second = reports[j]
            if first.meta.year is None or first.meta.year != second.meta.year or _same_unit(first, second):
                continue
            for key, text in texts[i].items():
                other = texts[j].get(key)
                if other is None or _jaccard(shingles[i][key], shingles[j][key]) < SHINGLE_MIN_OVERLAP:
                    continue
                ratio = difflib.SequenceMatcher(None, text, other, autojunk=False).ratio()
                if ratio >= COPY_RATIO:
                    alike[i].setdefault(key, []).append((j, ratio))
                    alike[j].setdefault(key, []).append((i, ratio))
    out: list[list[Finding]] = []
    for i, found in enumerate(alike):
        findings = []
        for key, matches in found.items():
            name, name_en = SECTION_NAMES[key]
            matches.sort(key=lambda m: -m[1])
            units = "、".join(f"{_unit(reports[j])}（{ratio:.0%}）" for j, ratio in matches[:MAX_NAMED])
            more = f"等 {len(matches)} 个单位" if len(matches) > MAX_NAMED else ""
            findings.append(finding(
                "crossreport.copied_text", (),
                f"“{name}”与同年 {units}{more}的报告文字高度相同（单位名称、数字除外）",
                f"section {name_en} is nearly the same as the {reports[i].meta.year} report of "
                f"{len(matches)} other unit(s): " + ", ".join(_unit(reports[j]) for j, _r in matches[:MAX_NAMED]),
            ))
        out.append(findings)
    return out


def _texts(report: Report) -> dict[str, str]:
    """Each long enough section's text for comparison, the unit's own name removed."""
    names = [n for n in (report.meta.agency, *report.meta.region.values()) if n]
    out = {}
    for key in SECTION_NAMES:
        text = report.sections.get(key) or ""
        for name in names:
            text = text.replace(name, "")
        text = normalised_text(text)
        if len(text) >= COPY_MIN_CHARS:
            out[key] = text
    return out


def _shingles(text: str) -> set[str]:
    return {text[i : i + SHINGLE] for i in range(max(1, len(text) - SHINGLE + 1))}


def _jaccard(a: set[str], b: set[str]) -> float:
    return len(a & b) / len(a | b) if a and b else 0.0


def _same_unit(a: Report, b: Report) -> bool:
    return bool(a.meta.agency) and a.meta.agency == b.meta.agency


def _unit(report: Report) -> str:
    return report.meta.agency or report.source.path or "未识别单位"
