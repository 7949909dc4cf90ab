"""Fuzz every operation of the OpenAPI document with schemathesis, as a plain user and as the
root administrator, against a live `apidock serve` on a PostgreSQL database of its own.

    .venv/bin/pip install -e '.[fuzz]'
    .venv/bin/python scripts/fuzz.py --examples 100

The database named by `--database-url` is dropped and created again, and a few users, apps,
groups, APIs, response fields and examples are made in it, whose ids the fuzzer draws for half
of the values of each path parameter. The exit status is 0
only when every run is clean: no 5xx, every response matching its documented status, content
type, headers and schema, bad input refused and good input accepted.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))

from live_server import (
    ROOT_NAME,
    ROOT_PASSWORD,
    deploy,
    recreate_database,
    server_env,
    serving,
)

SCRIPTS = Path(__file__).resolve().parent
DEFAULT_DATABASE = "postgresql://root@127.0.0.1:5432/apidock_fuzz"
PLAIN_USER = "fuzzer"
PLAIN_PASSWORD = "fuzzer password 1"  # noqa: S105 (a throwaway database's)


def _user_id(base_url: str, name: str, password: str) -> str:
    answer = httpx.post(f"{base_url}/api/v1/login", json={"name": name, "password": password})
    answer.raise_for_status()
    return str(answer.json()["data"]["user"]["id"])


def seed_catalog(base_url: str) -> dict[str, list[int]]:
    """Records for the fuzzer to find, made by the root administrator: ids by path parameter.

    Without them an operation on `/apis/{api_id}` and the like meets little but 404: the
    generated ids are random, and nothing links a create to the reads and edits of what it made.
    """
    ids: dict[str, list[int]] = {
        name: [] for name in ("app_id", "group_id", "api_id", "field_id", "example_id", "user_id")
    }
    with httpx.Client(base_url=f"{base_url}/api/v1", timeout=30) as http:
        login = http.post("/login", json={"name": ROOT_NAME, "password": ROOT_PASSWORD})
        http.headers["Authorization"] = (
            f"Bearer {login.raise_for_status().json()['data']['access_token']}"
        )

        def create(path: str, kind: str, body: dict[str, object]) -> int:
            identifier = int(http.post(path, json=body).raise_for_status().json()["data"]["id"])
            ids[kind].append(identifier)
            return identifier

        for number in range(2):
            create("/users", "user_id", {"name": f"target{number}", "password": PLAIN_PASSWORD})
            app_id = create("/apps", "app_id", {"title": f"Fuzzed app {number}"})
            for branch in range(2):
                group_id = create(
                    "/apis/groups", "group_id", {"app_id": app_id, "title": f"Group {branch}"}
                )
                api_id = create(
                    "/apis",
                    "api_id",
                    {
                        "app_id": app_id,
                        "group_id": group_id,
                        "title": f"API {branch}",
                        "request_url": f"/things/{branch}/{{id}}",
                        "request_method": "GET",
                    },
                )
                create(
                    "/apis/responses",
                    "field_id",
                    {"api_id": api_id, "field": "data.id", "data_type": "integer"},
                )
                create(
                    "/apis/examples",
                    "example_id",
                    {"api_id": api_id, "title": "An example", "body": '{"id": 1}'},
                )
    return ids


def config_with_ids(ids: dict[str, list[int]], directory: Path) -> Path:
    """`schemathesis.toml` plus the seeded ids, drawn for half of each path parameter's values."""
    lines = [(SCRIPTS / "schemathesis.toml").read_text(), "# written by scripts/fuzz.py"]
    for name, values in ids.items():
        lines += [f"[dictionaries.{name}]", f"values = {values}"]
    lines.append("[parameters]")
    lines += [f'"path.{name}" = {{ dictionary = "{name}", probability = 0.5 }}' for name in ids]
    config = directory / "schemathesis.toml"
    config.write_text("\n".join(lines) + "\n")
    return config


def schemathesis_run(
    base_url: str,
    *,
    name: str,
    password: str,
    user_id: str,
    examples: int,
    extra: list[str],
    config: Path,
) -> int:
    """One `st run` over every operation as `name`; its exit status."""
    st = Path(sys.executable).parent / "st"
    env = os.environ | {
        "SCHEMATHESIS_HOOKS": "fuzz_auth",
        "PYTHONPATH": os.pathsep.join(filter(None, [str(SCRIPTS), os.environ.get("PYTHONPATH")])),
        "APIDOCK_FUZZ_BASE_URL": base_url,
        "APIDOCK_FUZZ_USER_ID": user_id,
        "APIDOCK_FUZZ_NAME": name,
        "APIDOCK_FUZZ_PASSWORD": password,
        "APIDOCK_FUZZ_ROOT_NAME": ROOT_NAME,
        "APIDOCK_FUZZ_ROOT_PASSWORD": ROOT_PASSWORD,
    }
    command = [
        str(st),
        "--config-file",
        str(config),
        "run",
        f"{base_url}/openapi.json",
        "--checks",
        "all",
        "--max-examples",
        str(examples),
        "--workers",
        "1",
        "--request-timeout",
        "30",
        "--generation-database",
        "none",
        "--no-color",
        *extra,
    ]
    print(f"== schemathesis as {name}: {' '.join(command[1:])}", flush=True)
    return subprocess.run(command, env=env, check=False).returncode  # noqa: S603


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--examples", type=int, default=100, help="examples per operation")
    parser.add_argument("--database-url", default=DEFAULT_DATABASE, help="dropped and made again")
    parser.add_argument(
        "--as",
        dest="identities",
        default="user,admin",
        help="comma-separated: user (a plain user), admin (the root administrator)",
    )
    parser.add_argument(
        "--server-log",
        type=Path,
        default=Path("fuzz-server.log"),
        help="where the server's log is kept when it logged an error",
    )
    parser.add_argument("st_args", nargs="*", help="more `st run` options, after --")
    args = parser.parse_args(argv)
    identities = [item.strip() for item in args.identities.split(",") if item.strip()]
    if not set(identities) <= {"user", "admin"}:
        parser.error("--as takes user and/or admin")

    recreate_database(args.database_url)
    with tempfile.TemporaryDirectory(prefix="apidock-fuzz-") as var_dir:
        env = server_env(args.database_url, Path(var_dir))
        deploy(env, users={PLAIN_USER: PLAIN_PASSWORD})
        failed: list[str] = []
        with serving(env, log=Path(var_dir) / "server.log") as server:
            config = config_with_ids(seed_catalog(server.base_url), Path(var_dir))
            # the plain user first: the administrator's run may block or delete it
            for identity in identities:
                name, password = (
                    (PLAIN_USER, PLAIN_PASSWORD)
                    if identity == "user"
                    else (ROOT_NAME, ROOT_PASSWORD)
                )
                user_id = (
                    "root" if identity == "admin" else _user_id(server.base_url, name, password)
                )
                status = schemathesis_run(
                    server.base_url,
                    name=name,
                    password=password,
                    user_id=user_id,
                    examples=args.examples,
                    extra=args.st_args,
                    config=config,
                )
                if status != 0:
                    failed.append(identity)
            if not server.alive():
                failed.append("server exited")
        log = (Path(var_dir) / "server.log").read_text(errors="replace")
        errors = [line for line in log.splitlines() if line.startswith("unhandled error")]
        if errors:
            args.server_log.write_text(log)
            for line in errors[:20]:
                print(f"server log: {line}")
            print(f"the server's log is in {args.server_log}")
    if errors:
        failed.append(f"{len(errors)} server errors logged")
    print("fuzz: clean" if not failed else f"fuzz: FAILED ({', '.join(failed)})")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
