"""The contract check of one answer: does it say what the app's OpenAPI 3.1 document says the
operation answers?

Decisions (SPEC's rules, in their order):
- **status**: the response documented for the status itself (`"404"`), else for its range
  (`"4XX"`, either case), else `default`. None: a `status` failure listing the documented
  keys, and nothing else is checked (there is nothing to check against). An operation the
  document doesn't have is a `status` failure too: no response of it is documented.
- **content-type**: a HEAD answer, a 204 and a 304 have no content by definition: neither
  their Content-Type nor a body is checked. Otherwise, when the response documents no content,
  an empty body passes and a non-empty one is a `content-type` failure (the response has a
  body the document doesn't describe). When it documents content, the answer's Content-Type
  must be one of the documented media types, ranges such as `application/*` included and
  parameters ignored (`bodies`); a Content-Type that isn't is a `content-type` failure and the
  body is not checked against any schema.
- **schema**: the body read as its media type says (JSON parsed, text decoded, other media
  types not read: `bodies`) and validated against the media type's schema (`validators`):
  one `schema` failure per validation error, at the pointer of the failing value. A body that
  isn't the JSON its media type promises is one failure at `""`. A media type without a schema
  accepts any body. With `strict`, members the schema doesn't declare are `schema` failures
  too, at their pointers (`strictness`).
- **header**: documented required headers present, and documented headers valid for their
  schemas (`response_headers`); checked whatever the Content-Type was.
- At most `MAX_FAILURES` failures per answer.

`ContractChecker.build` does the document's share of the work once (the registry of its
schemas); validators are compiled on first use and kept. Both, and `check`, are CPU work for a
thread off the event loop. A checker may be shared by threads.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from apidock.contracts.bodies import (
    MAX_DEPTH,
    NOT_READ,
    Unreadable,
    deeper_than,
    documented_media_type,
    read_body,
)
from apidock.contracts.exchange import Failure, Observed
from apidock.contracts.response_headers import header_failures
from apidock.contracts.strictness import undeclared_members
from apidock.contracts.validators import DocumentSchemas, SchemaUnusable
from apidock.descriptions.problems import child
from apidock.descriptions.validation_messages import short
from apidock.mocking.references import Located, object_member

__all__ = ["ContractChecker", "Failure", "Observed"]

MAX_FAILURES = 100
_RANGE = re.compile(r"[1-5]XX", re.IGNORECASE)
_NO_CONTENT = (204, 304)


class ContractChecker:
    """The contract checks of one app's document."""

    __slots__ = ("_document", "_schemas")

    def __init__(self, document: Mapping[str, Any], schemas: DocumentSchemas) -> None:
        self._document = document
        self._schemas = schemas

    @classmethod
    def build(cls, document: Mapping[str, Any]) -> ContractChecker:
        """The checker of the whole OpenAPI 3.1 `document` (read, never changed)."""
        return cls(document, DocumentSchemas(document))

    def check(
        self, method: str, path_template: str, observed: Observed, *, strict: bool = False
    ) -> list[Failure]:
        """What is wrong with `observed` as the answer of the operation `method`
        `path_template` (empty when nothing is); see the module's doc."""
        label = f"{method.upper()} {path_template}"
        operation = self._operation(method, path_template)
        if operation is None:
            message = f"{label} is not an operation of the document, so no status is documented"
            return [Failure("status", message, None)]
        responses = object_member(self._document, operation, "responses")
        keys = _response_keys(responses)
        key = _documented_key(keys, observed.status)
        if key is None:
            documented = ", ".join(keys) or "none"
            message = (
                f"The status {observed.status} is not documented for {label} "
                f"(documented: {documented})"
            )
            return [Failure("status", message, None)]
        assert responses is not None  # a key was found in them
        response = object_member(self._document, responses, key)
        failures: list[Failure] = []
        if method.upper() != "HEAD" and observed.status not in _NO_CONTENT:
            failures.extend(self._content_failures(key, response, observed, strict))
        failures.extend(header_failures(self._document, self._schemas, response, observed.headers))
        return failures[:MAX_FAILURES]

    def _operation(self, method: str, path_template: str) -> Located | None:
        root = Located(self._document, "")
        paths = object_member(self._document, root, "paths")
        item = object_member(self._document, paths, path_template) if paths is not None else None
        if item is None:
            return None
        return object_member(self._document, item, method.lower())

    def _content_failures(
        self, key: str, response: Located | None, observed: Observed, strict: bool
    ) -> list[Failure]:
        content = object_member(self._document, response, "content") if response else None
        documented = [name for name in content.value if isinstance(name, str)] if content else []
        content_type = _header(observed.headers, "content-type")
        if not documented:
            if not observed.body:
                return []
            sent = content_type[:200] if content_type else "no Content-Type"
            message = (
                f"The response {key} documents no content, but the answer has a body of "
                f"{len(observed.body)} bytes ({sent})"
            )
            return [Failure("content-type", message, None)]
        chosen = documented_media_type(content_type, documented)
        if chosen is None:
            listed = ", ".join(documented)[:300]
            if content_type is None:
                message = f"The answer has no Content-Type; the response {key} documents {listed}"
            else:
                message = (
                    f"The Content-Type {content_type[:200]} is not documented for the "
                    f"response {key} (documented: {listed})"
                )
            return [Failure("content-type", message, None)]
        assert content is not None  # documented media types come from it
        media = object_member(self._document, content, chosen)
        if media is None or "schema" not in media.value:
            return []
        return self._schema_failures(child(media.pointer, "schema"), observed, strict)

    def _schema_failures(
        self, schema_pointer: str, observed: Observed, strict: bool
    ) -> list[Failure]:
        try:
            value = read_body(observed.body, _header(observed.headers, "content-type"))
        except Unreadable as error:
            return [Failure("schema", str(error), "")]
        if value is NOT_READ:
            return []
        if self._schemas.recursive(schema_pointer) and deeper_than(value, MAX_DEPTH):
            message = f"The body nests deeper than {MAX_DEPTH} levels and is not checked"
            return [Failure("schema", message, "")]
        try:
            errors = self._schemas.errors(schema_pointer, value)
        except SchemaUnusable as error:
            return [Failure("schema", f"{error}, so the body was not checked", None)]
        failures = [Failure("schema", message, at) for at, message in errors]
        if strict:
            flagged = {failure.pointer for failure in failures}
            members = undeclared_members(self._document, self._schemas, schema_pointer, value)
            for at, name in members:
                if at not in flagged:
                    message = f"{short(name)} is not a property its schema declares (strict)"
                    failures.append(Failure("schema", message, at))
        return failures


def _response_keys(responses: Located | None) -> list[str]:
    """The documented response keys, extensions left out."""
    if responses is None:
        return []
    return [key for key in responses.value if isinstance(key, str) and not key.startswith("x-")]


def _documented_key(keys: list[str], status: int) -> str | None:
    """The response key documenting `status`: itself, its range, or `default`."""
    if str(status) in keys:
        return str(status)
    for key in keys:
        if _RANGE.fullmatch(key) and key[0] == str(status // 100):
            return key
    return "default" if "default" in keys else None


def _header(headers: Mapping[str, str], name: str) -> str | None:
    found = headers.get(name)
    if found is not None:
        return found
    return next((value for key, value in headers.items() if key.lower() == name), None)
