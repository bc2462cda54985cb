"""Usage events (issue 14): batches received, raw events, and the report's aggregates.

Revision ID: 0010
Revises: 0008 (0009 is the saved applications' branch: whichever lands second follows the other)
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "usage_batches",
        sa.Column("batch_id", sa.String(32), nullable=False),
        sa.Column("device_id", sa.String(64), nullable=False),
        sa.Column("received_at", sa.DateTime(), nullable=False),
        sa.Column("events", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("batch_id", name=op.f("pk_usage_batches")),
    )
    op.create_index(op.f("ix_usage_batches_received_at"), "usage_batches", ["received_at"])
    op.create_table(
        "usage_events",
        sa.Column("id", _ID, autoincrement=True, nullable=False),
        sa.Column("batch_id", sa.String(32), nullable=False),
        sa.Column("device_id", sa.String(64), nullable=False),
        sa.Column("site", sa.String(64), nullable=False),
        sa.Column("visit", sa.String(16), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("hour", sa.DateTime(), nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("service", sa.String(64), nullable=True),
        sa.Column("page", sa.String(64), nullable=True),
        sa.Column("reason", sa.String(12), nullable=True),
        sa.Column("duration", sa.String(8), nullable=True),
        sa.Column("choice", sa.String(12), nullable=True),
        sa.Column("value", sa.String(32), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_usage_events")),
    )
    op.create_index("ix_usage_events_device_visit", "usage_events", ["device_id", "visit"])
    op.create_index(op.f("ix_usage_events_hour"), "usage_events", ["hour"])
    op.create_table(
        "usage_counts",
        sa.Column("month", sa.String(7), nullable=False),
        sa.Column("site", sa.String(64), nullable=False),
        sa.Column("device_id", sa.String(64), nullable=False),
        sa.Column("service", sa.String(64), nullable=False),
        sa.Column("measure", sa.String(16), nullable=False),
        sa.Column("key", sa.String(72), nullable=False),
        sa.Column("count", _ID, nullable=False),
        sa.PrimaryKeyConstraint("month", "site", "device_id", "service", "measure", "key",
                                name=op.f("pk_usage_counts")),
    )


def downgrade() -> None:
    op.drop_table("usage_counts")
    op.drop_index(op.f("ix_usage_events_hour"), table_name="usage_events")
    op.drop_index("ix_usage_events_device_visit", table_name="usage_events")
    op.drop_table("usage_events")
    op.drop_index(op.f("ix_usage_batches_received_at"), table_name="usage_batches")
    op.drop_table("usage_batches")
