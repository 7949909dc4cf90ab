"""`apidock deploy`: migrate, seed the roles and the root administrator, and tell what changed."""

from __future__ import annotations

import click

from apidock.auth.passwords import PasswordHasher
from apidock.cli.running import read_settings, run_on_database
from apidock.config import Settings
from apidock.deploy import DeployReport
from apidock.deploy import deploy as run_deploy


@click.command()
def deploy() -> None:
    """Upgrade the schema, seed the roles and create the root administrator.

    Safe to run again: the four seeded roles (known by their seed key, whatever their title
    now) get their defined permissions back, or are created again if deleted, the root
    administrator (APP_ROOT_ADMIN) gets the administrator role and normal status back, and
    nothing else changes. Its password comes from APP_ROOT_ADMIN_PASSWORD or is generated
    and shown once, when the administrator is created; an existing password is kept (change
    it with `apidock reset-password`).
    """
    deploy_and_tell(read_settings())


def deploy_and_tell(settings: Settings) -> None:
    """Run the deploy and tell what it did (`apidock deploy`, `apidock serve --deploy`)."""
    report = run_on_database(
        settings,
        lambda database: run_deploy(
            database, settings, hasher=PasswordHasher(settings), on_wait=_tell_waiting
        ),
    )
    _tell(report)


def _tell_waiting() -> None:
    click.echo("The database's deploy lock is held: waiting for another deploy to end", err=True)


def _tell(report: DeployReport) -> None:
    if report.migrated:
        click.echo(
            f"Database upgraded from {report.revision_before or 'base'} to {report.revision_after}"
        )
    else:
        click.echo(f"Database already at {report.revision_after}")
    if report.roles.created:
        click.echo(f"Roles created: {', '.join(report.roles.created)}")
    for wanted, title in report.roles.retitled.items():
        click.echo(
            f"The title {wanted!r} is held by a role deploy did not make, left as it is: "
            f"the seeded role is {title!r}"
        )
    if report.roles.updated:
        click.echo(f"Roles reset to their definition: {', '.join(report.roles.updated)}")
    if not report.roles.changed:
        click.echo("Roles already as defined")
    if report.users_given_default_role:
        click.echo(
            f"Users without a role given the default role: {report.users_given_default_role}"
        )
    name = report.admin_name
    if report.admin_created:
        click.echo(f"Root administrator {name!r} created")
    elif report.admin_reinstated:
        click.echo(f"Root administrator {name!r} given back its role and normal status")
    else:
        click.echo(f"Root administrator {name!r} already in place")
    if report.generated_password is not None:
        click.echo(
            f"Password of {name!r}, shown only this once: {report.generated_password}\n"
            "Keep it somewhere safe, or set APP_ROOT_ADMIN_PASSWORD before the first deploy."
        )
    if report.configured_password_ignored:
        click.echo(
            f"APP_ROOT_ADMIN_PASSWORD ignored: {name!r} already exists and keeps its password "
            "(deploy sets it only when it creates the administrator); to change it, run "
            f"`apidock reset-password {name}` (add --stdin to give the new one)"
        )
