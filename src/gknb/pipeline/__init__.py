"""The pipeline: one source → one outcome — a checked ``Report``, or the error that stopped it.

``read`` (ingest → parse → check) is ``gknb.read``; ``run`` is the same never raising, used by the CLI
for every file and by bulk ingest (``pipeline.bulk``), which the job queue and the web uploads use.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..check import check
from ..errors import GknbError, InternalError
from ..ingest import read_document
from ..ingest.urls import is_url
from ..parse import parse
from ..report import Report


@dataclass
class Outcome:
    """What became of one input: a report, or the error that stopped it."""

    path: str
    report: Report | None = None
    error: GknbError | None = None

    def as_dict(self) -> dict[str, Any]:
        """The JSON contract for a report; ``{"source": {"path"}, "error": …}`` for a failed file."""
        if self.report is not None:
            return self.report.as_dict()
        assert self.error is not None
        return {"source": {"path": self.path}, "error": self.error.as_dict()}


def read(source: str | Path | bytes, *, name: str | None = None, charset: str | None = None) -> Report:
    """Read one report (path, ``http(s)://`` URL or bytes), parse it and check it.

    ``charset``: the encoding a transport declared for the bytes. Raises ``GknbError`` subclasses."""
    if isinstance(source, str) and is_url(source):
        from ..ingest.fetch import read_url  # the HTTP client only when there is an address to fetch

        return check(parse(read_url(source)))
    return check(parse(read_document(source, name=name, charset=charset)))


def run(source: str | Path | bytes, *, path: str, name: str | None = None, charset: str | None = None) -> Outcome:
    """``read`` that never raises: a ``GknbError`` becomes the outcome's error, and so does any other
    failure, as an ``InternalError`` (a bug must not stop a batch nor show a traceback; ``GKNB_DEBUG``
    re-raises it). ``path`` names the input in the outcome."""
    try:
        return Outcome(path, report=read(source, name=name, charset=charset))
    except GknbError as error:
        return Outcome(path, error=error)
    except MemoryError:  # over a worker's memory limit: the worker answers ``ingest.memory`` (workers.py)
        raise
    except Exception as error:
        if os.environ.get("GKNB_DEBUG"):
            raise
        return Outcome(path, error=InternalError.of(error, path))


__all__ = ["Outcome", "read", "run"]
