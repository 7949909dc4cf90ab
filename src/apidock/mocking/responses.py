"""Which documented response of an operation a mock answers with, and which media type.

Decisions (SPEC's order, refined):
- Asked `code=N` (or `x-mock-response-code`): the response `N`, else its range (`4XX`,
  either case), else `default`, answered with the status N. A code that none of these covers
  is refused (400, listing the documented keys). 1xx codes are informational, never a final
  answer: refused too.
- Otherwise: the lowest documented 2xx code, else a `2XX` range (answered 200), else `default`
  (answered 200), else the lowest other code (a 3xx, 4xx or 5xx, as documented), else the
  lowest other range (`4XX` answered 400). An operation with no response answers 200 with an
  empty body.
- Asked an example by name (`example=NAME` or `x-mock-response-name`): the response it is in.
  With a code, only that code's response is searched; without one, the response the rules
  above choose first, then the others in document order. Only the media types holding that
  example then take part in the negotiation. An example no searched response holds is
  refused (400, listing the examples they hold).
- The media type: by `Accept` among the documented ones (`negotiation`); none acceptable is
  406, listing them.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from apidock.mocking.negotiation import MediaRange, choose_media_type
from apidock.mocking.references import Located, object_member
from apidock.mocking.requests_check import RequestChecks
from apidock.mocking.routing import Route
from apidock.mocking.security import Requirement

_CODE = re.compile(r"[1-5][0-9]{2}")
_RANGE = re.compile(r"[1-5]XX", re.IGNORECASE)


class Refused(Exception):
    """A request the mock answers with a problem: its status, detail and extension members."""

    def __init__(
        self,
        status: int,
        detail: str,
        *,
        headers: tuple[tuple[str, str], ...] = (),
        **extensions: Any,
    ) -> None:
        super().__init__(detail)
        self.status = status
        self.detail = detail
        self.headers = headers
        self.extensions = extensions


@dataclass(eq=False, slots=True)
class Operation:
    """An operation as the mock reads it, found on its first request and kept."""

    method: str
    route: Route
    located: Located
    label: str
    codes: tuple[str, ...]
    default_code: tuple[str, int] | None
    responses: Located | None
    security: tuple[Requirement, ...] | None
    checks: RequestChecks | None = field(default=None)


def operation_label(method: str, template: str, operation: Mapping[str, Any]) -> str:
    """How a problem names an operation: `GET /pets/{id}`, with its operationId if any."""
    label = f"{method.upper()} {template}"
    operation_id = operation.get("operationId")
    if isinstance(operation_id, str) and operation_id:
        label += f" ({operation_id[:100]})"
    return label


def documented_codes(responses: Located | None) -> tuple[str, ...]:
    """The keys of a Responses Object, as written (extensions left out)."""
    if responses is None:
        return ()
    return tuple(
        key for key in responses.value if isinstance(key, str) and not key.startswith("x-")
    )


def default_code(codes: tuple[str, ...]) -> tuple[str, int] | None:
    """The response answered when none is asked for, and its status (see the module's doc)."""
    exact = sorted((int(key), key) for key in codes if _CODE.fullmatch(key))
    ranges = sorted((int(key[0]) * 100, key) for key in codes if _RANGE.fullmatch(key))
    for status, key in exact:
        if 200 <= status < 300:
            return key, status
    for status, key in ranges:
        if status == 200:
            return key, status
    if "default" in codes:
        return "default", 200
    for status, key in (*exact, *ranges):
        if status >= 200:
            return key, status
    return None


def code_for(codes: tuple[str, ...], asked: int) -> str:
    """The response key answering the asked status; raises Refused (400)."""
    if asked < 200:
        raise Refused(
            400, f"{asked} is informational and cannot be a mock's answer", documented=[*codes]
        )
    for key in (str(asked), f"{asked // 100}XX", f"{asked // 100}xx", "default"):
        if key in codes:
            return key
    raise Refused(400, f"The operation documents no response {asked}", documented=[*codes])


def chosen_code(operation: Operation, asked: int | None) -> tuple[str, int] | None:
    """The response key and status to answer; None when no response is documented."""
    if asked is not None:
        return code_for(operation.codes, asked), asked
    return operation.default_code


def holding_example(
    document: Mapping[str, Any], operation: Operation, name: str, asked: int | None
) -> tuple[str, int, list[str]]:
    """The response holding the example `name` (key and status) and its media types that
    hold it; raises Refused (400) when none does."""
    if asked is not None:
        searched = [(code_for(operation.codes, asked), asked)]
    else:
        first = operation.default_code
        searched = [first] if first is not None else []
        searched += [
            (key, _status_of(key))
            for key in operation.codes
            if _status_of(key) >= 200 and (first is None or key != first[0])
        ]
    names: list[str] = []
    for key, status in searched:
        content = content_of(document, operation, key)
        holding = []
        for media_type, examples in _examples_by_media_type(document, content):
            if name in examples:
                holding.append(media_type)
            names.extend(example for example in examples if example not in names)
        if holding:
            return key, status, holding
    raise Refused(400, f"The operation documents no example {name!r}", documented=names)


def content_of(document: Mapping[str, Any], operation: Operation, key: str) -> Located | None:
    """The `content` of the response `key` (read through `$ref`s), or None."""
    if operation.responses is None:
        return None
    response = object_member(document, operation.responses, key)
    return object_member(document, response, "content") if response is not None else None


def response_of(document: Mapping[str, Any], operation: Operation, key: str) -> Located | None:
    """The Response Object `key` of the operation, read through `$ref`s."""
    if operation.responses is None:
        return None
    return object_member(document, operation.responses, key)


def media_type_for(
    content: Located, among: list[str] | None, ranges: tuple[MediaRange, ...] | None
) -> tuple[str, str]:
    """The documented media type to answer with (its key) and the Content-Type to send;
    raises Refused (406) when `Accept` takes none of them."""
    documented = [key for key in content.value if isinstance(key, str)]
    if among is not None:
        documented = [key for key in documented if key in among]
    chosen = choose_media_type(ranges, documented)
    if chosen is None:
        raise Refused(
            406,
            "The request's Accept takes none of the documented media types",
            available=documented,
        )
    index, content_type = chosen
    return documented[index], content_type


def _status_of(key: str) -> int:
    if _CODE.fullmatch(key):
        return int(key)
    if _RANGE.fullmatch(key):
        return int(key[0]) * 100
    return 200


def _examples_by_media_type(
    document: Mapping[str, Any], content: Located | None
) -> list[tuple[str, list[str]]]:
    if content is None:
        return []
    found = []
    for media_type in content.value:
        media = (
            object_member(document, content, media_type) if isinstance(media_type, str) else None
        )
        examples = object_member(document, media, "examples") if media is not None else None
        if examples is not None:
            found.append((media_type, [name for name in examples.value if isinstance(name, str)]))
    return found
