"""${message}

Revision ID: ${up_revision}
Revises: ${down_revision | comma,n}
Create Date: ${create_date}

"""
from collections.abc import Sequence

# sqlmodel and ieiwatch.storage.types are imported whether used or not: autogenerate
# writes sqlmodel.sql.sqltypes.AutoString() and ieiwatch.storage.types.UTCDateTime().
import sqlalchemy as sa
import sqlmodel
from alembic import op

import ieiwatch.storage.types
% if imports:
${imports}
% endif

# revision identifiers, used by Alembic.
revision: str = ${repr(up_revision)}
down_revision: str | Sequence[str] | None = ${repr(down_revision)}
branch_labels: str | Sequence[str] | None = ${repr(branch_labels)}
depends_on: str | Sequence[str] | None = ${repr(depends_on)}


def upgrade() -> None:
    ${upgrades if upgrades else "pass"}


def downgrade() -> None:
    ${downgrades if downgrades else "pass"}
