"""The fleet: registered terminals, their latest and recent heartbeats, refusals by reason.

Revision ID: 0003
Revises: 0002
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "devices",
        sa.Column("id", sa.String(64), nullable=False),
        sa.Column("site", sa.String(64), nullable=False),
        sa.Column("council", sa.String(200), nullable=False),
        sa.Column("signing_public", sa.LargeBinary(32), nullable=False),
        sa.Column("sealing_public", sa.LargeBinary(32), nullable=False),
        sa.Column("registered_at", sa.DateTime(), nullable=False),
        sa.Column("revoked_at", sa.DateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_devices")),
    )
    op.create_index(op.f("ix_devices_site"), "devices", ["site"])
    op.create_table(
        "heartbeat_latest",
        sa.Column("device_id", sa.String(64), nullable=False),
        sa.Column("seq", sa.BigInteger(), nullable=False),
        sa.Column("beats", sa.BigInteger(), nullable=False),
        sa.Column("received_at", sa.DateTime(), nullable=True),
        sa.Column("body", sa.Text(), nullable=True),
        sa.Column("last_refusal", sa.String(32), nullable=True),
        sa.Column("last_refusal_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(["device_id"], ["devices.id"], ondelete="CASCADE",
                                name=op.f("fk_heartbeat_latest_device_id_devices")),
        sa.PrimaryKeyConstraint("device_id", name=op.f("pk_heartbeat_latest")),
    )
    op.create_table(
        "heartbeat_history",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True,
                  nullable=False),
        sa.Column("device_id", sa.String(64), nullable=False),
        sa.Column("seq", sa.BigInteger(), nullable=False),
        sa.Column("received_at", sa.DateTime(), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(["device_id"], ["devices.id"], ondelete="CASCADE",
                                name=op.f("fk_heartbeat_history_device_id_devices")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_heartbeat_history")),
    )
    op.create_index(op.f("ix_heartbeat_history_device_id"), "heartbeat_history", ["device_id"])
    op.create_table(
        "heartbeat_refusals",
        sa.Column("reason", sa.String(32), nullable=False),
        sa.Column("count", sa.BigInteger(), nullable=False),
        sa.Column("last_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("reason", name=op.f("pk_heartbeat_refusals")),
    )


def downgrade() -> None:
    op.drop_table("heartbeat_refusals")
    op.drop_table("heartbeat_history")
    op.drop_table("heartbeat_latest")
    op.drop_index(op.f("ix_devices_site"), table_name="devices")
    op.drop_table("devices")
