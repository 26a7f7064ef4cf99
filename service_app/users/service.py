"""Account management: what administrators and users may change, and its effects."""
import sqlalchemy as sa

from .. import audit
from ..auth.passwords import hash_password, verify_password
from ..auth.tokens import revoke_all_sessions
from ..database import assign, get_or_404, utcnow
from ..errors import ApiError, invalid
from ..extensions import db
from ..pagination import decode_cursor, paginate
from ..vocabulary import DEFAULT_LANGUAGE, STAFF_ROLES
from . import scope_checks
from .models import User


LIST_FILTERS = ("role", "office_id", "is_active", "q")


def list_active_staff():
    """Every active administrator and manager, by name: whom a request or an assignment pool may
    name (the services that assign check each one's scope)."""
    stmt = (sa.select(User).where(User.role.in_(STAFF_ROLES), User.is_active.is_(True))
            .order_by(User.full_name, User.id))
    return list(db.session.scalars(stmt))


def staff_choices(actor):
    """The active staff, by name, that ``actor``'s pickers may offer (the console's assignee choices).

    It is the list ``GET /users`` gives administrators only: an administrator gets it, written to
    the audit log as that list is (one ``user.list`` row with its filter, P14); anyone else gets
    none (an empty list), as the API refuses them the list."""
    if actor.role != "administrator":
        return []
    audit.record(actor, "user.list", "user", None,
                 {"filter": {"role": list(STAFF_ROLES), "is_active": True}, "later_page": False})
    db.session.commit()  # before the query, so the rows read are not expired by the commit
    return list_active_staff()


def list_users(actor, args):
    """One page of accounts; every call is one audit row holding its filter (P14)."""
    stmt = sa.select(User)
    if "role" in args:
        stmt = stmt.where(User.role == args["role"])
    if "office_id" in args:
        stmt = stmt.where(User.office_id == args["office_id"])
    if "is_active" in args:
        stmt = stmt.where(User.is_active.is_(args["is_active"]))
    if args.get("q"):
        q = args["q"].lower()  # also in Python: SQLite's lower() folds ASCII letters only
        stmt = stmt.where(sa.or_(*(column.icontains(q, autoescape=True)
                                   for column in (User.login, User.full_name, User.email))))
    if args.get("cursor"):
        decode_cursor(args["cursor"])  # a bad cursor is a 400 that writes nothing
    # Written before the query, so the page's rows are not expired by the commit.
    details = {"filter": {key: args[key] for key in LIST_FILTERS if key in args},
               "later_page": bool(args.get("cursor"))}
    audit.record(actor, "user.search" if args.get("q") else "user.list", "user", None, details)
    db.session.commit()
    return paginate(db.session, stmt, User, args["limit"], args.get("cursor"))


def get_user(user_id):
    return get_or_404(User, user_id, "no such user")


def view_user(actor, user_id):
    """An administrator reads someone's account: written to the audit log (P14)."""
    user = get_user(user_id)
    if user.id != actor.id:
        audit.record(actor, "user.view", "user", user.id)
        db.session.commit()
    return user


def _login_taken(login, exclude_id=None):
    stmt = sa.select(User.id).where(User.login == login)
    if exclude_id is not None:
        stmt = stmt.where(User.id != exclude_id)
    return db.session.scalar(stmt) is not None


def create_user(data, actor=None):
    """Create an account (administrators only; there is no self-registration).

    ``actor`` is the administrator calling the API (None for the command line).
    """
    scope_checks.require_may_create(actor, data)
    if _login_taken(data["login"]):
        raise ApiError(409, "conflict", "login: already taken", {"login": ["already taken"]})
    scope_checks.validate(data)
    user = User(
        login=data["login"], full_name=data["full_name"], role=data["role"],
        password_hash=hash_password(data["password"]),
        phone=data.get("phone"), email=data.get("email"), office_id=data.get("office_id"),
        office_ids=data.get("office_ids", []), department_codes=data.get("department_codes", []),
        language=data.get("language", DEFAULT_LANGUAGE))
    db.session.add(user)
    db.session.commit()
    return user


def update_user(actor, user, data):
    """Apply an administrator's edit; deactivation or a new password signs the user out everywhere.

    Losing a role, scope or activity also releases what the account held
    through them (request assignments), in the same transaction.
    """
    scope_checks.require_may_edit(actor, user, data)
    if user.id == actor.id and (data.get("is_active") is False or data.get("role", user.role) != user.role):
        raise ApiError(409, "conflict", "you cannot deactivate your own account or change your own role")
    if "login" in data and _login_taken(data["login"], exclude_id=user.id):
        raise ApiError(409, "conflict", "login: already taken", {"login": ["already taken"]})
    scope_checks.validate(data)
    password = data.pop("password", None)
    narrowed = _narrows(user, data)
    assign(user, data)
    if password is not None:
        user.password_hash = hash_password(password)
        user.password_changed_at = utcnow()
    if password is not None or data.get("is_active") is False:
        revoke_all_sessions(user.id)
    if narrowed:
        db.session.flush()
        scope_checks.scope_lost(user, actor)
    db.session.commit()
    return user


def _narrows(user, data):
    """Whether the edit may take away something the account could do before."""
    if data.get("is_active") is False and user.is_active:
        return True
    if "role" in data and data["role"] != user.role:
        return True
    for field in ("office_ids", "department_codes"):
        if field in data and set(data[field]) != set(getattr(user, field)):
            # A non-empty list replacing an empty one narrows too (empty means all).
            return True
    return False


def update_me(user, data):
    assign(user, data)
    db.session.commit()
    return user


def change_password(user, current_password, new_password, session_id):
    """Change one's own password; other devices are signed out, this one stays."""
    if not verify_password(user.password_hash, current_password):
        raise invalid("current_password", "does not match")
    user.password_hash = hash_password(new_password)
    user.password_changed_at = utcnow()
    revoke_all_sessions(user.id, except_session=session_id)
    db.session.commit()
