"""Who may see and do what with a request: the one place that decides.

Employees see what they wrote. Administrators and managers see requests
whose office lies in their office scope and whose department lies in their
department scope (an empty scope means all), plus what is assigned to them.
A request the caller may not see answers 404, exactly like a missing one;
so does a photo of such a request (``get_visible_attachment``).

Followers (``RequestFollower``) read a request they did not write, and only read it, while its
category is ``discoverable`` (PRIVACY.md P18: a follow of a category an administrator has not made
discoverable, or no longer, admits nobody): ``get_visible_request`` admits them to reads (never to
a lookup for update, which every write makes, so their writes answer 404), ``may_read`` counts them
for notifications, and ``may_read_in_full`` tells the views what they may not see (the follower
view: no author, description, location, photos, form answers or rating; ``history`` says which
comments and events, and what of them). Staff who follow a request outside their scope are
followers like anyone.

What a caller who may see a request may do with it is decided here too:
which fields they may edit, whether they may write internal notes or attach
photos, and which status moves they may make (``TRANSITIONS``). The service
modules check the request's state (final, ``new``) after these.
"""
from datetime import timedelta

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.dialects.postgresql import JSONB

from service_app.errors import ApiError
from service_app.extensions import db
from service_app.users.models import User
from service_app.vocabulary import STAFF_ROLES

from .models import Attachment, RequestFollower, ServiceRequest

NOT_FOUND = "no such request"
ATTACHMENT_NOT_FOUND = "no such attachment"

AUTHOR_FIELDS = {"title", "description"}
# ``fields`` (the answers to the category's form) are staff's to edit: the author gives theirs when
# submitting, and a request's answers are part of the record staff work from.
STAFF_FIELDS = {"priority", "category", "assignee_id", "office_id", "fields"}

# The status machine (API.md): (from, to) -> who may make the move, ``staff`` (an
# administrator or manager with the request in scope, or its assignee) or ``author``.
TRANSITIONS = {
    ("new", "in_progress"): "staff",
    ("new", "cancelled"): "author",
    ("new", "rejected"): "staff",
    ("in_progress", "rejected"): "staff",
    ("waiting", "rejected"): "staff",
    ("in_progress", "waiting"): "staff",
    ("waiting", "in_progress"): "staff",
    ("in_progress", "resolved"): "staff",
    ("resolved", "closed"): "author",
    ("resolved", "in_progress"): "author",  # reopen, within REOPEN_DAYS
}


def scope_condition(user, office_id=ServiceRequest.office_id, department_code=ServiceRequest.department_code):
    """SQL condition: the request lies in the staff member's office and department scope."""
    conditions = []
    if user.office_ids:
        conditions.append(office_id.in_(user.office_ids))
    if user.department_codes:
        conditions.append(department_code.in_(user.department_codes))
    return sa.and_(sa.true(), *conditions)


def visible_condition(user, author_id=ServiceRequest.author_id, assignee_id=ServiceRequest.assignee_id,
                      office_id=ServiceRequest.office_id, department_code=ServiceRequest.department_code):
    """SQL condition selecting the requests ``user`` may see (over other columns holding the same
    four values when given: a sync asks who saw a request before a change)."""
    own = author_id == user.id
    if not user.is_staff:
        return own
    return sa.or_(own, assignee_id == user.id, scope_condition(user, office_id, department_code))


def staff_condition(user, assignee_id=ServiceRequest.assignee_id, office_id=ServiceRequest.office_id,
                    department_code=ServiceRequest.department_code):
    """SQL condition, the twin of :func:`is_staff_for` (and so of ``may_read_internal``): the requests
    ``user`` processes as staff, those in their scope and those assigned to them."""
    if not user.is_staff:
        return sa.false()
    in_scope = scope_condition(user, office_id, department_code) if user.is_active else sa.false()
    return sa.or_(assignee_id == user.id, in_scope)


def covers(user, office_id, department_code):
    """Whether a staff member's scope covers this office and department."""
    return (user.is_staff and user.is_active
            and (not user.office_ids or office_id in user.office_ids)
            and (not user.department_codes or department_code in user.department_codes))


def covers_condition(office_id, department_code, dialect):
    """SQL condition on ``User``, the twin of :func:`covers`: active staff whose scope covers this
    office and department (an empty scope means all), so the staff to notify are found by one query.

    ``dialect`` is the database's dialect name: the scopes are JSON lists, which PostgreSQL
    searches with ``jsonb`` containment and SQLite with ``json_each``.
    """
    # The roles as literals, as in the partial index of active staff (``ix_users_active_staff``).
    staff_roles = sa.bindparam("staff_roles", STAFF_ROLES, expanding=True, literal_execute=True)
    return sa.and_(User.role.in_(staff_roles), User.is_active.is_(True),
                   _json_list_allows(User.office_ids, office_id, dialect),
                   _json_list_allows(User.department_codes, department_code, dialect))


def covering_staff(office_id, department_code):
    """Active staff whose scope covers this office and department (:func:`covers_condition`), by
    name: whom a request there may be assigned to."""
    dialect = db.session.get_bind().dialect.name
    stmt = sa.select(User).where(covers_condition(office_id, department_code, dialect)).order_by(User.full_name, User.id)
    return list(db.session.scalars(stmt))


def _json_list_allows(column, value, dialect):
    """``not column or value in column`` for a JSON list column (``null`` counts as empty, as in Python)."""
    if dialect == "postgresql":
        as_jsonb = sa.cast(column, JSONB)
        array = sa.case((sa.func.jsonb_typeof(as_jsonb) == "array", as_jsonb))
        empty = sa.func.coalesce(sa.func.jsonb_array_length(array), 0) == 0
        if value is None:
            return empty
        return sa.or_(empty, as_jsonb.contains([value]))
    empty = sa.func.coalesce(sa.func.json_array_length(column), 0) == 0
    if value is None:
        return empty
    items = sa.func.json_each(column).table_valued("value", "type")
    # json_each types a JSON number integer/real and a string text: match the Python value's kind only.
    kind = ("text",) if isinstance(value, str) else ("integer", "real")
    return sa.or_(empty, sa.exists(sa.select(1).select_from(items)
                                   .where(items.c.value == value, items.c.type.in_(kind))))


def is_staff_for(user, req):
    """Staff who may process this request: in scope, or its assignee."""
    return user.is_staff and (covers(user, req.office_id, req.department_code) or req.assignee_id == user.id)


def may_read_in_full(user, req):
    """``visible_condition`` for one loaded request: its author and staff, who see all of it."""
    if user is None or not user.is_active:
        return False
    return (is_author(user, req)
            or (user.is_staff and (req.assignee_id == user.id or covers(user, req.office_id, req.department_code))))


# The catalogue's table as the kernel reads it: whether a category is discoverable. (The model is the
# catalogue wing's, a floor above; the column is declared there, ``Category.discoverable``.)
_CATEGORIES = sa.table("categories", sa.column("code", sa.String), sa.column("discoverable", sa.Boolean))


def discoverable_condition(category_code=ServiceRequest.category_code):
    """SQL condition: the request's category (``category_code``, a column or a value) is discoverable."""
    return sa.exists().where(_CATEGORIES.c.code == category_code, _CATEGORIES.c.discoverable.is_(True))


def is_discoverable(req):
    """:func:`discoverable_condition` for one loaded request."""
    return db.session.scalar(sa.select(discoverable_condition(req.category_code))) or False


def follows_condition(user, request_id=ServiceRequest.id):
    """SQL condition: ``user`` has a follow of the request stored, whether it admits them or not
    (what an unfollow removes)."""
    return sa.exists().where(RequestFollower.request_id == request_id, RequestFollower.user_id == user.id)


def follower_condition(user):
    """SQL condition on ``ServiceRequest``: ``user`` follows it and its category is discoverable, so
    they read it as a follower."""
    return sa.and_(follows_condition(user), discoverable_condition())


def is_follower(user, req):
    """:func:`follower_condition` for one loaded request."""
    return db.session.scalar(sa.select(sa.and_(follows_condition(user, req.id),
                                               discoverable_condition(req.category_code)))) or False


def may_read(user, req):
    """Whether ``user`` would get the request from ``get_visible_request``, not a 404: in full
    (``may_read_in_full``) or as a follower."""
    if user is None or not user.is_active:
        return False
    return may_read_in_full(user, req) or is_follower(user, req)


def is_author(user, req):
    return req.author_id == user.id


def get_visible_request(user, request_id, *, for_update=False, followers=None):
    """The request if ``user`` may see it; 404 for missing and for not yours alike.

    A follower may read it; a lookup ``for_update`` (every write's) does not admit followers, nor
    one with ``followers=False`` (a write that reads before it locks, such as a photo upload)."""
    condition = visible_condition(user)
    if (not for_update) if followers is None else followers:
        condition = sa.or_(condition, follower_condition(user))
    stmt = sa.select(ServiceRequest).where(ServiceRequest.id == request_id, condition)
    if for_update:
        stmt = stmt.with_for_update(of=ServiceRequest)
    req = db.session.scalar(stmt)
    if req is None:
        raise ApiError(404, "not_found", NOT_FOUND)
    return req


def may_read_internal(user, req):
    return is_staff_for(user, req)


def require_staff(user, req, action="do this"):
    if not is_staff_for(user, req):
        raise ApiError(403, "forbidden", f"only staff responsible for this request may {action}")


def get_visible_attachment(user, attachment_id):
    """The attachment if ``user`` may see its request; one 404 for missing and for not yours alike."""
    attachment = db.session.scalar(
        sa.select(Attachment).join(ServiceRequest, ServiceRequest.id == Attachment.request_id)
        .where(Attachment.id == attachment_id, visible_condition(user)))
    if attachment is None:
        raise ApiError(404, "not_found", ATTACHMENT_NOT_FOUND)
    return attachment


def require_may_edit(user, req, fields):
    """403 unless ``user`` may edit each of ``fields``: the wording is the author's, the routing staff's."""
    if fields & STAFF_FIELDS:
        require_staff(user, req, f"change {', '.join(sorted(fields & STAFF_FIELDS))}")
    if fields & AUTHOR_FIELDS and not is_author(user, req):
        raise ApiError(403, "forbidden", "only the author may change the title and description")


def require_may_write_internal(user, req):
    """Internal notes are for the staff responsible for the request, never its author's eyes."""
    if not may_read_internal(user, req):
        raise ApiError(403, "forbidden", "only staff may write internal notes")


def require_may_comment(user, req):
    """The conversation is between the author and the staff; followers read it (a bulk call or a
    canned reply may reach a request its staff member also follows: staff may comment)."""
    if not may_read_in_full(user, req):
        raise ApiError(403, "forbidden", "followers may read the conversation but not write in it")


def require_may_attach(user, req):
    if not (is_author(user, req) or is_staff_for(user, req)):
        raise ApiError(403, "forbidden", "only the author and responsible staff may attach photos")


def require_may_remove_photo(user, req):
    """Photos are removed by responsible staff at any time, by the author only while the request is ``new``."""
    if is_staff_for(user, req):
        return
    if not is_author(user, req):
        raise ApiError(403, "forbidden", "only the author and responsible staff may remove photos")
    if req.status != "new":
        raise ApiError(409, "conflict", f"the request is {req.status}; its author may remove photos only while it is new")


def may_move(user, req, target, now):
    """Whether ``user`` may move ``req`` to ``target`` at ``now`` (``TRANSITIONS``; reopen within REOPEN_DAYS)."""
    who = TRANSITIONS.get((req.status, target))
    if who == "staff":
        return is_staff_for(user, req)
    if who == "author":
        if not is_author(user, req):
            return False
        if (req.status, target) == ("resolved", "in_progress"):
            window = timedelta(days=current_app.config["REOPEN_DAYS"])
            return req.resolved_at is not None and now - req.resolved_at <= window
        return True
    return False


# --- staff's own things shared with all staff (saved views, canned replies) ---------------------

def own_or_shared_condition(model, user):
    """SQL: the ``model`` rows ``user`` may read and use: their own, or shared with all staff
    (``model`` has ``owner_id`` and ``shared``)."""
    return sa.or_(model.shared.is_(True), model.owner_id == user.id)


def may_use(user, thing):
    """Whether ``user`` may read and use ``thing`` (a saved view or canned reply): theirs, or shared."""
    return thing.shared or thing.owner_id == user.id


def may_share(user):
    """Sharing a thing with all staff, and changing or deleting a shared one, is administrators' only."""
    return user.role == "administrator"
