"""``flask sla sweep``."""
import click
from flask.cli import AppGroup

sla_cli = AppGroup("sla", help="SLA clocks.")


@sla_cli.command("sweep")
def sweep_command():
    """Warn at 80% of targets, mark breaches, auto-close old resolved requests (idempotent)."""
    from .sweep import sweep

    for what, count in sweep().items():
        click.echo(f"{what}: {count}")


retention_cli = AppGroup("retention", help="Data retention (PRIVACY.md P15).")


@retention_cli.command("run")
def retention_command():
    """Delete old photos, anonymise old requests and long-deactivated accounts (idempotent)."""
    from .retention import run

    for what, count in run().items():
        click.echo(f"{what}: {count}")
