"""full-text search and analysts' marks (issue 12 / 11)

Revision ID: 0004
Revises: 0003

"""

from collections.abc import Sequence

# sqlmodel and ieiwatch.storage.types are imported whether used or not: autogenerate
# writes sqlmodel.sql.sqltypes.AutoString() and ieiwatch.storage.types.UTCDateTime().
import sqlalchemy as sa
import sqlmodel
from alembic import op

import ieiwatch.storage.types

# revision identifiers, used by Alembic.
revision: str = "0004"
down_revision: str | Sequence[str] | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
