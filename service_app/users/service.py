"""Account management: what administrators and users may change, and its effects."""
import sqlalchemy as sa

from .. import audit
from ..auth.passwords import hash_password, verify_password
from ..auth.tokens import revoke_all_sessions
from ..database import utcnow
from ..errors import ApiError
from ..extensions import db
from ..pagination import paginate
from . import scope_checks
from .models import User


def list_users(args):
    stmt = sa.select(User)
    if "role" in args:
        stmt = stmt.where(User.role == args["role"])
    if "office_id" in args:
        stmt = stmt.where(User.office_id == args["office_id"])
    if "is_active" in args:
        stmt = stmt.where(User.is_active.is_(args["is_active"]))
    if args.get("q"):
        pattern = "%" + args["q"].lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        stmt = stmt.where(sa.or_(sa.func.lower(User.login).like(pattern, escape="\\"),
                                 sa.func.lower(User.full_name).like(pattern, escape="\\"),
                                 sa.func.lower(User.email).like(pattern, escape="\\")))
    return paginate(db.session, stmt, User, args["limit"], args.get("cursor"))


def get_user(user_id):
    user = db.session.get(User, user_id)
    if user is None:
        raise ApiError(404, "not_found", "no such user")
    return user


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


def create_user(data):
    """Create an account (administrators only; there is no self-registration)."""
    if _login_taken(data["login"]):
        raise ApiError(409, "conflict", "login: already taken", {"login": ["already taken"]})
    scope_checks.validate(data)
    user = User(
        login=data["login"], full_name=data["full_name"], role=data["role"],
        password_hash=hash_password(data["password"]),
        phone=data.get("phone"), email=data.get("email"), office_id=data.get("office_id"),
        office_ids=data.get("office_ids", []), department_codes=data.get("department_codes", []),
        language=data.get("language", "ru"))
    db.session.add(user)
    db.session.commit()
    return user


def update_user(actor, user, data):
    """Apply an administrator's edit; deactivation or a new password signs the user out everywhere."""
    if user.id == actor.id and (data.get("is_active") is False or data.get("role", user.role) != user.role):
        raise ApiError(409, "conflict", "you cannot deactivate your own account or change your own role")
    if "login" in data and _login_taken(data["login"], exclude_id=user.id):
        raise ApiError(409, "conflict", "login: already taken", {"login": ["already taken"]})
    scope_checks.validate(data)
    password = data.pop("password", None)
    for field, value in data.items():
        setattr(user, field, value)
    if password is not None:
        user.password_hash = hash_password(password)
        user.password_changed_at = utcnow()
    if password is not None or data.get("is_active") is False:
        revoke_all_sessions(user.id)
    db.session.commit()
    return user


def update_me(user, data):
    for field, value in data.items():
        setattr(user, field, value)
    db.session.commit()
    return user


def change_password(user, current_password, new_password, session_id):
    """Change one's own password; other devices are signed out, this one stays."""
    if not verify_password(user.password_hash, current_password):
        raise ApiError(422, "validation_error", "current_password: does not match",
                       {"current_password": ["does not match"]})
    user.password_hash = hash_password(new_password)
    user.password_changed_at = utcnow()
    revoke_all_sessions(user.id, except_session=session_id)
    db.session.commit()
