"""The peer of API Dock's runner: a plain httpx loop doing the same requests and the same
contract check, in a process of its own.

    taskset --cpu-list 0 .venv/bin/python bench/runs_peer.py PLAN.json

PLAN.json (written by bench/runs_speed.py) holds the document, the base URL, the concurrency
and the requests (method, path and query, JSON body, the documented status and the component
of the answer's schema). The loop: one `httpx.AsyncClient` (no proxy or `.netrc` from the
environment, as API Dock's client), `concurrency` requests at a time under a semaphore over one
`asyncio.gather` (as the runner's executor does), and for each answer: its status compared with
the documented one, its Content-Type with `application/json`, its body parsed with orjson (the
runner's parser) and validated with jsonschema-rs (2020-12, formats as annotations, as the
runner validates), every error collected. Validators are compiled before the clock starts, on
one jsonschema-rs registry holding the whole document, so `$ref`s resolve where they point.

It runs `warmup` requests first (connections opened, code warm, as in a server that has run
before), then all of them once, timed, and prints one JSON object: wall and CPU seconds of the
timed pass, the failures found (there should be none) and the bytes received.
"""

from __future__ import annotations

import asyncio
import json
import resource
import sys
import time
from pathlib import Path
from typing import Any

import httpx
import jsonschema_rs
import orjson

DOCUMENT_URI = "urn:bench:peer"


def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def validators(document: dict[str, Any]) -> dict[str, jsonschema_rs.Validator]:
    registry = jsonschema_rs.Registry([(DOCUMENT_URI, document)])
    return {
        name: jsonschema_rs.Draft202012Validator(
            {"$ref": f"{DOCUMENT_URI}#/components/schemas/{name}"},
            registry=registry,
            validate_formats=False,
        )
        for name in document["components"]["schemas"]
    }


def check(
    request: dict[str, Any], response: httpx.Response, found: dict[str, jsonschema_rs.Validator]
) -> list[str]:
    """What is wrong with `response` as the documented answer of `request`."""
    if response.status_code != request["status"]:
        return [f"status {response.status_code}, not {request['status']}"]
    schema = request["schema"]
    if schema is None:
        return [] if not response.content else ["a body where none is documented"]
    content_type = response.headers.get("content-type", "")
    if content_type.split(";")[0].strip().lower() != "application/json":
        return [f"Content-Type {content_type!r}"]
    try:
        value = orjson.loads(response.content)
    except orjson.JSONDecodeError as error:
        return [f"not JSON: {error}"]
    return [str(error) for error in found[schema].iter_errors(value)]


async def one_pass(
    client: httpx.AsyncClient,
    base_url: str,
    requests: list[dict[str, Any]],
    concurrency: int,
    found: dict[str, jsonschema_rs.Validator],
) -> tuple[list[str], int]:
    limit = asyncio.Semaphore(concurrency)

    async def one(request: dict[str, Any]) -> tuple[list[str], int]:
        async with limit:
            body = request["body"]
            response = await client.request(
                request["method"],
                base_url + request["target"],
                content=body.encode() if body is not None else None,
                headers={"Content-Type": "application/json"} if body is not None else None,
            )
            return check(request, response, found), len(response.content)

    done = await asyncio.gather(*(one(request) for request in requests))
    failures = [
        f"{r['method']} {r['target']}: {p}"
        for r, (ps, _) in zip(requests, done, strict=True)
        for p in ps
    ]
    return failures, sum(size for _, size in done)


async def measure(plan: dict[str, Any]) -> dict[str, Any]:
    setup_started = time.perf_counter()
    found = validators(plan["document"])
    setup_seconds = time.perf_counter() - setup_started
    requests: list[dict[str, Any]] = plan["requests"]
    async with httpx.AsyncClient(trust_env=False, timeout=30.0) as client:
        warm = requests[: plan["warmup"]]
        await one_pass(client, plan["base_url"], warm, plan["concurrency"], found)
        cpu, started = _cpu(), time.perf_counter()
        failures, size = await one_pass(
            client, plan["base_url"], requests, plan["concurrency"], found
        )
        wall, cpu = time.perf_counter() - started, _cpu() - cpu
    return {
        "requests": len(requests),
        "warmup": len(warm),
        "concurrency": plan["concurrency"],
        "wall_seconds": round(wall, 4),
        "cpu_seconds": round(cpu, 4),
        "per_case_ms": round(wall / len(requests) * 1000, 4),
        "cpu_per_case_ms": round(cpu / len(requests) * 1000, 4),
        "validator_setup_seconds": round(setup_seconds, 4),
        "failures": len(failures),
        "first_failures": failures[:5],
        "bytes_received": size,
    }


def main() -> None:
    plan = json.loads(Path(sys.argv[1]).read_text())
    print(json.dumps(asyncio.run(measure(plan))), flush=True)


if __name__ == "__main__":
    main()
