"""Cases in the API: the request a run sends and what its answer must show.

Decisions:
- Path parameters, query parameters and headers are names to strings (`{{name}}` inside
  them names an environment's variable or secret); at most 100 of each, values at most
  10,000 characters. One value per query name.
- Header names are HTTP tokens, unique in any case; values hold no control character (no CR
  or LF: a case cannot split its request). The headers the client manages itself (`Host`,
  `Content-Length` and the hop-by-hop ones of RFC 9110 §7.6.1) are refused: the host is the
  environment's, the framing the client's.
- `body` (any JSON, null included) and `example` (a documented request example, by name) are
  exclusive; neither means no body.
- `expect` is taken as a JSON object here and checked in full by the service
  (`apidock.contracts.expectations.validate_expect`), whose problems are JSON Pointers into
  the body as sent (`/expect/body/0/path`).
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, ClassVar

from pydantic import AfterValidator, BeforeValidator, Field, model_validator

from apidock.apps.json_values import JsonObject, plain_json
from apidock.cases.models import NAME_MAX_LENGTH
from apidock.catalog.schemas import PatchModel
from apidock.schemas import ApiModel, PageMeta, RequestModel

MAX_PARTS = 100
PART_NAME_MAX_LENGTH = 200
VALUE_MAX_LENGTH = 10_000
EXAMPLE_NAME_MAX_LENGTH = 200
_HEADER_NAME_RE = r"^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$"
_CONTROL_CHARACTERS = frozenset(chr(code) for code in [*range(0x20), 0x7F]) - {"\t"}
# set by the HTTP client: the host is the environment's base URL, the framing the client's
MANAGED_HEADERS = frozenset(
    {
        "host",
        "content-length",
        "transfer-encoding",
        "connection",
        "keep-alive",
        "proxy-connection",
        "te",
        "trailer",
        "upgrade",
    }
)


def _no_control_characters(value: str) -> str:
    if _CONTROL_CHARACTERS.intersection(value):
        raise ValueError("a header value holds no control character (no CR or LF)")
    return value


def _plain_headers(headers: dict[str, str]) -> dict[str, str]:
    folded = [name.lower() for name in headers]
    repeated = sorted({name for name in folded if folded.count(name) > 1})
    if repeated:
        raise ValueError(f"header names are unique in any case: {', '.join(repeated)}")
    managed = sorted(MANAGED_HEADERS.intersection(folded))
    if managed:
        raise ValueError(f"set by the HTTP client, not by a case: {', '.join(managed)}")
    return headers


PartName = Annotated[str, Field(min_length=1, max_length=PART_NAME_MAX_LENGTH)]
PartValue = Annotated[str, Field(max_length=VALUE_MAX_LENGTH)]
HeaderName = Annotated[
    str, Field(min_length=1, max_length=PART_NAME_MAX_LENGTH, pattern=_HEADER_NAME_RE)
]
HeaderValue = Annotated[
    str, Field(max_length=VALUE_MAX_LENGTH), AfterValidator(_no_control_characters)
]
Parts = Annotated[dict[PartName, PartValue], Field(max_length=MAX_PARTS)]
Headers = Annotated[
    dict[HeaderName, HeaderValue], Field(max_length=MAX_PARTS), AfterValidator(_plain_headers)
]
CaseName = Annotated[str, Field(min_length=1, max_length=NAME_MAX_LENGTH)]
ExampleName = Annotated[str, Field(min_length=1, max_length=EXAMPLE_NAME_MAX_LENGTH)]
JsonBody = Annotated[Any, BeforeValidator(plain_json)]

EXPECT_DESCRIPTION = (
    'What the answer must show: `status` (a code, or a class such as "2xx"), `headers` '
    "(names to exact values, names in any case), `body` (a list of assertions "
    '`{"path": <JSONPath, RFC 9535>, "equals" | "matches" | "exists" | "type": ...}`, '
    "one operator each) and `max_ms`; each an optional check of its own"
)


class CaseRequest(RequestModel):
    """The request of a case; `body` and `example` are exclusive, neither means no body."""

    path: Parts = Field(default_factory=dict, description="The path template's parameters")
    query: Parts = Field(default_factory=dict)
    headers: Headers = Field(default_factory=dict)
    body: JsonBody = Field(default=None, description="Any JSON, sent as application/json")
    example: ExampleName | None = Field(
        default=None, description="The name of a request-body example the operation documents"
    )

    @model_validator(mode="after")
    def _body_or_example(self) -> CaseRequest:
        if "body" in self.model_fields_set and self.example is not None:
            raise ValueError("body and example are exclusive: give one or neither")
        return self

    def stored(self) -> dict[str, Any]:
        """The request as the `cases.request` column keeps it: a body only when given."""
        stored: dict[str, Any] = {"path": self.path, "query": self.query, "headers": self.headers}
        if "body" in self.model_fields_set:
            stored["body"] = self.body
        if self.example is not None:
            stored["example"] = self.example
        return stored


class CaseCreate(RequestModel):
    name: CaseName = Field(description="Unique among the API's cases")
    request: CaseRequest = Field(default_factory=CaseRequest)
    expect: JsonObject = Field(default_factory=dict, description=EXPECT_DESCRIPTION)
    contract: bool = Field(
        default=True, description="Also check the answer against the API's description"
    )
    follow_redirects: bool = Field(
        default=False, description="Follow redirects, each hop checked again by the guard"
    )


class CaseUpdate(PatchModel):
    """Fields left out keep their values; `request` and `expect` are replaced whole."""

    not_null: ClassVar[frozenset[str]] = frozenset(
        {"name", "request", "expect", "contract", "follow_redirects"}
    )

    name: CaseName | None = None
    request: CaseRequest | None = None
    expect: JsonObject | None = Field(default=None, description=EXPECT_DESCRIPTION)
    contract: bool | None = None
    follow_redirects: bool | None = None


class CaseRead(ApiModel):
    id: int
    api_id: int
    name: str
    request: dict[str, Any]
    expect: dict[str, Any]
    contract: bool
    follow_redirects: bool
    created_at: datetime | None
    updated_at: datetime | None


class CasePage(PageMeta):
    cases: list[CaseRead]
