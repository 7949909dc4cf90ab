"""The documents bench/import_speed.py imports: generated OpenAPI 3.1 descriptions of a SaaS
API, deterministic for a seed, of about 4 KB per operation (250 operations make about 1 MB).

A document is what a real team's file looks like rather than what is quickest to read:
resources grouped by business domain, each with its schema, its create and update bodies and
its page of results as components; five operations a resource (list, create, read, update,
delete) with shared parameters, headers and error responses by `$ref`, inline filters, named
request and response examples, tags, security with scopes, `x-` keys. Schemas nest (objects in
objects, arrays of `$ref`s, `allOf` for the pages, `anyOf` with `null`, type unions), and each
resource refers to resources made before it, so the references form a graph, not a star.

Decisions:
- Five operations a resource, exactly: the operation count is what the sizes are named by
  (250 and 2,500), so the resource count is operations / 5.
- Examples are made from the schemas by the same generator, so that each is valid for its
  schema: a document with errors would let a validator stop early or report instead of
  checking, and the peer's time would not be a full check.
- Names are drawn from fixed vocabularies (domain and noun): no two resources share a path or a
  component name, and a 10-times-larger document is the same kind of document, not a
  different one.
"""

from __future__ import annotations

import random
from typing import Any

from import_operations import (
    collection,
    item,
    security_schemes,
    shared_headers,
    shared_parameters,
    shared_responses,
)
from import_schemas import (
    example_of,
    pascal,
    resource_schema,
    sentence,
    settings_schema,
    shared_schemas,
    writable,
)

OPENAPI = "3.1.0"
OPERATIONS_PER_RESOURCE = 5
DOMAINS = (
    "billing", "identity", "catalog", "orders", "shipping", "support", "analytics",
    "messaging", "storage", "compliance", "payroll", "inventory", "marketing", "projects",
)  # fmt: skip
NOUNS = (
    "account", "invoice", "customer", "subscription", "plan", "coupon", "payment", "refund",
    "dispute", "payout", "product", "price", "order", "shipment", "carrier", "parcel",
    "ticket", "comment", "agent", "macro", "report", "dashboard", "metric", "segment",
    "message", "template", "channel", "webhook", "bucket", "object", "policy", "audit",
    "employee", "contract", "timesheet", "warehouse", "stock", "supplier", "campaign",
    "audience", "project", "task", "milestone", "document", "workspace", "member", "invite",
)  # fmt: skip


def make_document(operations: int, *, seed: int = 14) -> dict[str, Any]:
    """An OpenAPI 3.1 document with `operations` operations (a multiple of 5, at least 5)."""
    if operations < OPERATIONS_PER_RESOURCE or operations % OPERATIONS_PER_RESOURCE:
        raise ValueError(f"operations: a positive multiple of {OPERATIONS_PER_RESOURCE}")
    rng = random.Random(seed)  # noqa: S311 (a reproducible document, not a secret)
    resources = [_resource_name(index) for index in range(operations // OPERATIONS_PER_RESOURCE)]
    schemas = shared_schemas()
    paths: dict[str, Any] = {}
    tags: list[dict[str, Any]] = []
    examples: dict[str, Any] = {}
    for index, (domain, noun) in enumerate(resources):
        name = pascal(domain) + pascal(noun)
        earlier = [pascal(d) + pascal(n) for d, n in resources[max(0, index - 8) : index]]
        resource = resource_schema(rng, name, noun, rng.sample(earlier, min(2, len(earlier))))
        schemas[name] = resource
        schemas[f"{name}Settings"] = settings_schema(noun)
        schemas[f"{name}Create"] = writable(resource, f"The fields of a new {noun}.")
        schemas[f"{name}Update"] = {
            "type": "object",
            "description": f"The fields of a {noun} to change; the others are kept.",
            "minProperties": 1,
            "properties": {
                key: resource["properties"][key]
                for key in ("name", "status", "metadata", "settings")
            },
            "additionalProperties": False,
        }
        schemas[f"{name}Page"] = {
            "description": f"One page of {noun}s.",
            "allOf": [
                {"$ref": "#/components/schemas/Page"},
                {
                    "type": "object",
                    "required": ["data"],
                    "properties": {
                        "data": {"type": "array", "items": {"$ref": f"#/components/schemas/{name}"}}
                    },
                },
            ],
        }
        tag = f"{pascal(domain)} {noun}s"
        tags.append({"name": tag, "description": sentence(rng, 14)})
        base = f"/{domain}/{noun}s"
        example = example_of(resource, schemas, rng)
        examples[name] = {"summary": f"A {noun}", "value": example}
        paths[base] = collection(rng, name, noun, tag, example, schemas)
        paths[base + "/{" + noun + "_id}"] = item(rng, name, noun, tag)
    return {
        "openapi": OPENAPI,
        "info": {
            "title": "Harbor Cloud API",
            "version": f"2024-{seed % 12 + 1:02d}-01",
            "summary": "Generated for API Dock's import benchmark",
            "description": sentence(rng, 60),
            "contact": {"name": "API team", "email": "api@example.com"},
            "license": {"name": "Apache 2.0", "identifier": "Apache-2.0"},
        },
        "servers": [
            {"url": "https://api.example.com/v1", "description": "Production"},
            {
                "url": "https://{region}.sandbox.example.com/v1",
                "description": "Sandbox",
                "variables": {"region": {"enum": ["eu", "us"], "default": "eu"}},
            },
        ],
        "security": [{"bearer": []}],
        "tags": tags,
        "paths": paths,
        "components": {
            "schemas": schemas,
            "parameters": shared_parameters(),
            "headers": shared_headers(),
            "responses": shared_responses(),
            "examples": examples,
            "securitySchemes": security_schemes(resources),
        },
        "x-generated-by": "bench/import_document.py",
    }


def _resource_name(index: int) -> tuple[str, str]:
    return DOMAINS[index % len(DOMAINS)], NOUNS[(index // len(DOMAINS)) % len(NOUNS)] + (
        "" if index < len(DOMAINS) * len(NOUNS) else str(index // (len(DOMAINS) * len(NOUNS)))
    )
