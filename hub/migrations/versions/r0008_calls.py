"""Advisor calls: the queue and outcomes, advisors' availability, interpreter invites, and
the peers connected to each call's signalling.

Revision ID: 0008
Revises: 0007
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "calls",
        sa.Column("id", sa.String(32), nullable=False),
        sa.Column("terminal", sa.String(64), nullable=False),
        sa.Column("site", sa.String(64), nullable=False),
        sa.Column("service_code", sa.String(100), nullable=True),
        sa.Column("language", sa.String(3), nullable=False),
        sa.Column("interpreter", sa.String(3), nullable=True),
        sa.Column("state", sa.String(10), nullable=False),
        sa.Column("queued_at", sa.DateTime(), nullable=False),
        sa.Column("kiosk_seen_at", sa.DateTime(), nullable=False),
        sa.Column("answered_at", sa.DateTime(), nullable=True),
        sa.Column("ended_at", sa.DateTime(), nullable=True),
        sa.Column("advisor", sa.String(64), nullable=True),
        sa.Column("end_reason", sa.String(32), nullable=True),
        sa.Column("ended_by", sa.String(10), nullable=True),
        sa.Column("outcome", sa.String(20), nullable=True),
        sa.Column("note", sa.String(500), nullable=True),
        sa.Column("kiosk_token_digest", sa.String(64), nullable=False),
        sa.Column("advisor_token_digest", sa.String(64), nullable=True),
        sa.CheckConstraint("state IN ('queued', 'answered', 'ended')",
                           name=op.f("ck_calls_state_known")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_calls")),
    )
    op.create_index("ix_calls_state_queued_at", "calls", ["state", "queued_at"])
    op.create_index(op.f("ix_calls_ended_at"), "calls", ["ended_at"])
    op.create_index(op.f("ix_calls_advisor"), "calls", ["advisor"])
    op.create_table(
        "advisor_availability",
        sa.Column("account", sa.String(64), nullable=False),
        sa.Column("available", sa.Boolean(), nullable=False),
        sa.Column("last_seen", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("account", name=op.f("pk_advisor_availability")),
    )
    op.create_table(
        "interpreter_invites",
        sa.Column("token_digest", sa.String(64), nullable=False),
        sa.Column("call_id", sa.String(32), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("used_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(["call_id"], ["calls.id"], ondelete="CASCADE",
                                name=op.f("fk_interpreter_invites_call_id_calls")),
        sa.PrimaryKeyConstraint("token_digest", name=op.f("pk_interpreter_invites")),
    )
    op.create_index(op.f("ix_interpreter_invites_call_id"), "interpreter_invites", ["call_id"])
    op.create_table(
        "call_peers",
        sa.Column("peer_id", sa.String(32), nullable=False),
        sa.Column("call_id", sa.String(32), nullable=False),
        sa.Column("role", sa.String(12), nullable=False),
        sa.Column("joined_at", sa.DateTime(), nullable=False),
        sa.Column("seen_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["call_id"], ["calls.id"], ondelete="CASCADE",
                                name=op.f("fk_call_peers_call_id_calls")),
        sa.PrimaryKeyConstraint("peer_id", name=op.f("pk_call_peers")),
    )
    op.create_index(op.f("ix_call_peers_call_id"), "call_peers", ["call_id"])
    op.create_index(op.f("ix_call_peers_seen_at"), "call_peers", ["seen_at"])


def downgrade() -> None:
    op.drop_index(op.f("ix_call_peers_seen_at"), table_name="call_peers")
    op.drop_index(op.f("ix_call_peers_call_id"), table_name="call_peers")
    op.drop_table("call_peers")
    op.drop_index(op.f("ix_interpreter_invites_call_id"), table_name="interpreter_invites")
    op.drop_table("interpreter_invites")
    op.drop_table("advisor_availability")
    op.drop_index(op.f("ix_calls_advisor"), table_name="calls")
    op.drop_index(op.f("ix_calls_ended_at"), table_name="calls")
    op.drop_index("ix_calls_state_queued_at", table_name="calls")
    op.drop_table("calls")
