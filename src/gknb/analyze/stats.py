"""Aggregates over the store by province, city, level, template and year (docs/metrics.md).

Plain SQL: one query for the reports' group columns, one for the few cells the metrics need, one
for error findings; sums are exact decimals in Python. This runs the same on SQLite and PostgreSQL
and needs no further dependency (measured in docs/metrics.md).
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from sqlalchemy import select

from ..formats import FORMATS
from ..store import Store, decode_value
from ..store.models import CellRow, FindingRow, ReportRow
from ..text import normalize_label

GROUPS = ("province", "city", "county", "level", "template", "year", "agency")
RATES = {  # metric → (numerator sums, denominator sum)
    "disclosure_rate": (("granted", "partial"), "requests_handled"),
    "withheld_rate": (("withheld",), "requests_handled"),
    "unable_rate": (("unable",), "requests_handled"),
    "correction_rate": (("review_corrected",), "review_decided"),
}
COUNTS = ("reports", "with_errors", "carry_over_breaks")
DECIDED = ("upheld", "corrected", "other")  # section 四 columns of a decided case (not 尚未审结)


def request_outcomes() -> dict[str, tuple[str, tuple[str, ...]]]:
    """Outcome metric → (printed label, row keys) over every declared format: the rows marked
    ``outcome`` in section 三, by their keyed group (``Table.outcome_groups``)."""
    merged: dict[str, tuple[str, tuple[str, ...]]] = {}
    for fmt in FORMATS.values():
        for name, (label, rows) in fmt.table("requests").outcome_groups().items():
            known_label, known = merged.get(name, (label, ()))
            merged[name] = (known_label, tuple(dict.fromkeys((*known, *rows))))
    return merged


def sums() -> dict[str, tuple[str, ...]]:
    """Metric → the cell keys it sums, from the format declarations."""
    review_rows = list(dict.fromkeys(r.key for fmt in FORMATS.values() for b in fmt.table("review").blocks
                                     for r in b.rows))
    litigation = [r for r in review_rows if r != "review"]
    return {
        "requests_new": ("requests.new.total",),
        "requests_carried_over": ("requests.carried_over.total",),
        "requests_handled": ("requests.total.total",),
        "requests_carry_forward": ("requests.carry_forward.total",),
        **{name: tuple(f"requests.{row}.total" for row in rows) for name, (_, rows) in request_outcomes().items()},
        "review": ("review.review.total",),
        "litigation": tuple(f"review.{g}.total" for g in litigation),
        "review_corrected": tuple(f"review.{g}.corrected" for g in review_rows),
        "review_decided": tuple(f"review.{g}.{c}" for g in review_rows for c in DECIDED),
    }


def metrics() -> tuple[str, ...]:
    """Every metric ``stats`` gives, in its order."""
    return (*COUNTS, "error_rate", *sums(), *RATES)
GROUP_LABELS = {"province": "省", "city": "市", "county": "县（区）", "level": "层级", "template": "格式",
                "year": "年度", "agency": "机关"}
METRIC_LABELS = {  # the Chinese column names (docs/metrics.md defines each); outcome groups: metric_labels()
    "reports": "报告数", "with_errors": "有错误的报告", "error_rate": "差错率", "carry_over_breaks": "结转不衔接",
    "requests_new": "新收申请", "requests_carried_over": "上年结转", "requests_handled": "办理结果总计",
    "requests_carry_forward": "结转下年度", "review": "行政复议", "litigation": "行政诉讼",
    "review_corrected": "复议诉讼被纠错", "review_decided": "复议诉讼已审结", "disclosure_rate": "公开率",
    "withheld_rate": "不予公开率", "unable_rate": "无法提供率", "correction_rate": "被纠错率",
}


def outcome_label(printed: str) -> str:
    """An outcome group's printed label without its numbering and notes: （二）部分公开（区分…） → 部分公开."""
    return re.sub(r"^\([一二三四五六七八九十]+\)|\(.*\)$", "", normalize_label(printed))


def metric_labels() -> dict[str, str]:
    """Every metric's Chinese column name: ``METRIC_LABELS`` and each outcome group's printed label
    without its numbering (（二）部分公开 → 部分公开)."""
    return {**{name: outcome_label(label) for name, (label, _) in request_outcomes().items()}, **METRIC_LABELS}


def stats(store: Store, by: Sequence[str], where: dict[str, Any] | None = None) -> list[dict[str, Any]]:
    """One row per group: the group values, then every metric of ``metrics()`` (None when undefined)."""
    unknown = [g for g in by if g not in GROUPS]
    if unknown:
        raise ValueError(f"unknown grouping {unknown}; one of {', '.join(GROUPS)}")
    ids = store.select_reports(where).subquery()
    summed, names = sums(), metrics()  # from the format declarations, as registered now
    keys = sorted({k for ks in summed.values() for k in ks})
    with store.session() as session:
        groups = {row[0]: tuple(row[1:]) for row in session.execute(
            select(ReportRow.id, *(getattr(ReportRow, g) for g in by)).where(ReportRow.id.in_(select(ids))))}
        cells = session.execute(select(CellRow.report_id, CellRow.key, CellRow.value).where(
            CellRow.report_id.in_(select(ids)), CellRow.key.in_(keys), CellRow.value.is_not(None)))
        values: dict[int, dict[str, Any]] = defaultdict(dict)
        for report_id, key, value in cells:
            values[report_id][key] = decode_value(value)
        flagged = {rule: set(session.scalars(select(FindingRow.report_id).distinct().where(
            FindingRow.report_id.in_(select(ids)), FindingRow.severity == "error", *condition)))
            for rule, condition in (("any", ()), ("carry", (FindingRow.rule == "crossyear.carry_over",)))}
    totals: dict[tuple[Any, ...], dict[str, Any]] = {}
    for report_id, group in groups.items():
        row = totals.setdefault(group, {"reports": 0, "with_errors": 0, "carry_over_breaks": 0,
                                        **dict.fromkeys(summed)})
        row["reports"] += 1
        row["with_errors"] += report_id in flagged["any"]
        row["carry_over_breaks"] += report_id in flagged["carry"]
        cells_of = values.get(report_id, {})
        for metric, metric_keys in summed.items():
            found = [cells_of[k] for k in metric_keys if k in cells_of]
            if found:
                row[metric] = (row[metric] or 0) + sum(found)
    out = []
    for group in sorted(totals, key=lambda g: tuple((v is None, str(v)) for v in g)):
        row = totals[group]
        row["error_rate"] = _ratio(row["with_errors"], row["reports"])
        for metric, (numerators, denominator) in RATES.items():
            parts = [row[n] for n in numerators if row[n] is not None]
            row[metric] = _ratio(sum(parts), row[denominator]) if parts else None
        out.append({**dict(zip(by, group, strict=True)), **{m: plain(row[m]) for m in names}})
    return out


def _ratio(numerator: Any, denominator: Any) -> float | None:
    return None if not denominator else round(float(Decimal(numerator) / Decimal(denominator)), 4)


def plain(value: Any) -> Any:
    """Sums as int when whole (counts), else as they are."""
    if isinstance(value, Decimal) and value == value.to_integral_value():
        return int(value)
    return value


__all__ = ["GROUPS", "GROUP_LABELS", "METRIC_LABELS", "metric_labels", "metrics", "outcome_label", "plain", "request_outcomes", "stats", "sums"]
