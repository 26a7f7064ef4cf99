"""Command-line tools: ``flask users create``, ``flask seed-demo``, ``flask auth purge-sessions``."""
import click
import marshmallow as ma
from flask import current_app
from flask.cli import AppGroup, with_appcontext

from .auth.tokens import purge_expired_sessions
from .errors import ApiError
from .plugins import Hook, hooks
from .seed import seed_demo
from .users import service
from .users.schemas import UserCreateSchema
from .vocabulary import DEFAULT_LANGUAGE, LANGUAGES, ROLES

users_cli = AppGroup("users", help="Manage accounts.")
auth_cli = AppGroup("auth", help="Sign-in housekeeping.")


@users_cli.command("create")
@click.option("--login", required=True)
@click.option("--password", required=True, help="at least PASSWORD_MIN_LENGTH characters")
@click.option("--role", required=True, type=click.Choice(ROLES))
@click.option("--full-name", default=None, help="defaults to the login")
@click.option("--office", "office_code", default=None, help="home office code")
@click.option("--phone", default=None, help="E.164, e.g. +77011234567")
@click.option("--email", default=None)
@click.option("--language", default=DEFAULT_LANGUAGE, type=click.Choice(LANGUAGES))
def create_user_command(login, password, role, full_name, office_code, phone, email, language):
    """Create an account (the way the first administrator is made)."""
    body = {"login": login, "password": password, "role": role, "full_name": full_name or login,
            "language": language}
    if phone:
        body["phone"] = phone
    if email:
        body["email"] = email
    if office_code:
        body["office_id"] = _office_id(office_code)
    try:
        data = UserCreateSchema().load(body)
        user = service.create_user(data)
    except ma.ValidationError as exc:
        raise click.ClickException(f"invalid input: {exc.messages}") from exc
    except ApiError as exc:
        raise click.ClickException(exc.message) from exc
    click.echo(f"created user {user.id} ({user.login}, {user.role})")


def _office_id(code):
    lookup = hooks().one(Hook.OFFICE_LOOKUP)
    office_id = lookup(code) if lookup else None
    if office_id is None:
        raise click.ClickException(f"no office with code {code!r}")
    return office_id


@click.command("seed-demo")
@with_appcontext
def seed_demo_command():
    """Load demo data (refuses to run in production)."""
    if current_app.config["ENV_NAME"] == "production":
        raise click.ClickException("seed-demo refuses to run in production")
    for line in seed_demo():
        click.echo(line)


@auth_cli.command("purge-sessions")
def purge_sessions_command():
    """Delete sessions whose refresh tokens have expired."""
    click.echo(f"purged {purge_expired_sessions()} expired sessions")


def register(app):
    app.cli.add_command(users_cli)
    app.cli.add_command(auth_cli)
    app.cli.add_command(seed_demo_command)
