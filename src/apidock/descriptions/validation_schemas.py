"""Checks of a Schema Object beyond its meta-schema, as openapi-spec-validator 0.9 makes them:

- a `pattern`, and each name of `patternProperties`, is a regular expression: compiled by
  jsonschema-rs, whose engine follows ECMA-262 as JSON Schema asks (`openapi.pattern.invalid`
  when it refuses). One it accepts but Python's `re` refuses, such as `^\\p{L}+$`, is valid
  JSON Schema, yet openapi-spec-validator (which compiles with `re` when `regress` is absent)
  refuses the document: that is `openapi.pattern.unsupported`, for the caller to weigh.
- a `default` is valid against the schema it sits in (JSON Schema only recommends it;
  openapi-spec-validator requires it). The schema is compiled from the
  document itself, registered under an address of its own, so its `$ref`s resolve where they
  point; the registry has a retriever that refuses every address and each validator is
  `offline`, so a `$ref` or `$schema` naming a URL is never fetched (the default is then left
  unchecked). Formats are not asserted, as 2020-12 says. Every Schema Object is checked, where
  openapi-spec-validator skips some (request bodies, headers, `additionalProperties`): an
  importer that is lenient may report this type as a warning.
- a top-level schema (of `components.schemas`, or the `schema` of a parameter, header or media
  type) with an `allOf` names in `required` only properties that it or the schemas of its
  `allOf` define (through `allOf`, `anyOf`, `oneOf`, `items` and `not`, read through local
  `$ref`s). Finding them is bounded by `_SEARCH_BUDGET` steps per document: past that the rest
  go unchecked rather than make a hostile document's check quadratic.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import suppress
from typing import Any
from urllib.parse import unquote

import jsonschema_rs

from apidock.descriptions.lenient_patterns import MAX_CLASS_ESCAPES, MAX_LENGTH, class_escapes
from apidock.descriptions.problems import Problem, pointer
from apidock.descriptions.refs import fragment_of, resolve_pointer
from apidock.descriptions.refs_walk import Path, pointer_of
from apidock.descriptions.validation_messages import message_of, tokens_in
from apidock.descriptions.validation_vendored import dialect_resources, refuse_retrieval

_DOCUMENT_URI = "urn:apidock:document"
_SEARCH_BUDGET = 200_000
_COMPONENT_SCHEMAS: Path = ((None, "components"), "schemas")
_SUBSCHEMAS = ("allOf", "anyOf", "oneOf")
_INVALID_PATTERN = "openapi.pattern.invalid"
_UNSUPPORTED_PATTERN = "openapi.pattern.unsupported"


class SchemaChecks:
    """The checks above for the Schema Objects of one document, sharing what they build: the
    document's registry (made on the first `default`), the verdicts on patterns."""

    def __init__(self, document: dict[str, Any]) -> None:
        self._document = document
        self._registry: jsonschema_rs.Registry | None = None
        self._registry_failed = False
        self._patterns: dict[str, str | None] = {}
        self._budget = _SEARCH_BUDGET

    def problems_of(self, schema: dict[str, Any], path: Path) -> Iterator[Problem]:
        """The problems of the Schema Object `schema`, which sits at `path`."""
        pattern = schema.get("pattern")
        if isinstance(pattern, str):
            yield from self._pattern_problems(pattern, (path, "pattern"))
        pattern_properties = schema.get("patternProperties")
        if isinstance(pattern_properties, dict):
            for name in pattern_properties:
                yield from self._pattern_problems(name, ((path, "patternProperties"), name))
        if "default" in schema:
            yield from self._default(schema["default"], path)
        if path is not None and (path[1] == "schema" or path[0] == _COMPONENT_SCHEMAS):
            yield from self._undefined_required(schema, path)

    def _pattern_problems(self, pattern: str, path: Path) -> Iterator[Problem]:
        if pattern not in self._patterns:
            self._patterns[pattern] = _pattern_verdict(pattern)
        kind = self._patterns[pattern]
        if kind == _INVALID_PATTERN:
            yield Problem(pointer_of(path), "not a valid regular expression (ECMA-262)", kind)
        elif kind == _UNSUPPORTED_PATTERN:
            yield Problem(
                pointer_of(path),
                "a valid regular expression (ECMA-262) that Python's re does not compile, so "
                "openapi-spec-validator refuses it",
                kind,
            )

    def _default(self, value: Any, path: Path) -> Iterator[Problem]:
        registry = self._document_registry()
        if registry is None:
            return
        target = _DOCUMENT_URI + fragment_of(pointer_of(path))
        try:
            validator = jsonschema_rs.Draft202012Validator(
                {"$ref": target}, registry=registry, offline=True
            )
            error = next(iter(validator.iter_errors(value)), None)
        except (ValueError, jsonschema_rs.ReferencingError):
            # A schema that does not compile (a reference that resolves nowhere, a schema the
            # meta-schema refuses) is reported by its own check.
            return
        if error is not None:
            inside = tokens_in(error.instance_path, value)
            yield Problem(
                pointer_of((path, "default")) + pointer(*inside),
                f"the default value is not valid against its schema: {message_of(error)}",
                "openapi.default.invalid",
            )

    def _document_registry(self) -> jsonschema_rs.Registry | None:
        if self._registry is None and not self._registry_failed:
            try:
                self._registry = jsonschema_rs.Registry(
                    [(_DOCUMENT_URI, self._document), *dialect_resources()],
                    retriever=refuse_retrieval,
                )
            except (ValueError, jsonschema_rs.ReferencingError):
                # Something in it names a resource outside (refused earlier by the import).
                self._registry_failed = True
        return self._registry

    def _undefined_required(self, schema: dict[str, Any], path: Path) -> Iterator[Problem]:
        members, required = schema.get("allOf"), schema.get("required")
        if not isinstance(members, list) or not isinstance(required, list):
            return
        own = schema.get("properties")
        missing = [
            name
            for name in required
            if isinstance(name, str) and not (isinstance(own, dict) and name in own)
        ]
        if not missing:
            return
        defined = self._properties_of(members)
        if defined is None:
            return
        undefined = [name for name in missing if name not in defined]
        if undefined:
            yield Problem(
                pointer_of((path, "required")),
                f"required names {', '.join(map(repr, undefined))}, which neither this schema "
                "nor the schemas of its allOf define",
                "openapi.required.undefined",
            )

    def _properties_of(self, members: list[Any]) -> set[str] | None:
        """The property names the schemas `members` define, or None past the budget. A
        schema with a `$ref` defines its own and its target's (3.1 keeps both)."""
        names: set[str] = set()
        seen: set[int] = set()
        stack = list(members)
        while stack:
            self._budget -= 1
            if self._budget < 0:
                return None
            node = stack.pop()
            if not isinstance(node, dict) or id(node) in seen:
                continue
            seen.add(id(node))
            target = node.get("$ref")
            if isinstance(target, str) and target.startswith("#"):
                with suppress(LookupError):
                    stack.append(resolve_pointer(self._document, unquote(target[1:])))
            properties = node.get("properties")
            if isinstance(properties, dict):
                names.update(properties)
            for keyword in _SUBSCHEMAS:
                listed = node.get(keyword)
                if isinstance(listed, list):
                    stack.extend(listed)
            stack.extend(node[keyword] for keyword in ("items", "not") if keyword in node)
        return names


def _pattern_verdict(pattern: str) -> str | None:
    """The problem type of `pattern`, or None for a regular expression both engines take.

    jsonschema-rs compiles in time growing with the product of a pattern's length and its
    class escapes (2,000 `\\s` took it 20 s, measured); a pattern past the bounds the
    lenient fixes keep (`lenient_patterns`) is judged by Python's `re` alone.
    """
    if len(pattern) > MAX_LENGTH:
        return None
    try:
        if class_escapes(pattern) <= MAX_CLASS_ESCAPES:
            jsonschema_rs.Draft202012Validator({"pattern": pattern}, offline=True)
    except ValueError:
        return _INVALID_PATTERN
    try:
        re.compile(pattern)
    except (re.error, RecursionError, OverflowError, ValueError):
        return _UNSUPPORTED_PATTERN
    return None
