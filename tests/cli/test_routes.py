"""`apidock routes` tells public routes, signed-in routes and each route's permissions apart;
`create-user --role` with an unknown title lists the roles there are."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, FastAPI
from fastapi.security import OAuth2PasswordBearer

from apidock.cli.routes import PUBLIC, SIGNED_IN, route_table
from apidock.permissions import SEEDED_ROLES, Permission
from tests.test_cli import invoke, ok, snapshot


def test_routes_marks_who_may_call_each(environment: dict[str, str]) -> None:
    lines = ok("routes").output.splitlines()
    assert lines[0].split() == ["METHOD", "PATH", "NAME", "ACCESS"]
    rows = {tuple(line.split()[:2]): line.split() for line in lines[1:]}
    assert all(len(row) == 4 for row in rows.values())
    access = {key: row[3] for key, row in rows.items()}
    assert access["GET", "/healthz"] == PUBLIC
    assert access["GET", "/readyz"] == PUBLIC
    assert access["POST", "/api/v1/login"] == PUBLIC
    assert access["GET", "/api/v1/users/me"] == SIGNED_IN
    # the hot read takes its token itself, without the security scheme's dependency
    assert access["GET", "/api/v1/users/{user_id:int}"] == SIGNED_IN
    assert access["POST", "/api/v1/token/refresh"] == SIGNED_IN
    assert access["GET", "/api/v1/users"] == "permission:read_users"
    assert access["POST", "/api/v1/apps"] == "permission:read_docs,write_docs"
    kinds = {value.partition(":")[0] for value in access.values()}
    assert kinds == {PUBLIC, SIGNED_IN, "permission"}


# at module level: the annotations are strings, resolved in the module's namespace
token = OAuth2PasswordBearer(tokenUrl="/token", auto_error=False)


def caller(_: Annotated[str | None, Depends(token)]) -> None:
    return None


def test_route_table_finds_permissions_however_deep() -> None:
    def require(*flags: Permission) -> Any:
        def check() -> None:
            return None

        check.permissions = flags  # type: ignore[attr-defined]
        return check

    def wrapper(_: None = Depends(require(Permission.READ_LOGS))) -> None:
        return None

    app = FastAPI()

    @app.get("/open", name="open")
    def open_route() -> None:
        return None

    @app.get("/mine", name="mine")
    def mine(_: None = Depends(caller)) -> None:
        return None

    @app.get("/declared", name="declared", openapi_extra={"security": [{"bearer": []}]})
    def declared() -> None:
        return None

    @app.delete("/guarded", name="guarded", dependencies=[Depends(require(Permission.DELETE_APPS))])
    def guarded(_: None = Depends(wrapper)) -> None:
        return None

    logs = APIRouter(prefix="/logs", dependencies=[Depends(require(Permission.READ_LOGS))])

    @logs.get("/{log_id}", name="read_log")
    def read_log(log_id: int, _: None = Depends(require(Permission.ADMIN))) -> None:
        return None

    app.include_router(logs, prefix="/api/v1")

    rows = {row.path: row for row in route_table(app)}
    assert rows["/open"].access == PUBLIC
    assert rows["/mine"].access == SIGNED_IN
    assert rows["/declared"].access == SIGNED_IN
    assert rows["/guarded"].methods == "DELETE"
    assert rows["/guarded"].name == "guarded"
    assert rows["/guarded"].access == "permission:delete_apps,read_logs"
    assert rows["/api/v1/logs/{log_id}"].name == "read_log"
    assert rows["/api/v1/logs/{log_id}"].methods == "GET"
    assert rows["/api/v1/logs/{log_id}"].access == "permission:read_logs,admin"


def test_create_user_with_an_unknown_role_lists_the_roles(environment: dict[str, str]) -> None:
    ok("db", "upgrade")
    before_deploy = invoke(
        "create-user", "dave", "--role", "Admin", "--password-stdin", input="long pw!\n"
    )
    assert before_deploy.exit_code == 1
    assert "There are no roles yet: run `apidock deploy` first" in before_deploy.stderr

    ok("deploy")
    result = invoke(
        "create-user", "dave", "--role", "Admin", "--password-stdin", input="long pw!\n"
    )
    assert result.exit_code == 1
    assert result.stderr.strip() == (
        f"Error: There is no role 'Admin'; the roles are: {', '.join(SEEDED_ROLES)}"
    )
    assert [row["name"] for row in snapshot(environment["DATABASE_URL"])["users"]] == ["sysop"]
    assert "Administrator" in ok("create-user", "--help").output
