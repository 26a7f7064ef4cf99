"""office notices and their followers

Revision ID: 0022_office_notices
Revises: 0021_category_forms
Create Date: 2026-12-05 01:25:00.000000

An office's notices (title and body strings or {ru, kk, en}, an optional category, room and
end) and who follows each. A notice's room is cleared when the room is deleted.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0022_office_notices'
down_revision = '0021_category_forms'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('notices',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('office_id', sa.Integer(), nullable=False),
    sa.Column('title', sa.JSON(), nullable=False),
    sa.Column('body', sa.JSON(), nullable=True),
    sa.Column('category_code', sa.String(length=32), nullable=True),
    sa.Column('room_id', sa.Integer(), nullable=True),
    sa.Column('until', sa.DateTime(timezone=True), nullable=True),
    sa.Column('resolved_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['category_code'], ['categories.code'], name=op.f('fk_notices_category_code_categories')),
    sa.ForeignKeyConstraint(['room_id'], ['rooms.id'], name=op.f('fk_notices_room_id_rooms'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_notices_created_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['office_id'], ['offices.id'], name=op.f('fk_notices_office_id_offices'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_notices'))
    )
    with op.batch_alter_table('notices', schema=None) as batch_op:
        batch_op.create_index('ix_notices_office_created', ['office_id', 'created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_notices_room_id'), ['room_id'], unique=False)

    op.create_table('notice_follows',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('notice_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['notice_id'], ['notices.id'], name=op.f('fk_notice_follows_notice_id_notices'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_notice_follows_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_notice_follows')),
    sa.UniqueConstraint('notice_id', 'user_id', name='uq_notice_follows_notice_user')
    )
    with op.batch_alter_table('notice_follows', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_notice_follows_user_id'), ['user_id'], unique=False)


def downgrade():
    with op.batch_alter_table('notice_follows', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_notice_follows_user_id'))
    op.drop_table('notice_follows')
    with op.batch_alter_table('notices', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_notices_room_id'))
        batch_op.drop_index('ix_notices_office_created')
    op.drop_table('notices')
