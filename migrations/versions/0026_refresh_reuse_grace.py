"""refresh tokens: the grace for a replay is each swapped token's own

Revision ID: 0026_refresh_reuse_grace
Revises: 0025_sync_visibility_keys
Create Date: 2026-12-08 03:00:00.000000

``auth_sessions.previous_refresh_jti`` remembered only the token swapped last, so a
replay of the one before it ended the session even within its grace (a retry that
arrived after a second refresh). ``retired_refresh_jtis`` maps each token swapped
within the grace to when it was swapped; a session's last swap of the past hour
carries over. ``previous_refresh_jti`` stays (still written) for the instances of
the previous release while a deploy replaces them.
"""
from datetime import datetime, timedelta, timezone

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0026_refresh_reuse_grace'
down_revision = '0025_sync_visibility_keys'
branch_labels = None
depends_on = None

# Longer than any sensible REFRESH_REUSE_GRACE_SECONDS: older swaps need not carry over.
CARRY_OVER = timedelta(hours=1)


def upgrade():
    with op.batch_alter_table('auth_sessions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('retired_refresh_jtis', sa.JSON(), server_default=sa.text("'{}'"),
                                      nullable=False))
    sessions = sa.table('auth_sessions', sa.column('id', sa.String), sa.column('previous_refresh_jti', sa.String),
                        sa.column('rotated_at', sa.DateTime(timezone=True)), sa.column('retired_refresh_jtis', sa.JSON))
    connection = op.get_bind()
    since = datetime.now(timezone.utc) - CARRY_OVER
    if connection.dialect.name == "sqlite":
        since = since.replace(tzinfo=None)  # stored as naive UTC there (service_app.database.UTCDateTime)
    recent = connection.execute(sa.select(sessions.c.id, sessions.c.previous_refresh_jti, sessions.c.rotated_at)
                                .where(sessions.c.previous_refresh_jti.is_not(None),
                                       sessions.c.rotated_at >= since)).all()
    for session_id, jti, rotated_at in recent:
        if isinstance(rotated_at, str):
            rotated_at = datetime.fromisoformat(rotated_at)
        if rotated_at.tzinfo is None:
            rotated_at = rotated_at.replace(tzinfo=timezone.utc)
        connection.execute(sa.update(sessions).where(sessions.c.id == session_id)
                           .values(retired_refresh_jtis={jti: rotated_at.isoformat()}))


def downgrade():
    with op.batch_alter_table('auth_sessions', schema=None) as batch_op:
        batch_op.drop_column('retired_refresh_jtis')
