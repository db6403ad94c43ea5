"""Parse: Document → Report (meta, six sections, canonical cells with provenance)."""

from __future__ import annotations

from ..document import Document
from ..report import Report


def parse(document: Document) -> Report:
    """Parse a document into the canonical report. Raises NotAnnualReport."""
    raise NotImplementedError  # replaced by the parser work in progress
