"""sync change log

Revision ID: 0011_sync_changes
Revises: 0010_device_sessions
Create Date: 2026-12-02 04:30:00.000000

``sync_changes`` is the log ``GET /sync`` reads (``service_app.changes``). On
PostgreSQL each row records its writing transaction by default, and that column
is indexed: a sync reads the rows of transactions newer than its snapshot's
xmin, so its cost follows what changed, not what exists. SQLite keeps ids
strictly increasing (AUTOINCREMENT) because there the id is the position.
Existing data needs no back-fill: a phone's first sync lists everything.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0011_sync_changes'
down_revision = '0010_device_sessions'
branch_labels = None
depends_on = None


def upgrade():
    postgres = op.get_bind().dialect.name == 'postgresql'
    op.create_table(
        'sync_changes',
        sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
        sa.Column('txid', sa.BigInteger(), nullable=True,
                  server_default=sa.text('(pg_current_xact_id()::text::bigint)') if postgres else None),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('request_id', sa.Integer(), nullable=True),
        sa.Column('user_id', sa.Integer(), nullable=True),
        sa.Column('notification_id', sa.Integer(), nullable=True),
        sa.Column('before_author_id', sa.Integer(), nullable=True),
        sa.Column('before_assignee_id', sa.Integer(), nullable=True),
        sa.Column('before_office_id', sa.Integer(), nullable=True),
        sa.Column('before_department_code', sa.String(length=32), nullable=True),
        sa.Column('moved', sa.Boolean(), nullable=False, server_default=sa.false()),
        sa.Column('internal', sa.Boolean(), nullable=False, server_default=sa.false()),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_sync_changes')),
        sqlite_autoincrement=True,
    )
    with op.batch_alter_table('sync_changes', schema=None) as batch_op:
        batch_op.create_index('ix_sync_changes_txid', ['txid'], unique=False)
        batch_op.create_index(batch_op.f('ix_sync_changes_created_at'), ['created_at'], unique=False)


def downgrade():
    with op.batch_alter_table('sync_changes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_sync_changes_created_at'))
        batch_op.drop_index('ix_sync_changes_txid')
    op.drop_table('sync_changes')
