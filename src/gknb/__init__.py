"""gknb (公开年报): government information disclosure annual reports as data.

Pipeline: ``ingest`` (source → Document) → ``parse`` (Document → Report) → ``check`` (Report → findings).

>>> import gknb
>>> report = gknb.read("report.txt")          # ingest + parse + check
>>> report.cells["requests.new.total"], [f.rule for f in report.findings]
"""

from __future__ import annotations

from pathlib import Path

from .check import check
from .errors import GknbError, NotAnnualReport, UnreadableFile, UnsupportedFormat
from .ingest import read_document
from .ingest.fetch import is_url, read_url
from .parse import parse
from .report import Finding, Meta, Report

__version__ = "0.1.0"


def read(source: str | Path | bytes, *, name: str | None = None) -> Report:
    """Read one report (path, ``http(s)://`` URL or bytes), parse it and check it.

    Raises ``GknbError`` subclasses."""
    if isinstance(source, str) and is_url(source):
        return check(parse(read_url(source)))
    return check(parse(read_document(source, name=name)))


__all__ = [
    "Finding", "GknbError", "Meta", "NotAnnualReport", "Report", "UnreadableFile", "UnsupportedFormat",
    "check", "parse", "read", "read_document",
]
