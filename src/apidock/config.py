"""Settings, read from the environment and `.env`, with the original api-dock's names."""

from __future__ import annotations

import ipaddress
import os
import re
import secrets
from enum import StrEnum
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Any

from pydantic import (
    AliasChoices,
    Field,
    SecretStr,
    ValidationError,
    field_validator,
    model_validator,
)
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict
from sqlalchemy.engine import make_url

from apidock.project import anchored, anchored_sqlite_url, dotenv_file, no_project_dir

# the judging of a production key lives in `apidock.secret_strength`; named here as before
from apidock.secret_strength import MIN_PRODUCTION_SECRET_BITS as MIN_PRODUCTION_SECRET_BITS
from apidock.secret_strength import estimated_entropy_bits as estimated_entropy_bits
from apidock.secret_strength import weak_secret_reason

GENERATE_SECRET = 'python3 -c "import secrets; print(secrets.token_urlsafe(48))"'  # noqa: S105
JWT_SECRET_FILE = "jwt_secret"  # noqa: S105 (a file name)
# the development SECRET_KEY (the key of the environments' secrets), kept beside the JWT one
SECRET_KEY_FILE = "secret_key"  # noqa: S105 (a file name)
# the keys of the settings: their environment name, their field and their development file
_KEYS = (
    ("JWT_SECRET_KEY", "jwt_secret_key", JWT_SECRET_FILE),
    ("SECRET_KEY", "secret_key", SECRET_KEY_FILE),
)

# A host name as a Host header may carry it (letters, digits, `-`, and `_` for the service
# names of container networks); the middleware matches the header with the same pattern.
_LABEL = r"[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?"
HOST_NAME = rf"(?:{_LABEL}\.)*{_LABEL}"
_TRUSTED_HOST_RE = re.compile(rf"(?:\*\.)?{HOST_NAME}\.?", re.IGNORECASE)

# The async driver chosen for each URL scheme a user may write (the original's included).
_ASYNC_DRIVERS = {
    "sqlite": "sqlite+aiosqlite",
    "sqlite+pysqlite": "sqlite+aiosqlite",
    "sqlite+aiosqlite": "sqlite+aiosqlite",
    "postgres": "postgresql+asyncpg",
    "postgresql": "postgresql+asyncpg",
    "postgresql+psycopg2": "postgresql+asyncpg",
    "postgresql+psycopg": "postgresql+asyncpg",
    "postgresql+asyncpg": "postgresql+asyncpg",
    "mysql": "mysql+aiomysql",
    "mysql+pymysql": "mysql+aiomysql",
    "mysql+mysqldb": "mysql+aiomysql",
    "mysql+aiomysql": "mysql+aiomysql",
    "mariadb": "mysql+aiomysql",
    "mariadb+pymysql": "mysql+aiomysql",
    "mariadb+aiomysql": "mysql+aiomysql",
}


class Environment(StrEnum):
    DEVELOPMENT = "development"
    TESTING = "testing"
    PRODUCTION = "production"


class LogFormat(StrEnum):
    """How the server writes its log lines (apidock.request_logs)."""

    JSON = "json"
    TEXT = "text"


class SettingsError(Exception):
    """A setting has a bad value; the message is one line naming it."""


def to_async_url(raw: str) -> str:
    """Return `raw` with the async driver of its database, keeping every query option."""
    try:
        url = make_url(raw)
    except Exception as exc:
        raise ValueError(f"not a database URL: {exc}") from None
    driver = _ASYNC_DRIVERS.get(url.drivername)
    if driver is None:
        supported = "sqlite, postgresql, postgres, mysql, mysql+pymysql"
        raise ValueError(f"unsupported database {url.drivername!r} (use {supported})")
    url = url.set(drivername=driver)
    if driver == "mysql+aiomysql" and "charset" not in url.query:
        url = url.update_query_dict({"charset": "utf8mb4"})
    return url.render_as_string(hide_password=False)


def normal_host(host: str) -> str:
    """`host` (a TRUSTED_HOSTS entry) in lower case, an IPv6 address in brackets."""
    bracketed = host.startswith("[") and host.endswith("]")
    try:
        return f"[{ipaddress.IPv6Address(host[1:-1] if bracketed else host)}]"
    except ValueError:
        pass
    if not _TRUSTED_HOST_RE.fullmatch(host):
        raise ValueError(
            f"TRUSTED_HOSTS: {host!r} is not a host name (no scheme, port or path; "
            "`*.example.com` for subdomains; leave it unset to accept any host)"
        )
    return host.lower().removesuffix(".")


def load_or_create_secret(var_dir: Path, name: str = JWT_SECRET_FILE) -> str:
    """Read the development secret `name` (the JWT one by default) kept under `var_dir`,
    creating it once if missing.

    Creation is atomic (a temporary file linked into place), so several workers starting
    together agree on one secret.
    """
    path = var_dir / name
    if path.exists():
        return path.read_text().strip()
    var_dir.mkdir(parents=True, exist_ok=True)
    tmp = var_dir / f".{name}.{os.getpid()}.{secrets.token_hex(4)}"
    tmp.write_text(secrets.token_urlsafe(48))
    tmp.chmod(0o600)
    try:
        os.link(tmp, path)
    except FileExistsError:
        pass
    finally:
        tmp.unlink()
    return path.read_text().strip()


class Settings(BaseSettings):
    """Every setting of API Dock; environment variables win over `.env`."""

    model_config = SettingsConfigDict(
        env_file=".env",
        env_file_encoding="utf-8",
        extra="ignore",
        case_sensitive=False,
        populate_by_name=True,
    )

    app_config: Environment = Field(default=Environment.DEVELOPMENT, alias="APP_CONFIG")
    var_dir: Path = Field(default=Path("var"), alias="APP_VAR_DIR")
    database_url: str = Field(
        default="",
        validation_alias=AliasChoices("DATABASE_URL", "SQLALCHEMY_DATABASE_URI", "database_url"),
    )
    db_pool_size: int = Field(default=20, ge=1, le=1000, alias="DB_POOL_SIZE")
    db_max_overflow: int = Field(default=44, ge=0, le=1000, alias="DB_MAX_OVERFLOW")
    db_pool_timeout: float = Field(default=10.0, gt=0, le=300, alias="DB_POOL_TIMEOUT")
    db_echo: bool = Field(default=False, alias="DB_ECHO")

    jwt_secret_key: SecretStr | None = Field(default=None, alias="JWT_SECRET_KEY")
    # what the key of the environments' secrets is derived from (apidock.environments.secrets)
    secret_key: SecretStr | None = Field(default=None, alias="SECRET_KEY")
    jwt_algorithm: str = Field(default="HS256", pattern=r"^HS(256|384|512)$", alias="JWT_ALGORITHM")
    jwt_issuer: str = Field(default="apidock", min_length=1, max_length=100, alias="JWT_ISSUER")
    jwt_ttl: int = Field(default=60, ge=1, le=7 * 24 * 60, alias="JWT_TTL")
    jwt_refresh_ttl: int = Field(
        default=30 * 24 * 60, ge=1, le=365 * 24 * 60, alias="JWT_REFRESH_TTL"
    )

    app_root_admin: str = Field(
        default="sysop", min_length=2, max_length=20, alias="APP_ROOT_ADMIN"
    )
    app_root_admin_password: SecretStr | None = Field(default=None, alias="APP_ROOT_ADMIN_PASSWORD")
    user_per_page: int = Field(default=20, ge=1, le=100, alias="USER_PER_PAGE")
    cors_origins: Annotated[list[str], NoDecode] = Field(default=["*"], alias="CORS_ORIGINS")
    # the host names a Host header may name (`*.` for subdomains); empty: any
    # (apidock.http.middleware)
    trusted_hosts: Annotated[list[str], NoDecode] = Field(default=[], alias="TRUSTED_HOSTS")
    redis_url: str | None = Field(default=None, alias="REDIS_URL")
    # seconds one operation on Redis may take, connecting included, before it answers 503
    redis_timeout: float = Field(default=2.0, gt=0, le=60, alias="REDIS_TIMEOUT")
    max_body_size: int = Field(default=1024 * 1024, ge=1024, le=1024**3, alias="MAX_BODY_SIZE")
    # An imported document (POST /api/v1/apps/import, `apidock import`): its size, the depth
    # of its nesting, and how many operations it may hold (apidock.descriptions.intake)
    import_max_bytes: int = Field(
        default=20 * 1024 * 1024, ge=1024, le=1024**3, alias="IMPORT_MAX_BYTES"
    )
    import_max_depth: int = Field(default=100, ge=8, le=400, alias="IMPORT_MAX_DEPTH")
    import_max_operations: int = Field(
        default=20_000, ge=1, le=1_000_000, alias="IMPORT_MAX_OPERATIONS"
    )
    # where an export without servers says the app's mock is: `{MOCK_BASE_URL}/{slug}`
    # (e.g. the origin of `apidock mock`); unset: `/mock/{slug}` on the API's own port
    mock_base_url: str | None = Field(
        default=None,
        max_length=2000,
        pattern=r"^(https?://[^\s/?#]+)?(/[^\s?#]*)?$",
        alias="MOCK_BASE_URL",
    )
    # contract-test runs executed at once by the server's process, without REDIS_URL
    run_concurrency: int = Field(default=2, ge=1, le=64, alias="RUN_CONCURRENCY")
    # the name of the queue on REDIS_URL the server puts runs on and `apidock worker` takes
    # them from: one a deployment sharing a Redis
    run_queue: str = Field(
        default="apidock-runs",
        min_length=1,
        max_length=100,
        pattern=r"^[A-Za-z0-9_.:-]+$",
        alias="RUN_QUEUE",
    )
    # seconds from the first read of a request body to its last byte
    body_timeout: float = Field(default=60.0, gt=0, le=3600, alias="BODY_TIMEOUT")
    # what `apidock serve` hands to uvicorn and to its HTTP protocol (apidock.server)
    max_header_size: int = Field(
        default=32 * 1024, ge=1024, le=16 * 1024 * 1024, alias="MAX_HEADER_SIZE"
    )
    header_timeout: float = Field(default=10.0, gt=0, le=3600, alias="HEADER_TIMEOUT")
    timeout_keep_alive: int = Field(default=5, ge=1, le=3600, alias="TIMEOUT_KEEP_ALIVE")
    limit_concurrency: int | None = Field(
        default=None, ge=1, le=1_000_000, alias="LIMIT_CONCURRENCY"
    )
    backlog: int = Field(default=2048, ge=1, le=65535, alias="BACKLOG")
    # FastAPI's native OpenTelemetry: off unless asked for, since even unconfigured it looks
    # up the global providers on every request
    telemetry: bool = Field(default=False, alias="TELEMETRY")
    # the server's log lines, one per request among them: JSON lines, or `text` for people
    log_format: LogFormat = Field(default=LogFormat.JSON, alias="LOG_FORMAT")
    # when set, GET /metrics needs `Authorization: Bearer <token>` (apidock.http.metrics_endpoint)
    metrics_token: SecretStr | None = Field(default=None, alias="METRICS_TOKEN")

    # argon2id cost (OWASP minimum by default: m=19 MiB, t=2, p=1); tests lower them
    argon2_memory_cost: int = Field(default=19 * 1024, ge=8, alias="ARGON2_MEMORY_COST")
    argon2_time_cost: int = Field(default=2, ge=1, le=20, alias="ARGON2_TIME_COST")
    argon2_parallelism: int = Field(default=1, ge=1, le=16, alias="ARGON2_PARALLELISM")
    # None: one per CPU this process may use (see apidock.auth.passwords.usable_cpus)
    password_hash_concurrency: int | None = Field(
        default=None, ge=1, le=64, alias="PASSWORD_HASH_CONCURRENCY"
    )

    login_max_failures: int = Field(default=5, ge=1, le=1000, alias="LOGIN_MAX_FAILURES")
    login_window_seconds: int = Field(default=300, ge=1, le=86400, alias="LOGIN_WINDOW_SECONDS")
    login_max_failures_per_ip: int = Field(
        default=50, ge=1, le=100000, alias="LOGIN_MAX_FAILURES_PER_IP"
    )

    @field_validator("cors_origins", "trusted_hosts", mode="before")
    @classmethod
    def _split_commas(cls, value: Any) -> Any:
        if isinstance(value, str):
            return [origin.strip() for origin in value.split(",") if origin.strip()]
        return value

    @field_validator("trusted_hosts")
    @classmethod
    def _check_hosts(cls, hosts: list[str]) -> list[str]:
        return [normal_host(host) for host in hosts]

    @field_validator("redis_url", "limit_concurrency", "metrics_token", mode="before")
    @classmethod
    def _blank_is_unset(cls, value: Any) -> Any:
        return None if isinstance(value, str) and not value.strip() else value

    @model_validator(mode="after")
    def _resolve(self) -> Settings:
        # a relative path is under the project directory (apidock.project), never the
        # current one; without a project it is refused where something is kept there
        var_dir = anchored(self.var_dir)
        unanchored = no_project_dir("APP_VAR_DIR", self.var_dir, "/srv/apidock/var")
        self.var_dir = var_dir or self.var_dir.expanduser().resolve()
        if not self.database_url:
            if var_dir is None:
                raise ValueError(f"{unanchored} (it holds the SQLite database)")
            self.database_url = f"sqlite:///{var_dir / 'apidock.db'}"
        try:
            self.database_url = anchored_sqlite_url(to_async_url(self.database_url))
        except ValueError as exc:
            message = str(exc)
            raise ValueError(
                message if message.startswith("DATABASE_URL:") else f"DATABASE_URL: {message}"
            ) from None
        # each key is refused in production when missing or weak, and made once and kept
        # under var_dir elsewhere
        for setting, field, file_name in _KEYS:
            given: SecretStr | None = getattr(self, field)
            secret = given.get_secret_value() if given else ""
            if self.app_config is Environment.PRODUCTION:
                reason = weak_secret_reason(secret)
                if reason is not None:
                    raise ValueError(f"{setting}: {reason}; make one with: {GENERATE_SECRET}")
            elif not secret:
                if var_dir is None:
                    raise ValueError(f"{unanchored} (it holds the development {setting})")
                setattr(self, field, SecretStr(load_or_create_secret(var_dir, file_name)))
        return self

    @property
    def jwt_secret(self) -> str:
        assert self.jwt_secret_key is not None  # resolved in _resolve
        return self.jwt_secret_key.get_secret_value()

    @property
    def database_backend(self) -> str:
        """`sqlite`, `postgresql` or `mysql`."""
        return make_url(self.database_url).get_backend_name()


def _one_line(error: ValidationError) -> str:
    first = error.errors()[0]
    name = ".".join(str(part) for part in first["loc"]) or "settings"
    message = str(first["msg"]).removeprefix("Value error, ")
    if ":" in message.split(" ")[0]:
        return f"invalid setting {message}"
    return f"invalid setting {name.upper()}: {message}"


def load_settings(**overrides: Any) -> Settings:
    """Build the settings, turning a validation failure into one line naming the setting."""
    # `.env` is the project directory's, whatever the current one (apidock.project)
    overrides.setdefault("_env_file", dotenv_file())
    try:
        return Settings(**overrides)
    except ValidationError as exc:
        raise SettingsError(_one_line(exc)) from None


@lru_cache
def get_settings() -> Settings:
    """The process-wide settings."""
    return load_settings()
