"""storage deletion outbox

Revision ID: 0008_storage_outbox
Revises: 0007_sla_default_unique
Create Date: 2026-11-22 08:20:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0008_storage_outbox'
down_revision = '0007_sla_default_unique'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('storage_deletions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=300), nullable=False),
    sa.Column('due_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('last_error', sa.String(length=200), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_storage_deletions'))
    )
    with op.batch_alter_table('storage_deletions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_storage_deletions_due_at'), ['due_at'], unique=False)


def downgrade():
    with op.batch_alter_table('storage_deletions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_storage_deletions_due_at'))

    op.drop_table('storage_deletions')
