"""The JSON Schemas of OpenAPI 3.1 vendored in `schemas/` (see its README for their origin and
licence), and the retriever every registry of this package is given: one that fetches nothing.

The files are package data, read once per process; they are this package's own files, never a
path or an address taken from a document.
"""

from __future__ import annotations

import json
from functools import cache
from importlib import resources
from typing import Any

DOCUMENT_SCHEMA = "oas-3.1-schema.json"
DIALECT_SCHEMA = "oas-3.1-dialect-base.json"
VOCABULARY_SCHEMA = "oas-3.1-meta-base.json"


@cache
def vendored_schema(name: str) -> dict[str, Any]:
    """The parsed schema file `name` of `schemas/` (callers must not change it)."""
    folder = resources.files("apidock.descriptions").joinpath("schemas")
    schema: dict[str, Any] = json.loads(folder.joinpath(name).read_text(encoding="utf-8"))
    return schema


def dialect_resources() -> list[tuple[str, Any]]:
    """The OAS base dialect and its vocabulary, as `(id, schema)` resources of a registry:
    what a schema naming `https://spec.openapis.org/oas/3.1/dialect/base` needs resolved."""
    return [
        (schema["$id"], schema)
        for schema in (vendored_schema(DIALECT_SCHEMA), vendored_schema(VOCABULARY_SCHEMA))
    ]


def refuse_retrieval(uri: str) -> Any:
    """A jsonschema-rs retriever that retrieves nothing: every address is refused."""
    raise ValueError(f"{uri} is not fetched: only the document itself is read")
