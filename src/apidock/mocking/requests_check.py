"""The strict check of a mock request (the app's `mock_strict`, or `Prefer: validate=true`):
its parameters and body against the operation's description.

Decisions:
- Every parameter (see `parameters`) that the request carries is validated against its schema;
  a required one it lacks is an error. Each error is reported at `<in>.<name>`, the name as
  the document writes it (`query.page`, `path.petId`, `header.X-Id`, `cookie.session`).
- The body: a required body that is empty is an error at `body`. A body is read as the media
  type the request's Content-Type names (the first documented one when it names none); a
  Content-Type the request body does not document is an error at `header.Content-Type`. JSON
  (`application/json`, `+json`) is parsed (an unparsable body is an error at `body`) and
  validated; `application/x-www-form-urlencoded` is read into an object whose values are
  converted by their properties' types, as parameters are; `text/*` is validated as a string
  (it must be UTF-8). Other media types (multipart, binary, XML) are not read: only their
  presence is checked.
- A body error is at `body` followed by the JSON Pointer of the failing value (`body` alone for
  the whole body): `body/items/0/name`.
- At most `MAX_ERRORS` errors are reported, so a hostile request costs a short answer.
- What a check needs is found on the operation's first strict request and kept: the merged
  parameters, the request body, their validators (`validators`).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from itertools import chain, islice
from typing import Any
from urllib.parse import parse_qsl

import orjson

from apidock.descriptions.problems import child, pointer
from apidock.descriptions.validation_messages import message_of, tokens_in
from apidock.mocking.encoding import is_json_type
from apidock.mocking.negotiation import MediaRange, essence
from apidock.mocking.parameters import (
    MISSING,
    Parameter,
    keyword_of,
    parameters_of,
    properties_of,
    scalar_of,
    schema_types,
    value_of,
)
from apidock.mocking.references import Located, object_member
from apidock.mocking.request_parts import RequestParts
from apidock.mocking.validators import SchemaValidators

MAX_ERRORS = 50
_FORM = ("application", "x-www-form-urlencoded")


@dataclass(frozen=True, slots=True)
class RequestError:
    """One thing wrong with a request, at `location`."""

    location: str
    message: str

    def as_dict(self) -> dict[str, str]:
        return {"location": self.location, "message": self.message}


class RequestChecks:
    """The strict checks of one operation."""

    __slots__ = ("_body", "_document", "_parameters", "_validators")

    def __init__(
        self,
        document: Mapping[str, Any],
        validators: SchemaValidators,
        item: Located,
        operation: Located,
    ) -> None:
        self._document = document
        self._validators = validators
        self._parameters: list[Parameter] = parameters_of(document, item, operation)
        self._body = object_member(document, operation, "requestBody")

    def errors(self, parts: RequestParts, path_values: Mapping[str, str]) -> list[RequestError]:
        """What is wrong with the request, at most `MAX_ERRORS` of it (empty when nothing)."""
        found = self._parameter_errors(parts, path_values)
        return list(islice(chain(found, self._body_errors(parts)), MAX_ERRORS))

    def _parameter_errors(
        self, parts: RequestParts, path_values: Mapping[str, str]
    ) -> Iterator[RequestError]:
        for parameter in self._parameters:
            value = value_of(self._document, parameter, parts, path_values)
            if value is MISSING:
                if parameter.required:
                    yield RequestError(
                        parameter.label,
                        f"The {parameter.location} parameter {parameter.name} is required",
                    )
                continue
            if parameter.schema is not None:
                for _, message in self._schema_errors(parameter.schema.pointer, value):
                    yield RequestError(parameter.label, message)

    def _body_errors(self, parts: RequestParts) -> Iterator[RequestError]:
        body = self._body
        if body is None:
            return
        raw = parts.request.body
        if not raw:
            if body.value.get("required") is True:
                yield RequestError("body", "A request body is required")
            return
        content = object_member(self._document, body, "content")
        if content is None or not content.value:
            return
        documented = [key for key in content.value if isinstance(key, str)]
        sent = parts.request.headers.get("content-type")
        chosen = _documented_for(sent, documented)
        if chosen is None:
            named = "/".join(essence(sent or ""))[:100]
            yield RequestError(
                "header.Content-Type",
                f"{named} is not a media type of the request body; it takes "
                + ", ".join(documented),
            )
            return
        media = object_member(self._document, content, chosen)
        if media is None or "schema" not in media.value:
            return
        read_as = sent if sent is not None else chosen
        value = _body_value(self._document, raw, read_as, media.value["schema"])
        if isinstance(value, RequestError):
            yield value
            return
        if value is not _UNREAD:
            for path, message in self._schema_errors(child(media.pointer, "schema"), value):
                yield RequestError("body" + path, message)

    def _schema_errors(self, schema_pointer: str, value: Any) -> Iterator[tuple[str, str]]:
        """`(pointer in value, message)` for each way `value` fails its schema."""
        validator = self._validators.at(schema_pointer)
        if validator is None:
            return
        for error in islice(validator.iter_errors(value), MAX_ERRORS):
            yield pointer(*tokens_in(error.instance_path, value)), message_of(error)


class _Unread:
    """A body of a media type that is not read."""


_UNREAD = _Unread()


def _documented_for(sent: str | None, documented: list[str]) -> str | None:
    """The documented media type (key) a body sent as `sent` is read as."""
    if not documented:
        return None
    if sent is None:
        return documented[0]
    type_, subtype = essence(sent)
    exact = [key for key in documented if essence(key) == (type_, subtype)]
    if exact:
        return exact[0]
    for key in documented:
        if MediaRange(*essence(key), 1.0).covers(type_, subtype):
            return key
    return None


def _body_value(document: Mapping[str, Any], raw: bytes, content_type: str, schema: Any) -> Any:
    """The body as a JSON value, a RequestError when it cannot be read, or _UNREAD."""
    if is_json_type(content_type):
        try:
            return orjson.loads(raw)
        except orjson.JSONDecodeError as error:
            return RequestError("body", f"The body is not valid JSON: {error}")
    type_, subtype = essence(content_type)
    if type_ == "text" or (type_, subtype) == _FORM:
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError:
            return RequestError("body", "The body is not UTF-8 text")
        return _form_value(document, text, schema) if (type_, subtype) == _FORM else text
    return _UNREAD


def _form_value(document: Mapping[str, Any], text: str, schema: Any) -> dict[str, Any]:
    """A form body as an object, each value converted by its property's schema."""
    properties = dict(properties_of(document, schema))
    value: dict[str, Any] = {}
    for name, item in parse_qsl(text, keep_blank_values=True):
        inner = properties.get(name)
        types = schema_types(document, inner)
        if "array" in types and "string" not in types:
            items = keyword_of(document, inner, "items")
            value.setdefault(name, []).append(scalar_of(item, schema_types(document, items)))
        elif name not in value:
            value[name] = scalar_of(item, types)
    return value
