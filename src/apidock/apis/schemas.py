"""APIs, response fields and examples in the API; enumerations as strings."""

from __future__ import annotations

import json
import re
from datetime import datetime
from typing import Annotated, Any, ClassVar, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    TypeAdapter,
    ValidationError,
    field_validator,
)

from apidock.apis.models import ApiStatus
from apidock.apps.json_values import JsonObject
from apidock.catalog.schemas import PatchModel, Title, named
from apidock.schemas import ApiModel, Id, PageMeta, RequestModel

HttpMethod = Literal["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS", "TRACE"]
ApiStatusName = Literal["developing", "released", "deprecated"]
DataType = Literal["string", "integer", "number", "boolean", "object", "array"]

REQUEST_URL_MAX_LENGTH = 256
FIELD_MAX_LENGTH = 100
EXAMPLE_BODY_MAX_BYTES = 64 * 1024
MAX_HEADERS = 50

_PARAMETER_RE = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_LITERAL_RE = re.compile(r"[A-Za-z0-9\-._~!$&'()*+,;=:@%/]*")
_HEADER_NAME_RE = r"^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$"
_SEGMENT_RE = re.compile(r"[A-Za-z_$][A-Za-z0-9_$\-]*(\[\])?")


def path_parameters(template: str) -> list[str]:
    """The parameter names of a path template, in order: `/a/{id}/b/{x}` → `["id", "x"]`."""
    return re.findall(r"\{([^{}]*)\}", template)


def check_request_url(template: str) -> str:
    """`template` unchanged if it is a valid path template; `ValueError` saying why not.

    A template starts with `/`, has no scheme, host, query or fragment, and its `{name}`
    parameters are balanced, not nested, named like identifiers, and not repeated.
    """
    if not template.startswith("/") or template.startswith("//"):
        raise ValueError("a request URL is a path: it starts with a single '/', no scheme or host")
    names: list[str] = []
    literal_start = 0
    position = 0
    while position < len(template):
        char = template[position]
        if char == "}":
            raise ValueError(f"unbalanced '}}' at position {position}")
        if char == "{":
            end = template.find("}", position + 1)
            if end == -1:
                raise ValueError(f"unclosed '{{' at position {position}")
            name = template[position + 1 : end]
            if "{" in name:
                raise ValueError(f"nested '{{' at position {position}")
            if not _PARAMETER_RE.fullmatch(name):
                raise ValueError(f"invalid parameter name {name!r}: letters, digits and '_'")
            if name in names:
                raise ValueError(f"parameter {name!r} appears twice")
            names.append(name)
            _check_literal(template[literal_start:position])
            position = end + 1
            literal_start = position
            continue
        position += 1
    _check_literal(template[literal_start:])
    return template


def _check_literal(text: str) -> None:
    if not _LITERAL_RE.fullmatch(text):
        raise ValueError("a request URL holds path characters only: no spaces, '?', '#' or scheme")


def check_field_path(path: str) -> str:
    """`path` unchanged if it is a dot path such as `data.items[].id`, or one starting with
    `[]` (the elements of a body that is an array: `[]`, `[].id`); `ValueError` if not.

    A leading `[]` is for an API described in OpenAPI, whose view shows a root array; the
    original's rows refuse it (`responses_service`): their export is a body that is an object.
    """
    if path == "[]":
        return path
    for segment in path.removeprefix("[].").split("."):
        if not _SEGMENT_RE.fullmatch(segment):
            raise ValueError(
                f"invalid segment {segment!r}: a name of letters, digits, '_', '-' or '$', "
                "optionally followed by '[]'"
            )
    return path


def check_example_body(body: str) -> str:
    if len(body.encode()) > EXAMPLE_BODY_MAX_BYTES:
        raise ValueError(f"an example body holds at most {EXAMPLE_BODY_MAX_BYTES} bytes")
    return body


RequestUrl = Annotated[
    str,
    Field(min_length=1, max_length=REQUEST_URL_MAX_LENGTH, examples=["/users/{id}"]),
    AfterValidator(check_request_url),
]
FieldPath = Annotated[
    str,
    Field(min_length=1, max_length=FIELD_MAX_LENGTH, examples=["data.items[].id"]),
    AfterValidator(check_field_path),
]


class Header(RequestModel):
    """A request header the API reads."""

    name: Annotated[str, Field(min_length=1, max_length=100, pattern=_HEADER_NAME_RE)]
    required: bool = False
    description: Annotated[str, Field(max_length=500)] | None = None
    example: Annotated[str, Field(max_length=500)] | None = None


def _unique_header_names(headers: list[Header]) -> list[Header]:
    names = [header.name.lower() for header in headers]
    if len(names) != len(set(names)):
        raise ValueError("header names are unique (case-insensitively)")
    return headers


def _upper(method: Any) -> Any:
    return method.upper() if isinstance(method, str) else method


Headers = Annotated[
    list[Header], Field(max_length=MAX_HEADERS), AfterValidator(_unique_header_names)
]
Method = Annotated[HttpMethod, BeforeValidator(_upper)]


class ApiCreate(RequestModel):
    app_id: Id
    group_id: Id | None = None
    title: Title
    description: Annotated[str, Field(max_length=10_000)] | None = None
    request_url: RequestUrl
    request_method: Method
    request_header: Headers = Field(default_factory=list)
    need_auth: bool = False
    status: ApiStatusName = "developing"


class ApiUpdate(PatchModel):
    """An API stays in its app; `group_id` moves it among the app's groups (null: ungrouped).

    `operation` replaces the whole OpenAPI Operation Object (`apis.operations` says what
    follows from it); its problems are 422 with JSON Pointers into it."""

    not_null: ClassVar[frozenset[str]] = frozenset(
        {
            "title",
            "request_url",
            "request_method",
            "request_header",
            "need_auth",
            "status",
            "operation",
        }
    )

    group_id: Id | None = None
    title: Title | None = None
    description: Annotated[str, Field(max_length=10_000)] | None = None
    request_url: RequestUrl | None = None
    request_method: Method | None = None
    request_header: Headers | None = None
    need_auth: bool | None = None
    status: ApiStatusName | None = None
    operation: JsonObject | None = Field(
        default=None, description="The whole OpenAPI 3.1 Operation Object, replacing the API's"
    )


def stored_headers(stored: str | None) -> list[dict[str, Any]]:
    """The headers held in an API's `request_header` text, as `HeaderRead` fields.

    The column is the original's TEXT, so a row it or a hand wrote may hold anything: text
    that is not JSON (or nested past what the parser takes), another JSON type, or items
    that are not headers. What is not a header of the documented shape is left out, so that
    no stored row can make a read or an export fail.
    """
    try:
        items = json.loads(stored) if stored else []
    except (ValueError, RecursionError):
        return []
    if not isinstance(items, list):
        return []
    return [header for item in items if (header := _stored_header(item)) is not None]


def _stored_header(item: Any) -> dict[str, Any] | None:
    if not isinstance(item, dict) or not isinstance(item.get("name"), str):
        return None
    header = {
        "name": item["name"],
        "required": item.get("required", False),
        "description": item.get("description"),
        "example": item.get("example"),
    }
    if not isinstance(header["required"], bool):
        return None
    if any(not isinstance(header[key], str | None) for key in ("description", "example")):
        return None
    return header


class HeaderRead(ApiModel):
    name: str
    required: bool
    description: str | None
    example: str | None


class _StoredHeader(BaseModel):
    """A header as `_stored_header` takes it, checked by pydantic's own JSON parser: every
    value of its exact type (strict), a key it does not know ignored."""

    model_config = ConfigDict(strict=True, extra="ignore")

    name: str
    required: bool = False
    description: str | None = None
    example: str | None = None


# The stored headers of a well-formed row, parsed and checked in one call (a list of API
# reads holds twenty); anything else takes `stored_headers`, which drops what is not a header.
_WELL_FORMED_HEADERS = TypeAdapter(list[_StoredHeader])


class ApiRead(ApiModel):
    """An API as the catalog lists it: its columns. The list is the catalog's view (a page of
    rows, `apis.hot_list`); one API's read (`ApiDetail`) adds its whole operation."""

    id: int
    app_id: int | None
    group_id: int | None
    title: str
    description: str | None
    request_url: str
    request_method: str
    request_header: list[HeaderRead]
    need_auth: bool | None
    status: Annotated[ApiStatusName | None, named(ApiStatus)]
    created_at: datetime | None
    updated_at: datetime | None

    @field_validator("request_header", mode="before")
    @classmethod
    def _parse_headers(cls, value: Any) -> Any:
        if not value:
            return []
        if not isinstance(value, str):
            return value
        try:
            return _WELL_FORMED_HEADERS.validate_json(value)
        except ValidationError:
            return stored_headers(value)


class ApiDetail(ApiRead):
    """One API: its columns and, when it is described in OpenAPI, its Operation Object
    (null for an API made through the original's routes, exported from its rows)."""

    operation: dict[str, Any] | None


class ApiPage(PageMeta):
    apis: list[ApiRead]


class ResponseFieldCreate(RequestModel):
    api_id: Id
    field: FieldPath
    description: Annotated[str, Field(max_length=256)] | None = None
    nullable: bool = False
    data_type: DataType


class ResponseFieldUpdate(PatchModel):
    not_null: ClassVar[frozenset[str]] = frozenset({"field", "nullable", "data_type"})

    field: FieldPath | None = None
    description: Annotated[str, Field(max_length=256)] | None = None
    nullable: bool | None = None
    data_type: DataType | None = None


class ResponseFieldRead(ApiModel):
    id: int
    api_id: int | None
    field: str
    description: str | None
    nullable: bool | None
    data_type: str
    created_at: datetime | None
    updated_at: datetime | None


class ResponseFieldPage(PageMeta):
    responses: list[ResponseFieldRead]


ExampleBody = Annotated[
    str,
    Field(description=f"At most {EXAMPLE_BODY_MAX_BYTES} bytes in UTF-8, JSON or text"),
    AfterValidator(check_example_body),
]


class ExampleCreate(RequestModel):
    api_id: Id
    title: Title
    body: ExampleBody | None = None


class ExampleUpdate(PatchModel):
    not_null: ClassVar[frozenset[str]] = frozenset({"title"})

    title: Title | None = None
    body: ExampleBody | None = None


class ExampleRead(ApiModel):
    id: int
    api_id: int | None
    title: str
    body: str | None
    created_at: datetime | None
    updated_at: datetime | None


class ExamplePage(PageMeta):
    examples: list[ExampleRead]
