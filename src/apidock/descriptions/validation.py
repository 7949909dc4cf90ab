"""Checking an OpenAPI 3.1 document: every problem at its JSON Pointer, nothing ever fetched.

`validate_openapi31` finds what openapi-spec-validator 0.9 finds, in a few hundredths of its
time (`bench/validation_speed.py`), which an import needs: issue 14 gives a whole import
(parse, convert, validate, store) twice the time of that validator alone. Decisions:

- One pass of jsonschema-rs checks the document's structure and every Schema Object in it,
  against the OpenAPI Initiative's JSON Schema of 3.1 documents (vendored in `schemas/`: the
  very file openapi-spec-validator 0.9 checks with, so both agree on what a document is),
  composed as the OAI's "schema-base" composes it: the schema's `$dynamicRef: "#meta"` lands on
  a check of the Schema Object by the OAS base dialect (JSON Schema 2020-12 with the shapes of
  `discriminator`, `xml` and `externalDocs`), and so does every subschema nested in it.
  jsonschema-rs resolves `$dynamicRef` through the dynamic scope as 2020-12 says (tested: a
  `discriminator` inside `properties` is checked). Where schema-base allows only the OAS dialect
  in `$schema` and `jsonSchemaDialect`, this allows JSON Schema 2020-12 itself too (SPEC:
  2020-12 is the dialect) and refuses any other: a draft-07 schema would be checked by rules
  it was not written for.
- What a JSON Schema cannot say is checked in Python (`validation_semantics`,
  `validation_schemas`), as openapi-spec-validator does: unique operationIds, path template
  parameters declared and `required: true`, no duplicate parameter in one list, unique tag
  names, `default` values valid against their schemas, `pattern`s that compile, `allOf`
  schemas whose `required` names a property nothing defines. Where the two differ, this one
  follows the specification and says so by the problem's type (see those modules). Not
  checked here: that `$ref`s resolve (`refs.check_references` does, before).
- Nothing is read from outside the document. Measured with jsonschema-rs 0.60: a validator
  compiled without a registry fetches the URLs of `$ref` and `$schema` over HTTP; a registry's
  own default retriever fetches nothing; a validator on a populated registry fetches nothing.
  So every validator here is `offline` and every registry has a retriever that refuses: the
  guarantee does not hang on a default. The document is an instance, never a schema, except
  for the `default` checks (see `validation_schemas`).
- The validator is compiled once per process, on first use, under a lock: a request never
  compiles the meta-schemas again, and two first requests at once compile them once.
- jsonschema-rs recurses natively: a schema 5,000 levels deep overflows an 8 MiB thread stack
  (the process dies, no exception). A document nested deeper than `MAX_DEPTH` is therefore not
  handed to it: that is its only problem. At `MAX_DEPTH` the deepest shape (`not` in `not`,
  with a `default` to compile) needs less than 1 MiB of stack, measured; threads get 8 MiB on
  glibc (the Docker image's). The importer refuses past 100 levels before this is reached.
- At most `MAX_PROBLEMS` problems: enough to fix a document in a few rounds, and a document
  made of mistakes costs no more than a short answer. Problems of the structure come first.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from itertools import islice
from typing import Any

import jsonschema_rs

from apidock.descriptions.loading import MAX_PROBLEMS
from apidock.descriptions.problems import Problem, pointer
from apidock.descriptions.refs_walk import Path, pointer_of
from apidock.descriptions.validation_messages import message_of, short, tokens_in
from apidock.descriptions.validation_semantics import semantic_problems
from apidock.descriptions.validation_vendored import (
    DIALECT_SCHEMA,
    DOCUMENT_SCHEMA,
    VOCABULARY_SCHEMA,
    refuse_retrieval,
    vendored_schema,
)

MAX_DEPTH = 256
"""Containers nested in containers that a document may have (the top object is level 1)."""

INVALID = "openapi.invalid"
DIALECT = "openapi.dialect.unsupported"
TOO_DEEP = "openapi.too_deep"

_DRAFT_2020_12 = "https://json-schema.org/draft/2020-12/schema"
# JSON Schema 2020-12, or the OAS base dialect under its name or any dated iteration of it.
_DIALECTS = (
    r"^(?:https://json-schema\.org/draft/2020-12/schema#?"
    r"|https://spec\.openapis\.org/oas/3\.1/dialect/(?:base|[0-9]{4}-[0-9]{2}-[0-9]{2}))$"
)
_ROOT_ID = "urn:apidock:openapi-3.1"

_lock = threading.Lock()
_compiled: jsonschema_rs.Validator | None = None


def validate_openapi31(document: dict[str, Any]) -> list[Problem]:
    """The problems of `document` as OpenAPI 3.1 (empty when it is valid), each with the RFC
    6901 pointer of its place in `document`, a message and a type (`openapi.invalid` for what
    the JSON Schema of OpenAPI refuses, `openapi.<what>.<how>` for the others).

    `document` is read, never changed, and may be shared with other threads meanwhile.
    """
    deepest = _too_deep_at(document)
    if deepest is not None:
        return [Problem(deepest, f"The document nests deeper than {MAX_DEPTH} levels", TOO_DEEP)]
    problems = list(islice(_schema_problems(document), MAX_PROBLEMS))
    if len(problems) < MAX_PROBLEMS:
        problems.extend(islice(semantic_problems(document), MAX_PROBLEMS - len(problems)))
    return problems


def document_validator() -> jsonschema_rs.Validator:
    """The compiled validator of OpenAPI 3.1 documents, made on the first call only."""
    global _compiled
    compiled = _compiled
    if compiled is None:
        with _lock:
            if _compiled is None:
                _compiled = _compile()
            compiled = _compiled
    return compiled


def _compile() -> jsonschema_rs.Validator:
    document_schema, dialect, vocabulary = (
        vendored_schema(name) for name in (DOCUMENT_SCHEMA, DIALECT_SCHEMA, VOCABULARY_SCHEMA)
    )
    composed = {
        "$schema": _DRAFT_2020_12,
        "$id": _ROOT_ID,
        "$ref": document_schema["$id"],
        "properties": {"jsonSchemaDialect": {"$ref": "#/$defs/dialect"}},
        "$defs": {
            "dialect": {"pattern": _DIALECTS},
            "schema": {
                "$dynamicAnchor": "meta",
                "$ref": dialect["$id"],
                "properties": {"$schema": {"$ref": "#/$defs/dialect"}},
            },
        },
    }
    registry = jsonschema_rs.Registry(
        [(schema["$id"], schema) for schema in (document_schema, dialect, vocabulary)],
        retriever=refuse_retrieval,
    )
    return jsonschema_rs.Draft202012Validator(composed, registry=registry, offline=True)


def _too_deep_at(document: dict[str, Any]) -> str | None:
    """The pointer of a container past `MAX_DEPTH` levels, or None; iterative, linear.

    It visits every value, examples included, so it is written for speed: depths only, and the
    way down is searched again only in the rare document that is too deep."""
    stack: list[tuple[Any, int]] = [(document, 1)]
    pop, push = stack.pop, stack.append
    while stack:
        node, depth = pop()
        if depth == MAX_DEPTH:
            if any(type(v) is dict or type(v) is list for v in _values(node)):
                return _way_down(document)
            continue
        for value in _values(node):
            if type(value) is dict or type(value) is list:
                push((value, depth + 1))
    return None


def _values(node: Any) -> Any:
    return node.values() if type(node) is dict else node


def _way_down(document: dict[str, Any]) -> str:
    """The pointer of the first container at level `MAX_DEPTH + 1` of `document`."""
    stack: list[tuple[Any, int, Path]] = [(document, 1, None)]
    while stack:
        node, depth, path = stack.pop()
        if depth > MAX_DEPTH:
            return pointer_of(path)
        items = node.items() if type(node) is dict else enumerate(node)
        for key, value in items:
            if type(value) is dict or type(value) is list:
                stack.append((value, depth + 1, (path, key)))
    return ""


def _schema_problems(document: dict[str, Any]) -> Iterator[Problem]:
    for error in document_validator().iter_errors(document):
        yield from _problems_of(error, document)


def _problems_of(error: jsonschema_rs.ValidationError, document: Any) -> Iterator[Problem]:
    at = tokens_in(error.instance_path, document)
    kind = error.kind
    if isinstance(
        kind,
        jsonschema_rs.ValidationErrorKind.AdditionalProperties
        | jsonschema_rs.ValidationErrorKind.UnevaluatedProperties,
    ):
        # One problem at each member that should not be there, rather than one at its object.
        for name in kind.unexpected:
            yield Problem(pointer(*at, name), f"{short(name)} is not allowed here", INVALID)
    elif isinstance(kind, jsonschema_rs.ValidationErrorKind.Pattern) and kind.pattern == _DIALECTS:
        yield Problem(
            pointer(*at),
            f"{short(error.instance)} is not a supported JSON Schema dialect: schemas are JSON "
            "Schema 2020-12 (https://json-schema.org/draft/2020-12/schema) or the OpenAPI 3.1 "
            "base dialect (https://spec.openapis.org/oas/3.1/dialect/base)",
            DIALECT,
        )
    else:
        yield Problem(pointer(*at), message_of(error), INVALID)
