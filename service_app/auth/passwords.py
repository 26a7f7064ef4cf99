"""Password hashing with Argon2id (memory-hard), cost from config."""
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app

MAX_PASSWORD_LENGTH = 128


def _hasher():
    cfg = current_app.config
    key = (cfg["ARGON2_TIME_COST"], cfg["ARGON2_MEMORY_KIB"])
    cache = current_app.extensions.setdefault("argon2", {})
    if key not in cache:
        cache[key] = PasswordHasher(time_cost=key[0], memory_cost=key[1])
    return cache[key]


def hash_password(password):
    return _hasher().hash(password)


def verify_password(password_hash, password):
    """True when ``password`` matches; never raises for a wrong or odd hash."""
    try:
        return _hasher().verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def burn_verification_time(password):
    """Spend the time of one verification, so an unknown login answers as slowly as a known one."""
    cache = current_app.extensions.setdefault("argon2_dummy", {})
    if "hash" not in cache:
        cache["hash"] = hash_password("not-a-real-password")
    verify_password(cache["hash"], password)


def password_problem(password):
    """Why ``password`` is not acceptable, or None."""
    minimum = current_app.config["PASSWORD_MIN_LENGTH"]
    if len(password) < minimum:
        return f"shorter than {minimum} characters"
    if len(password) > MAX_PASSWORD_LENGTH:
        return f"longer than {MAX_PASSWORD_LENGTH} characters"
    if not password.strip():
        return "must not be blank"
    return None
