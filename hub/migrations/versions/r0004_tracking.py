"""Track my request: status updates staff set, and requests kiosks delivered elsewhere.

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
    op.create_table(
        "request_updates",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True,
                  nullable=False),
        sa.Column("service_request_id", sa.String(32), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("updated_datetime", sa.DateTime(), nullable=False),
        sa.Column("staff_name", sa.String(64), nullable=False),
        sa.ForeignKeyConstraint(
            ["service_request_id"], ["service_requests.service_request_id"], ondelete="CASCADE",
            name=op.f("fk_request_updates_service_request_id_service_requests")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_request_updates")),
    )
    op.create_index(op.f("ix_request_updates_service_request_id"), "request_updates",
                    ["service_request_id"])
    op.create_index(op.f("ix_request_updates_updated_datetime"), "request_updates",
                    ["updated_datetime"])
    op.create_table(
        "tracked_references",
        sa.Column("reference", sa.String(64), nullable=False),
        sa.Column("destination", sa.String(64), nullable=False),
        sa.Column("remote_id", sa.String(255), nullable=True),
        sa.Column("remote_token", sa.String(255), nullable=True),
        sa.Column("service_code", sa.String(100), nullable=False),
        sa.Column("delivered_at", sa.DateTime(), nullable=False),
        sa.Column("reported_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("reference", name=op.f("pk_tracked_references")),
    )


def downgrade() -> None:
    op.drop_table("tracked_references")
    op.drop_index(op.f("ix_request_updates_updated_datetime"), table_name="request_updates")
    op.drop_index(op.f("ix_request_updates_service_request_id"), table_name="request_updates")
    op.drop_table("request_updates")
