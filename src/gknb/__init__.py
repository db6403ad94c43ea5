"""gknb (公开年报): government information disclosure annual reports as data.

Pipeline: ``ingest`` (source → Document) → ``parse`` (Document → Report) → ``check`` (Report → findings).

>>> import gknb
>>> report = gknb.read("report.txt")          # ingest + parse + check
>>> report.cells["requests.new.total"], [f.rule for f in report.findings]
"""

from __future__ import annotations

from .check import check
from .errors import GknbError, NotAnnualReport, UnreadableFile, UnsupportedFormat
from .ingest import read_document
from .parse import parse
from .pipeline import read
from .report import Finding, Meta, Report

__version__ = "0.1.0"


__all__ = [
    "Finding", "GknbError", "Meta", "NotAnnualReport", "Report", "UnreadableFile", "UnsupportedFormat",
    "check", "parse", "read", "read_document",
]
