"""The store: reports with their cells, findings, originals and agencies in one database.

The store persists and loads; what is checked (the cross-year findings included) is computed by the
caller and handed in, in the same transaction as the write (``gknb.pipeline.write``):

>>> store = Store.open("gknb.db")                  # or a postgresql:// URL; upgrades the schema
>>> with store.session.begin() as session:         # one transaction: cells, findings, cross-year
...     written = store.write(session, [Entry(report, raw=source_bytes)])
>>> store.load(written.added[0].report_id).cells == report.cells
"""

from __future__ import annotations

import copy
import hashlib
import json
import threading
from collections import Counter, OrderedDict, defaultdict
from collections.abc import Callable, Hashable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, fields, replace
from datetime import UTC, datetime
from decimal import Decimal
from functools import lru_cache
from typing import Any, TypeVar

from sqlalchemy import (
    ColumnElement,
    Engine,
    Select,
    bindparam,
    column,
    delete,
    func,
    insert,
    or_,
    select,
    table,
    text,
    update,
)
from sqlalchemy.orm import Session, sessionmaker

from ..document import Provenance, Source
from ..regions import Place, locate, normalise_name
from ..report import Finding, Meta, Report, Value
from ..text import pinyin_key
from .db import open_engine
from .listing import REVIEW_FILTERS, add_counts, clause, refresh_counts
from .models import AgencyRow, CellRow, FindingRow, IngestResult, IngestRun, ReportRow, SourceRow

FILTERS = ("agency", "year", "province", "city", "county", "level", "template", "review_status", "region",
           *REVIEW_FILTERS)
MAX_BATCH = 5000  # reports per ``Store.write`` (keeps every IN list short)
# ``cells`` for bulk inserts: untyped columns skip per-row type processing; provenance goes in as JSON text
_CELL_COLUMNS = ("report_id", "key", "value", "printed", "provenance")
_CELLS = table("cells", *(column(name) for name in _CELL_COLUMNS))
_FINDING_COLUMNS = ("report_id", "scope", "position", "rule", "severity", "cells", "message", "message_en",
                    "other_report_id")
_json = json.JSONEncoder().encode  # as json.dumps, SQLAlchemy's serializer of a JSON column
_PROVENANCE_FIELDS = tuple(f.name for f in fields(Provenance))
_BY_SHA = (select(ReportRow.id).join(SourceRow).where(SourceRow.sha256 == bindparam("sha256"))
           .order_by(ReportRow.id).limit(1))
_sort_key = lru_cache(maxsize=4096)(pinyin_key)  # an agency's reports of every year share theirs
# SQLite's page cache (KiB) of a connection that writes reports: a batch of 200 text reports dirties ~8 MB
# of pages, which the default 2 MB cache would spill into the WAL before the commit
WRITE_CACHE_KIB = 16384
CACHED = 256  # results kept by ``Store.cached`` (per store object, least recently used dropped first)
T = TypeVar("T")


@dataclass(frozen=True)
class Added:
    """What ``Store.write`` did with one entry: ``stored`` (new report) or ``duplicate`` (the same bytes were kept)."""

    status: str
    report_id: int


@dataclass(frozen=True)
class Written:
    """What ``Store.write`` did: what became of each entry (``added``, in order), and what it made
    stale: the years whose cross-year findings change (``touched``: agency id → years), the reports
    that stopped being current (``superseded``), and the cells of the reports inserted, by id."""

    added: list[Added]
    touched: dict[int, set[int]]
    superseded: list[int]
    cells: dict[int, dict[str, Value]]


@dataclass(frozen=True)
class YearPair:
    """A current report and the report of the same agency the year before, as ``Store.year_pairs``
    gives them to the cross-year checks (light reports: year, format, sections and cells only)."""

    report_id: int
    report: Report
    previous_id: int
    previous: Report


CellText = tuple[str, str | None, str | None, str | None]  # key, value (``encode_value``), printed, provenance JSON
FindingText = tuple[str, str, list[str], str, str]  # rule, severity, cells, message, message_en


@dataclass(frozen=True)
class Prepared:
    """A checked report in the form ``Store.write`` stores it, computed before the write (``prepare``:
    ``gknb ingest``'s workers do it, so the writing process only inserts): ``report`` without what the
    rows carry (printed text, provenance, findings), the cell rows and the finding rows, the counts;
    ``place``: where the agency's name places it (``regions.locate``), when located before the write —
    a new agency then takes it instead of the writing process searching the division tables."""

    report: Report
    cells: list[CellText]
    findings: list[FindingText]
    errors: int
    warnings: int
    place: Place | None = None

    @property
    def meta(self) -> Meta:
        """The report's meta (region, agency, year …)."""
        return self.report.meta

    @property
    def source(self) -> Source:
        """The report's source."""
        return self.report.source


def prepare(report: Report, *, with_place: bool = False) -> Prepared:
    """The rows ``Store.write`` stores for ``report`` (its cells in order, values as exact text,
    provenance as JSON; its findings), and the report without them (small to send between processes).
    ``with_place``: locate the agency's name too (``Prepared.place``: a worker does it for the writer)."""
    printed, provenance = report.printed.get, report.provenance.get
    cells = [(key, str(value) if type(value) is int else encode_value(value), printed(key),
              None if (where := provenance(key)) is None else _provenance_text(where))
             for key, value in report.cells.items()]
    errors, warnings = _counts(report.findings)
    light = replace(report, printed={}, provenance={}, findings=[], parse_findings=[])
    agency = report.meta.agency
    place = locate(normalise_name(agency)) if with_place and agency and agency.strip() else None
    return Prepared(light, cells, _finding_rows(report.findings), errors, warnings, place)


@dataclass(frozen=True)
class Entry:
    """One report for ``Store.write``: the checked report (or its ``prepare``d rows), its original
    bytes, where it was found.

    ``infer_place``: take region and level from the agency table (else keep the report's meta).
    """

    report: Report | Prepared
    raw: bytes | None = None
    location: str | None = None
    run_id: int | None = None
    infer_place: bool = True

    @property
    def sha256(self) -> str:
        """The hash of the original (of ``raw``, else the one the report carries)."""
        return hashlib.sha256(self.raw).hexdigest() if self.raw is not None else self.report.source.sha256


@dataclass(frozen=True)
class Recorded:
    """What became of one input of an ingest run (``Store.record_many``); ``error``: code, messages."""

    location: str
    status: str
    sha256: str | None = None
    report_id: int | None = None
    error: dict[str, str] | None = None


def encode_value(value: Value) -> str | None:
    """A cell value as exact text: ``12``, ``3.1400``."""
    if value is None:
        return None
    return format(value, "f") if isinstance(value, Decimal) else str(value)


def decode_value(text: str | None) -> Value:
    """The inverse of ``encode_value``: ``int`` unless the text has a decimal point."""
    if text is None:
        return None
    return Decimal(text) if "." in text else int(text)


def _now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


class Store:
    """A database of reports (SQLite or PostgreSQL)."""

    def __init__(self, engine: Engine):
        self.engine = engine
        self.session = sessionmaker(engine, expire_on_commit=False)
        self._cache: OrderedDict[Any, tuple[Hashable, Any]] = OrderedDict()
        self._cache_lock = threading.Lock()

    @classmethod
    def open(cls, url: str | None = None) -> Store:
        """Open (and create or upgrade) the database at ``url`` (see ``db.database_url``)."""
        return cls(open_engine(url))

    def close(self) -> None:
        """Release the database connections."""
        self.engine.dispose()

    # -- revision, cache, statistics ----------------------------------------------------------

    def revision(self) -> Hashable:
        """A value that changes with every committed write to reports, cells, findings or agencies,
        read in constant time.

        Kept by the database's own triggers (migrations 0006, 0007), whatever code writes: SQLite counts
        in the one row of ``store_revision`` (one writer at a time); PostgreSQL, where writers run at
        once, records each writing transaction's id in ``store_changes`` (no row they would queue on).
        There the revision is the largest id a reader sees, with the transactions still in progress
        below it: they may commit later without raising it, so while one runs the revision names it and
        changes when it ends."""
        with self.engine.connect() as connection:  # along the key: ORDER BY the column, cast after
            if self.engine.dialect.name != "postgresql":
                return int(connection.exec_driver_sql("SELECT n FROM store_revision WHERE id = 1").scalar_one())
            newest, snapshot = connection.exec_driver_sql(
                "SELECT (SELECT xid FROM store_changes ORDER BY xid DESC LIMIT 1)::text, pg_current_snapshot()::text"
            ).one()
        newest = int(newest or 0)
        running = tuple(sorted(int(x) for x in snapshot.split(":")[2].split(",") if x and int(x) < newest))
        return (newest, *running) if running else newest

    def cached(self, name: str, key: Any, compute: Callable[[], T]) -> T:
        """``compute()``, or a copy of its result from an earlier call with the same ``name`` and
        ``key`` (hashable) if the store's revision has not changed since (``revision``).

        The revision is read before computing, so a write that commits meanwhile makes the next call
        compute afresh: a cached result is never older than the data it was computed from."""
        revision = self.revision()
        with self._cache_lock:
            found = self._cache.get((name, key))
            if found is not None and found[0] == revision:
                self._cache.move_to_end((name, key))
                return copy.deepcopy(found[1])
        value = compute()
        with self._cache_lock:
            self._cache[(name, key)] = (revision, copy.deepcopy(value))
            while len(self._cache) > CACHED:
                self._cache.popitem(last=False)
        return value

    def optimize(self) -> None:
        """Refresh the query planner's statistics (after a bulk ingest): SQLite ``ANALYZE`` (sampled),
        PostgreSQL ``ANALYZE`` of the report tables (and the revision's rows of older transactions dropped). Without them SQLite may scan every current report
        for one agency's."""
        with self.engine.begin() as connection:
            if self.engine.dialect.name == "sqlite":
                connection.exec_driver_sql("PRAGMA analysis_limit=1000")
                connection.exec_driver_sql("ANALYZE")
            else:  # the revision needs only the newest writing transaction's row (``revision``)
                connection.exec_driver_sql("DELETE FROM store_changes WHERE xid < "
                                           "(SELECT xid FROM store_changes ORDER BY xid DESC LIMIT 1)")
                connection.execute(text("ANALYZE reports, cells, findings, agencies"))

    # -- sources and reports -------------------------------------------------------------------

    def has_source(self, sha256: str) -> int | None:
        """The report stored from the original with this hash, if any."""
        with self.engine.connect() as connection:  # no ORM session: asked once per input of an ingest
            return connection.scalar(_BY_SHA, {"sha256": sha256})

    @contextmanager
    def source_lookup(self) -> Iterator[Callable[[str], int | None]]:
        """``has_source`` for many look-ups one after another (an ingest's inputs): on one connection
        kept meanwhile, the statement sent as the driver's text, each look-up ended at once (no
        transaction, nor snapshot, held between two)."""
        mark = "?" if self.engine.dialect.paramstyle == "qmark" else "%s"
        sql = ("SELECT reports.id FROM reports JOIN sources ON sources.id = reports.source_id "
               f"WHERE sources.sha256 = {mark} ORDER BY reports.id LIMIT 1")
        sqlite = self.engine.dialect.name == "sqlite"
        with self.engine.connect() as connection:
            driver = connection.connection  # the driver's connection: one statement, no result objects
            cursor = driver.cursor()

            def lookup(sha256: str) -> int | None:
                try:
                    cursor.execute(sql, (sha256,))
                    rows = cursor.fetchall()  # to the end: SQLite's statement is reset, its snapshot let go
                finally:
                    if not sqlite:  # psycopg opened a transaction for the SELECT (sqlite3 opens none)
                        driver.rollback()
                return rows[0][0] if rows else None

            try:
                yield lookup
            finally:
                cursor.close()

    def write(self, session: Session, entries: Sequence[Entry]) -> Written:
        """Store checked reports and their originals in the caller's transaction (``session``, from
        ``store.session.begin()``); the caller then replaces the cross-year findings the write made stale
        (``Written.touched``, ``replace_crossyear``) in the same transaction.

        Same bytes twice (in the store or in ``entries``) are stored once. A different content at an
        already known location becomes its next version, and the older one stops being current. The
        entries' reports are read, never changed.
        """
        if self.engine.dialect.name == "sqlite":  # a batch's pages stay in memory until it commits
            session.connection().exec_driver_sql(f"PRAGMA cache_size=-{WRITE_CACHE_KIB}")
        shas = [entry.sha256 for entry in entries]
        kept: dict[str, int] = dict(session.execute(  # type: ignore[arg-type]
            select(SourceRow.sha256, func.min(ReportRow.id)).join(ReportRow, ReportRow.source_id == SourceRow.id)
            .where(SourceRow.sha256.in_(set(shas))).group_by(SourceRow.sha256)
        ).all())
        first: dict[str, int] = {}  # hash → index in ``fresh`` of the entry storing it
        fresh: list[Entry] = []
        storing = []
        for entry, sha in zip(entries, shas, strict=True):
            storing.append(sha not in kept and sha not in first)
            if storing[-1]:
                first[sha] = len(fresh)
                fresh.append(entry)
        written = self._insert(session, fresh, list(first)) if fresh else Written([], {}, [], {})
        ids = list(written.cells)
        added = [Added("duplicate", kept[sha]) if sha in kept else Added("stored" if new else "duplicate",
                                                                        ids[first[sha]])
                 for sha, new in zip(shas, storing, strict=True)]
        return Written(added, written.touched, written.superseded, written.cells)

    def _insert(self, session: Session, fresh: Sequence[Entry], shas: Sequence[str]) -> Written:
        """Insert new reports (sources, rows, cells, findings); ``Written.cells`` is keyed by their ids, in order."""
        prepared = [e.report if isinstance(e.report, Prepared) else prepare(e.report) for e in fresh]
        locations = [entry.location or entry.report.source.path for entry in fresh]
        agencies = self.agencies_named(session, [entry.report.meta.agency for entry in fresh],
                                       [form.place for form in prepared])
        earlier = session.execute(select(ReportRow.id, ReportRow.location, ReportRow.current, ReportRow.agency_id,
                                         ReportRow.year).where(ReportRow.location.in_(set(locations)))).all()
        versions = Counter(row.location for row in earlier)
        newest = {location: i for i, location in enumerate(locations)}  # the one left current at a location
        superseded = [row for row in earlier if row.current]
        touched: dict[int, set[int]] = defaultdict(set)  # agency → years whose cross-year findings change
        for row in superseded:
            if row.agency_id is not None and row.year is not None:
                touched[row.agency_id].add(row.year + 1)
        if superseded:
            session.execute(update(ReportRow).where(ReportRow.id.in_([row.id for row in superseded]))
                            .values(current=False))
        now = _now()
        # Both inserts are one executemany each and their ids read back by the new rows' unique keys
        # (each fresh entry has a source of its own): an INSERT … RETURNING kept in parameter order is
        # one statement a row on SQLite.
        session.execute(insert(SourceRow.__table__), [
            {"sha256": sha, "size": len(e.raw) if e.raw is not None else e.report.source.size,
             "medium": e.report.source.format, "content": e.raw, "created": now}
            for e, sha in zip(fresh, shas, strict=True)])
        by_sha = dict(session.execute(  # type: ignore[arg-type]
            select(SourceRow.sha256, SourceRow.id).where(SourceRow.sha256.in_(shas))).all())
        source_ids = [by_sha[sha] for sha in shas]
        rows = []
        for i, (entry, form, location, agency) in enumerate(zip(fresh, prepared, locations, agencies, strict=True)):
            report = form.report
            meta = report.meta  # read, never changed: the caller's report stays as it was
            region, level = dict(meta.region), meta.level
            if agency is not None and entry.infer_place:
                region = {"province": agency.province, "city": agency.city, "county": agency.county}
                level = agency.level
            versions[location] += 1
            current = newest[location] == i
            if current and agency is not None and meta.year is not None:
                touched[agency.id] |= {meta.year, meta.year + 1}
            rows.append({
                "source_id": source_ids[i], "agency_id": agency.id if agency else None, "location": location,
                "version": versions[location], "current": current, "title": meta.title, "agency": meta.agency,
                "agency_sort": _sort_key(meta.agency, (region.get("province"), region.get("city"), region.get("county"))),
                "year": meta.year, "template": meta.template, "published": meta.published,
                "province": region.get("province"), "city": region.get("city"),
                "county": region.get("county"), "level": level, "sections": dict(report.sections),
                "extra": {"section_order": list(report.section_order), "labels": dict(report.labels),
                          "headings": dict(report.headings), "preamble": report.preamble,
                          "encoding": report.source.encoding},
                "ingested": now, "run_id": entry.run_id,
            })
        session.execute(insert(ReportRow.__table__), rows)
        by_source = dict(session.execute(  # type: ignore[arg-type]
            select(ReportRow.source_id, ReportRow.id).where(ReportRow.source_id.in_(source_ids))).all())
        ids = [by_source[source_id] for source_id in source_ids]
        add_counts(session, [(report_id, form.errors, form.warnings) for report_id, form in zip(ids, prepared, strict=True)])
        _insert_cells(session, [(report_id, *cell) for report_id, form in zip(ids, prepared, strict=True)
                                for cell in form.cells])
        _add_findings(session, [(report_id, "report", form.findings, None)
                                for report_id, form in zip(ids, prepared, strict=True)])
        return Written([], dict(touched), [row.id for row in superseded],
                       {report_id: form.report.cells for report_id, form in zip(ids, prepared, strict=True)})

    def load(self, report_id: int, *, with_crossyear: bool = True) -> Report:
        """The stored report, as it was stored (cross-year findings appended unless told otherwise)."""
        with self.session() as session:
            row = session.get(ReportRow, report_id)
            if row is None:
                raise KeyError(report_id)
            return self.read(session, row, with_crossyear=with_crossyear)

    def report_ids(self, where: dict[str, Any] | None = None, *, current: bool = True) -> list[int]:
        """Ids of stored reports matching ``where`` (keys of ``FILTERS``), by agency, year and id."""
        with self.session() as session:
            return list(session.scalars(self.select_reports(where, current=current)))

    def select_reports(self, where: dict[str, Any] | None = None, *, current: bool = True) -> Select[tuple[int]]:
        """The SELECT of report ids behind ``report_ids``, for other queries to build on."""
        return (select(ReportRow.id).where(*self.conditions(where, current=current))
                .order_by(ReportRow.agency, ReportRow.year, ReportRow.id))

    def conditions(self, where: dict[str, Any] | None = None, *, current: bool = True) -> list[ColumnElement[bool]]:
        """The WHERE clauses on ``reports`` of the filter ``where`` (keys of ``FILTERS``)."""
        clauses: list[ColumnElement[bool]] = [ReportRow.current.is_(True)] if current else []
        for name, value in (where or {}).items():
            if name not in FILTERS:
                raise ValueError(f"unknown filter {name!r}; one of {', '.join(FILTERS)}")
            if name == "agency":
                agency = self.agency(value)
                clauses.append(ReportRow.agency_id == (agency.id if agency else -1))
            elif name in REVIEW_FILTERS:  # search, has_errors, corrected, assignee, open (store/listing.py)
                clauses.append(clause(name, value))
            elif name == "region":  # a place at any level: the province, city or county named
                clauses.append(or_(ReportRow.province == value, ReportRow.city == value, ReportRow.county == value))
            else:
                clauses.append(getattr(ReportRow, name) == (int(value) if name == "year" else value))
        return clauses

    def in_region(self, report_id: int, region: str | None) -> bool:
        """Whether a stored report lies in ``region`` (its province, city or county; None: anywhere)."""
        with self.session() as session:
            row = session.get(ReportRow, report_id)
            return row is not None and (not region or region in (row.province, row.city, row.county))

    def place(self, agency: str | None) -> dict[str, str | None]:
        """The region a report of ``agency`` would be stored under: the agency's (corrected) one when
        known, else the one its name gives."""
        if not agency or not agency.strip():
            return {"province": None, "city": None, "county": None}
        known = self.agency(agency)
        if known is not None:
            return {"province": known.province, "city": known.city, "county": known.county}
        return locate(normalise_name(agency)).region()

    def original(self, report_id: int) -> bytes | None:
        """The bytes of the original file of a stored report (None for imported reports)."""
        with self.session() as session:
            row = session.get(ReportRow, report_id)
            return row.source.content if row is not None else None

    # -- agencies ------------------------------------------------------------------------------

    def agency(self, name: str) -> AgencyRow | None:
        """The agency with this name (normalised), if known."""
        with self.session() as session:
            return session.scalar(select(AgencyRow).where(AgencyRow.name == normalise_name(name)))

    def agencies(self) -> list[AgencyRow]:
        """Every agency, by name."""
        with self.session() as session:
            return list(session.scalars(select(AgencyRow).order_by(AgencyRow.name)))

    def set_agency(self, name: str, **fields: str | None) -> AgencyRow:
        """Correct an agency's province/city/county/level (the codes follow the names when known).

        The correction is kept (``corrected``) and wins over inference from then on; the agency's
        stored reports take the new region and level.
        """
        allowed = {"province", "city", "county", "level"}
        unknown = set(fields) - allowed
        if unknown:
            raise ValueError(f"unknown agency fields: {sorted(unknown)}")
        with self.session.begin() as session:
            agency = self.agencies_named(session, [name])[0]
            assert agency is not None
            for key, value in fields.items():
                if value is not None:
                    setattr(agency, key, value)
                    if key != "level":
                        setattr(agency, f"{key}_code", locate(value).codes()[key])
            agency.corrected = True
            session.execute(
                update(ReportRow).where(ReportRow.agency_id == agency.id).values(
                    province=agency.province, city=agency.city, county=agency.county, level=agency.level)
            )
            return agency

    @staticmethod
    def agencies_named(session: Session, names: Sequence[str | None],
                       places: Sequence[Place | None] | None = None) -> list[AgencyRow | None]:
        """The agency of each name (normalised), created when new (None for no name), in the caller's
        transaction. ``places``: ``locate`` of each name where already known (None: located here)."""
        normal = [normalise_name(name) if name and name.strip() else None for name in names]
        located = {name: place for name, place in zip(normal, places, strict=True)
                   if name and place is not None} if places is not None else {}
        wanted = [name for name in dict.fromkeys(normal) if name]
        found = {a.name: a for a in session.scalars(select(AgencyRow).where(AgencyRow.name.in_(wanted)))}
        created = []
        for name in wanted:
            if name not in found:
                place = located.get(name) or locate(name)
                codes, region = place.codes(), place.region()
                found[name] = AgencyRow(
                    name=name, province=region["province"], city=region["city"], county=region["county"],
                    province_code=codes["province"], city_code=codes["city"], county_code=codes["county"],
                    level=place.level, corrected=False,
                )
                created.append(found[name])
        if created:
            session.add_all(created)
            session.flush()
        return [found[name] if name else None for name in normal]

    # -- across years --------------------------------------------------------------------------

    def agency_reports(self, name: str) -> list[Report]:
        """The current reports of one agency, by year."""
        agency = self.agency(name)
        if agency is None:
            return []
        with self.session() as session:
            rows = session.scalars(self._agency_rows(agency.id)).all()
            return [self.read(session, row) for row in rows]

    @staticmethod
    def _agency_rows(agency_id: int) -> Select[tuple[ReportRow]]:
        return (select(ReportRow).where(ReportRow.agency_id == agency_id, ReportRow.current.is_(True))
                .order_by(ReportRow.year, ReportRow.id))

    @staticmethod
    def year_pairs(session: Session, touched: dict[int, set[int]],
                   written: dict[int, dict[str, Value]] | None = None) -> tuple[list[int], list[YearPair]]:
        """What the cross-year findings of ``touched`` agencies in the given years (agency id → years)
        are computed from: the current reports of those years (their findings are to be replaced), and
        each one's pair with the newest current report of the year before, as light reports (year,
        format, sections, cells). ``written``: the cells of reports written in this transaction, by id
        (not read back)."""
        if not touched:
            return [], []
        rows = [row for row in session.execute(  # by agency alone: SQLite, without statistics, would
            select(ReportRow.id, ReportRow.agency_id, ReportRow.year, ReportRow.current, ReportRow.template)
            .where(ReportRow.agency_id.in_(touched)).order_by(ReportRow.id)  # rather scan every current row
        ) if row.current and row.year is not None and {row.year, row.year + 1} & touched[row.agency_id]]
        newest = {(row.agency_id, row.year): row for row in rows}  # the last by id, as ``previous_year`` picks
        targets = [row for row in rows if row.year in touched[row.agency_id]]
        pairs = [(row, newest[row.agency_id, row.year - 1]) for row in targets
                 if (row.agency_id, row.year - 1) in newest]
        needed = {row.id for pair in pairs for row in pair}
        sections = dict(session.execute(  # type: ignore[arg-type]
            select(ReportRow.id, ReportRow.sections).where(ReportRow.id.in_(needed))).all()) if needed else {}
        cells: dict[int, dict[str, Value]] = defaultdict(dict, written or {})
        unread = needed - cells.keys()
        if unread:
            for report_id, key, value in session.execute(select(CellRow.report_id, CellRow.key, CellRow.value)
                                                         .where(CellRow.report_id.in_(unread))):
                cells[report_id][key] = decode_value(value)

        def light(row: Any) -> Report:
            return Report(source=Source(path="", sha256="", format=""), sections=sections[row.id],
                          meta=Meta(year=row.year, template=row.template), cells=cells[row.id])

        return ([row.id for row in targets],
                [YearPair(row.id, light(row), previous.id, light(previous)) for row, previous in pairs])

    @staticmethod
    def replace_crossyear(session: Session, report_ids: Iterable[int],
                          found: Iterable[tuple[int, int, Sequence[Finding]]]) -> None:
        """Replace the cross-year findings of ``report_ids`` by ``found`` — (report id, the other
        report's id, findings) — in the caller's transaction."""
        stale = list(report_ids)
        if stale:
            session.execute(delete(FindingRow).where(FindingRow.scope == "crossyear",
                                                     FindingRow.report_id.in_(stale)))
        _add_findings(session, [(report_id, "crossyear", _finding_rows(findings), other)
                                for report_id, other, findings in found])
        refresh_counts(session, stale)

    @staticmethod
    def findings(session: Session, report_id: int) -> list[Finding]:
        """A stored report's own findings (the cross-year ones not included), in order."""
        return [Finding(f.rule, f.severity, tuple(f.cells), f.message, f.message_en) for f in session.execute(
            select(FindingRow.rule, FindingRow.severity, FindingRow.cells, FindingRow.message, FindingRow.message_en)
            .where(FindingRow.report_id == report_id, FindingRow.scope == "report").order_by(FindingRow.position))]

    @staticmethod
    def replace_findings(session: Session, report_id: int, findings: Sequence[Finding]) -> None:
        """Replace a stored report's own findings (after a correction), in the caller's transaction."""
        session.execute(delete(FindingRow).where(FindingRow.report_id == report_id, FindingRow.scope == "report"))
        _add_findings(session, [(report_id, "report", _finding_rows(findings), None)])
        refresh_counts(session, [report_id])

    @staticmethod
    def read(session: Session, row: ReportRow, *, with_crossyear: bool = True) -> Report:
        """A stored report (its row) as a ``Report``, read in the caller's transaction."""
        cells = session.execute(select(CellRow.key, CellRow.value, CellRow.printed, CellRow.provenance)
                                .where(CellRow.report_id == row.id).order_by(CellRow.id)).all()
        scopes = ("report", "crossyear") if with_crossyear else ("report",)
        findings = session.execute(
            select(FindingRow.rule, FindingRow.severity, FindingRow.cells, FindingRow.message,
                   FindingRow.message_en).where(FindingRow.report_id == row.id, FindingRow.scope.in_(scopes))
            .order_by(FindingRow.scope.desc(), FindingRow.position)
        ).all()
        source = row.source
        meta = Meta(title=row.title, agency=row.agency, year=row.year, template=row.template,
                    region={"province": row.province, "city": row.city, "county": row.county},
                    level=row.level, published=row.published)
        return Report(
            source=Source(path=row.location, sha256=source.sha256, format=source.medium,
                          encoding=row.extra.get("encoding"), size=source.size),
            meta=meta, sections=dict(row.sections), section_order=list(row.extra.get("section_order", [])),
            cells={c.key: decode_value(c.value) for c in cells},
            printed={c.key: c.printed for c in cells if c.printed is not None},
            provenance={c.key: _provenance(c.provenance) for c in cells if c.provenance is not None},
            labels=dict(row.extra.get("labels", {})), headings=dict(row.extra.get("headings", {})),
            preamble=row.extra.get("preamble", ""),
            findings=[Finding(f.rule, f.severity, tuple(f.cells), f.message, f.message_en) for f in findings],
        )

    # -- ingest runs ---------------------------------------------------------------------------

    def start_run(self, inputs: Sequence[str]) -> int:
        """Record the start of an ingest run; returns its id."""
        with self.session.begin() as session:
            run = IngestRun(started=_now(), inputs=list(inputs))
            session.add(run)
            session.flush()
            return run.id

    def finish_run(self, run_id: int) -> None:
        """Record the end of an ingest run."""
        with self.session.begin() as session:
            run = session.get(IngestRun, run_id)
            assert run is not None
            run.finished = _now()

    def record(self, run_id: int, location: str, status: str, *, sha256: str | None = None,
               report_id: int | None = None, error: dict[str, str] | None = None) -> None:
        """Record what became of one input of a run (``error``: code, message, message_en)."""
        self.record_many(run_id, [Recorded(location, status, sha256, report_id, error)])

    def record_many(self, run_id: int, results: Sequence[Recorded]) -> None:
        """Record what became of several inputs of a run, in one transaction."""
        if not results:
            return
        with self.session.begin() as session:
            session.execute(insert(IngestResult.__table__), [
                {"run_id": run_id, "location": r.location, "sha256": r.sha256, "status": r.status,
                 "report_id": r.report_id, "error_code": (r.error or {}).get("code"),
                 "message": (r.error or {}).get("message"), "message_en": (r.error or {}).get("message_en")}
                for r in results
            ])

    def results(self, run_id: int) -> list[IngestResult]:
        """The per-file results of a run, in order."""
        with self.session() as session:
            return list(session.scalars(
                select(IngestResult).where(IngestResult.run_id == run_id).order_by(IngestResult.id)))


def _counts(findings: Sequence[Finding]) -> tuple[int, int]:
    """The error and warning counts a new report starts with (``store/listing.py``)."""
    severities = Counter(f.severity for f in findings)
    return severities["error"], severities["warning"]


def _truthy(value: Any) -> bool:
    return value is True or str(value).lower() in ("1", "true", "yes", "是")


def _provenance_text(where: Provenance) -> str:
    """The JSON text of a provenance's fields that are set (``Provenance.as_dict``), in field order.
    A position without a box (a text report's line and column, a table's cell) is looked up among
    those already written, by its values and their types (``1`` and ``1.0`` are equal keys, not equal
    text); others are written out (``_fields_text``)."""
    named = vars(where)
    line, col = named["line"], named["col"]
    if (type(line) is int and type(col) is int and named["bbox"] is None and named["table"] is None
            and named["row"] is None and named["page"] is None and named["confidence"] is None):
        return _line_text(line, col)  # a text report's cell: its line and column, nothing else
    if named["bbox"] is None:
        values = tuple(named.values())
        kinds = tuple(map(type, values))
        if tuple not in kinds:  # the types of a tuple's members are not in the key
            try:
                return _position_text(values, kinds)
            except TypeError:  # a value that cannot be a key
                pass
    return _fields_text(named)


@lru_cache(maxsize=4096)
def _line_text(line: int, col: int) -> str:
    return _fields_text({"line": line, "col": col})


@lru_cache(maxsize=4096)
def _position_text(values: tuple[Any, ...], _types: tuple[type, ...]) -> str:
    return _fields_text(dict(zip(_PROVENANCE_FIELDS, values, strict=True)))


def _fields_text(named: dict[str, Any]) -> str:
    """``json.dumps`` of the fields that are set, written directly when each is an ``int``, a finite
    ``float`` or a tuple of them (as the encoder writes them: ``repr``), else by the encoder."""
    parts = []
    for name, value in named.items():
        if value is None:
            continue
        kind = type(value)
        if kind is int or (kind is float and value - value == 0):  # finite: NaN and infinities are the encoder's
            parts.append(f'"{name}": {value!r}')
        elif kind is tuple and all(type(v) is int or (type(v) is float and v - v == 0) for v in value):
            parts.append(f'"{name}": [{", ".join(map(repr, value))}]')
        else:
            return _json({k: v for k, v in named.items() if v is not None})
    return "{" + ", ".join(parts) + "}"


def _finding_rows(findings: Iterable[Finding]) -> list[FindingText]:
    return [(f.rule, f.severity, list(f.cells), f.message, f.message_en) for f in findings]


def _insert_cells(session: Session, rows: list[tuple[int, str, str | None, str | None, str | None]]) -> None:
    """Insert cell rows (report id, key, value, printed, provenance JSON); SQLite's driver takes the
    tuples as they are (no per-row parameter processing: a report has ~200 cells)."""
    if not rows:  # no rows at all (pre-2019 reports have no cells) would insert one row of defaults
        return
    connection = session.connection()
    if connection.dialect.name == "sqlite":
        connection.exec_driver_sql(f"INSERT INTO cells ({', '.join(_CELL_COLUMNS)}) VALUES (?, ?, ?, ?, ?)", rows)
    else:
        session.execute(insert(_CELLS), [dict(zip(_CELL_COLUMNS, row, strict=True)) for row in rows])


def _provenance(data: dict[str, Any]) -> Provenance:
    fields = dict(data)
    if "bbox" in fields:
        fields["bbox"] = tuple(fields["bbox"])
    return Provenance(**fields)


def _add_findings(session: Session, found: Iterable[tuple[int, str, Sequence[FindingText], int | None]]) -> None:
    """Insert findings given as (report id, scope, finding rows, other report id), in one statement;
    SQLite's driver takes them as tuples, ``cells`` as the JSON text the column's type would write."""
    connection = session.connection()
    if connection.dialect.name == "sqlite":
        rows = [(report_id, scope, i, rule, severity, _json(cells), message, message_en, other)
                for report_id, scope, findings, other in found
                for i, (rule, severity, cells, message, message_en) in enumerate(findings)]
        if rows:
            connection.exec_driver_sql(f"INSERT INTO findings ({', '.join(_FINDING_COLUMNS)}) "
                                       f"VALUES ({', '.join('?' * len(_FINDING_COLUMNS))})", rows)
        return
    dicts = [{"report_id": report_id, "scope": scope, "position": i, "rule": rule, "severity": severity,
              "cells": cells, "message": message, "message_en": message_en, "other_report_id": other}
             for report_id, scope, findings, other in found
             for i, (rule, severity, cells, message, message_en) in enumerate(findings)]
    if dicts:
        session.execute(insert(FindingRow.__table__), dicts)
