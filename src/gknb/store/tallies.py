"""Counts and sums over every current report, kept up to date on write: the report list's totals and
filter values and the dashboard's charts without recounting the store after each write (issue 15).

Writers log the reports they change (``tally_log``, written by database triggers — migration 0007 —
so no writing code can forget it). The next reader applies the log (``refresh``): each logged report's
contribution is computed afresh from its rows, and its difference to the contribution kept for it
(``tally_reports``) is added to the tallies of its groups (``tallies``: one row per dimension and
value — every current report (``OVERALL``), year, agency, province, city, county, level, template,
review status). A request's work is proportional to what changed since the last one, not to the
store. Appliers take turns (a PostgreSQL advisory lock; on SQLite the write lock, taken before
reading) and each removes exactly the log rows it read, so a write committed meanwhile — by another
process, a ``gknb worker`` — is applied by the next reader: what a reader sees is never older than
the store's revision it read before applying.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import delete, insert, select, text
from sqlalchemy.orm import Session

from ..report import Value
from .models import CellRow, ReportCountRow, ReportRow, TallyLogRow, TallyReportRow, TallyRow
from .store import decode_value, encode_value

DIMENSIONS = ("year", "agency", "province", "city", "county", "level", "template", "review_status")
OVERALL = ""  # the dimension of the one row over every current report
SIGNATURE = "#"  # the row naming the metrics the tallies hold (others: rebuilt from every report)
LOCK = 0x676B6E62  # the PostgreSQL advisory lock the appliers take turns on ("gknb")
CHUNK = 500  # report ids per query
Metrics = dict[str, tuple[str, ...]]  # metric → the cell keys it sums


@dataclass
class Tally:
    """The current reports of one value of one dimension: how many, how many with an error-level
    finding, the sums of the metrics (absent: no report has one of its cells)."""

    value: Any
    reports: int = 0
    with_errors: int = 0
    amounts: dict[str, Value] = field(default_factory=dict)


def refresh(session: Session, metrics: Metrics, ranked_by: str) -> int:
    """Apply the log of changed reports to the tallies, in the caller's transaction (call it first in
    a fresh one); returns how many reports were recounted. ``metrics``: what the tallies sum; tallies
    kept with other metrics are rebuilt from every stored report. ``ranked_by``: the metric ``leading``
    orders by."""
    signature = json.dumps({"metrics": metrics, "ranked_by": ranked_by}, ensure_ascii=False, sort_keys=True)
    kept = select(TallyRow.amounts).where(TallyRow.dim == SIGNATURE)
    if session.scalar(kept) == signature and session.scalar(select(TallyLogRow.id).limit(1)) is None:
        return 0  # every committed write applied (an applier's deletes commit with its tallies): no lock needed
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": LOCK})
    else:  # SQLite: the write lock first, so no other writer commits between reading and writing
        session.execute(delete(TallyLogRow).where(TallyLogRow.id < 0))
    if session.scalar(kept) != signature:
        session.execute(delete(TallyRow))
        session.execute(delete(TallyReportRow))
        session.execute(insert(TallyLogRow).from_select(["report_id"], select(ReportRow.id)))
        session.execute(insert(TallyRow).values(dim=SIGNATURE, key="null", reports=0, with_errors=0,
                                                amounts=signature, rank=0.0))
    log = session.execute(select(TallyLogRow.id, TallyLogRow.report_id)).all()
    if not log:
        return 0
    ids = sorted({report_id for _, report_id in log})
    deltas: dict[tuple[str, str], Tally] = {}
    for chunk in _chunks(ids):
        kept = dict(session.execute(select(TallyReportRow.report_id, TallyReportRow.contribution)  # type: ignore[arg-type]
                                    .where(TallyReportRow.report_id.in_(chunk))).all())
        new = _contributions(session, chunk, metrics)
        changed = [report_id for report_id in chunk if kept.get(report_id) != new.get(report_id)]
        for report_id in changed:
            _add(deltas, kept.get(report_id), -1)
            _add(deltas, new.get(report_id), +1)
        if changed:
            session.execute(delete(TallyReportRow).where(TallyReportRow.report_id.in_(changed)))
            rows = [{"report_id": r, "contribution": new[r]} for r in changed if r in new]
            if rows:
                session.execute(insert(TallyReportRow), rows)
    _apply(session, deltas, ranked_by)
    read = [log_id for log_id, _ in log]
    for chunk in _chunks(read):
        session.execute(delete(TallyLogRow).where(TallyLogRow.id.in_(chunk)))
    return len(ids)


def tallies(session: Session, dim: str) -> list[Tally]:
    """Every tally of ``dim`` (``OVERALL`` or one of ``DIMENSIONS``)."""
    return [_tally(row) for row in session.execute(select(TallyRow).where(TallyRow.dim == dim)).scalars()]


def leading(session: Session, dim: str, count: int) -> list[Tally]:
    """The tallies of ``dim`` with the ``count`` largest ranks, and every other of a rank equal to the
    last of them (the exact order of the ranked metric is decided by the caller: the rank is a float)."""
    ranks = session.scalars(select(TallyRow.rank).where(TallyRow.dim == dim).order_by(TallyRow.rank.desc())
                            .limit(count)).all()
    if not ranks:
        return []
    return [_tally(row) for row in session.execute(
        select(TallyRow).where(TallyRow.dim == dim, TallyRow.rank >= ranks[-1])).scalars()]


def values(session: Session, dims: Sequence[str]) -> dict[str, list[Any]]:
    """The values of each of ``dims`` that some current report has (None left out), ordered as the
    database orders the reports' column (``year`` is the one dimension of numbers)."""
    out: dict[str, list[Any]] = {}
    for dim in dims:
        column = TallyRow.number if dim == "year" else TallyRow.value
        out[dim] = list(session.scalars(select(column).where(TallyRow.dim == dim, column.is_not(None)).order_by(column)))
    return out


def _tally(row: TallyRow) -> Tally:
    return Tally(json.loads(row.key), row.reports, row.with_errors,
                 {metric: decode_value(amount) for metric, amount in json.loads(row.amounts).items()})


def _chunks(items: Sequence[int]) -> list[Sequence[int]]:
    return [items[start:start + CHUNK] for start in range(0, len(items), CHUNK)]


def _contributions(session: Session, ids: Sequence[int], metrics: Metrics) -> dict[int, str]:
    """What each current report of ``ids`` contributes (JSON: groups, errors, amounts); none for the others."""
    rows = session.execute(select(ReportRow.id, *(getattr(ReportRow, dim) for dim in DIMENSIONS))
                           .where(ReportRow.id.in_(ids), ReportRow.current.is_(True))).all()
    if not rows:
        return {}
    current = [row.id for row in rows]
    erring = set(session.scalars(select(ReportCountRow.report_id).where(ReportCountRow.report_id.in_(current),
                                                                        ReportCountRow.errors > 0)))
    keys = sorted({key for keys in metrics.values() for key in keys})
    cells: dict[int, dict[str, Value]] = defaultdict(dict)
    for report_id, key, value in session.execute(select(CellRow.report_id, CellRow.key, CellRow.value).where(
            CellRow.report_id.in_(current), CellRow.key.in_(keys), CellRow.value.is_not(None))):
        cells[report_id][key] = decode_value(value)
    out = {}
    for row in rows:
        found = cells.get(row.id, {})
        amounts = {}
        for metric, metric_keys in metrics.items():
            present = [found[key] for key in metric_keys if key in found]
            if present:
                amounts[metric] = encode_value(sum(present))  # type: ignore[arg-type]
        out[row.id] = json.dumps({"groups": dict(zip(DIMENSIONS, row[1:], strict=True)), "errors": int(row.id in erring),
                                  "amounts": amounts}, ensure_ascii=False, sort_keys=True)
    return out


def _add(deltas: dict[tuple[str, str], Tally], contribution: str | None, sign: int) -> None:
    """Add (``sign`` 1) or take off (-1) one report's contribution to its groups' tallies."""
    if contribution is None:
        return
    data = json.loads(contribution)
    amounts = {metric: decode_value(amount) for metric, amount in data["amounts"].items()}
    for dim in (OVERALL, *DIMENSIONS):
        value = data["groups"][dim] if dim else None
        tally = deltas.setdefault((dim, json.dumps(value, ensure_ascii=False)), Tally(value))
        tally.reports += sign
        tally.with_errors += sign * data["errors"]
        for metric, amount in amounts.items():
            tally.amounts[metric] = tally.amounts.get(metric, 0) + sign * amount  # type: ignore[operator]


def _apply(session: Session, deltas: dict[tuple[str, str], Tally], ranked_by: str) -> None:
    """Add the deltas to the stored tallies (those that change them: a review decision moves a report
    between two statuses only); a group with no report left goes."""
    by_dim: dict[str, list[str]] = defaultdict(list)
    for (dim, key), delta in deltas.items():
        if delta.reports or delta.with_errors or any(delta.amounts.values()):
            by_dim[dim].append(key)
    for dim, keys in by_dim.items():
        for start in range(0, len(keys), CHUNK):
            chunk = keys[start:start + CHUNK]
            merged = {key: deltas[dim, key] for key in chunk}
            for row in session.execute(select(TallyRow).where(TallyRow.dim == dim, TallyRow.key.in_(chunk))).scalars():
                stored, delta = _tally(row), merged[row.key]
                for metric, amount in delta.amounts.items():
                    stored.amounts[metric] = stored.amounts.get(metric, 0) + amount  # type: ignore[operator]
                merged[row.key] = Tally(stored.value, stored.reports + delta.reports,
                                        stored.with_errors + delta.with_errors, stored.amounts)
            session.execute(delete(TallyRow).where(TallyRow.dim == dim, TallyRow.key.in_(chunk)))
            rows = [{"dim": dim, "key": key, "value": t.value if isinstance(t.value, str) else None,
                     "number": t.value if isinstance(t.value, int) else None, "reports": t.reports,
                     "with_errors": t.with_errors,
                     "amounts": json.dumps({m: encode_value(a) for m, a in sorted(t.amounts.items())}),
                     "rank": float(t.amounts.get(ranked_by, 0))}
                    for key, t in merged.items() if t.reports > 0]
            if rows:
                session.execute(insert(TallyRow), rows)
