"""Sign-in and sign-out."""
import logging

import sqlalchemy as sa

from ..errors import ApiError
from ..extensions import db
from ..users.models import User
from .passwords import burn_verification_time, verify_password
from .tokens import revoke_session, start_session, token_response

log = logging.getLogger(__name__)


def authenticate(login_name, password):
    """The active account these credentials open, else 401; unknown login and wrong password look alike.

    The API's sign-in and the staff console's both check credentials here."""
    user = db.session.scalar(sa.select(User).where(User.login == login_name.strip().lower()))
    if user is None:
        burn_verification_time(password)
    if user is None or not verify_password(user.password_hash, password) or not user.is_active:
        log.info("failed sign-in")
        raise ApiError(401, "invalid_credentials", "wrong login or password")
    return user


def login(login_name, password):
    """Check credentials and open a session."""
    user = authenticate(login_name, password)
    access, refresh = start_session(user)
    db.session.commit()
    log.info("user %s signed in", user.id)
    return token_response(access, refresh, user)


def logout(session_id):
    revoke_session(session_id)
    db.session.commit()
