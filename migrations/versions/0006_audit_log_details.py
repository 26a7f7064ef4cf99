"""audit log: details (the filter of a list or search view); target_id optional

A list or search of accounts is one audit row with no single target: its
filter goes into ``details``.

Revision ID: 0006_audit_details
Revises: 0005
Create Date: 2026-11-22 08:10:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0006_audit_details'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('audit_log', schema=None) as batch_op:
        batch_op.add_column(sa.Column('details', sa.JSON(), nullable=True))
        batch_op.alter_column('target_id', existing_type=sa.Integer(), nullable=True)


def downgrade():
    op.execute("DELETE FROM audit_log WHERE target_id IS NULL")
    with op.batch_alter_table('audit_log', schema=None) as batch_op:
        batch_op.alter_column('target_id', existing_type=sa.Integer(), nullable=False)
        batch_op.drop_column('details')
