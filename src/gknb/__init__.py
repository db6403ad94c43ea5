"""gknb (公开年报): government information disclosure annual reports as data.

Pipeline: ``ingest`` (source → Document) → ``parse`` (Document → Report) → ``check`` (Report → findings).

>>> import gknb
>>> report = gknb.read("report.txt")          # ingest + parse + check
>>> report.cells["requests.new.total"], [f.rule for f in report.findings]
"""

from __future__ import annotations

import gc

# Loading the modules below creates only objects that live as long as the program (formats, patterns,
# classes): no garbage for the cyclic collector to look for meanwhile, so it pauses (a one-file
# ``gknb check`` spent ~5 % of its time collecting during the imports).
_collecting = gc.isenabled()
gc.disable()
try:
    from .check import check
    from .errors import GknbError, NotAnnualReport, UnreadableFile, UnsupportedFormat
    from .ingest import read_document
    from .parse import parse
    from .pipeline import read
    from .report import Finding, Meta, Report
finally:
    if _collecting:
        gc.enable()
del _collecting

__version__ = "0.1.0"


__all__ = [
    "Finding", "GknbError", "Meta", "NotAnnualReport", "Report", "UnreadableFile", "UnsupportedFormat",
    "check", "parse", "read", "read_document",
]
