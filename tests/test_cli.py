"""The `apidock` command: help, deploy, db, create-user, routes, shell, serve and profile."""

from __future__ import annotations

import asyncio
import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import click
import pytest
import uvicorn
from click.testing import CliRunner, Result
from sqlalchemy import insert, make_url, select, text, update
from sqlalchemy.ext.asyncio import create_async_engine

from apidock import migrations
from apidock.auth.passwords import PasswordHasher, usable_cpus
from apidock.cli import cli
from apidock.config import Settings, load_settings, to_async_url
from apidock.models import Role, User
from apidock.permissions import ADMIN_ROLE, DEFAULT_ROLE, SEEDED_ROLES
from apidock.project import PROJECT_DIR_ENV
from apidock.users.models import UserStatus
from tests.conftest import DATABASE_PARAMS, create_database, drop_database
from tests.migrations.test_adopt import FLASK_MIGRATE_REVISION, original_ddl, original_rows

FIRST_REVISION = "4d016e2e0015"  # the first revision: the Flask api-dock's schema
GENERATED = re.compile(r"shown only this once: (\S+)")

# every variable the settings read; the tests set what they need and nothing leaks in
SETTING_NAMES = sorted(
    {str(field.alias) for field in Settings.model_fields.values() if field.alias is not None}
    | {"DATABASE_URL", "SQLALCHEMY_DATABASE_URI"}
)


@pytest.fixture
def environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> dict[str, str]:
    """A clean environment in `tmp_path` (no `.env`, no alembic.ini named elsewhere), SQLite
    there, cheap password hashing; the current directory is `tmp_path`."""
    for name in (*SETTING_NAMES, migrations.ALEMBIC_INI_ENV):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)
    values = {
        # the project directory, whose `.env` the settings read: none, not the checkout's
        PROJECT_DIR_ENV: str(tmp_path),
        "DATABASE_URL": f"sqlite:///{tmp_path / 'apidock.db'}",
        "APP_VAR_DIR": str(tmp_path / "var"),
        "ARGON2_MEMORY_COST": "64",
        "ARGON2_TIME_COST": "1",
    }
    for name, value in values.items():
        monkeypatch.setenv(name, value)
    return values


@pytest.fixture(params=DATABASE_PARAMS)
def database_url(
    request: pytest.FixtureRequest, environment: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> Iterator[str]:
    """An empty database for the command, on each database server in turn (set in DATABASE_URL)."""
    yield from empty_database(request.param, environment, monkeypatch)


def empty_database(
    server: str, environment: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> Iterator[str]:
    """An empty database on `server` (the environment's SQLite file for "sqlite"), set in
    DATABASE_URL for the commands; its URL, and dropped afterwards."""
    if server == "sqlite":
        yield environment["DATABASE_URL"]
        return
    # the process id: another checkout's tests on the same server use names of their own
    name = f"apidock_cli_{os.getpid()}"
    url = asyncio.run(create_database(server, name)).render_as_string(hide_password=False)
    monkeypatch.setenv("DATABASE_URL", url)
    try:
        yield url
    finally:
        asyncio.run(drop_database(server, name))


@pytest.fixture(scope="session")
def head_database(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A SQLite database migrated to head once a test process, which `at_head` copies."""
    path = tmp_path_factory.mktemp("head") / "apidock.db"

    async def upgrade() -> None:
        engine = create_async_engine(to_async_url(f"sqlite:///{path}"))
        try:
            await migrations.upgrade(engine, "head")
        finally:
            await engine.dispose()

    asyncio.run(upgrade())
    return path


@pytest.fixture
def at_head(environment: dict[str, str], head_database: Path) -> str:
    """The environment's SQLite database at head (`serve` refuses any other); its URL."""
    shutil.copy(head_database, environment["DATABASE_URL"].removeprefix("sqlite:///"))
    return environment["DATABASE_URL"]


def invoke(*args: str, input: str | None = None) -> Result:
    return CliRunner().invoke(cli, list(args), input=input, prog_name="apidock")


def ok(*args: str, input: str | None = None) -> Result:
    result = invoke(*args, input=input)
    assert result.exit_code == 0, (result.output, result.exception)
    return result


def current_revision() -> str:
    """The revision `apidock db current` says the database is at (`base` for none)."""
    line = ok("db", "current").output.splitlines()[1]
    assert line.startswith("Revision: "), line
    return line.split()[1]


Rows = dict[str, list[dict[str, Any]]]


async def _snapshot(url: str) -> Rows:
    engine = create_async_engine(to_async_url(url))
    try:
        async with engine.connect() as connection:
            roles = await connection.execute(select(Role.__table__).order_by(Role.id))
            users = await connection.execute(select(User.__table__).order_by(User.id))
            return {
                "roles": [dict(row._mapping) for row in roles],
                "users": [dict(row._mapping) for row in users],
            }
    finally:
        await engine.dispose()


def snapshot(url: str) -> Rows:
    """Every row of `roles` and `users`, to tell whether a command changed anything."""
    return asyncio.run(_snapshot(url))


def execute(url: str, *statements: Any) -> None:
    """Run `statements` in one transaction on the database of `url`."""

    async def run() -> None:
        engine = create_async_engine(to_async_url(url))
        try:
            async with engine.begin() as connection:
                for statement in statements:
                    await connection.execute(statement)
        finally:
            await engine.dispose()

    asyncio.run(run())


def password_matches(password: str, password_hash: str) -> bool:
    hasher = PasswordHasher(load_settings())
    matches, _ = asyncio.run(hasher.verify(password, password_hash))
    return matches


def roles_by_title(rows: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {row["title"]: row for row in rows}


def user_named(rows: Rows, name: str) -> dict[str, Any]:
    return next(row for row in rows["users"] if row["name"] == name)


# --- help -----------------------------------------------------------------------------------


def _commands(group: click.Group, prefix: tuple[str, ...] = ()) -> Iterator[tuple[str, ...]]:
    for name, command in group.commands.items():
        yield (*prefix, name)
        if isinstance(command, click.Group):
            yield from _commands(command, (*prefix, name))


ALL_COMMANDS = sorted(_commands(cli))


def test_every_command_of_the_spec_is_there() -> None:
    assert {" ".join(path) for path in ALL_COMMANDS} >= {
        "serve",
        "db",
        "db upgrade",
        "db downgrade",
        "db current",
        "db history",
        "db revision",
        "deploy",
        "routes",
        "shell",
        "profile",
        "create-user",
    }


@pytest.mark.parametrize("path", [(), *ALL_COMMANDS], ids=lambda path: " ".join(path) or "apidock")
def test_help_says_what_each_command_does(path: tuple[str, ...]) -> None:
    result = ok(*path, "--help")
    assert result.output.startswith(f"Usage: apidock {' '.join(path)}".rstrip())
    description = result.output.split("\n\n")[1].strip()
    assert len(description) > 20, result.output


def test_serve_help_shows_its_defaults() -> None:
    output = ok("serve", "--help").output
    for option in ("--host", "--port", "--workers", "--reload"):
        assert option in output
    assert "127.0.0.1" in output
    assert "8000" in output


def test_console_script_and_module_run() -> None:
    script = Path(sys.executable).parent / "apidock"
    for command in ([str(script)], [sys.executable, "-m", "apidock"]):
        result = subprocess.run(
            [*command, "--version"], capture_output=True, text=True, check=False, timeout=60
        )
        assert result.returncode == 0, result.stderr
        assert result.stdout.startswith("apidock, version ")


# --- bad settings ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "args",
    [
        ("serve",),
        ("profile",),
        ("deploy",),
        ("routes",),
        ("shell",),
        ("db", "upgrade"),
        ("db", "downgrade", "base"),
        ("db", "current"),
        ("db", "history"),
        ("db", "revision", "-m", "nothing"),
        ("create-user", "bob", "--password-stdin"),
    ],
    ids=" ".join,
)
def test_bad_setting_stops_every_command_with_one_line(
    environment: dict[str, str], monkeypatch: pytest.MonkeyPatch, args: tuple[str, ...]
) -> None:
    monkeypatch.setenv("JWT_TTL", "an hour")
    result = invoke(*args, input="a long password\n")
    assert result.exit_code == 2
    assert result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert "JWT_TTL" in lines[0]


def test_bad_root_admin_password_is_named(
    environment: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("APP_ROOT_ADMIN_PASSWORD", "short")
    result = invoke("deploy")
    assert result.exit_code == 2
    assert "APP_ROOT_ADMIN_PASSWORD" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_unreachable_database_is_one_line(
    environment: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DATABASE_URL", "postgresql://root@127.0.0.1:1/none")
    result = invoke("db", "current")
    assert result.exit_code == 1
    assert result.stderr.startswith("Error: database error:")
    assert len(result.stderr.strip().splitlines()) == 1


# --- deploy ---------------------------------------------------------------------------------


def test_deploy_twice_changes_nothing_and_shows_the_password_once(database_url: str) -> None:
    first = ok("deploy")
    found = GENERATED.findall(first.output)
    assert len(found) == 1
    password = found[0]
    assert len(password) >= 20
    assert "Roles created: User, Developer, QA, Administrator" in first.output
    assert "Root administrator 'sysop' created" in first.output

    state = snapshot(database_url)
    roles = roles_by_title(state["roles"])
    assert list(roles) == list(SEEDED_ROLES)
    assert [title for title, row in roles.items() if row["default"]] == [DEFAULT_ROLE]
    assert {title: row["permissions"] for title, row in roles.items()} == {
        title: int(bits) for title, bits in SEEDED_ROLES.items()
    }
    [admin] = state["users"]
    assert admin["name"] == "sysop"
    assert admin["name_key"] == "sysop"
    assert admin["role_id"] == roles[ADMIN_ROLE]["id"]
    assert admin["status"] == UserStatus.NORMAL
    assert password_matches(password, admin["password_hash"])

    second = ok("deploy")
    assert not GENERATED.search(second.output)
    assert password not in second.output
    assert "Database already at" in second.output
    assert "Roles already as defined" in second.output
    assert "already in place" in second.output
    assert snapshot(database_url) == state


def test_deploy_honours_the_configured_name_and_password(
    environment: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("APP_ROOT_ADMIN", "Root")
    monkeypatch.setenv("APP_ROOT_ADMIN_PASSWORD", "correct horse battery")
    result = ok("deploy")
    assert not GENERATED.search(result.output)
    assert "correct horse battery" not in result.output
    [admin] = snapshot(environment["DATABASE_URL"])["users"]
    assert admin["name"] == "Root"
    assert password_matches("correct horse battery", admin["password_hash"])


def test_deploy_keeps_the_admin_password_and_gives_back_its_rights(
    database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("APP_ROOT_ADMIN_PASSWORD", "first password")
    ok("deploy")
    roles = roles_by_title(snapshot(database_url)["roles"])
    custom = insert(Role).values(title="Guests", permissions=5, default=True)
    execute(
        database_url,
        update(Role).where(Role.title == "Developer").values(permissions=0),
        update(Role).where(Role.title == DEFAULT_ROLE).values(default=False),
        custom,
        update(User)
        .where(User.name == "sysop")
        .values(role_id=roles[DEFAULT_ROLE]["id"], status=int(UserStatus.BLOCKED)),
    )
    before = snapshot(database_url)
    [admin_before] = before["users"]

    monkeypatch.setenv("APP_ROOT_ADMIN_PASSWORD", "second password")
    result = ok("deploy")
    assert "Roles reset to their definition: User, Developer, Guests" in result.output
    assert "given back its role and normal status" in result.output

    after = snapshot(database_url)
    roles_after = roles_by_title(after["roles"])
    assert roles_after["Developer"]["permissions"] == int(SEEDED_ROLES["Developer"])
    assert roles_after["Guests"]["permissions"] == 5
    assert [title for title, row in roles_after.items() if row["default"]] == [DEFAULT_ROLE]
    [admin] = after["users"]
    assert admin["password_hash"] == admin_before["password_hash"]
    assert password_matches("first password", admin["password_hash"])
    assert admin["role_id"] == roles[ADMIN_ROLE]["id"]
    assert admin["status"] == UserStatus.NORMAL
    assert admin["token_version"] == admin_before["token_version"] + 1
    assert snapshot(database_url) == after
    ok("deploy")
    assert snapshot(database_url) == after


def test_deploy_finds_the_admin_whatever_the_case(
    environment: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    ok("deploy")
    monkeypatch.setenv("APP_ROOT_ADMIN", "SYSOP")
    result = ok("deploy")
    assert "Root administrator 'sysop' already in place" in result.output
    assert len(snapshot(environment["DATABASE_URL"])["users"]) == 1


# --- db -------------------------------------------------------------------------------------


def test_db_upgrade_current_downgrade_history(environment: dict[str, str]) -> None:
    assert current_revision() == "base"
    upgraded = ok("db", "upgrade").output
    head = current_revision()
    assert head != "base"
    assert head in upgraded
    assert head in ok("db", "history").output
    assert ok("db", "downgrade", "base").output.strip() == "Database at revision base"
    assert current_revision() == "base"
    ok("db", "upgrade", "head")
    assert current_revision() == head


def test_db_downgrade_takes_relative_revisions(environment: dict[str, str]) -> None:
    newest, previous, before_previous = (info.revision for info in migrations.history()[:3])
    ok("db", "upgrade")

    assert ok("db", "downgrade", "-1").output.strip() == f"Database at revision {previous}"
    assert current_revision() == previous
    ok("db", "upgrade", "+1")
    assert current_revision() == newest
    ok("db", "downgrade", "-2")
    assert current_revision() == before_previous
    assert "'--bogus'" in invoke("db", "downgrade", "--bogus").output


def test_db_revision_autogenerate_writes_no_file_without_changes(
    environment: dict[str, str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """On a copy of the scripts, so that nothing lands in alembic/versions."""
    source = migrations.find_alembic_ini().parent
    shutil.copy(source / "alembic.ini", tmp_path / "alembic.ini")
    shutil.copytree(
        source / "alembic", tmp_path / "alembic", ignore=shutil.ignore_patterns("__pycache__")
    )
    monkeypatch.setenv(migrations.ALEMBIC_INI_ENV, str(tmp_path / "alembic.ini"))
    versions = tmp_path / "alembic" / "versions"
    ok("db", "upgrade")
    before = set(versions.iterdir())

    result = ok("db", "revision", "-m", "nothing new", "--autogenerate")

    assert "No change between the models and the database" in result.output
    assert set(versions.iterdir()) == before
    written = ok("db", "revision", "-m", "by hand").output
    [added] = set(versions.iterdir()) - before
    assert added.name.endswith("-by_hand.py")
    assert str(added) in written


def _build_original(url: str) -> None:
    backend = make_url(to_async_url(url)).get_backend_name()
    statements: list[Any] = [text(statement) for statement in original_ddl(backend)]
    statements += [table_insert.values(rows) for table_insert, rows in original_rows()]
    execute(url, *statements)


def test_db_adopt_refuses_then_adopts_then_leaves_alone(database_url: str) -> None:
    refused = invoke("db", "adopt")
    assert refused.exit_code == 1
    assert "holds no table of the Flask api-dock; nothing was changed" in refused.output
    assert current_revision() == "base"

    _build_original(database_url)
    adopted = ok("db", "adopt").output
    assert f"adopted at revision {FIRST_REVISION}, replacing {FLASK_MIGRATE_REVISION}" in adopted
    assert "apidock db upgrade" in adopted
    assert current_revision() == FIRST_REVISION
    again = ok("db", "adopt").output
    assert f"already managed by API Dock, at revision {FIRST_REVISION}: unchanged" in again

    ok("db", "upgrade")
    deployed = ok("deploy").output
    assert "Users without a role given the default role: 1" in deployed
    assert "Root administrator 'sysop' already in place" in deployed
    assert "already managed" in ok("db", "adopt").output
    assert "Users without a role" not in ok("deploy").output


# --- create-user ----------------------------------------------------------------------------


@pytest.fixture
def deployed(environment: dict[str, str]) -> str:
    ok("deploy")
    return environment["DATABASE_URL"]


def test_create_user_reads_the_password_from_stdin(deployed: str) -> None:
    result = ok(
        "create-user", "alice", "--role", "Developer", "--password-stdin", input="pa ss word\n"
    )
    assert "User 'alice' created" in result.output
    assert "'Developer'" in result.output
    state = snapshot(deployed)
    alice = user_named(state, "alice")
    assert alice["role_id"] == roles_by_title(state["roles"])["Developer"]["id"]
    assert password_matches("pa ss word", alice["password_hash"])


def test_create_user_prompts_twice_and_takes_the_default_role(deployed: str) -> None:
    result = ok("create-user", "\uff22\uff4f\uff42", input="bobs password\nbobs password\n")
    assert result.output.count("Password") == 1
    assert "Repeat for confirmation" in result.output
    state = snapshot(deployed)
    bob = user_named(state, "Bob")
    assert bob["name_key"] == "bob"
    assert bob["role_id"] == roles_by_title(state["roles"])[DEFAULT_ROLE]["id"]


def test_create_user_asks_again_when_the_two_passwords_differ(deployed: str) -> None:
    typed = "first try 1\nfirst try 2\nsecond try\nsecond try\n"
    result = ok("create-user", "carol", input=typed)
    assert "do not match" in result.output
    carol = user_named(snapshot(deployed), "carol")
    assert password_matches("second try", carol["password_hash"])


def test_create_user_refuses_a_taken_name_in_any_case(deployed: str) -> None:
    before = snapshot(deployed)
    result = invoke("create-user", "SysOp", "--password-stdin", input="long enough\n")
    assert result.exit_code == 1
    assert "already taken" in result.stderr
    assert snapshot(deployed) == before


@pytest.mark.parametrize(
    ("args", "typed", "message"),
    [
        (("x",), "long enough\n", "2 to 20 characters"),
        (("tab\there",), "long enough\n", "control or invisible"),
        (("dave",), "short\n", "at least 8 characters"),
        (("dave",), "", "holds no password"),
        (("dave", "--role", "Nobody"), "long enough\n", "There is no role 'Nobody'"),
    ],
)
def test_create_user_refuses_bad_input(
    deployed: str, args: tuple[str, ...], typed: str, message: str
) -> None:
    result = invoke("create-user", *args, "--password-stdin", input=typed)
    assert result.exit_code in {1, 2}
    assert message in result.stderr
    assert [row["name"] for row in snapshot(deployed)["users"]] == ["sysop"]


def test_create_user_before_deploy_says_what_is_missing(environment: dict[str, str]) -> None:
    result = invoke("create-user", "erin", "--password-stdin", input="long enough\n")
    assert result.exit_code == 1
    assert result.stderr.startswith("Error: database error:")


# --- shell, serve, profile ------------------------------------------------------------------


def _child_environment(environment: dict[str, str]) -> dict[str, str]:
    child = {key: value for key, value in os.environ.items() if key not in SETTING_NAMES}
    return child | environment


def test_shell_runs_top_level_await(deployed: str, environment: dict[str, str]) -> None:
    script = (
        "titles = (await session.scalars(select(Role.title).order_by(Role.id))).all()\n"
        "print('roles:', titles)\n"
        "print('admin:', settings.app_root_admin, type(app).__name__)\n"
    )
    result = subprocess.run(
        [sys.executable, "-m", "apidock", "shell"],
        input=script,
        capture_output=True,
        text=True,
        env=_child_environment(environment),
        check=False,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert "roles: ['User', 'Developer', 'QA', 'Administrator']" in result.stdout
    assert "admin: sysop FastAPI" in result.stdout
    assert "Traceback" not in result.stderr


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def _get_until_up(url: str, process: subprocess.Popen[str], seconds: float = 60) -> bytes:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        assert process.poll() is None, "the server stopped"
        try:
            with urllib.request.urlopen(url, timeout=2) as response:  # noqa: S310 (local test URL)
                body: bytes = response.read()
                return body
        except OSError:
            time.sleep(0.2)
    raise AssertionError(f"{url} did not answer within {seconds}s")


def _serving(environment: dict[str, str], *args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "apidock", *args],
        env=_child_environment(environment),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )


def _stop(process: subprocess.Popen[str]) -> str:
    process.terminate()
    try:
        _, stderr = process.communicate(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()
        _, stderr = process.communicate()
    return stderr


@pytest.mark.usefixtures("at_head")
def test_serve_answers_healthz(environment: dict[str, str]) -> None:
    port = _free_port()
    process = _serving(environment, "serve", "--port", str(port))
    try:
        body = _get_until_up(f"http://127.0.0.1:{port}/healthz", process)
    finally:
        stderr = _stop(process)
    assert body == b'{"status":"ok"}', stderr


@pytest.mark.usefixtures("at_head")
def test_profile_writes_one_report_per_request(environment: dict[str, str], tmp_path: Path) -> None:
    port = _free_port()
    process = _serving(environment, "profile", "--port", str(port))
    try:
        _get_until_up(f"http://127.0.0.1:{port}/healthz", process)
        _get_until_up(f"http://127.0.0.1:{port}/readyz", process)
    finally:
        _stop(process)
    reports = sorted(path.name for path in (tmp_path / "var" / "profiles").glob("*.prof"))
    assert any("-GET-readyz-200-" in name for name in reports), reports
    assert any("-GET-healthz-200-" in name for name in reports), reports


@pytest.mark.usefixtures("at_head")
@pytest.mark.parametrize(
    ("workers", "chosen", "expected"),
    [
        pytest.param(1, None, None, id="one worker: its own default"),
        pytest.param(2, None, "share", id="workers share the CPUs"),
        pytest.param(64, None, "1", id="never below one"),
        pytest.param(2, "3", "3", id="a chosen value stands"),
    ],
)
def test_serve_shares_the_hashing_threads_among_workers(
    environment: dict[str, str],
    monkeypatch: pytest.MonkeyPatch,
    workers: int,
    chosen: str | None,
    expected: str | None,
) -> None:
    """One hashing thread per usable CPU in all: more starve the event loops of the GIL."""
    # set first, so that whatever `serve` writes is undone after the test
    monkeypatch.setenv("PASSWORD_HASH_CONCURRENCY", chosen or "")
    if chosen is None:
        monkeypatch.delenv("PASSWORD_HASH_CONCURRENCY")
    started: list[int] = []
    monkeypatch.setattr(uvicorn, "run", lambda *args, **options: started.append(options["workers"]))
    ok("serve", "--workers", str(workers))
    assert started == [workers]
    if expected == "share":
        expected = str(max(1, usable_cpus() // workers))
    assert os.environ.get("PASSWORD_HASH_CONCURRENCY") == expected


@pytest.mark.usefixtures("at_head")
@pytest.mark.parametrize(
    ("workers", "redis_url", "expected"),
    [
        pytest.param(1, "", ("5", "50"), id="one worker: the limits as set"),
        pytest.param(2, "", ("2", "25"), id="two workers share them"),
        pytest.param(64, "", ("1", "1"), id="never below one"),
        pytest.param(2, "redis://127.0.0.1:1/0", ("5", "50"), id="Redis counts for all"),
    ],
)
def test_serve_shares_the_login_limits_among_workers_without_redis(
    environment: dict[str, str],
    monkeypatch: pytest.MonkeyPatch,
    workers: int,
    redis_url: str,
    expected: tuple[str, str],
) -> None:
    """Each worker counts in its own memory: together they allow no more than the limits."""
    monkeypatch.setenv("LOGIN_MAX_FAILURES", "5")
    monkeypatch.setenv("LOGIN_MAX_FAILURES_PER_IP", "50")
    monkeypatch.setenv("REDIS_URL", redis_url)
    monkeypatch.setattr(uvicorn, "run", lambda *args, **options: None)
    ok("serve", "--workers", str(workers))
    assert (os.environ["LOGIN_MAX_FAILURES"], os.environ["LOGIN_MAX_FAILURES_PER_IP"]) == expected


def test_create_user_refuses_the_root_administrators_name(database_url: str) -> None:
    """Whoever holds that name is the root: only deploy makes it, with its own password."""
    ok("db", "upgrade")
    for name in ("SYSOP", "\uff53\uff59\uff53\uff4f\uff50", " sysop "):
        result = invoke("create-user", name, "--password-stdin", input="long enough\n")
        assert result.exit_code != 0
        assert "APP_ROOT_ADMIN" in result.output
    assert snapshot(database_url)["users"] == []


@pytest.mark.usefixtures("at_head")
@pytest.mark.parametrize(
    ("arguments", "expected"),
    [
        pytest.param((), "asyncio", id="asyncio's loop by default"),
        pytest.param(("--loop", "uvloop"), "uvloop", id="uvloop when asked"),
    ],
)
def test_serve_runs_the_event_loop_that_accepts_a_burst_at_once(
    environment: dict[str, str],
    monkeypatch: pytest.MonkeyPatch,
    arguments: tuple[str, ...],
    expected: str,
) -> None:
    """uvloop, serving load, accepted 64 new connections over 0.6 s (one a loop iteration);
    asyncio's loop accepts them together (docs/benchmarks.md)."""
    loops: list[str] = []
    monkeypatch.setattr(uvicorn, "run", lambda *args, **options: loops.append(options["loop"]))
    ok("serve", *arguments)
    assert loops == [expected]
    assert "uvloop" in ok("serve", "--help").output
