"""full-text search and analysts' marks (issue 12 / 11)

Revision ID: 0004
Revises: 0003

Marks: the ``marks`` table and ``articles.corrected``. Search: on SQLite an FTS5 table with
the trigram tokenizer (Chinese has no spaces between words; trigrams match any substring of
three or more characters) over the articles' title and text, kept in step by triggers; on
PostgreSQL a pg_trgm GIN index on ``title || ' ' || text`` that ``ILIKE`` uses. Both are
outside the models (alembic compares neither: see ``storage.search.SEARCH_OBJECTS``).
"""

from collections.abc import Sequence

# sqlmodel and ieiwatch.storage.types are imported whether used or not: autogenerate
# writes sqlmodel.sql.sqltypes.AutoString() and ieiwatch.storage.types.UTCDateTime().
import sqlalchemy as sa
import sqlmodel
from alembic import op

import ieiwatch.storage.types
from ieiwatch.storage import search

# revision identifiers, used by Alembic.
revision: str = "0004"
down_revision: str | Sequence[str] | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "marks",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("article_id", sa.Integer(), nullable=False),
        sa.Column("relevant", sa.Boolean(), nullable=False),
        sa.Column("type", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("parties", sa.JSON(), nullable=True),
        sa.Column("by", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("created_at", ieiwatch.storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("previous", sa.JSON(), nullable=True),
        sa.ForeignKeyConstraint(["article_id"], ["articles.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("marks", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_marks_article_id"), ["article_id"], unique=False)
    # A plain ADD COLUMN (no table rebuild), before the search triggers exist.
    op.add_column(
        "articles",
        sa.Column("corrected", sa.Boolean(), nullable=False, server_default=sa.false()),
    )
    search.create_search_index(op.get_bind())


def downgrade() -> None:
    search.drop_search_index(op.get_bind())
    with op.batch_alter_table("articles", schema=None) as batch_op:
        batch_op.drop_column("corrected")
    with op.batch_alter_table("marks", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_marks_article_id"))
    op.drop_table("marks")
