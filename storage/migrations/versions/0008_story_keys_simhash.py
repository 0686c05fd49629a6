"""story keys carry their article's SimHash; on SQLite, a table without rowid (issue 10)

Revision ID: 0008
Revises: 0007

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "0008"
down_revision: str | Sequence[str] | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # SQLite adds a NOT NULL column only with a default; every key written since has its
    # article's SimHash, and the keys already stored get theirs below. SQLite rebuilds the
    # table without rowid (its rows kept in the primary key's index).
    sqlite = op.get_bind().dialect.name == "sqlite"
    with op.batch_alter_table(
        "story_keys",
        schema=None,
        recreate="always" if sqlite else "auto",
        table_kwargs={"sqlite_with_rowid": False} if sqlite else {},
    ) as batch_op:
        batch_op.add_column(
            sa.Column("simhash", sa.BigInteger(), server_default="0", nullable=False)
        )
    op.execute(
        "UPDATE story_keys SET simhash ="
        " (SELECT a.simhash FROM articles a WHERE a.id = story_keys.article_id)"
    )


def downgrade() -> None:
    with op.batch_alter_table("story_keys", schema=None) as batch_op:
        batch_op.drop_column("simhash")
