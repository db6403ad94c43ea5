"""The score sheet: a scoring scheme as data (YAML), a score per report with its deductions explained,
and a ranking per region.

>>> scheme = load_scheme()                      # the default (review/default_scheme.yaml) or a file
>>> sheet = score(unit.report, scheme)          # Score: total, items, each deduction and its findings
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from ..check import RULES
from ..errors import GknbError, text_position
from ..report import Finding, Report
from .region import UnitReport

SEVERITIES = ("error", "warning", "info")
PARSER_PREFIXES = ("parse.", "label.", "format.mixed", "ocr.", "ingest.")  # codes the parser emits


class SchemeError(GknbError):
    """The scoring scheme is not valid (YAML syntax, a missing field, an unknown rule code)."""

    code = "scheme.invalid"


@dataclass(frozen=True)
class Deduction:
    """Deduct ``each`` per finding matching ``rules`` (codes, ``prefix*``) or ``severity``, at most ``cap``."""

    rules: tuple[str, ...]
    each: float
    cap: float | None = None
    severity: str | None = None
    note: str = ""

    def matches(self, found: Finding) -> bool:
        """Whether ``found`` counts for this deduction."""
        if self.severity is not None and found.severity != self.severity:
            return False
        if not self.rules:
            return self.severity is not None
        return any(found.rule.startswith(r[:-1]) if r.endswith("*") else found.rule == r for r in self.rules)


@dataclass(frozen=True)
class Item:
    """A line of the score sheet: its points and the deductions that take them away."""

    key: str
    title: str
    points: float
    deductions: tuple[Deduction, ...]


@dataclass(frozen=True)
class Scheme:
    """A scoring scheme: its name, total points and items."""

    name: str
    total: float
    items: tuple[Item, ...]


@dataclass
class Taken:
    """Points taken off by one deduction line, with the findings that caused it."""

    note: str
    points: float = 0.0
    findings: list[Finding] = field(default_factory=list)


@dataclass
class ItemScore:
    """An item's points after its deductions, and the deductions taken."""

    item: Item
    score: float
    taken: list[Taken] = field(default_factory=list)


@dataclass
class Score:
    """A report's score: the total and, per item, what was deducted and why."""

    total: float
    items: list[ItemScore]

    def explained(self) -> list[str]:
        """Each deduction in words: 数据准确 −8：数据勾稽关系错误（2 条）."""
        return [f"{item.item.title} −{_number(t.points)}：{t.note}（{len(t.findings)} 条）"
                for item in self.items for t in item.taken if t.points]


def _number(value: float) -> str:
    return f"{value:g}"


def default_scheme_text() -> str:
    """The YAML of the default scheme (a starting point for a region's own)."""
    return resources.files(__package__).joinpath("default_scheme.yaml").read_text(encoding="utf-8")


def load_scheme(path: str | Path | None = None) -> Scheme:
    """The scheme in the YAML file at ``path`` (the default scheme when None)."""
    text = default_scheme_text() if path is None else Path(path).read_text(encoding="utf-8")
    return parse_scheme(text)


def parse_scheme(text: str) -> Scheme:
    """A scheme from its YAML text; raises ``SchemeError`` saying what is wrong."""
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        zh, en = text_position(exc)
        raise SchemeError(f"评分方案不是有效的 YAML{zh}", f"the scoring scheme is not valid YAML{en}") from None
    if not isinstance(data, dict) or not isinstance(data.get("items"), list) or not data["items"]:
        raise SchemeError("评分方案应包含 items 列表", "the scoring scheme needs a list of items")
    items = tuple(_item(raw, i) for i, raw in enumerate(data["items"], 1))
    total = float(data.get("total", sum(item.points for item in items)))
    if abs(sum(item.points for item in items) - total) > 1e-9:
        raise SchemeError(f"各项分值之和（{sum(i.points for i in items):g}）不等于总分 {total:g}",
                          f"the items' points add up to {sum(i.points for i in items):g}, not the total {total:g}")
    return Scheme(str(data.get("name", "评分方案")), total, items)


def _item(raw: Any, number: int) -> Item:
    if not isinstance(raw, dict) or "title" not in raw or "points" not in raw:
        raise SchemeError(f"第 {number} 项缺少 title 或 points", f"item {number} needs a title and points")
    deductions = []
    for line in raw.get("deductions") or []:
        rules = tuple(str(r) for r in (line.get("rules") or ()))
        severity = line.get("severity")
        if severity is not None and severity not in SEVERITIES:
            raise SchemeError(f"第 {number} 项的 severity「{severity}」无效（error/warning/info）",
                              f"item {number}: severity {severity!r} is not error, warning or info")
        for code in rules:
            known = any(c.startswith(code[:-1]) for c in RULES) if code.endswith("*") else code in RULES
            if not known and not code.startswith(PARSER_PREFIXES):
                raise SchemeError(f"第 {number} 项引用了不存在的检查规则「{code}」（见 docs/rules.md）",
                                  f"item {number} names an unknown rule code {code!r} (see docs/rules.md)")
        if not rules and severity is None:
            raise SchemeError(f"第 {number} 项的扣分条目应写明 rules 或 severity",
                              f"item {number}: a deduction needs rules or a severity")
        deductions.append(Deduction(rules, float(line.get("each", 1)),
                                    float(line["cap"]) if line.get("cap") is not None else None,
                                    severity, str(line.get("note", ""))))
    return Item(str(raw.get("key", number)), str(raw["title"]), float(raw["points"]), tuple(deductions))


def score(report: Report, scheme: Scheme) -> Score:
    """``report``'s score under ``scheme``: every item's points less its deductions (never below 0).
    A finding counts for the first deduction line of an item that matches it."""
    items = []
    for item in scheme.items:
        taken = [Taken(d.note or "、".join(d.rules) or d.severity or "") for d in item.deductions]
        for found in report.findings:
            for index, deduction in enumerate(item.deductions):
                if deduction.matches(found):
                    taken[index].findings.append(found)
                    break
        for deduction, line in zip(item.deductions, taken, strict=True):
            amount = deduction.each * len(line.findings)
            line.points = min(amount, deduction.cap) if deduction.cap is not None else amount
        lost = min(item.points, sum(t.points for t in taken))
        items.append(ItemScore(item, item.points - lost, [t for t in taken if t.findings]))
    return Score(sum(i.score for i in items), items)


@dataclass
class Ranked:
    """A unit's place in the ranking and its score."""

    rank: int
    unit: UnitReport
    score: Score


def ranking(units: Sequence[UnitReport], scheme: Scheme) -> list[Ranked]:
    """The units by score, highest first (ties share a rank; then by name)."""
    scored = sorted(((u, score(u.report, scheme)) for u in units), key=lambda p: (-p[1].total, p[0].agency))
    out: list[Ranked] = []
    for position, (unit, result) in enumerate(scored, 1):
        rank = out[-1].rank if out and out[-1].score.total == result.total else position
        out.append(Ranked(rank, unit, result))
    return out
