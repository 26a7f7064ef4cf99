"""canned replies: staff's ready answers with optional actions

Revision ID: 0017_canned_replies
Revises: 0016_saved_views
Create Date: 2026-12-05 00:30:00.000000
"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = '0017_canned_replies'
down_revision = '0016_saved_views'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'canned_replies',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('owner_id', sa.Integer(), nullable=True),
        sa.Column('title', sa.JSON(), nullable=False),
        sa.Column('body', sa.JSON(), nullable=False),
        sa.Column('internal', sa.Boolean(), nullable=False),
        sa.Column('actions', sa.JSON(), nullable=False),
        sa.Column('shared', sa.Boolean(), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['owner_id'], ['users.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_canned_replies_owner_id', 'canned_replies', ['owner_id'])


def downgrade():
    op.drop_index('ix_canned_replies_owner_id', table_name='canned_replies')
    op.drop_table('canned_replies')
