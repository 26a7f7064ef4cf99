"""assignment rules and staff availability

Revision ID: 0018_assignment_rules
Revises: 0017_canned_replies
Create Date: 2026-12-05 00:18:40.868502

One rule per office and department says how its new requests are assigned
(``manual``, ``round_robin``, ``least_open``) and keeps the turn; its pool lists
the staff who take turns. Staff gain ``available`` (true for everyone existing)
and ``available_until``, the end of an absence.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0018_assignment_rules'
down_revision = '0017_canned_replies'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('assignment_rules',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('office_id', sa.Integer(), nullable=False),
    sa.Column('department_code', sa.String(length=32), nullable=False),
    sa.Column('mode', sa.String(length=20), nullable=False),
    sa.Column('last_user_id', sa.Integer(), nullable=True),
    sa.Column('turns', sa.Integer(), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("mode IN ('manual', 'round_robin', 'least_open')", name=op.f('ck_assignment_rules_mode')),
    sa.ForeignKeyConstraint(['department_code'], ['departments.code'], name=op.f('fk_assignment_rules_department_code_departments'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['last_user_id'], ['users.id'], name=op.f('fk_assignment_rules_last_user_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['office_id'], ['offices.id'], name=op.f('fk_assignment_rules_office_id_offices'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_assignment_rules')),
    sa.UniqueConstraint('office_id', 'department_code', name='uq_assignment_rules_office_department')
    )
    op.create_table('assignment_pool_members',
    sa.Column('rule_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('last_assigned_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['rule_id'], ['assignment_rules.id'], name=op.f('fk_assignment_pool_members_rule_id_assignment_rules'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_assignment_pool_members_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('rule_id', 'user_id', name=op.f('pk_assignment_pool_members'))
    )
    with op.batch_alter_table('assignment_pool_members', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_assignment_pool_members_user_id'), ['user_id'], unique=False)

    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('available', sa.Boolean(), server_default=sa.true(), nullable=False))
        batch_op.add_column(sa.Column('available_until', sa.DateTime(timezone=True), nullable=True))


def downgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('available_until')
        batch_op.drop_column('available')

    with op.batch_alter_table('assignment_pool_members', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_assignment_pool_members_user_id'))

    op.drop_table('assignment_pool_members')
    op.drop_table('assignment_rules')
