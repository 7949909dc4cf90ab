"""compose.yaml, read as Docker Compose reads it (no Docker here): PostgreSQL, Redis, the server
built from the Dockerfile (`serve --deploy`) and a worker, each with a healthcheck, started in
the order their health allows, on settings API Dock knows, with no secret in the file."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import yaml  # type: ignore[import-untyped, unused-ignore]
from sqlalchemy.engine import make_url

from apidock.config import Settings, load_settings

ROOT = Path(__file__).resolve().parent.parent
COMPOSE: dict[str, Any] = yaml.safe_load((ROOT / "compose.yaml").read_text())
SERVICES: dict[str, Any] = COMPOSE["services"]
# what the variables of a deployment might be (nothing real: the file holds none)
DEPLOYMENT = {
    "POSTGRES_PASSWORD": "pg0password0of0a0deployment",
    "JWT_SECRET_KEY": "0x2BLFkT3vY-q4lPlALBacFIqB1i7LCZPNxlWsTVSL0oPszXQJDo-1YzRf6ICEWb",
    "SECRET_KEY": "l_uj6h_7F8UR2FQVGwypkMEviv5Q4lX2oZVRSsVRvg0HBFOVRzx4FLKwE4Ei2hCo",
}
# read by `apidock serve` as uvicorn reads them, not by Settings
SERVE_VARIABLES = {"WEB_CONCURRENCY", "FORWARDED_ALLOW_IPS", "PORT"}
_VARIABLE = re.compile(r"\$\{(\w+)(?:(:\?|:-)([^}]*))?\}")


def interpolate(value: str, variables: dict[str, str]) -> str:
    """`value` with `${NAME}`, `${NAME:-default}` and `${NAME:?message}` replaced, as Compose
    does; a missing required variable is a `LookupError` carrying the message."""

    def replace(match: re.Match[str]) -> str:
        name, kind, rest = match[1], match[2], match[3]
        if variables.get(name):
            return variables[name]
        if kind == ":?":
            raise LookupError(rest)
        return rest if kind == ":-" else ""

    return _VARIABLE.sub(replace, value)


def environment(service: str, variables: dict[str, str]) -> dict[str, str]:
    given: dict[str, str] = SERVICES[service].get("environment", {})
    return {name: interpolate(str(value), variables) for name, value in given.items()}


def test_the_four_services_are_there_each_with_a_healthcheck() -> None:
    assert set(SERVICES) == {"postgres", "redis", "server", "worker"}
    for name, service in SERVICES.items():
        check = service["healthcheck"]["test"]
        assert check[0] in ("CMD", "CMD-SHELL"), name
        assert len(check) > 1, name
        assert service["restart"] == "unless-stopped", name
    assert "pg_isready" in " ".join(SERVICES["postgres"]["healthcheck"]["test"])
    assert SERVICES["redis"]["healthcheck"]["test"][1:] == ["redis-cli", "ping"]
    assert "/readyz" in " ".join(SERVICES["server"]["healthcheck"]["test"])


def test_the_server_is_the_image_of_the_dockerfile_and_migrates_as_it_starts() -> None:
    server = SERVICES["server"]
    assert server["build"] == "."
    assert (ROOT / "Dockerfile").exists()
    command = server["command"]
    assert command[:3] == ["apidock", "serve", "--deploy"]
    assert command[command.index("--host") + 1] == "0.0.0.0"  # noqa: S104 (inside its container)
    port = command[command.index("--port") + 1]
    assert server["ports"] == [f"${{PORT:-8000}}:{port}"]
    assert f"127.0.0.1:{port}/readyz" in " ".join(server["healthcheck"]["test"])


def test_the_worker_runs_the_same_image_with_the_same_settings() -> None:
    worker, server = SERVICES["worker"], SERVICES["server"]
    assert worker["image"] == server["image"]
    assert "build" not in worker, "one build, two services"
    assert worker["pull_policy"] == "never", "the image is built here, not pulled"
    assert worker["command"] == ["apidock", "worker"]
    assert worker["environment"] == server["environment"]
    assert "ports" not in worker


def test_each_starts_once_what_it_needs_is_healthy() -> None:
    def needs(service: str) -> dict[str, str]:
        return {
            name: condition["condition"]
            for name, condition in SERVICES[service].get("depends_on", {}).items()
        }

    healthy = "service_healthy"
    assert needs("server") == {"postgres": healthy, "redis": healthy}
    # the server has migrated the database before the worker reads it
    assert needs("worker") == {"server": healthy, "redis": healthy}


def test_the_settings_are_ones_api_dock_reads_and_point_at_the_services() -> None:
    known = {
        str(info.alias or name).upper() for name, info in Settings.model_fields.items()
    } | SERVE_VARIABLES
    given = environment("server", DEPLOYMENT)
    assert set(given) <= known, set(given) - known
    assert given["APP_CONFIG"] == "production"
    database = make_url(given["DATABASE_URL"])
    postgres = SERVICES["postgres"]["environment"]
    assert database.get_backend_name() == "postgresql"
    assert (database.host, database.port) == ("postgres", 5432)
    assert database.username == postgres["POSTGRES_USER"]
    assert database.database == postgres["POSTGRES_DB"]
    assert database.password == DEPLOYMENT["POSTGRES_PASSWORD"]
    assert interpolate(postgres["POSTGRES_PASSWORD"], DEPLOYMENT) == database.password
    assert make_url(given["REDIS_URL"].replace("redis://", "redis+x://")).host == "redis"


def test_a_deployment_s_variables_make_settings_production_accepts() -> None:
    given = environment("server", DEPLOYMENT)
    settings = load_settings(
        **{name: value for name, value in given.items() if value and name not in SERVE_VARIABLES}
    )
    assert settings.app_config == "production"
    assert settings.database_backend == "postgresql"


@pytest.mark.parametrize("missing", sorted(DEPLOYMENT))
def test_no_secret_is_in_the_file_each_is_asked_for(missing: str) -> None:
    """Compose stops naming the variable when a key or the database password is not given."""
    variables = {name: value for name, value in DEPLOYMENT.items() if name != missing}
    asked = "server" if missing in SERVICES["server"]["environment"] else "postgres"
    with pytest.raises(LookupError, match=missing):
        environment(asked, variables)


def test_state_lives_in_named_volumes() -> None:
    volumes = set(COMPOSE["volumes"])
    mounted = {
        mount.split(":", 1)[0]
        for service in SERVICES.values()
        for mount in service.get("volumes", [])
    }
    assert mounted == volumes == {"postgres-data", "redis-data", "apidock-var"}
    assert "--appendonly" in SERVICES["redis"]["command"], "queued runs survive a restart"
