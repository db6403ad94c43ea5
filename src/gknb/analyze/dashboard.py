"""The workspace dashboard's charts as data: totals by year, the outcome mix, the agencies with most
applications, error rates by region and by level (all from ``stats``, so docs/metrics.md applies).

Every report counts somewhere: one whose year, agency, region or level was not recognised is in an
「未识别」 bucket, never dropped. A chart with no number other than 0 is marked ``empty`` (the page
says 无数据 rather than drawing nothing as something)."""

from __future__ import annotations

from typing import Any

from ..store import Store
from .stats import outcome_label, request_outcomes, stats

YEAR_SERIES = {"requests_new": "新收申请", "requests_handled": "办理结果总计", "review": "行政复议",
               "litigation": "行政诉讼"}
TOP_AGENCIES = 10
UNKNOWN = "未识别"
UNKNOWN_AGENCY = "未识别机关"


ADDITIVE = ("reports", "with_errors", "requests_new", "requests_handled", "review", "litigation")

GROUPS = ("year", "agency", "province", "city", "level")


def _rollup(rows: list[dict[str, Any]], by: tuple[str, ...], additive: tuple[str, ...]) -> list[dict[str, Any]]:
    """The fine-grained ``rows`` summed by ``by`` (every metric of ``additive`` adds up), with the error rate."""
    totals: dict[tuple[Any, ...], dict[str, Any]] = {}
    for row in rows:
        total = totals.setdefault(tuple(row[g] for g in by), dict.fromkeys(additive, 0))
        for metric in additive:
            total[metric] += row[metric] or 0
    return [{**dict(zip(by, group, strict=True)), **total,
             "error_rate": round(total["with_errors"] / total["reports"], 4) if total["reports"] else None}
            for group, total in sorted(totals.items(), key=lambda item: tuple(str(v) for v in item[0]))]


def charts(store: Store, where: dict[str, Any] | None = None) -> dict[str, dict[str, Any]]:
    """Chart name → ``{"title", "columns", "rows"}`` (a table the page draws and exports as CSV).

    Computed once per store revision and filter (``Store.cached``): a request that follows no write
    costs the same however large the store."""
    where = dict(where or {})
    key = tuple(sorted((name, repr(value)) for name, value in where.items()))
    return store.cached("dashboard", key, lambda: _charts(store, where))


def _charts(store: Store, where: dict[str, Any]) -> dict[str, dict[str, Any]]:
    rows = stats(store, GROUPS, where)  # one pass; every chart is a roll-up of it
    outcomes = request_outcomes()
    additive = (*ADDITIVE, *outcomes)
    by_year = sorted(_rollup(rows, ("year",), additive), key=lambda r: (r["year"] is None, r["year"] or 0))
    overall = next(iter(_rollup(rows, (), additive)), {})
    agencies = sorted((r for r in _rollup(rows, ("agency",), additive) if r["requests_new"]),
                      key=lambda r: (-r["requests_new"], r["agency"] is None, r["agency"] or ""))[:TOP_AGENCIES]
    region = "city" if where.get("province") or where.get("region") else "province"

    def rates(group: str) -> list[list[Any]]:
        groups = sorted(_rollup(rows, (group,), additive), key=lambda r: r[group] is None)  # 未识别 last
        return [[UNKNOWN if r[group] is None else r[group], r["reports"], r["with_errors"], r["error_rate"]]
                for r in groups]

    return _mark_empty({
        "by_year": {"title": "历年申请与复议诉讼 / totals by year", "columns": ["年度", *YEAR_SERIES.values()],
                    "rows": [[UNKNOWN if r["year"] is None else r["year"], *(r[k] or 0 for k in YEAR_SERIES)]
                             for r in by_year]},
        "outcomes": {"title": "申请办理结果构成 / outcome mix", "columns": ["结果", "件数"],
                     "rows": [[outcome_label(label), overall.get(k) or 0] for k, (label, _) in outcomes.items()]},
        "agencies": {"title": f"新收申请最多的 {TOP_AGENCIES} 个机关 / agencies with most applications",
                     "columns": ["机关", "新收申请"],
                     "rows": [[r["agency"] or UNKNOWN_AGENCY, r["requests_new"]] for r in agencies]},
        "regions": {"title": "各地区报告差错率 / error rate by region",
                    "columns": ["地区", "报告数", "有错误的报告", "差错率"], "rows": rates(region)},
        "levels": {"title": "各层级报告差错率 / error rate by level",
                   "columns": ["层级", "报告数", "有错误的报告", "差错率"], "rows": rates("level")},
    })


def _mark_empty(tables: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """Each chart with ``empty``: whether its rows hold no number other than 0 (nothing to draw)."""
    for table in tables.values():
        table["empty"] = not any(value for row in table["rows"] for value in row[1:])
    return tables
