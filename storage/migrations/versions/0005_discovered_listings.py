"""discovered list structure per source (issue 14)

Revision ID: 0005
Revises: 0004

"""

from collections.abc import Sequence

# sqlmodel and ieiwatch.storage.types are imported whether used or not: autogenerate
# writes sqlmodel.sql.sqltypes.AutoString() and ieiwatch.storage.types.UTCDateTime().
import sqlalchemy as sa
import sqlmodel
from alembic import op

import ieiwatch.storage.types

# revision identifiers, used by Alembic.
revision: str = "0005"
down_revision: str | Sequence[str] | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # A plain ADD COLUMN: no table rebuild on SQLite.
    op.add_column("sources", sa.Column("discovered_list", sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("sources", schema=None) as batch_op:
        batch_op.drop_column("discovered_list")
