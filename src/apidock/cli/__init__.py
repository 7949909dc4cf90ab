"""The `apidock` command: serve, migrate, deploy, import, export and diff descriptions, list
routes, shell, profile, create users and reset their passwords.

Thin on purpose: each command parses its options, loads the settings and calls the code that
does the work (`deploy`, the services, `shell`, `profiling`). One module per group of
commands; this one makes the group and registers them.
"""

from __future__ import annotations

import click

from apidock import __version__
from apidock.cli import db, deploy, diff, documents, routes, serve, shell, testing, users


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="apidock")
def cli() -> None:
    """API Dock: document the HTTP APIs of your applications and test them.

    Settings come from the environment and from `.env` in the project directory (the
    checkout, or APIDOCK_PROJECT_DIR), whatever the current one; relative paths are under
    that directory too (docs/operations.md).

    \b
    A forgotten password, the root administrator's too:
        apidock reset-password NAME
    """


cli.add_command(serve.serve)
cli.add_command(serve.profile)
cli.add_command(serve.mock)
cli.add_command(db.db)
cli.add_command(deploy.deploy)
cli.add_command(users.create_user)
cli.add_command(users.reset_password)
cli.add_command(documents.import_document)
cli.add_command(documents.export_document)
cli.add_command(diff.diff)
cli.add_command(routes.routes)
cli.add_command(testing.test)
cli.add_command(testing.worker)
cli.add_command(shell.shell)


def main() -> None:
    """The console script `apidock`."""
    cli(prog_name="apidock")
