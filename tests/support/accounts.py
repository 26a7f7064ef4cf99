"""Test accounts made directly in the database, and signed in the way the API's sign-in does
once the password checks out (``service_app.auth.tokens.start_session``), without HTTP.

Call these inside an app context; the caller commits (``sign_in`` commits, as the sign-in does).
"""
from flask import current_app

from service_app.auth.passwords import hash_password
from service_app.extensions import db
from tests.support.api import DEMO_PASSWORD, bearer

_HASHES = {}  # (password, Argon2 time cost, memory) -> one hash of it, shared by every account


class Account:
    """A test account: its id, login, and (after signing in) tokens and headers."""

    def __init__(self, user_id, login_name):
        self.id, self.login = user_id, login_name
        self.tokens, self.headers = None, None


def password_hash(password):
    """An Argon2 hash of ``password``; the demo password's is computed once per cost setting."""
    if password != DEMO_PASSWORD:
        return hash_password(password)
    config = current_app.config
    key = (password, config["ARGON2_TIME_COST"], config["ARGON2_MEMORY_KIB"])
    if key not in _HASHES:
        _HASHES[key] = hash_password(password)
    return _HASHES[key]


def add_user(login, role="employee", password=DEMO_PASSWORD, **fields):
    """Add an account to the session and flush it (so it has its id); returns the User.

    The suite's accounts read English unless a test gives them a language: errors follow
    a signed-in user's language before Accept-Language."""
    from service_app.users.models import User

    fields.setdefault("language", "en")
    user = User(login=login, full_name=fields.pop("full_name", "Test Person"), role=role,
                password_hash=password_hash(password), **fields)
    db.session.add(user)
    db.session.flush()
    return user


def sign_in(users):
    """Open a session for each user as ``POST /auth/login`` does after checking the password, commit,
    and return their Accounts, each with ``tokens`` (the login answer's body) and ``headers``."""
    from service_app.auth.schemas import LoginResponseSchema
    from service_app.auth.tokens import start_session, token_response

    pairs = [start_session(user) for user in users]
    db.session.commit()
    schema = LoginResponseSchema()
    accounts = []
    for user, (access, refresh) in zip(users, pairs, strict=True):
        account = Account(user.id, user.login)
        account.tokens = schema.dump(token_response(access, refresh, user))
        account.headers = bearer(access)
        accounts.append(account)
    return accounts
