"""following and merging: request followers, merged_into, the status duplicate

Revision ID: 0020_following_and_merging
Revises: 0019_rooms_and_qr_tags
Create Date: 2026-12-05 01:20:00.000000

Employees follow requests others wrote (``request_followers``); a request merged into
another points at it (``merged_into_id``) and has the new final status ``duplicate``.
The status CHECK is replaced; on SQLite that rebuilds the table, and a rebuilt table
loses 0014's expression index (batch mode cannot reflect it), so it is made again.
The literals below are the statuses as of this revision.
"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = '0020_following_and_merging'
down_revision = '0019_rooms_and_qr_tags'
branch_labels = None
depends_on = None

OLD = "status IN ('new', 'in_progress', 'waiting', 'resolved', 'closed', 'rejected', 'cancelled')"
NEW = "status IN ('new', 'in_progress', 'waiting', 'resolved', 'closed', 'rejected', 'cancelled', 'duplicate')"
NEVER = {"postgresql": "'9999-12-31 00:00:00+00'", "sqlite": "'9999-12-31 00:00:00.000000'"}
DUE_KEY = ("coalesce(CASE WHEN (status = 'new' AND first_response_at IS NULL AND response_due_at < resolution_due_at) "
           "THEN response_due_at WHEN (status IN ('new', 'in_progress')) THEN resolution_due_at END, {never})")


def _due_index_again():
    """SQLite: the expression index of ``sort=due`` (0014), lost by the batch rebuild."""
    if op.get_bind().dialect.name == "sqlite":
        op.execute("DROP INDEX IF EXISTS ix_service_requests_due_id")
        op.create_index('ix_service_requests_due_id', 'service_requests',
                        [sa.text(DUE_KEY.format(never=NEVER["sqlite"])), 'id'])


def upgrade():
    op.create_table('request_followers',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('request_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['request_id'], ['service_requests.id'], name=op.f('fk_request_followers_request_id_service_requests'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_request_followers_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_request_followers')),
    sa.UniqueConstraint('request_id', 'user_id', name='uq_request_followers_request_user')
    )
    with op.batch_alter_table('request_followers', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_request_followers_user_id'), ['user_id'], unique=False)

    with op.batch_alter_table('service_requests', schema=None) as batch_op:
        batch_op.add_column(sa.Column('merged_into_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_service_requests_merged_into_id_service_requests'),
                                    'service_requests', ['merged_into_id'], ['id'], ondelete='SET NULL')
        batch_op.drop_constraint(op.f('ck_service_requests_status'), type_='check')
        batch_op.create_check_constraint(op.f('ck_service_requests_status'), NEW)
    _due_index_again()


def downgrade():
    op.execute("UPDATE service_requests SET status = 'closed' WHERE status = 'duplicate'")
    with op.batch_alter_table('service_requests', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_service_requests_status'), type_='check')
        batch_op.create_check_constraint(op.f('ck_service_requests_status'), OLD)
        batch_op.drop_constraint(batch_op.f('fk_service_requests_merged_into_id_service_requests'), type_='foreignkey')
        batch_op.drop_column('merged_into_id')
    _due_index_again()

    with op.batch_alter_table('request_followers', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_request_followers_user_id'))
    op.drop_table('request_followers')
