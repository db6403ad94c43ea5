"""The store: reports with their cells, findings, originals and agencies in one database.

>>> store = Store.open("gknb.db")                  # or a postgresql:// URL; upgrades the schema
>>> result = store.add(report, raw=source_bytes)    # "stored" or "duplicate" (same bytes already kept)
>>> store.load(result.report_id).cells == report.cells
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Engine, Select, delete, insert, select, update
from sqlalchemy.orm import Session, sessionmaker

from ..check.crossyear import cross_year, previous_year
from ..document import Provenance, Source
from ..regions import locate, normalise_name
from ..report import Finding, Meta, Report, Value
from .db import open_engine
from .models import AgencyRow, CellRow, FindingRow, IngestResult, IngestRun, ReportRow, SourceRow

FILTERS = ("agency", "year", "province", "city", "county", "level", "template")


@dataclass(frozen=True)
class Added:
    """What ``Store.add`` did: ``stored`` (new report) or ``duplicate`` (the same bytes were kept)."""

    status: str
    report_id: int


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

    @classmethod
    def open(cls, url: str | None = None) -> Store:
        """Open (and create or upgrade) the database at ``url`` (see ``db.database_url``)."""
        return cls(open_engine(url))

    def close(self) -> None:
        """Release the database connections."""
        self.engine.dispose()

    # -- sources and reports -------------------------------------------------------------------

    def has_source(self, sha256: str) -> int | None:
        """The report stored from the original with this hash, if any."""
        with self.session() as session:
            return session.scalar(
                select(ReportRow.id).join(SourceRow).where(SourceRow.sha256 == sha256).order_by(ReportRow.id)
            )

    def add(self, report: Report, raw: bytes | None = None, *, location: str | None = None,
            run_id: int | None = None, infer_place: bool = True) -> Added:
        """Store a checked report and its original ``raw`` bytes, then re-run the cross-year checks.

        Nothing happens when a source with the same hash is already stored. A different content at an
        already known ``location`` becomes its next version, and the older one stops being current.
        ``infer_place``: take region and level from the agency table (else keep the report's meta).
        """
        sha = hashlib.sha256(raw).hexdigest() if raw is not None else report.source.sha256
        location = location or report.source.path
        with self.session.begin() as session:
            existing = session.scalar(
                select(ReportRow.id).join(SourceRow).where(SourceRow.sha256 == sha).order_by(ReportRow.id)
            )
            if existing is not None:
                return Added("duplicate", existing)
            source = SourceRow(sha256=sha, size=len(raw) if raw is not None else report.source.size,
                               medium=report.source.format, content=raw, created=_now())
            agency = self._agency(session, report.meta.agency, create=True)
            if agency is not None and infer_place:
                report.meta.region = {"province": agency.province, "city": agency.city, "county": agency.county}
                report.meta.level = agency.level
            versions = session.scalars(select(ReportRow).where(ReportRow.location == location)).all()
            for older in versions:
                older.current = False
            row = ReportRow(
                source=source, agency_row=agency, location=location, version=len(versions) + 1, current=True,
                title=report.meta.title, agency=report.meta.agency, year=report.meta.year,
                template=report.meta.template, published=report.meta.published,
                province=report.meta.region.get("province"), city=report.meta.region.get("city"),
                county=report.meta.region.get("county"), level=report.meta.level,
                sections=dict(report.sections),
                extra={"section_order": list(report.section_order), "labels": dict(report.labels),
                       "encoding": report.source.encoding},
                ingested=_now(), run_id=run_id,
            )
            session.add(row)
            session.flush()
            session.execute(insert(CellRow), [
                {"report_id": row.id, "key": key, "value": encode_value(value), "printed": report.printed.get(key),
                 "provenance": report.provenance[key].as_dict() if key in report.provenance else None}
                for key, value in report.cells.items()
            ])
            _add_findings(session, row.id, "report", report.findings, None)
            if agency is not None:
                self._recheck(session, agency.id)
            return Added("stored", row.id)

    def load(self, report_id: int, *, with_crossyear: bool = True) -> Report:
        """The stored report, as it was stored (cross-year findings appended unless told otherwise)."""
        with self.session() as session:
            row = session.get(ReportRow, report_id)
            if row is None:
                raise KeyError(report_id)
            return self._report(session, row, with_crossyear)

    def report_ids(self, where: dict[str, Any] | None = None, *, current: bool = True) -> list[int]:
        """Ids of stored reports matching ``where`` (keys of ``FILTERS``), by agency, year and id."""
        with self.session() as session:
            return list(session.scalars(self.select_reports(where, current=current)))

    def select_reports(self, where: dict[str, Any] | None = None, *, current: bool = True) -> Select[tuple[int]]:
        """The SELECT of report ids behind ``report_ids``, for other queries to build on."""
        query = select(ReportRow.id).order_by(ReportRow.agency, ReportRow.year, ReportRow.id)
        if current:
            query = query.where(ReportRow.current.is_(True))
        for name, value in (where or {}).items():
            if name not in FILTERS:
                raise ValueError(f"unknown filter {name!r}; one of {', '.join(FILTERS)}")
            column = getattr(ReportRow, name)
            if name == "agency":
                agency = self.agency(value)
                query = query.where(ReportRow.agency_id == (agency.id if agency else -1))
            else:
                query = query.where(column == (int(value) if name == "year" else value))
        return query

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
            agency = self._agency(session, name, create=True)
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

    def _agency(self, session: Session, name: str | None, *, create: bool) -> AgencyRow | None:
        if not name or not name.strip():
            return None
        normal = normalise_name(name)
        agency = session.scalar(select(AgencyRow).where(AgencyRow.name == normal))
        if agency is None and create:
            place = locate(normal)
            codes, region = place.codes(), place.region()
            agency = AgencyRow(
                name=normal, province=region["province"], city=region["city"], county=region["county"],
                province_code=codes["province"], city_code=codes["city"], county_code=codes["county"],
                level=place.level, corrected=False,
            )
            session.add(agency)
            session.flush()
        return agency

    # -- across years --------------------------------------------------------------------------

    def agency_reports(self, name: str) -> list[Report]:
        """The current reports of one agency, by year."""
        agency = self.agency(name)
        if agency is None:
            return []
        with self.session() as session:
            rows = session.scalars(self._agency_rows(agency.id)).all()
            return [self._report(session, row, True) for row in rows]

    @staticmethod
    def _agency_rows(agency_id: int) -> Select[tuple[ReportRow]]:
        return (select(ReportRow).where(ReportRow.agency_id == agency_id, ReportRow.current.is_(True))
                .order_by(ReportRow.year, ReportRow.id))

    def _recheck(self, session: Session, agency_id: int) -> None:
        """Recompute the cross-year findings of every current report of one agency."""
        rows = session.scalars(self._agency_rows(agency_id)).all()
        session.execute(delete(FindingRow).where(
            FindingRow.scope == "crossyear",
            FindingRow.report_id.in_(select(ReportRow.id).where(ReportRow.agency_id == agency_id)),
        ))
        if len(rows) < 2:
            return
        reports = [self._report(session, row, False) for row in rows]
        ids = {id(report): row.id for report, row in zip(reports, rows, strict=True)}
        for report, row in zip(reports, rows, strict=True):
            previous = previous_year(report, reports)
            if previous is None:
                continue
            found = list(cross_year(report, reports))
            _add_findings(session, row.id, "crossyear", found, ids[id(previous)])

    def _report(self, session: Session, row: ReportRow, with_crossyear: bool) -> Report:
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
            labels=dict(row.extra.get("labels", {})),
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
        with self.session.begin() as session:
            session.add(IngestResult(
                run_id=run_id, location=location, sha256=sha256, status=status, report_id=report_id,
                error_code=(error or {}).get("code"), message=(error or {}).get("message"),
                message_en=(error or {}).get("message_en"),
            ))

    def results(self, run_id: int) -> list[IngestResult]:
        """The per-file results of a run, in order."""
        with self.session() as session:
            return list(session.scalars(
                select(IngestResult).where(IngestResult.run_id == run_id).order_by(IngestResult.id)))


def _provenance(data: dict[str, Any]) -> Provenance:
    fields = dict(data)
    if "bbox" in fields:
        fields["bbox"] = tuple(fields["bbox"])
    return Provenance(**fields)


def _add_findings(session: Session, report_id: int, scope: str, findings: Sequence[Finding],
                  other: int | None) -> None:
    if findings:
        session.execute(insert(FindingRow), [
            {"report_id": report_id, "scope": scope, "position": i, "rule": f.rule, "severity": f.severity,
             "cells": list(f.cells), "message": f.message, "message_en": f.message_en, "other_report_id": other}
            for i, f in enumerate(findings)
        ])
