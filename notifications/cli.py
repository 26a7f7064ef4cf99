"""``flask notifications worker``."""
import click
from flask.cli import AppGroup

from .worker import Worker, run_once

notifications_cli = AppGroup("notifications", help="Push notifications.")


@notifications_cli.command("worker")
@click.option("--poll", default=1.0, show_default=True, help="seconds to wait when nothing is due")
@click.option("--once", is_flag=True, help="handle one batch and exit")
def worker_command(poll, once):
    """Deliver queued pushes until SIGTERM."""
    if once:
        click.echo(f"delivered {run_once()} pushes")
        return
    worker = Worker(poll_seconds=poll)
    worker.install_signal_handlers()
    worker.run()
