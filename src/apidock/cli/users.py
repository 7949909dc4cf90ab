"""`apidock create-user`: a user made through the users service, as the API makes one."""

from __future__ import annotations

import sys

import click

from apidock.auth.passwords import PasswordHasher
from apidock.cli.running import read_settings, run_on_database
from apidock.db import Database
from apidock.roles import service as role_service
from apidock.users import service as user_service
from apidock.users.names import is_root_name
from apidock.work import UnitOfWork

# The address of the audit rows the command line writes. Not an IP: no request carries them,
# and no address, not even 127.0.0.1, could be told from one that a request came from.
AUDIT_ADDRESS = "cli"


def _password_from_stdin() -> str:
    line = sys.stdin.readline()
    password = line.removesuffix("\n").removesuffix("\r")
    if not password:
        raise click.UsageError("--password-stdin: standard input holds no password")
    return password


def _check_password(value: str) -> str:
    try:
        return user_service.validate_password(value)
    except ValueError as exc:
        raise click.UsageError(str(exc)) from None


@click.command("create-user")
@click.argument("name")
@click.option("--role", help="Title of the user's role.  [default: the default role]")
@click.option(
    "--password-stdin",
    is_flag=True,
    help="Read the password from the first line of standard input instead of prompting.",
)
def create_user(name: str, role: str | None, password_stdin: bool) -> None:
    """Create a user NAME, with a password typed twice (or read from standard input).

    The user is made as POST /api/v1/users makes one: the same name rules, a name taken in
    any case or width refused, the password hashed, and one audit row `user.create` written
    in the same transaction. That row names no actor (its user_id is empty: no account runs
    this command) and has the address `cli`. Any role may be given: whoever runs the command
    holds the settings, and with them the database.
    """
    settings = read_settings()
    # the cheap checks run before the password is asked for
    try:
        name = user_service.normalize_name(name)
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="NAME") from None
    if is_root_name(name, settings.app_root_admin):
        # whoever holds the name is the root; deploy makes it, with its password setting
        raise click.ClickException(
            f"The name {name!r} is already taken: it is the root administrator's "
            "(APP_ROOT_ADMIN), which `apidock deploy` makes"
        )
    if password_stdin:
        password = _check_password(_password_from_stdin())
    else:
        password = click.prompt(
            "Password", hide_input=True, confirmation_prompt=True, value_proc=_check_password
        )

    async def work(database: Database) -> str:
        async with database.transaction() as session:
            if role is None:
                found = await role_service.get_default(session)
            else:
                found = await role_service.get_by_title(session, title=role)
            if found is None:
                wanted = "default role" if role is None else f"role {role!r}"
                raise click.ClickException(f"There is no {wanted}; has `apidock deploy` run?")
            # no actor: no account runs the command
            user = await user_service.create_audited(
                UnitOfWork(session=session, address=AUDIT_ADDRESS),
                name=name,
                password=password,
                role_id=found.id,
                hasher=PasswordHasher(settings),
            )
            return f"User {user.name!r} created with id {user.id} and role {found.title!r}"

    click.echo(run_on_database(settings, work))
