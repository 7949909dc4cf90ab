"""`apidock deploy`: migrate, seed the roles and make sure the root administrator exists.

Safe to run on every release: a second run finds everything in place and writes nothing.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass

from apidock import migrations
from apidock.auth.passwords import PasswordHasher
from apidock.config import Settings, SettingsError
from apidock.db import Database
from apidock.deploy_lock import deploy_lock
from apidock.permissions import ADMIN_ROLE_KEY, DEFAULT_ROLE_KEY
from apidock.roles import service as role_service
from apidock.users import service as user_service

GENERATED_PASSWORD_BYTES = 18  # 24 URL-safe characters


@dataclass
class DeployReport:
    """What a deploy found and did, for the command line to tell."""

    revision_before: str | None
    revision_after: str | None
    roles: role_service.SeedReport
    admin_name: str
    admin_created: bool
    admin_reinstated: bool
    # users the original left without a role, given the default role
    users_given_default_role: int
    # set only when the password was generated: the one time it is ever shown
    generated_password: str | None
    # APP_ROOT_ADMIN_PASSWORD was set, but the administrator already existed: its own
    # password stands (deploy never changes a password; `apidock reset-password` does)
    configured_password_ignored: bool = False

    @property
    def migrated(self) -> bool:
        return self.revision_before != self.revision_after


def root_admin_identity(settings: Settings) -> tuple[str, str | None]:
    """The root administrator's normalised name and configured password, or `SettingsError`."""
    try:
        name = user_service.normalize_name(settings.app_root_admin)
    except ValueError as exc:
        raise SettingsError(f"invalid setting APP_ROOT_ADMIN: {exc}") from None
    if settings.app_root_admin_password is None:
        return name, None
    password = settings.app_root_admin_password.get_secret_value()
    if not password:
        return name, None
    try:
        user_service.validate_password(password)
    except ValueError as exc:
        raise SettingsError(f"invalid setting APP_ROOT_ADMIN_PASSWORD: {exc}") from None
    return name, password


async def deploy(
    database: Database,
    settings: Settings,
    *,
    hasher: PasswordHasher,
    on_wait: Callable[[], None] | None = None,
) -> DeployReport:
    """Upgrade the schema to head, then seed the roles and the root administrator, holding the
    database's deploy lock (`apidock.deploy_lock`; `on_wait` is told when another deploy holds
    it and this one waits).

    Users without a role (the original left some) get the default role; blocked and deleted
    users stay so. The roles, those users and the administrator are written in one
    transaction: all of it lands or none does. An existing administrator keeps its password;
    it gets the administrator role and normal status back if it lost them. Both roles are
    the seeded ones, found by their seed keys: a role merely titled "Administrator" or
    "User" is never handed out or given rights here.
    """
    admin_name, configured_password = root_admin_identity(settings)
    async with deploy_lock(database.engine, on_wait=on_wait):
        return await _deploy(database, hasher, admin_name, configured_password)


async def _deploy(
    database: Database, hasher: PasswordHasher, admin_name: str, configured_password: str | None
) -> DeployReport:
    revision_before = await migrations.current_revision(database.engine)
    await migrations.upgrade(database.engine, "head")
    revision_after = await migrations.current_revision(database.engine)

    generated_password: str | None = None
    async with database.transaction() as session:
        roles = await role_service.seed_roles(session)
        default_role = await role_service.get_seeded(session, key=DEFAULT_ROLE_KEY)
        assert default_role is not None  # seeded just above
        roleless = await user_service.give_role_to_roleless(session, role_id=default_role.id)
        admin_role = await role_service.get_seeded(session, key=ADMIN_ROLE_KEY)
        assert admin_role is not None  # seeded just above
        admin = await user_service.get_by_name(session, name=admin_name, include_deleted=True)
        if admin is None:
            password = configured_password
            if password is None:
                password = generated_password = secrets.token_urlsafe(GENERATED_PASSWORD_BYTES)
            await user_service.create(
                session,
                name=admin_name,
                password_hash=await hasher.hash(password),
                role_id=admin_role.id,
            )
            reinstated = False
        else:
            admin_name = admin.name
            reinstated = user_service.reinstate(admin, role_id=admin_role.id)
    return DeployReport(
        revision_before=revision_before,
        revision_after=revision_after,
        roles=roles,
        admin_name=admin_name,
        admin_created=admin is None,
        admin_reinstated=reinstated,
        users_given_default_role=roleless,
        generated_password=generated_password,
        configured_password_ignored=admin is not None and configured_password is not None,
    )
