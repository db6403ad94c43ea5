"""Scale: composite indexes for the report list and its filters, and the store's revision kept by the database.

The report list walks ``ix_reports_listing`` in its default order (current reports by the agency's pinyin key, year,
id) and stops after a page; an agency's reports are found by ``ix_reports_agency_current``; error
counts read ``ix_findings_report_severity`` alone. The single-column indexes these begin with go (the
composite one serves their queries; models.py still names the columns ``index=True``).

The store's revision changes with every committed write to the tables the list's counts, its filter
values and the dashboard read (reports, cells, findings, agencies), so those can be cached until it
changes (``Store.revision``). The database keeps it, by triggers, so no writing code can forget it:
SQLite (one writer at a time) counts in the single row of ``store_revision``; PostgreSQL, where
several writers run at once and one counter row would queue them all, appends a row to
``store_changes`` per write statement and the revision is the number of rows a reader sees.

Revision ID: 0006
Revises: 0005
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

WATCHED = ("reports", "cells", "findings", "agencies")
# SQLite's triggers run per row: none on inserted cells (a report's cells are only ever inserted with
# its row, ``Store._insert``, whose insert counts), which would cost ~150 revision updates a report.
SQLITE_TRIGGERS = [(table, operation) for table in WATCHED for operation in ("INSERT", "UPDATE", "DELETE")
                   if (table, operation) != ("cells", "INSERT")]
INDEXES = (
    ("ix_reports_listing", "reports", ["current", "agency_sort", "year", "id"]),
    ("ix_reports_agency_current", "reports", ["agency_id", "current", "year"]),
    ("ix_findings_report_severity", "findings", ["report_id", "severity"]),
)


REPLACED = (  # single-column indexes the composite ones begin with: one index to write instead of two
    ("ix_reports_current", "reports", ["current"]),
    ("ix_reports_agency_id", "reports", ["agency_id"]),
    ("ix_findings_report_id", "findings", ["report_id"]),
)


def upgrade() -> None:
    for name, table, columns in INDEXES:
        op.create_index(name, table, columns)
    for name, table, _columns in REPLACED:
        op.drop_index(name, table_name=table)
    if op.get_bind().dialect.name == "postgresql":
        op.create_table("store_changes", sa.Column("id", sa.BigInteger(), primary_key=True))
        op.execute("CREATE FUNCTION gknb_store_changed() RETURNS trigger LANGUAGE plpgsql AS "
                   "$$ BEGIN INSERT INTO store_changes DEFAULT VALUES; RETURN NULL; END $$")
        for table in WATCHED:
            op.execute(f"CREATE TRIGGER gknb_{table}_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE "
                       f"ON {table} FOR EACH STATEMENT EXECUTE FUNCTION gknb_store_changed()")
        return
    op.create_table("store_revision", sa.Column("id", sa.Integer(), primary_key=True),
                    sa.Column("n", sa.BigInteger(), nullable=False))
    op.execute("INSERT INTO store_revision (id, n) VALUES (1, 0)")
    for table, operation in SQLITE_TRIGGERS:
        op.execute(f"CREATE TRIGGER gknb_{table}_{operation.lower()} AFTER {operation} ON {table} "
                   "BEGIN UPDATE store_revision SET n = n + 1 WHERE id = 1; END")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for table in WATCHED:
            op.execute(f"DROP TRIGGER gknb_{table}_changed ON {table}")
        op.execute("DROP FUNCTION gknb_store_changed()")
        op.drop_table("store_changes")
    else:
        for table, operation in SQLITE_TRIGGERS:
            op.execute(f"DROP TRIGGER gknb_{table}_{operation.lower()}")
        op.drop_table("store_revision")
    for name, table, columns in REPLACED:
        op.create_index(name, table, columns)
    for name, table, _columns in INDEXES:
        op.drop_index(name, table_name=table)
