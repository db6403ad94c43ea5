"""The workspace dashboard's charts as data: totals by year, the outcome mix, the agencies with most
applications, error rates by region and by level (all from ``stats``, so docs/metrics.md applies).

Every report counts somewhere: one whose year, agency, region or level was not recognised is in an
「未识别」 bucket, never dropped. A chart with no number other than 0 is marked ``empty`` (the page
says 无数据 rather than drawing nothing as something).

The dashboard of the whole store is drawn from the tallies the store keeps on write
(``gknb.store.tallies``: per year, agency, province, level …), brought up to date by what changed since
the last request; a filtered one is recounted from the reports it selects (``stats``)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ..store import Store, tallies
from .stats import outcome_label, plain, request_outcomes, stats, sums

YEAR_SERIES = {"requests_new": "新收申请", "requests_handled": "办理结果总计", "review": "行政复议",
               "litigation": "行政诉讼"}
TOP_AGENCIES = 10
UNKNOWN = "未识别"
UNKNOWN_AGENCY = "未识别机关"


ADDITIVE = ("reports", "with_errors", "requests_new", "requests_handled", "review", "litigation")
RANKED_BY = "requests_new"  # the agencies' chart: the most applications first

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
    costs the same however large the store; without a filter, one that follows a write costs what
    the write changed (the tallies)."""
    where = dict(where or {})
    key = tuple(sorted((name, repr(value)) for name, value in where.items()))
    return store.cached("dashboard", key, lambda: _tallied_charts(store) if not where else _recounted_charts(store, where))


def tallied_metrics() -> dict[str, tuple[str, ...]]:
    """What the store's tallies sum (metric → cell keys): the dashboard's metrics."""
    summed = sums()
    return {metric: summed[metric] for metric in (*ADDITIVE[2:], *request_outcomes())}


def refresh_tallies(store: Store) -> int:
    """Bring the store's tallies up to date (``gknb.store.tallies.refresh``); how many reports were recounted."""
    with store.session.begin() as session:
        return tallies.refresh(session, tallied_metrics(), RANKED_BY)


def _tallied_charts(store: Store) -> dict[str, dict[str, Any]]:
    refresh_tallies(store)
    metrics = tallied_metrics()

    def rows(group: str, found: list[tallies.Tally]) -> list[dict[str, Any]]:
        return [{**({group: t.value} if group else {}), "reports": t.reports, "with_errors": t.with_errors,
                 **{m: plain(t.amounts.get(m)) for m in metrics}} for t in found]

    with store.session() as session:
        by = {group: rows(group, tallies.leading(session, group, TOP_AGENCIES) if group == "agency"
                          else tallies.tallies(session, group))
              for group in ("year", "agency", "province", "level", tallies.OVERALL)}
    return _charts(by.__getitem__, {})


def _recounted_charts(store: Store, where: dict[str, Any]) -> dict[str, dict[str, Any]]:
    rows = stats(store, GROUPS, where)  # one pass; every chart is a roll-up of it
    return _charts(lambda _group: rows, where)


def _charts(rows_by: Callable[[str], list[dict[str, Any]]], where: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """The charts from ``rows_by(group)``: rows that roll up to the groups of ``group`` ("": all
    reports; of "agency" at least the leading ones)."""
    outcomes = request_outcomes()
    additive = (*ADDITIVE, *outcomes)
    by_year = sorted(_rollup(rows_by("year"), ("year",), additive), key=lambda r: (r["year"] is None, r["year"] or 0))
    overall = next(iter(_rollup(rows_by(""), (), additive)), {})
    agencies = sorted((r for r in _rollup(rows_by("agency"), ("agency",), additive) if r["requests_new"]),
                      key=lambda r: (-r["requests_new"], r["agency"] is None, r["agency"] or ""))[:TOP_AGENCIES]
    region = "city" if where.get("province") or where.get("region") else "province"

    def rates(group: str) -> list[list[Any]]:
        groups = sorted(_rollup(rows_by(group), (group,), additive), key=lambda r: r[group] is None)  # 未识别 last
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
