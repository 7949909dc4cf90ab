"""Validators of the Schema Objects of one mocked document, compiled on first use and kept.

Decisions:
- A schema is compiled as `{"$ref": "<document>#<pointer>"}` over a jsonschema-rs registry that
  holds the whole document, so its `$ref`s resolve where they point, recursion included; the
  registry is made on the first strict request of the document (its cost is linear in the
  document, paid once) and its retriever refuses every address: nothing is ever fetched.
- JSON Schema 2020-12, with formats asserted (a strict mock says when a `date` is not one).
- A schema that does not compile (a `$ref` that names nothing, a pattern jsonschema-rs refuses,
  a registry that cannot be built) leaves that value unchecked rather than failing the request:
  a strict mock judges requests, not the document.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import jsonschema_rs

from apidock.descriptions.refs import fragment_of
from apidock.descriptions.validation_vendored import dialect_resources, refuse_retrieval

DOCUMENT_URI = "urn:apidock:mock"


class SchemaValidators:
    """The compiled validators of one document, by the pointer of their schema."""

    __slots__ = ("_compiled", "_document", "_registry", "_registry_failed")

    def __init__(self, document: Mapping[str, Any]) -> None:
        self._document = document
        self._registry: jsonschema_rs.Registry | None = None
        self._registry_failed = False
        self._compiled: dict[str, jsonschema_rs.Validator | None] = {}

    def at(self, pointer: str) -> jsonschema_rs.Validator | None:
        """The validator of the schema at `pointer`, or None when it cannot be compiled."""
        if pointer in self._compiled:
            return self._compiled[pointer]
        validator = None
        registry = self._document_registry()
        if registry is not None:
            try:
                validator = jsonschema_rs.Draft202012Validator(
                    {"$ref": DOCUMENT_URI + fragment_of(pointer)},
                    registry=registry,
                    offline=True,
                    validate_formats=True,
                )
            except (ValueError, jsonschema_rs.ReferencingError):
                validator = None
        self._compiled[pointer] = validator
        return validator

    def _document_registry(self) -> jsonschema_rs.Registry | None:
        if self._registry is None and not self._registry_failed:
            try:
                document = self._document
                resource = document if isinstance(document, dict) else dict(document)
                self._registry = jsonschema_rs.Registry(
                    [(DOCUMENT_URI, resource), *dialect_resources()],
                    retriever=refuse_retrieval,
                )
            except (ValueError, jsonschema_rs.ReferencingError):
                self._registry_failed = True
        return self._registry
