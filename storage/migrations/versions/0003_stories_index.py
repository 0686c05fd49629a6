"""stories: indexed fingerprints and a uniqueness guard (issue 16 / 15.6 / 10)

Revision ID: 0003
Revises: 0002

"""

from collections.abc import Sequence

# sqlmodel and ieiwatch.storage.types are imported whether used or not: autogenerate
# writes sqlmodel.sql.sqltypes.AutoString() and ieiwatch.storage.types.UTCDateTime().
import sqlalchemy as sa
import sqlmodel
from alembic import op

import ieiwatch.storage.types

# revision identifiers, used by Alembic.
revision: str = "0003"
down_revision: str | Sequence[str] | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_BATCH = 2_000


def upgrade() -> None:
    op.create_table(
        "story_keys",
        sa.Column("key", sa.BigInteger(), nullable=False),
        sa.Column("article_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["article_id"], ["articles.id"]),
        sa.PrimaryKeyConstraint("key", "article_id"),
    )
    with op.batch_alter_table("stories", schema=None) as batch_op:
        batch_op.add_column(sa.Column("merged_into", sa.Integer(), nullable=True))
    _index_stored_articles()


def _index_stored_articles() -> None:
    """Keys for the articles already stored, so their stories are found by new copies."""
    from ieiwatch.domain.fingerprint import fingerprint_keys

    bind = op.get_bind()
    articles = sa.table(
        "articles",
        sa.column("id", sa.Integer()),
        sa.column("simhash", sa.BigInteger()),
        sa.column("title", sa.Text()),
        sa.column("text", sa.Text()),
    )
    keys = sa.table(
        "story_keys", sa.column("key", sa.BigInteger()), sa.column("article_id", sa.Integer())
    )
    after = 0
    while True:
        rows = bind.execute(
            sa.select(
                articles.c.id,
                articles.c.simhash,
                articles.c.title,
                sa.func.length(articles.c.text),
            )
            .where(articles.c.id > after)
            .order_by(articles.c.id)
            .limit(_BATCH)
        ).all()
        if not rows:
            return
        values = [
            {"key": key, "article_id": article_id}
            for article_id, simhash, title, length in rows
            for key in set(fingerprint_keys(simhash, title, length or 0))
        ]
        if values:
            bind.execute(keys.insert(), values)
        after = rows[-1][0]


def downgrade() -> None:
    # Not batch mode: on SQLite it would rebuild ``stories``, which articles and deliveries
    # reference. SQLite 3.35+ drops a plain column in place, as PostgreSQL does.
    op.drop_column("stories", "merged_into")
    op.drop_table("story_keys")
