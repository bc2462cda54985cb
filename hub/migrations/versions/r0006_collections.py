"""The collection calendar: bin types, rounds per UPRN and bin type, and exceptions.

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


def upgrade() -> None:
    op.create_table(
        "collection_bins",
        sa.Column("bin", sa.String(40), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("colour", sa.String(40), nullable=False),
        sa.Column("names", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("bin", name=op.f("pk_collection_bins")),
    )
    op.create_table(
        "collection_rounds",
        sa.Column("uprn", sa.String(12), nullable=False),
        sa.Column("bin", sa.String(40), nullable=False),
        sa.Column("every_weeks", sa.SmallInteger(), nullable=False),
        sa.Column("reference_date", sa.Date(), nullable=False),
        sa.Column("round_name", sa.String(40), nullable=False),
        sa.PrimaryKeyConstraint("uprn", "bin", name=op.f("pk_collection_rounds")),
    )
    op.create_table(
        "collection_exceptions",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("usual_date", sa.Date(), nullable=False),
        sa.Column("moved_to", sa.Date(), nullable=True),
        sa.Column("bin", sa.String(40), nullable=False),
        sa.Column("round_name", sa.String(40), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_collection_exceptions")),
        sa.UniqueConstraint("usual_date", "bin", "round_name",
                            name=op.f("uq_collection_exceptions_usual_date")),
    )
    op.create_index(op.f("ix_collection_exceptions_usual_date"), "collection_exceptions",
                    ["usual_date"])


def downgrade() -> None:
    op.drop_index(op.f("ix_collection_exceptions_usual_date"),
                  table_name="collection_exceptions")
    op.drop_table("collection_exceptions")
    op.drop_table("collection_rounds")
    op.drop_table("collection_bins")
