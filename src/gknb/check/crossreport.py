"""Checks across the units of one year: text copied from another unit's report (S12 鲤城 score sheet:
"年度报告与往年或与其他单位雷同扣5分"; 30号 §(四): "内容雷同、敷衍塞责").

Like the cross-year rules these need other reports; ``same_year_copies(reports)`` is a pure function
over the reports of a region and year (the review deliverables call it on what the store holds),
and ``check(report)`` alone finds nothing for them.
"""

from __future__ import annotations

import zlib
from collections import Counter, defaultdict
from collections.abc import Iterator, Sequence

from ..formats.common import SECTIONS
from ..report import Finding, Report
from .crossyear import COPY_MIN_CHARS, COPY_RATIO, normalised_text
from .registry import finding, rule

SHINGLE = 4  # characters per shingle for the quick pre-filter
SHINGLE_MIN_OVERLAP = 0.6  # Jaccard of shingles below which two texts cannot be 90 % alike
SAMPLE = 4  # one shingle in SAMPLE goes into the candidate index
MAX_NAMED = 5  # other units named in one finding
SECTION_HEADINGS = {s.key: (s.heading, s.title_en) for s in SECTIONS}  # key → (Chinese heading, English)


@rule("crossreport.copied_text", needs_format=False)
def cross_report(report: Report, others: Sequence[Report] = ()) -> Iterator[Finding]:
    """Findings of ``report`` against the other units' reports of its year among ``others``."""
    if not others:  # alone (``check(report)``): no other unit to be alike
        return
    index = len(others)
    yield from same_year_copies([*others, report])[index]


def same_year_copies(reports: Sequence[Report]) -> list[list[Finding]]:
    """For each report (same order), one finding per section whose text (numbers, punctuation and the
    unit's own name set aside) is ≥ ``COPY_RATIO`` alike the same section of another unit's report of
    the same year; it names those units (a copy across a region names several)."""
    texts = [_texts(report) for report in reports]
    shingles = [{key: _shingles(text) for key, text in unit.items()} for unit in texts]
    alike: list[dict[str, list[tuple[int, float]]]] = [{} for _ in reports]
    for i, j, key in _candidates(reports, shingles):
        if _jaccard(shingles[i][key], shingles[j][key]) < SHINGLE_MIN_OVERLAP:
            continue
        import difflib  # only for a pair of reports this alike

        ratio = difflib.SequenceMatcher(None, texts[i][key], texts[j][key], autojunk=False).ratio()
        if ratio >= COPY_RATIO:
            alike[i].setdefault(key, []).append((j, ratio))
            alike[j].setdefault(key, []).append((i, ratio))
    out: list[list[Finding]] = []
    for i, found in enumerate(alike):
        findings = []
        for key, matches in found.items():
            name, name_en = SECTION_HEADINGS[key]
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


def _candidates(reports: Sequence[Report], shingles: list[dict[str, set[str]]]) -> Iterator[tuple[int, int, str]]:
    """Pairs (i < j, section) of different units of the same year whose sampled shingles overlap enough
    to be alike at all: an inverted index of one shingle in ``SAMPLE`` (chosen by its CRC, so the
    same in every text) instead of comparing every pair of reports."""
    sampled = [{key: {s for s in found if zlib.crc32(s.encode()) % SAMPLE == 0} for key, found in unit.items()}
               for unit in shingles]
    index: dict[tuple[str, int | None, str], list[int]] = defaultdict(list)
    for i, unit in enumerate(sampled):
        for key, found in unit.items():
            for shingle in found:
                index[key, reports[i].meta.year, shingle].append(i)
    for i, unit in enumerate(sampled):
        if reports[i].meta.year is None:
            continue
        for key, found in unit.items():
            shared: Counter[int] = Counter()
            for shingle in found:
                shared.update(j for j in index[key, reports[i].meta.year, shingle] if j > i)
            for j, count in shared.items():
                smaller = min(len(found), len(sampled[j][key]))
                if count >= SHINGLE_MIN_OVERLAP * smaller and not _same_unit(reports[i], reports[j]):
                    yield i, j, key


def _texts(report: Report) -> dict[str, str]:
    """Each long enough section's text for comparison, the unit's own name removed."""
    names = [n for n in (report.meta.agency, *report.meta.region.values()) if n]
    out = {}
    for key in SECTION_HEADINGS:
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
