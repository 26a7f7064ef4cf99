"""Devices and the notification feed."""
import sqlalchemy as sa

from service_app import changes
from service_app.database import dialect_insert, utcnow
from service_app.errors import ApiError
from service_app.extensions import db
from service_app.pagination import paginate

from .models import PLATFORMS, Delivery, Device, Notification
from .schemas import DeviceOutSchema, DeviceSchema, NotificationSchema


def register_device(user, data, session_id):
    """Register a push token for the caller's sign-in session ``session_id``. Returns ``(device, created)``.

    A known token moves to this user and this session: the device receives
    pushes while that session is live (``Device.receiving``). Pushes still
    queued for the device stay behind when it changes hands or when the
    session it belonged to has ended.

    Safe to repeat and to race: the row is inserted with ``ON CONFLICT (token)
    DO NOTHING`` and then read back locked, so identical registrations arriving
    together answer 201 once and 200 for the rest, never a unique-key 409.
    """
    now = utcnow()
    insert = dialect_insert(db.session)(Device).values(
        token=data["token"], user_id=user.id, platform=data["platform"], created_at=now,
        last_seen_at=now, session_id=session_id,
    ).on_conflict_do_nothing(index_elements=[Device.token]).returning(Device.id)
    created = db.session.execute(insert).first() is not None
    stmt = sa.select(Device).where(Device.token == data["token"]).execution_options(populate_existing=True)
    if db.engine.dialect.name == "postgresql":
        stmt = stmt.with_for_update()
    device = db.session.scalars(stmt).one()
    if device.user_id != user.id or (device.session_id != session_id and not device.receiving):
        # The phone changed hands, or comes back after its sign-in ended: pushes still
        # queued then were for the previous owner or the ended session, and stay behind.
        db.session.execute(sa.update(Delivery).where(Delivery.device_id == device.id,
                                                     Delivery.status == "pending").values(status="dropped"))
        device.user_id = user.id
    device.session_id = session_id
    for field in ("platform", "app_version", "os_version", "device_model"):
        if field in data:
            setattr(device, field, data[field])
    device.last_seen_at = now
    db.session.commit()
    return device, created


def remove_device(user, token):
    """Forget one of the caller's tokens (a missing or foreign token changes nothing).

    Pushes still queued for it are dropped by the worker (their device is gone). A
    token that could never have been registered (NUL, a line break, too long) is
    missing too: it never reaches the database, where PostgreSQL would refuse a NUL
    that SQLite compares."""
    if DeviceSchema().validate({"token": token, "platform": PLATFORMS[0]}):
        return
    db.session.execute(sa.delete(Device).where(Device.token == token, Device.user_id == user.id))
    db.session.commit()


def list_notifications(user, args):
    stmt = sa.select(Notification).where(Notification.user_id == user.id)
    if args.get("unread") is True:
        stmt = stmt.where(Notification.read_at.is_(None))
    elif args.get("unread") is False:
        stmt = stmt.where(Notification.read_at.is_not(None))
    return paginate(db.session, stmt, Notification, args["limit"], args.get("cursor"))


def mark_read(user, notification_id):
    note = db.session.get(Notification, notification_id)
    if note is None or note.user_id != user.id:
        raise ApiError(404, "not_found", "no such notification")
    if note.read_at is None:
        note.read_at = utcnow()
    db.session.commit()


def mark_all_read(user):
    read = db.session.scalars(
        sa.update(Notification).where(Notification.user_id == user.id, Notification.read_at.is_(None))
        .values(read_at=utcnow()).returning(Notification.id)).all()
    changes.log_notifications(user.id, read)  # a bulk update passes the session hook by
    db.session.commit()


def device_rows(user):
    """The caller's devices, for the personal-data export (paged by ``created_at``, ``id``).

    Each shows ``receiving``: whether its sign-in session is live, so pushes reach it."""
    return sa.select(Device).where(Device.user_id == user.id)


def dump_devices(rows):
    return DeviceOutSchema(many=True).dump(rows)


def notification_rows(user):
    """The caller's feed, for the personal-data export (paged by ``created_at``, ``id``)."""
    return sa.select(Notification).where(Notification.user_id == user.id)


def dump_notifications(rows):
    return NotificationSchema(many=True).dump(rows)


def erase_request_notifications(request_ids):
    """Retention (PRIVACY.md P15): a feed entry quotes the request's title, so it goes with the request's wording."""
    db.session.execute(sa.delete(Notification).where(Notification.request_id.in_(request_ids)))


def erase_account_devices(user_ids):
    """Retention (PRIVACY.md P15): an anonymised account keeps no push tokens or device details."""
    db.session.execute(sa.delete(Device).where(Device.user_id.in_(user_ids)))
