"""SLA policies and clocks, office special hours

Existing rows get neutral values through server defaults (no pause, no warning sent).

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-22 00:32:37.012176

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('sla_policies',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('priority', sa.String(length=10), nullable=False),
    sa.Column('category_code', sa.String(length=32), nullable=True),
    sa.Column('response_minutes', sa.Integer(), nullable=False),
    sa.Column('resolution_minutes', sa.Integer(), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('response_minutes > 0 AND resolution_minutes >= response_minutes', name=op.f('ck_sla_policies_targets')),
    sa.ForeignKeyConstraint(['category_code'], ['categories.code'], name=op.f('fk_sla_policies_category_code_categories'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_sla_policies')),
    sa.UniqueConstraint('priority', 'category_code', name='uq_sla_policies_priority_category')
    )
    with op.batch_alter_table('offices', schema=None) as batch_op:
        batch_op.add_column(sa.Column('special_hours', sa.JSON(), nullable=False, server_default='{}'))

    with op.batch_alter_table('service_requests', schema=None) as batch_op:
        batch_op.add_column(sa.Column('paused_minutes', sa.Float(), nullable=False, server_default='0'))
        batch_op.add_column(sa.Column('response_risk_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('resolution_risk_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('response_risk_notified', sa.Boolean(), nullable=False, server_default=sa.false()))
        batch_op.add_column(sa.Column('resolution_risk_notified', sa.Boolean(), nullable=False, server_default=sa.false()))
        batch_op.add_column(sa.Column('response_minutes', sa.Float(), nullable=True))
        batch_op.add_column(sa.Column('resolution_minutes', sa.Float(), nullable=True))
        batch_op.create_index('ix_service_requests_status_resolution_due', ['status', 'resolution_due_at'], unique=False)



def downgrade():
    with op.batch_alter_table('service_requests', schema=None) as batch_op:
        batch_op.drop_index('ix_service_requests_status_resolution_due')
        batch_op.drop_column('resolution_minutes')
        batch_op.drop_column('response_minutes')
        batch_op.drop_column('resolution_risk_notified')
        batch_op.drop_column('response_risk_notified')
        batch_op.drop_column('resolution_risk_at')
        batch_op.drop_column('response_risk_at')
        batch_op.drop_column('paused_minutes')

    with op.batch_alter_table('offices', schema=None) as batch_op:
        batch_op.drop_column('special_hours')

    op.drop_table('sla_policies')
