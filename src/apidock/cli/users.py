"""`apidock create-user` and `apidock reset-password`: a user made, and a password set,
through the users service, as the API does."""

from __future__ import annotations

import asyncio
import secrets
import sys

import click
from sqlalchemy.ext.asyncio import AsyncSession

from apidock.auth.limiter import LoginLimiter
from apidock.auth.passwords import PasswordHasher
from apidock.cli.running import read_settings, run_on_database
from apidock.config import Settings
from apidock.db import Database
from apidock.deploy import GENERATED_PASSWORD_BYTES
from apidock.errors import StoreUnavailable
from apidock.roles import service as role_service
from apidock.users import service as user_service
from apidock.users.names import is_root_name
from apidock.work import UnitOfWork

# The address of the audit rows the command line writes. Not an IP: no request carries them,
# and no address, not even 127.0.0.1, could be told from one that a request came from.
AUDIT_ADDRESS = "cli"


def _password_from_stdin(option: str = "--password-stdin") -> str:
    line = sys.stdin.readline()
    password = line.removesuffix("\n").removesuffix("\r")
    if not password:
        raise click.UsageError(f"{option}: standard input holds no password")
    return password


def _check_password(value: str) -> str:
    try:
        return user_service.validate_password(value)
    except ValueError as exc:
        raise click.UsageError(str(exc)) from None


@click.command("create-user")
@click.argument("name")
@click.option(
    "--role",
    help="Title of the user's role (deploy seeds User, Developer, QA and Administrator; "
    "`GET /api/v1/roles` lists them all).  [default: the default role]",
)
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
                raise click.ClickException(await _no_such_role(session, role))
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


async def _no_such_role(session: AsyncSession, title: str | None) -> str:
    """Why the role was not found, with the titles there are to choose from."""
    titles = [found.title for found in await role_service.list_all(session)]
    if not titles:
        return "There are no roles yet: run `apidock deploy` first"
    wanted = "default role" if title is None else f"role {title!r}"
    return f"There is no {wanted}; the roles are: {', '.join(titles)}"


@click.command("reset-password")
@click.argument("name")
@click.option(
    "--stdin",
    "from_stdin",
    is_flag=True,
    help="Read the new password from the first line of standard input instead of generating one.",
)
def reset_password(name: str, from_stdin: bool) -> None:
    """Give user NAME a new password: a random one, printed only this once, or one read from
    standard input (--stdin), held to the API's rules.

    For the root administrator too, whose password APP_ROOT_ADMIN_PASSWORD sets only when
    deploy creates it. As a change of password through the API does, it signs the user out
    everywhere (every access and refresh token stops working) and writes one audit row
    `user.password`, with no actor and the address `cli`. The name is compared without
    regard to case or width; a deleted user is refused.

    With REDIS_URL, the account's failed sign-ins are forgotten too, so a locked-out user may
    sign in at once (the counts of the addresses they came from stay). Without it, the counts
    live in the server's memory, out of this command's reach: they end with their window
    (LOGIN_WINDOW_SECONDS) or a restart of the server.
    """
    settings = read_settings()
    if from_stdin:
        password = _check_password(_password_from_stdin("--stdin"))
    else:
        # as deploy makes the root's: 24 URL-safe characters, 144 random bits
        password = secrets.token_urlsafe(GENERATED_PASSWORD_BYTES)

    async def work(database: Database) -> str:
        async with database.transaction() as session:
            user = await user_service.get_by_name(session, name=name, include_deleted=True)
            if user is None:
                raise click.ClickException(f"No user is named {name!r}")
            if user.deleted_at is not None:
                raise click.ClickException(f"The user {user.name!r} is deleted")
            await user_service.reset_password(
                UnitOfWork(session=session, address=AUDIT_ADDRESS),
                user=user,
                password=password,
                hasher=PasswordHasher(settings),
            )
            return user.name

    found = run_on_database(settings, work)
    if from_stdin:
        click.echo(f"Password of {found!r} changed; it is signed out everywhere")
    else:
        click.echo(
            f"New password of {found!r}, shown only this once: {password}\n"
            "It is signed out everywhere."
        )
    if settings.redis_url:
        asyncio.run(_forgive_failed_sign_ins(settings, found))


async def _forgive_failed_sign_ins(settings: Settings, name: str) -> None:
    """The account's failed sign-ins cleared in the shared store; a store that does not answer
    is said, not an error: the password is changed either way."""
    limiter = LoginLimiter(settings)
    try:
        await limiter.forgive(account=user_service.name_key(name))
    except StoreUnavailable:
        click.echo(
            "The shared store (REDIS_URL) did not answer: failed sign-ins of the account still "
            "count until their window ends",
            err=True,
        )
    else:
        click.echo("Its failed sign-ins are forgotten.")
    finally:
        await limiter.store.close()
