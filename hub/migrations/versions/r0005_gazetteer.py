"""The council's gazetteer: addresses by UPRN, indexed by normalised postcode.

Revision ID: 0005
Revises: 0004
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "gazetteer_addresses",
        sa.Column("uprn", sa.String(12), nullable=False),
        sa.Column("seq", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("postcode_key", sa.String(8), nullable=False),
        sa.Column("postcode", sa.String(8), nullable=False),
        sa.Column("organisation", sa.String(100), nullable=False),
        sa.Column("saon", sa.String(100), nullable=False),
        sa.Column("paon", sa.String(100), nullable=False),
        sa.Column("street", sa.String(100), nullable=False),
        sa.Column("locality", sa.String(100), nullable=False),
        sa.Column("town", sa.String(100), nullable=False),
        sa.Column("lat", sa.Float(), nullable=False),
        sa.Column("long", sa.Float(), nullable=False),
        sa.PrimaryKeyConstraint("uprn", name=op.f("pk_gazetteer_addresses")),
    )
    op.create_index(op.f("ix_gazetteer_addresses_postcode_key"), "gazetteer_addresses",
                    ["postcode_key"])


def downgrade() -> None:
    op.drop_index(op.f("ix_gazetteer_addresses_postcode_key"), table_name="gazetteer_addresses")
    op.drop_table("gazetteer_addresses")
