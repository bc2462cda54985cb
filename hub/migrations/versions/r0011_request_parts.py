""""Tell us once": one kiosk reference may name several requests, one per part (delivery).

`kiosk_part` is the kiosk's delivery id ("" for a single-destination report), and the
reference is unique per part instead of on its own. Every existing row keeps its reference
and gets the part "". The column has a server default so a hub of the previous version,
still running against a PostgreSQL database while others upgrade, can go on inserting.

On SQLite the table is rebuilt (Alembic's batch mode: SQLite cannot alter a constraint);
on PostgreSQL it is altered in place. The downgrade refuses (an integrity error, nothing
changed) while a reference has more than one part.

Revision ID: 0011
Revises: 0010
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

_OLD = "uq_service_requests_kiosk_reference"
_NEW = "uq_service_requests_kiosk_reference_part"


def upgrade() -> None:
    with op.batch_alter_table("service_requests") as batch:
        batch.add_column(sa.Column("kiosk_part", sa.String(64), nullable=False,
                                   server_default=""))
        batch.drop_constraint(op.f(_OLD), type_="unique")
        batch.create_unique_constraint(op.f(_NEW), ["kiosk_reference", "kiosk_part"])


def downgrade() -> None:
    with op.batch_alter_table("service_requests") as batch:
        batch.drop_constraint(op.f(_NEW), type_="unique")
        batch.create_unique_constraint(op.f(_OLD), ["kiosk_reference"])
        batch.drop_column("kiosk_part")
