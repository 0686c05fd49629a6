"""delivery and secrets hardening (issue 15 / 13)

Revision ID: 0006
Revises: 0005

"""

from collections.abc import Sequence

# sqlmodel and ieiwatch.storage.types are imported whether used or not: autogenerate
# writes sqlmodel.sql.sqltypes.AutoString() and ieiwatch.storage.types.UTCDateTime().
import sqlalchemy as sa
import sqlmodel
from alembic import op

import ieiwatch.storage.types

# revision identifiers, used by Alembic.
revision: str = "0006"
down_revision: str | Sequence[str] | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Admin alerts go through an outbox of their own, retried like deliveries.
    op.create_table(
        "admin_alerts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("channel_key", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("channel", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("status", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("claimed_at", ieiwatch.storage.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("created_at", ieiwatch.storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column(
            "next_attempt_at", ieiwatch.storage.types.UTCDateTime(timezone=True), nullable=True
        ),
        sa.Column("sent_at", ieiwatch.storage.types.UTCDateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("admin_alerts", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_admin_alerts_status"), ["status"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("admin_alerts", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_admin_alerts_status"))
    op.drop_table("admin_alerts")
