"""Aggregates over the store by province, city, level, template and year (docs/metrics.md).

Plain SQL: one query for the reports' group columns, one for the few cells the metrics need, one
for error findings; sums are exact decimals in Python. This runs the same on SQLite and PostgreSQL
and needs no further dependency (measured in docs/metrics.md).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from sqlalchemy import select

from ..store import Store, decode_value
from ..store.models import CellRow, FindingRow, ReportRow

GROUPS = ("province", "city", "county", "level", "template", "year", "agency")
REQUEST_OUTCOMES = {
    "granted": ("granted",),
    "partial": ("partial",),
    "withheld": ("withheld_state_secret", "withheld_law", "withheld_three_safety", "withheld_third_party",
                 "withheld_internal", "withheld_process", "withheld_enforcement", "withheld_query"),
    "unable": ("unable_not_held", "unable_needs_creation", "unable_unclear"),
    "declined": ("declined_petition", "declined_duplicate", "declined_publication", "declined_massive",
                 "declined_confirm"),
    "other": ("other_no_correction", "other_no_fee", "other_other", "other"),
}
REVIEW_GROUPS = ("review", "litigation_direct", "litigation_after_review")
SUMS = {  # metric → cell keys summed
    "requests_new": ("requests.new.total",),
    "requests_carried_over": ("requests.carried_over.total",),
    "requests_handled": ("requests.total.total",),
    "requests_carry_forward": ("requests.carry_forward.total",),
    **{name: tuple(f"requests.{row}.total" for row in rows) for name, rows in REQUEST_OUTCOMES.items()},
    "review": ("review.review.total",),
    "litigation": ("review.litigation_direct.total", "review.litigation_after_review.total"),
    "review_corrected": tuple(f"review.{g}.corrected" for g in REVIEW_GROUPS),
    "review_decided": tuple(f"review.{g}.{c}" for g in REVIEW_GROUPS for c in ("upheld", "corrected", "other")),
}
RATES = {  # metric → (numerator sums, denominator sum)
    "disclosure_rate": (("granted", "partial"), "requests_handled"),
    "withheld_rate": (("withheld",), "requests_handled"),
    "unable_rate": (("unable",), "requests_handled"),
    "correction_rate": (("review_corrected",), "review_decided"),
}
COUNTS = ("reports", "with_errors", "carry_over_breaks")
METRICS = (*COUNTS, "error_rate", *SUMS, *RATES)
GROUP_LABELS = {"province": "省", "city": "市", "county": "县（区）", "level": "层级", "template": "格式",
                "year": "年度", "agency": "机关"}
METRIC_LABELS = {  # the Chinese column names (docs/metrics.md defines each)
    "reports": "报告数", "with_errors": "有错误的报告", "error_rate": "差错率", "carry_over_breaks": "结转不衔接",
    "requests_new": "新收申请", "requests_carried_over": "上年结转", "requests_handled": "办理结果总计",
    "requests_carry_forward": "结转下年度", "granted": "予以公开", "partial": "部分公开", "withheld": "不予公开",
    "unable": "无法提供", "declined": "不予处理", "other": "其他处理", "review": "行政复议", "litigation": "行政诉讼",
    "review_corrected": "复议诉讼被纠错", "review_decided": "复议诉讼已审结", "disclosure_rate": "公开率",
    "withheld_rate": "不予公开率", "unable_rate": "无法提供率", "correction_rate": "被纠错率",
}


def stats(store: Store, by: Sequence[str], where: dict[str, Any] | None = None) -> list[dict[str, Any]]:
    """One row per group: the group values, then every metric of ``METRICS`` (None when undefined)."""
    unknown = [g for g in by if g not in GROUPS]
    if unknown:
        raise ValueError(f"unknown grouping {unknown}; one of {', '.join(GROUPS)}")
    ids = store.select_reports(where).subquery()
    keys = sorted({k for ks in SUMS.values() for k in ks})
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
                                        **dict.fromkeys(SUMS)})
        row["reports"] += 1
        row["with_errors"] += report_id in flagged["any"]
        row["carry_over_breaks"] += report_id in flagged["carry"]
        cells_of = values.get(report_id, {})
        for metric, metric_keys in SUMS.items():
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
        out.append({**dict(zip(by, group, strict=True)), **{m: _plain(row[m]) for m in METRICS}})
    return out


def _ratio(numerator: Any, denominator: Any) -> float | None:
    return None if not denominator else round(float(Decimal(numerator) / Decimal(denominator)), 4)


def _plain(value: Any) -> Any:
    """Sums as int when whole (counts), else as they are."""
    if isinstance(value, Decimal) and value == value.to_integral_value():
        return int(value)
    return value


__all__ = ["GROUPS", "GROUP_LABELS", "METRICS", "METRIC_LABELS", "stats"]
