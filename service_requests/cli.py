"""``flask sla sweep``."""
import click
from flask.cli import AppGroup

from service_app.db_timeouts import lift_for_maintenance
from service_app.extensions import db

from .photos.attachments import get_storage
from .privacy.retention import run
from .photos.outbox import purge
from .lifecycle.sweep import sweep

sla_cli = AppGroup("sla", help="SLA clocks.")


@sla_cli.command("sweep")
def sweep_command():
    """Warn at 80% of targets, mark breaches, auto-close old resolved requests (idempotent)."""
    for what, count in sweep().items():
        click.echo(f"{what}: {count}")


retention_cli = AppGroup("retention", help="Data retention (PRIVACY.md P15).")


@retention_cli.command("run")
def retention_command():
    """Delete old photos, anonymise old requests and long-deactivated accounts (idempotent)."""
    # The first run over years of data may update many rows at once: no request-sized timeouts.
    lift_for_maintenance(db.session.connection())
    for what, count in run().items():
        click.echo(f"{what}: {count}")


storage_cli = AppGroup("storage", help="Attachment storage.")


@storage_cli.command("purge")
@click.option("--limit", default=500, show_default=True, help="most deletions to try in this run")
def storage_purge_command(limit):
    """Delete stored objects left by failed uploads (the deletion outbox); retried until gone."""
    deleted, failed = purge(get_storage(), limit=limit)
    click.echo(f"objects deleted: {deleted}")
    if failed:
        click.echo("storage unavailable: the rest is retried on a later run")
