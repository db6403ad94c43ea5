"""Writing checked reports into the store, with the cross-year findings their write changes.

The store persists and loads; the cross-year checks (``check.crossyear.cross_year``, a pure function
of two reports) are run here, for the touched neighbours only (the same agency, the year written and
the year after), and handed to the store in the same transaction as the write.

>>> store_report(store, gknb.read("a.txt"), raw)     # Added("stored", id) or Added("duplicate", id)
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from sqlalchemy.orm import Session

from ..check.crossyear import cross_year
from ..report import Report, Value
from ..store.store import MAX_BATCH, Added, Entry, Prepared, Store


def store_report(store: Store, report: Report | Prepared, raw: bytes | None = None, *, location: str | None = None,
                 run_id: int | None = None, infer_place: bool = True) -> Added:
    """Store a checked report (or its ``store.prepare``d rows) and its original ``raw`` bytes, with the
    cross-year findings it changes.

    Nothing happens when a source with the same hash is already stored; a different content at an
    already known ``location`` becomes its next version. ``infer_place``: take region and level from
    the agency table (else keep the report's meta)."""
    return store_reports(store, [Entry(report, raw, location, run_id, infer_place)])[0]


def store_reports(store: Store, entries: Sequence[Entry]) -> list[Added]:
    """Store reports as ``store_report`` one after another would, in one transaction per ``MAX_BATCH``;
    the cross-year findings are recomputed once per transaction, for the agencies and years it touched."""
    added: list[Added] = []
    for start in range(0, len(entries), MAX_BATCH):
        with store.session.begin() as session:
            written = store.write(session, entries[start:start + MAX_BATCH])
            recheck_years(store, session, written.touched, written.cells, stale=written.superseded)
            added += written.added
    return added


def recheck_years(store: Store, session: Session, touched: dict[int, set[int]],
                  written: dict[int, dict[str, Value]] | None = None, *, stale: Iterable[int] = ()) -> None:
    """Recompute, in the caller's transaction, the cross-year findings of the current reports of the
    ``touched`` agencies in the given years (agency id → years), each against the newest current
    report of the year before; the reports in ``stale`` lose theirs. ``written``: the cells of the
    reports written in this transaction, by id (not read back)."""
    targets, pairs = store.year_pairs(session, touched, written)
    store.replace_crossyear(session, [*stale, *targets], [
        (pair.report_id, pair.previous_id, list(cross_year(pair.report, [pair.previous]))) for pair in pairs
    ])


__all__ = ["recheck_years", "store_report", "store_reports"]
