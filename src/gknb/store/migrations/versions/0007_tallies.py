"""Tallies kept on write, a PostgreSQL revision read in constant time, one index on cells for two.

**Tallies** (``gknb.store.tallies``): the report list's totals and filter values and the dashboard's
charts, kept per dimension and value (``tallies``) instead of recounted over the store after every
write. Writers log the reports they change in ``tally_log`` — by triggers, so no writing code can
forget it: a report inserted, deleted, or updated in a column the tallies group or count by; its
error count crossing zero (``report_counts``); a cell's value corrected. Cells inserted with their
report need no trigger (the report's insert is logged; no code inserts a cell into a stored report).
The next reader applies the log (``tally_reports`` keeps what each report contributes). The tables
start empty: the first reader finds no signature and counts every stored report once.

**Revision** (PostgreSQL): migration 0006 appended a row to ``store_changes`` per write statement and
counted them (a scan that grew with the store's history). Now each writing transaction records its
transaction id once (``pg_current_xact_id``, conflict-free between writers: each has its own key) and
``Store.revision`` reads the largest visible one along the primary key, with the transactions still
in progress below it (they may commit later without raising it). SQLite keeps its counter row.

**Cells**: ``ix_cells_report_id`` and ``ix_cells_key`` become one index on (report_id, key): every
query of cells names the report (a report's cells, a correction's cell, the metrics' cells of the
reports a filter selects), and each cell inserted (about 200 a report) updates one index fewer.
models.py still names the two columns ``index=True``.

Revision ID: 0007
Revises: 0006
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

# reports' columns the tallies group or count by (``tallies.DIMENSIONS`` and ``current``)
REPORT_COLUMNS = ("current", "year", "agency", "province", "city", "county", "level", "template", "review_status")
_LOG_NEW = "INSERT INTO tally_log (report_id) VALUES (NEW.{column})"
_LOG_OLD = "INSERT INTO tally_log (report_id) VALUES (OLD.{column})"
# (name, table, event, condition or None, the report id column of the row logged: NEW or OLD)
TRIGGERS = (
    ("gknb_tally_report_insert", "reports", "INSERT", None, _LOG_NEW.format(column="id")),
    ("gknb_tally_report_delete", "reports", "DELETE", None, _LOG_OLD.format(column="id")),
    ("gknb_tally_report_update", "reports", f"UPDATE OF {', '.join(REPORT_COLUMNS)}",
     " OR ".join(f"OLD.{c} IS DISTINCT FROM NEW.{c}" for c in REPORT_COLUMNS), _LOG_NEW.format(column="id")),
    ("gknb_tally_counts_insert", "report_counts", "INSERT", "NEW.errors > 0", _LOG_NEW.format(column="report_id")),
    ("gknb_tally_counts_update", "report_counts", "UPDATE OF errors", "(OLD.errors > 0) <> (NEW.errors > 0)",
     _LOG_NEW.format(column="report_id")),
    ("gknb_tally_cell_update", "cells", "UPDATE OF value", "OLD.value IS DISTINCT FROM NEW.value",
     _LOG_NEW.format(column="report_id")),
)


CELL_INDEXES = (("ix_cells_report_id", ["report_id"]), ("ix_cells_key", ["key"]))


def upgrade() -> None:
    op.create_index("ix_cells_report_key", "cells", ["report_id", "key"])
    for name, _columns in CELL_INDEXES:
        op.drop_index(name, table_name="cells")
    op.create_table("tally_log", sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
                                           primary_key=True, autoincrement=True),
                    sa.Column("report_id", sa.Integer(), nullable=False))
    op.create_table("tally_reports", sa.Column("report_id", sa.Integer(), primary_key=True, autoincrement=False),
                    sa.Column("contribution", sa.Text(), nullable=False))
    op.create_table("tallies", sa.Column("dim", sa.String(20), primary_key=True),
                    sa.Column("key", sa.Text(), primary_key=True),
                    sa.Column("value", sa.Text()), sa.Column("number", sa.Integer()),
                    sa.Column("reports", sa.Integer(), nullable=False),
                    sa.Column("with_errors", sa.Integer(), nullable=False),
                    sa.Column("amounts", sa.Text(), nullable=False),
                    sa.Column("rank", sa.Float(), nullable=False))
    op.create_index("ix_tallies_rank", "tallies", ["dim", "rank"])
    postgres = op.get_bind().dialect.name == "postgresql"
    for name, table, event, condition, action in TRIGGERS:
        when = f" WHEN ({condition})" if condition else ""
        if postgres:
            op.execute(f"CREATE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS "
                       f"$$ BEGIN {action}; RETURN NULL; END $$")
            op.execute(f"CREATE TRIGGER {name} AFTER {event} ON {table} FOR EACH ROW{when} "
                       f"EXECUTE FUNCTION {name}()")
        else:
            when = when.replace("IS DISTINCT FROM", "IS NOT")
            op.execute(f"CREATE TRIGGER {name} AFTER {event} ON {table} FOR EACH ROW{when} BEGIN {action}; END")
    if postgres:
        op.drop_table("store_changes")
        op.execute("CREATE TABLE store_changes (xid xid8 PRIMARY KEY)")
        op.execute("CREATE OR REPLACE FUNCTION gknb_store_changed() RETURNS trigger LANGUAGE plpgsql AS "
                   "$$ BEGIN INSERT INTO store_changes (xid) VALUES (pg_current_xact_id()) ON CONFLICT DO NOTHING; "
                   "RETURN NULL; END $$")


def downgrade() -> None:
    for name, columns in CELL_INDEXES:
        op.create_index(name, "cells", columns)
    op.drop_index("ix_cells_report_key", table_name="cells")
    postgres = op.get_bind().dialect.name == "postgresql"
    for name, table, _event, _condition, _action in TRIGGERS:
        op.execute(f"DROP TRIGGER {name} ON {table}" if postgres else f"DROP TRIGGER {name}")
        if postgres:
            op.execute(f"DROP FUNCTION {name}()")
    op.drop_index("ix_tallies_rank", table_name="tallies")
    for table in ("tallies", "tally_reports", "tally_log"):
        op.drop_table(table)
    if postgres:
        op.drop_table("store_changes")
        op.create_table("store_changes", sa.Column("id", sa.BigInteger(), primary_key=True))
        op.execute("CREATE OR REPLACE FUNCTION gknb_store_changed() RETURNS trigger LANGUAGE plpgsql AS "
                   "$$ BEGIN INSERT INTO store_changes DEFAULT VALUES; RETURN NULL; END $$")
