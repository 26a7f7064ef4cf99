"""Sign-in, token refresh and logout, password recovery by SMS code."""
from flask import Response, current_app
from flask_jwt_extended import current_user, get_jwt
from flask_limiter.util import get_remote_address

from ..api import Blueprint
from ..errors import ErrorSchema
from ..extensions import limiter
from . import reset, service, throttling, tokens
from .schemas import (LoginResponseSchema, LoginSchema, ResetConfirmSchema, ResetRequestSchema,
                      TokenPairSchema)

blp = Blueprint("auth", __name__, url_prefix="/api/v1/auth", description="Sign-in and recovery")


def _login_key():
    """Throttle key for the account named in the body (unknown logins count too)."""
    login = throttling.login_name()
    return f"account:{login}" if login else f"account-ip:{get_remote_address()}"


@blp.route("/login", methods=["POST"])
@blp.doc(operationId="login")
@throttling.sign_in_limits  # shared with the console's sign-in
@blp.arguments(LoginSchema)
@blp.response(200, LoginResponseSchema)
@blp.alt_response(401, schema=ErrorSchema, description="invalid_credentials")
@blp.alt_response(429, schema=ErrorSchema, description="too many failed attempts")
def login(data):
    """Sign in with login and password"""
    return service.login(data["login"], data["password"])


@blp.route("/refresh", methods=["POST"])
@blp.doc(operationId="refreshTokens")
@blp.login_required(refresh=True)
@blp.response(200, TokenPairSchema)
def refresh():
    """Swap a refresh token for a new pair (the old refresh token stops working)"""
    access, refresh_token = tokens.rotate_refresh(current_user, get_jwt())
    return tokens.token_response(access, refresh_token)


@blp.route("/logout", methods=["POST"])
@blp.doc(operationId="logout")
@blp.login_required()
@blp.response(204)
def logout():
    """Sign out: this access token and its refresh token stop working"""
    service.logout(get_jwt()["sid"])


@blp.route("/password-reset", methods=["POST"])
@blp.doc(operationId="requestPasswordReset")
@limiter.limit(lambda: current_app.config["PASSWORD_RESET_LIMIT_PER_ACCOUNT"], key_func=_login_key)
@limiter.limit(lambda: current_app.config["PASSWORD_RESET_LIMIT_PER_IP"])
@blp.arguments(ResetRequestSchema)
@blp.response(202)
def password_reset(data):
    """Send a one-time code by SMS to the account's phone (same answer for any login)"""
    reset.request_code(data["login"])
    return Response(status=202)


@blp.route("/password-reset/confirm", methods=["POST"])
@blp.doc(operationId="confirmPasswordReset")
@limiter.limit(lambda: current_app.config["PASSWORD_RESET_LIMIT_PER_IP"], deduct_when=lambda r: r.status_code == 400)
@blp.arguments(ResetConfirmSchema)
@blp.response(204)
@blp.alt_response(400, schema=ErrorSchema, description="invalid_code")
def password_reset_confirm(data):
    """Set a new password with the SMS code; every session of the account is revoked"""
    reset.confirm_code(data["login"], data["code"], data["new_password"])
