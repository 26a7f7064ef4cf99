"""discoverable categories, and the comment followers read

Revision ID: 0024_category_discoverable
Revises: 0023_console_sessions
Create Date: 2026-12-08 02:00:00

A category gains ``discoverable``: whether colleagues may find its requests (``similar``, a
room's tag) and follow them (PRIVACY.md P18). Every existing category becomes NOT discoverable:
administrators opt in, category by category (the API's and the console's category edit), for
what is shared (an air conditioner, a leak) and never for what is personal (HR). Until they do,
nobody follows a request they may not read otherwise, and existing followers of such requests
stop reading them (their rows stay, and count again once the category is made discoverable).

A comment gains ``follower_body``: the text followers read when it differs from ``body`` (a
canned reply's ``{author_name}`` filled with a neutral word); null, as for every existing
comment, means the same as ``body``.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0024_category_discoverable'
down_revision = '0023_console_sessions'
branch_labels = None
depends_on = None


def _short_lock_wait():
    """On PostgreSQL, give up rather than queue every reader of a busy table behind the ALTER."""
    if op.get_bind().dialect.name == "postgresql":
        op.execute("SET LOCAL lock_timeout = '5s'")


def upgrade():
    _short_lock_wait()
    # Added natively (a constant default and a nullable column are added in place by both databases).
    op.add_column('categories', sa.Column('discoverable', sa.Boolean(), server_default=sa.false(), nullable=False))
    op.add_column('comments', sa.Column('follower_body', sa.Text(), nullable=True))


def downgrade():
    _short_lock_wait()
    op.drop_column('comments', 'follower_body')
    op.drop_column('categories', 'discoverable')
