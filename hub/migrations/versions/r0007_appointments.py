"""Appointments: sites, types, slot templates, bookings (holds included), feed tokens, and
wrong-postcode counts.

Revision ID: 0007
Revises: 0005 (to be re-chained after 0006 when the branches meet)

unique (site_id, type_id, start, seat) is what makes a double booking impossible.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "appointment_sites",
        sa.Column("id", sa.String(64), nullable=False),
        sa.Column("names", sa.Text(), nullable=False),
        sa.Column("address", sa.String(300), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_appointment_sites")),
    )
    op.create_table(
        "appointment_types",
        sa.Column("id", sa.String(64), nullable=False),
        sa.Column("names", sa.Text(), nullable=False),
        sa.Column("descriptions", sa.Text(), nullable=False),
        sa.Column("bring", sa.Text(), nullable=False),
        sa.Column("minutes", sa.Integer(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_appointment_types")),
    )
    op.create_table(
        "appointment_templates",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("site_id", sa.String(64), nullable=False),
        sa.Column("type_id", sa.String(64), nullable=False),
        sa.Column("weekdays", sa.String(20), nullable=False),
        sa.Column("opens", sa.String(5), nullable=False),
        sa.Column("closes", sa.String(5), nullable=False),
        sa.Column("slot_minutes", sa.Integer(), nullable=False),
        sa.Column("capacity", sa.Integer(), nullable=False),
        sa.Column("breaks", sa.Text(), nullable=False),
        sa.Column("valid_from", sa.Date(), nullable=True),
        sa.Column("valid_to", sa.Date(), nullable=True),
        sa.Column("closed", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(["site_id"], ["appointment_sites.id"], ondelete="CASCADE",
                                name=op.f("fk_appointment_templates_site_id_appointment_sites")),
        sa.ForeignKeyConstraint(["type_id"], ["appointment_types.id"], ondelete="CASCADE",
                                name=op.f("fk_appointment_templates_type_id_appointment_types")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_appointment_templates")),
    )
    op.create_index(op.f("ix_appointment_templates_site_id"), "appointment_templates",
                    ["site_id"])
    op.create_index(op.f("ix_appointment_templates_type_id"), "appointment_templates",
                    ["type_id"])
    op.create_table(
        "appointment_bookings",
        sa.Column("id", sa.String(32), nullable=False),
        sa.Column("reference", sa.String(12), nullable=True),
        sa.Column("status", sa.String(10), nullable=False),
        sa.Column("site_id", sa.String(64), nullable=False),
        sa.Column("type_id", sa.String(64), nullable=False),
        sa.Column("start", sa.DateTime(), nullable=False),
        sa.Column("end", sa.DateTime(), nullable=False),
        sa.Column("seat", sa.Integer(), nullable=True),
        sa.Column("holder_digest", sa.String(64), nullable=False),
        sa.Column("expires_at", sa.DateTime(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("moved_by", sa.String(32), nullable=True),
        sa.Column("assisted", sa.Boolean(), nullable=False),
        sa.Column("language", sa.String(3), nullable=False),
        sa.Column("terminal", sa.String(64), nullable=False),
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("email", sa.String(254), nullable=False),
        sa.Column("phone", sa.String(40), nullable=False),
        sa.Column("postcode", sa.String(8), nullable=False),
        sa.Column("purged", sa.Boolean(), nullable=False),
        sa.CheckConstraint("status IN ('held', 'confirmed', 'cancelled')",
                           name=op.f("ck_appointment_bookings_status_known")),
        sa.CheckConstraint("seat >= 1", name=op.f("ck_appointment_bookings_seat_from_one")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_appointment_bookings")),
        sa.UniqueConstraint("reference", name=op.f("uq_appointment_bookings_reference")),
        sa.UniqueConstraint("site_id", "type_id", "start", "seat", name="uq_appointment_seat"),
    )
    op.create_index(op.f("ix_appointment_bookings_holder_digest"), "appointment_bookings",
                    ["holder_digest"])
    op.create_index("ix_appointment_bookings_site_start", "appointment_bookings",
                    ["site_id", "start"])
    op.create_table(
        "appointment_feed_tokens",
        sa.Column("site_id", sa.String(64), nullable=False),
        sa.Column("token_digest", sa.String(64), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("site_id", name=op.f("pk_appointment_feed_tokens")),
    )
    op.create_table(
        "appointment_find_failures",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("reference_digest", sa.String(64), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_appointment_find_failures")),
    )
    op.create_index(op.f("ix_appointment_find_failures_reference_digest"),
                    "appointment_find_failures", ["reference_digest"])


def downgrade() -> None:
    op.drop_index(op.f("ix_appointment_find_failures_reference_digest"),
                  table_name="appointment_find_failures")
    op.drop_table("appointment_find_failures")
    op.drop_table("appointment_feed_tokens")
    op.drop_index("ix_appointment_bookings_site_start", table_name="appointment_bookings")
    op.drop_index(op.f("ix_appointment_bookings_holder_digest"),
                  table_name="appointment_bookings")
    op.drop_table("appointment_bookings")
    op.drop_index(op.f("ix_appointment_templates_type_id"), table_name="appointment_templates")
    op.drop_index(op.f("ix_appointment_templates_site_id"), table_name="appointment_templates")
    op.drop_table("appointment_templates")
    op.drop_table("appointment_types")
    op.drop_table("appointment_sites")
