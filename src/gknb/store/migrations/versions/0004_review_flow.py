"""The reviewer's workflow: each report's error and warning counts (``report_counts``), a pinyin sort
key of its agency, who it is assigned to, and which users may assign.

The counts of the reports already stored are computed here; the sort keys are filled by
``gknb.store.listing.fill_sort_keys`` (it needs pypinyin, of the ``web`` extra) when the workspace starts.

Revision ID: 0004
Revises: 0003
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # columns added in place (ALTER TABLE … ADD COLUMN), never by copying ``reports``: on SQLite, with
    # foreign keys on, dropping the old copy would cascade to every report's cells and findings
    op.add_column("reports", sa.Column("agency_sort", sa.String(length=400), nullable=True))
    if op.get_bind().dialect.name == "sqlite":  # SQLite takes the reference inline only
        op.execute("ALTER TABLE reports ADD COLUMN assignee_id INTEGER REFERENCES users (id) ON DELETE SET NULL")
    else:
        op.add_column("reports", sa.Column("assignee_id", sa.Integer(), nullable=True))
        op.create_foreign_key("fk_reports_assignee_id_users", "reports", "users", ["assignee_id"], ["id"],
                              ondelete="SET NULL")
    op.add_column("reports", sa.Column("assigned", sa.DateTime(), nullable=True))
    op.create_index("ix_reports_agency_sort", "reports", ["agency_sort"])
    op.create_index("ix_reports_assignee_id", "reports", ["assignee_id"])
    op.add_column("users", sa.Column("can_assign", sa.Boolean(), nullable=False, server_default=sa.false()))
    op.create_table(
        "report_counts",
        sa.Column("report_id", sa.Integer(), nullable=False),
        sa.Column("errors", sa.Integer(), nullable=False),
        sa.Column("warnings", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["report_id"], ["reports.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("report_id"),
    )
    op.create_index("ix_report_counts_errors", "report_counts", ["errors"])
    op.create_index("ix_report_counts_warnings", "report_counts", ["warnings"])
    op.execute("INSERT INTO report_counts (report_id, errors, warnings) SELECT reports.id, "
               "(SELECT count(*) FROM findings WHERE findings.report_id = reports.id AND findings.severity = 'error'), "
               "(SELECT count(*) FROM findings WHERE findings.report_id = reports.id AND findings.severity = 'warning') "
               "FROM reports")


def downgrade() -> None:
    """(On SQLite the columns go by copying the tables: run it with foreign keys off, or the copy's
    drop cascades to the cells and findings.)"""
    op.drop_index("ix_report_counts_warnings", table_name="report_counts")
    op.drop_index("ix_report_counts_errors", table_name="report_counts")
    op.drop_table("report_counts")
    with op.batch_alter_table("users") as batch_op:
        batch_op.drop_column("can_assign")
    with op.batch_alter_table("reports") as batch_op:
        for index in ("assignee_id", "agency_sort"):
            batch_op.drop_index(f"ix_reports_{index}")
        if op.get_bind().dialect.name != "sqlite":  # (SQLite's inline reference goes with the column)
            batch_op.drop_constraint("fk_reports_assignee_id_users", type_="foreignkey")
        for column in ("assigned", "assignee_id", "agency_sort"):
            batch_op.drop_column(column)
