"""device sessions: a device registration belongs to a sign-in session; feed entries keep their message parameters

Revision ID: 0010_device_sessions
Revises: 0009_vocabulary_checks
Create Date: 2026-12-02 04:00:00.000000

Devices. ``devices.session_id`` (ON DELETE SET NULL) names the sign-in session
that registered the device; a device receives pushes only while that session is
live. Which session registered an existing device was never stored, so each is
bound to a guess: its user's latest live session (not revoked, not expired)
opened at or before the device's ``last_seen_at`` (the app registers its token
right after signing in, and every registration moves ``last_seen_at``), else
the user's latest live session. A device whose user has no live session stays
unbound, so it receives nothing until the app registers it again after signing
in (which it does at every start). A wrong guess on a user with several phones
binds a device to another phone's session: it keeps receiving until that
session ends, and the app's next registration corrects it.

Notifications. ``notifications.data`` held ``{request_id, event, status}`` as
strings; it now holds the message parameters ``{number, title, status,
comment}`` so the feed renders the text in the reader's language when read.
Existing rows are back-filled as well as the database allows: ``number`` from
the request id, ``status`` from the old data (else the request's status),
``title`` from the row's body where the body was the request's title
(request_created, assigned, sla_at_risk, sla_breached) and otherwise from the
request's current title, ``comment`` from the body of comment_added rows (the
body was the comment's excerpt). ``title`` and ``body`` stay as they were: the
fallback text for a row whose parameters are incomplete. A partial index on the
unread rows per user serves the unread count each push now carries as its badge.
"""
from datetime import datetime, timezone

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0010_device_sessions'
down_revision = '0009_vocabulary_checks'
branch_labels = None
depends_on = None

# The events whose body was "{title}" in every language as of this revision.
TITLE_BODY_EVENTS = ('request_created', 'assigned', 'sla_at_risk', 'sla_breached')
CHUNK = 1000

notifications = sa.table(
    'notifications',
    sa.column('id', sa.Integer()), sa.column('event', sa.String()), sa.column('request_id', sa.Integer()),
    sa.column('body', sa.String()), sa.column('data', sa.JSON()))
devices = sa.table(
    'devices',
    sa.column('id', sa.Integer()), sa.column('user_id', sa.Integer()), sa.column('session_id', sa.String()),
    sa.column('last_seen_at', sa.DateTime(timezone=True)))
auth_sessions = sa.table(
    'auth_sessions',
    sa.column('id', sa.String()), sa.column('user_id', sa.Integer()), sa.column('created_at', sa.DateTime(timezone=True)),
    sa.column('expires_at', sa.DateTime(timezone=True)), sa.column('revoked_at', sa.DateTime(timezone=True)))
service_requests = sa.table(
    'service_requests',
    sa.column('id', sa.Integer()), sa.column('title', sa.String()), sa.column('status', sa.String()))


def upgrade():
    with op.batch_alter_table('devices', schema=None) as batch_op:
        batch_op.add_column(sa.Column('session_id', sa.String(length=36), nullable=True))
        batch_op.create_index(batch_op.f('ix_devices_session_id'), ['session_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_devices_session_id_auth_sessions'), 'auth_sessions',
                                    ['session_id'], ['id'], ondelete='SET NULL')

    # One correlated UPDATE on both dialects: the likeliest live session, else the latest live one.
    now = _now()

    def latest_live(*where):
        return (sa.select(auth_sessions.c.id)
                .where(auth_sessions.c.user_id == devices.c.user_id, auth_sessions.c.revoked_at.is_(None),
                       auth_sessions.c.expires_at > now, *where)
                .order_by(auth_sessions.c.created_at.desc(), auth_sessions.c.id.desc()).limit(1)
                .scalar_subquery())

    op.get_bind().execute(devices.update().values(session_id=sa.func.coalesce(
        latest_live(auth_sessions.c.created_at <= devices.c.last_seen_at), latest_live())))

    _rewrite_notification_data(_params)
    with op.batch_alter_table('notifications', schema=None) as batch_op:
        batch_op.create_index('ix_notifications_user_unread', ['user_id'], unique=False,
                              postgresql_where=sa.text('read_at IS NULL'), sqlite_where=sa.text('read_at IS NULL'))


def downgrade():
    with op.batch_alter_table('notifications', schema=None) as batch_op:
        batch_op.drop_index('ix_notifications_user_unread', postgresql_where=sa.text('read_at IS NULL'),
                            sqlite_where=sa.text('read_at IS NULL'))
    _rewrite_notification_data(_old_data)

    with op.batch_alter_table('devices', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_devices_session_id_auth_sessions'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_devices_session_id'))
        batch_op.drop_column('session_id')


def _now():
    now = datetime.now(timezone.utc)
    # SQLite stores the app's UTC timestamps without an offset (service_app.database.UTCDateTime).
    return now.replace(tzinfo=None) if op.get_bind().dialect.name == 'sqlite' else now


def _params(row):
    """The new ``data`` of one row: the message parameters it can be given."""
    old = row.data or {}
    params = {}
    if row.request_id is not None and row.request_title is not None:
        params['number'] = f'SR-{row.request_id:06d}'
        params['title'] = row.body if row.event in TITLE_BODY_EVENTS else row.request_title
    status = old.get('status') or row.request_status
    if status:
        params['status'] = status
    if row.event == 'comment_added':
        params['comment'] = row.body
    return params


def _old_data(row):
    """The ``data`` of one row as revision 0009 wrote it."""
    data = row.data or {}
    return {'request_id': '' if row.request_id is None else str(row.request_id), 'event': row.event,
            'status': data.get('status') or ''}


def _rewrite_notification_data(convert):
    """Rewrite ``notifications.data`` with ``convert(row)``, ``CHUNK`` rows at a time, in id order."""
    bind = op.get_bind()
    last_id = 0
    while True:
        rows = bind.execute(
            sa.select(notifications.c.id, notifications.c.event, notifications.c.request_id,
                      notifications.c.body, notifications.c.data,
                      service_requests.c.title.label('request_title'),
                      service_requests.c.status.label('request_status'))
            .select_from(notifications.outerjoin(service_requests,
                                                 service_requests.c.id == notifications.c.request_id))
            .where(notifications.c.id > last_id).order_by(notifications.c.id).limit(CHUNK)).all()
        if not rows:
            return
        bind.execute(notifications.update().where(notifications.c.id == sa.bindparam('row_id'))
                     .values(data=sa.bindparam('new_data', type_=sa.JSON())),
                     [{'row_id': row.id, 'new_data': convert(row)} for row in rows])
        last_id = rows[-1].id
