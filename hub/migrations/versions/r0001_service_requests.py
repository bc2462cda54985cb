"""Service requests as the hub stored them before it had migrations.

Revision ID: 0001
Revises: (none)
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "service_requests",
        sa.Column("service_request_id", sa.String(32), nullable=False),
        sa.Column("service_code", sa.String(100), nullable=False),
        sa.Column("service_name", sa.String(200), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("status_notes", sa.Text(), nullable=False),
        sa.Column("service_notice", sa.Text(), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("address_string", sa.Text(), nullable=False),
        sa.Column("address_id", sa.String(255), nullable=False),
        sa.Column("lat", sa.Float(), nullable=True),
        sa.Column("long", sa.Float(), nullable=True),
        sa.Column("email", sa.String(254), nullable=False),
        sa.Column("phone", sa.String(64), nullable=False),
        sa.Column("first_name", sa.String(255), nullable=False),
        sa.Column("last_name", sa.String(255), nullable=False),
        sa.Column("device_id", sa.String(255), nullable=False),
        sa.Column("account_id", sa.String(255), nullable=False),
        sa.Column("media_url", sa.Text(), nullable=False),
        sa.Column("attributes", sa.Text(), nullable=False),
        sa.Column("kiosk_reference", sa.String(64), nullable=True),
        sa.Column("idempotency_key", sa.String(255), nullable=True),
        sa.Column("requested_datetime", sa.DateTime(), nullable=False),
        sa.Column("updated_datetime", sa.DateTime(), nullable=False),
        sa.Column("expected_datetime", sa.DateTime(), nullable=True),
        sa.Column("agency_responsible", sa.String(255), nullable=False),
        sa.PrimaryKeyConstraint("service_request_id", name=op.f("pk_service_requests")),
        sa.UniqueConstraint("kiosk_reference", name=op.f("uq_service_requests_kiosk_reference")),
        sa.UniqueConstraint("idempotency_key", name=op.f("uq_service_requests_idempotency_key")),
    )
    for column in ("service_code", "status", "requested_datetime"):
        op.create_index(op.f(f"ix_service_requests_{column}"), "service_requests", [column])


def downgrade() -> None:
    op.drop_table("service_requests")
