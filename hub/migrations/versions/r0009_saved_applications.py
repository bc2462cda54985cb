"""Save and come back: residents' paused applications, sealed, with an expiry.

Revision ID: 0009
Revises: 0008
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "saved_applications",
        sa.Column("reference", sa.String(16), nullable=False),
        sa.Column("word_salt", sa.LargeBinary(32), nullable=False),
        sa.Column("word_hash", sa.LargeBinary(64), nullable=False),
        sa.Column("nonce", sa.LargeBinary(12), nullable=False),
        sa.Column("sealed", sa.LargeBinary(), nullable=False),
        sa.Column("wrong_tries", sa.Integer(), nullable=False),
        sa.Column("token_digest", sa.String(64), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("expires_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("reference", name=op.f("pk_saved_applications")),
    )
    op.create_index(op.f("ix_saved_applications_expires_at"), "saved_applications",
                    ["expires_at"])


def downgrade() -> None:
    op.drop_index(op.f("ix_saved_applications_expires_at"), table_name="saved_applications")
    op.drop_table("saved_applications")
