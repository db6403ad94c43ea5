"""Store: reports, cells, findings, originals and agencies in SQLite (default) or PostgreSQL.

See docs/store.md. ``Store.open(url)`` creates or upgrades the schema (Alembic, shipped here). The
store persists and loads only: checked reports are written by ``gknb.pipeline.write`` (which adds the
cross-year findings in the same transaction), folders, zips and URL lists by ``gknb.pipeline.bulk``.
The review workspace's tables are read and written through ``accounts`` (users, tokens, sessions,
settings, units), ``review`` (review state, corrections, audit, assignments, the list), ``drafts``
and ``tallies`` (the list's and the dashboard's counts and sums kept on write),
each function in the caller's transaction (a ``Session`` from ``store.session.begin()``).
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from . import accounts, drafts, review, tallies
from .db import database_url
from .store import FILTERS, Added, Store, decode_value, encode_value

__all__ = ["FILTERS", "Added", "Session", "Store", "accounts", "database_url", "decode_value", "drafts",
           "encode_value", "review", "tallies"]
