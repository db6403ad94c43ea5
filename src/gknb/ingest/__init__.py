"""Ingest: bytes of any supported medium → Document (blocks with provenance)."""

from __future__ import annotations

from pathlib import Path

from ..document import Document


def read_document(source: str | Path | bytes, *, name: str | None = None) -> Document:
    """Read a file (path) or bytes into a Document. Raises UnreadableFile / UnsupportedFormat."""
    raise NotImplementedError  # replaced by the ingest work in progress
