"""What is checked before a server is measured, and the requests wrk sends.

Before each server's runs, the first `SAMPLES` requests of each scenario are sent to it as wrk
will send them: every answer must be 200 with a JSON body (a `ProbeError` otherwise: the run
stops, since it would time error pages). Noted beside the numbers, not fatal: a static answer
that is not the documented example, a generated body that is not valid against its schema
(JSON Schema 2020-12 with format checks: uuid, date-time, email, date, uri), whether the
same request twice gives the same body, how many different bodies the samples gave, and
their mean size (a server that generates larger bodies does more work per answer).
"""

from __future__ import annotations

import json
import statistics
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator
from mock_plan import Scenario

SAMPLES = 20
TIMEOUT = 10.0


class ProbeError(RuntimeError):
    """A server did not answer a scenario's requests as measured requests must be answered."""


def get(url: str, headers: tuple[str, ...]) -> tuple[int | None, str, bytes]:
    """Status, Content-Type and body of GET `url` with `headers` ("Name: value")."""
    names = dict(header.split(": ", 1) for header in headers)
    request = urllib.request.Request(url, headers=names)  # noqa: S310 (http://127.0.0.1 only)
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT) as response:  # noqa: S310
            return int(response.status), response.headers.get("content-type", ""), response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.headers.get("content-type", ""), exc.read()
    except OSError as exc:
        return None, "", str(exc).encode()


def schema_validator(document: dict[str, Any], component: str) -> Draft202012Validator:
    """A validator of `component` of the document, its `$ref`s resolved in the document."""
    schema = {"$ref": f"#/components/schemas/{component}", "components": document["components"]}
    return Draft202012Validator(schema, format_checker=Draft202012Validator.FORMAT_CHECKER)


def documented_example(document: dict[str, Any], scenario: Scenario) -> Any:
    """The `example` of the scenario's 200 answer (application/json)."""
    operation = document["paths"][scenario.template]["get"]
    return operation["responses"]["200"]["content"]["application/json"]["example"]


def check_answers(
    base_url: str,
    name: str,
    scenario: Scenario,
    paths: list[str],
    headers: tuple[str, ...],
    document: dict[str, Any],
) -> dict[str, Any]:
    """Send the scenario's first requests; raise ProbeError unless each is a 200 with JSON."""
    bodies: list[bytes] = []
    values: list[Any] = []
    for path in paths[:SAMPLES]:
        status, content_type, body = get(base_url + path, headers)
        where = f"{name}: GET {path} ({scenario.title})"
        if status != 200:
            raise ProbeError(f"{where} answered {status}: {body[:300]!r}")
        if "json" not in content_type:
            raise ProbeError(f"{where} answered Content-Type {content_type!r}, not JSON")
        try:
            values.append(json.loads(body))
        except ValueError:
            raise ProbeError(f"{where} answered a body that is not JSON: {body[:300]!r}") from None
        bodies.append(body)
    _, _, again = get(base_url + paths[0], headers)
    validator = schema_validator(document, scenario.schema)
    invalid = [next(iter(validator.iter_errors(value)), None) for value in values]
    found: dict[str, Any] = {
        "samples": len(values),
        "content_type": content_type,
        "mean_body_bytes": round(statistics.mean(len(body) for body in bodies)),
        "distinct_bodies": len(set(bodies)),
        "same_request_same_body": again == bodies[0],
        "valid_against_schema": sum(error is None for error in invalid),
        "first_schema_error": next(
            (f"{'/'.join(map(str, e.absolute_path))}: {e.message[:200]}" for e in invalid if e),
            None,
        ),
    }
    if scenario.static:
        example = documented_example(document, scenario)
        found["documented_example"] = all(value == example for value in values)
    return found


def write_wrk_script(path: Path, paths: list[str]) -> Path:
    """A wrk script sending GET of each path in turn (wrk's -H headers added by wrk.format)."""
    entries = ",\n".join(f"   {json.dumps(p)}" for p in paths)  # a JSON string is a Lua string
    path.write_text(
        "-- Written by bench/mock_speed.py: GET of each path below in turn, round and round.\n"
        f"local paths = {{\n{entries}\n}}\n"
        "local count = #paths\n"
        "local turn = 0\n\n"
        "function request()\n"
        "   turn = turn % count + 1\n"
        '   return wrk.format("GET", paths[turn])\n'
        "end\n"
    )
    return path
