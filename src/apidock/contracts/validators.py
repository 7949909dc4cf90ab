"""The Schema Objects of one app's document, compiled on first use and kept, and what they say
of a value: each error at the JSON Pointer of the failing part of it.

Decisions:
- One jsonschema-rs registry holds the whole document (and the OAS base dialect, for schemas
  that name it), made once when the checker is built: a schema is compiled as
  `{"$ref": "<document>#<pointer>"}`, so its `$ref`s into `components` resolve where they
  point, recursion included. The registry's retriever refuses every address and every
  validator is `offline`: nothing is ever fetched.
- JSON Schema 2020-12 with `format` as an annotation, not an assertion: that is what 2020-12
  says by default, what Prism does, and what real APIs pass (a `date-time` without its
  offset, an `email` a stricter reader refuses). A `pattern` is run by jsonschema-rs's engine
  with its backtracking limit, so a hostile pattern in a description ends as an error.
- Validators are kept by the pointer of their schema: the (operation, status, media type)
  that reach one schema share it, and so do responses that `$ref` one component. The cache is
  a plain dict: two threads may compile one schema twice, never use a half-made one.
- A schema that cannot be compiled (a `$ref` naming nothing, a keyword of the wrong shape)
  raises `SchemaUnusable`, which the check reports: the body was not judged, and saying so is
  better than passing it.
- An `additionalProperties` or `unevaluatedProperties` error is one error per member that
  should not be there, at that member's pointer; at most `MAX_ERRORS` errors per value.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from itertools import islice
from typing import Any

import jsonschema_rs

from apidock.contracts.recursion import may_recurse
from apidock.descriptions.problems import pointer
from apidock.descriptions.refs import fragment_of
from apidock.descriptions.validation_messages import message_of, short, tokens_in
from apidock.descriptions.validation_vendored import dialect_resources, refuse_retrieval

DOCUMENT_URI = "urn:apidock:contract"
MAX_ERRORS = 50

_PER_MEMBER = (
    jsonschema_rs.ValidationErrorKind.AdditionalProperties,
    jsonschema_rs.ValidationErrorKind.UnevaluatedProperties,
)


class SchemaUnusable(Exception):
    """A documented schema that cannot be compiled; the message says which and why."""


class DocumentSchemas:
    """The compiled validators of one document, by the pointer of their schema."""

    __slots__ = ("_compiled", "_document", "_recursive", "_registry", "_registry_error")

    def __init__(self, document: Mapping[str, Any]) -> None:
        self._document = document
        self._compiled: dict[str, jsonschema_rs.Validator | str] = {}
        self._recursive: dict[str, bool] = {}
        self._registry: jsonschema_rs.Registry | None = None
        self._registry_error = ""
        resource = document if isinstance(document, dict) else dict(document)
        try:
            self._registry = jsonschema_rs.Registry(
                [(DOCUMENT_URI, resource), *dialect_resources()], retriever=refuse_retrieval
            )
        except (ValueError, jsonschema_rs.ReferencingError) as error:
            self._registry_error = str(error)

    def validator(self, schema_pointer: str) -> jsonschema_rs.Validator:
        """The validator of the schema at `schema_pointer`; raises SchemaUnusable."""
        found = self._compiled.get(schema_pointer)
        if found is None:
            found = self._compile(schema_pointer)
            self._compiled[schema_pointer] = found
        if isinstance(found, str):
            raise SchemaUnusable(found)
        return found

    def _compile(self, schema_pointer: str) -> jsonschema_rs.Validator | str:
        where = f"The schema at #{schema_pointer}"
        if self._registry is None:
            return f"{where} cannot be compiled: {self._registry_error[:300]}"
        try:
            return jsonschema_rs.Draft202012Validator(
                {"$ref": DOCUMENT_URI + fragment_of(schema_pointer)},
                registry=self._registry,
                offline=True,
                validate_formats=False,
            )
        except (ValueError, jsonschema_rs.ReferencingError) as error:
            return f"{where} cannot be compiled: {str(error)[:300]}"

    def recursive(self, schema_pointer: str) -> bool:
        """Whether the schema at `schema_pointer` may recurse (`recursion`), answered once."""
        found = self._recursive.get(schema_pointer)
        if found is None:
            found = self._recursive[schema_pointer] = may_recurse(self._document, schema_pointer)
        return found

    def errors(self, schema_pointer: str, value: Any) -> list[tuple[str, str]]:
        """`(pointer in value, message)` for each way `value` fails the schema at
        `schema_pointer`, at most `MAX_ERRORS`; raises SchemaUnusable."""
        validator = self.validator(schema_pointer)
        return list(islice(_errors_of(validator, value), MAX_ERRORS))

    def holds(self, schema_pointer: str, value: Any) -> bool | None:
        """Whether `value` is valid for the schema at `schema_pointer`; None when that
        schema cannot be compiled."""
        try:
            return self.validator(schema_pointer).is_valid(value)
        except SchemaUnusable:
            return None


def _errors_of(validator: jsonschema_rs.Validator, value: Any) -> Iterator[tuple[str, str]]:
    for error in validator.iter_errors(value):
        at = tokens_in(error.instance_path, value)
        kind = error.kind
        if isinstance(kind, _PER_MEMBER):
            for name in kind.unexpected:
                yield pointer(*at, name), f"The member {short(name)} is not allowed here"
        else:
            yield pointer(*at), message_of(error)
