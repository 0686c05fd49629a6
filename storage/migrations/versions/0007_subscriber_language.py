"""per-subscriber language and alert templates (issue 13)

Revision ID: 0007
Revises: 0006

"""

from collections.abc import Sequence

# sqlmodel and ieiwatch.storage.types are imported whether used or not: autogenerate
# writes sqlmodel.sql.sqltypes.AutoString() and ieiwatch.storage.types.UTCDateTime().
import sqlalchemy as sa
import sqlmodel
from alembic import op

import ieiwatch.storage.types

# revision identifiers, used by Alembic.
revision: str = "0007"
down_revision: str | Sequence[str] | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Subscribers from before languages existed read Chinese, the sources' language.
    with op.batch_alter_table("subscribers", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "lang", sqlmodel.sql.sqltypes.AutoString(), server_default="zh", nullable=False
            )
        )


def downgrade() -> None:
    with op.batch_alter_table("subscribers", schema=None) as batch_op:
        batch_op.drop_column("lang")
