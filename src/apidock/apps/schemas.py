"""Apps in the API: enumerations as strings, the database keeps the original's integers.

An app's read and PATCH also carry the app-level parts of its description (servers,
security, tags, external docs, the `info` extras, the JSON Schema dialect), under snake_case
names mapped to OpenAPI's as `apps.description` lists; null when the app has none. Its
components have their own routes (`/apps/{id}/components`), and its webhooks and `x-` keys
come with an import: an app's read, in a list of twenty or in an import's answer, stays
the size of its header, not of its document.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Annotated, Any, ClassVar, Literal

from pydantic import AfterValidator, BeforeValidator, Field, Strict, StrictBool, model_validator
from sqlalchemy import inspect

from apidock.apps.json_values import JsonObject, JsonObjects, plain_json
from apidock.apps.models import App, AppType, AuthType
from apidock.catalog.schemas import PatchModel, Title, named
from apidock.descriptions.openapi_names import ComponentKind as ComponentKind
from apidock.schemas import ApiModel, PageMeta, RequestModel

SLUG_PATTERN = r"^[a-z0-9]+(?:-[a-z0-9]+)*$"
SLUG_RE = re.compile(SLUG_PATTERN)

AppTypeName = Literal["web", "app", "pc", "other"]
AuthTypeName = Literal["none", "basic", "oauth2", "bearer", "api_key"]

Slug = Annotated[str, Field(min_length=1, max_length=80, pattern=SLUG_PATTERN)]


def _strip(title: str) -> str:
    if not title.strip():
        raise ValueError("a title may not be blank")
    return title.strip()


# an app's title is its name in lists and exports: kept without the spaces around it
AppTitle = Annotated[Title, AfterValidator(_strip)]


MOCK_PUBLIC = "The mock at /mock/{slug} answers anyone, without an X-Mock-Key"
MOCK_STRICT = "The mock validates every request's parameters and body (422 when they fail)"


class AppCreate(RequestModel):
    title: AppTitle
    slug: Slug | None = Field(
        default=None,
        description="Lowercase a-z, 0-9 and single hyphens; made from the title if absent",
    )
    version: Annotated[str, Field(min_length=1, max_length=80)] = "1.0.0"
    description: str | None = Field(default=None, max_length=10_000)
    type: AppTypeName = "web"
    auth_type: AuthTypeName = "none"
    mock_public: StrictBool = Field(default=False, description=MOCK_PUBLIC)
    mock_strict: StrictBool = Field(default=False, description=MOCK_STRICT)


# the text parts of `info` and the dialect: plain strings of a bounded size
InfoText = Annotated[str, Field(max_length=10_000)]
UriText = Annotated[str, Field(max_length=2_000)]


class AppUpdate(PatchModel):
    """The catalog's fields, and the description's app-level parts (each checked in the whole
    document it makes: 422 with JSON Pointers into this body; null removes a part)."""

    not_null: ClassVar[frozenset[str]] = frozenset(
        {"title", "slug", "version", "type", "auth_type", "mock_public", "mock_strict"}
    )

    title: AppTitle | None = None
    slug: Slug | None = None
    version: Annotated[str, Field(min_length=1, max_length=80)] | None = None
    description: str | None = Field(default=None, max_length=10_000)
    type: AppTypeName | None = None
    auth_type: AuthTypeName | None = None
    mock_public: StrictBool | None = Field(default=None, description=MOCK_PUBLIC)
    mock_strict: StrictBool | None = Field(default=None, description=MOCK_STRICT)
    summary: InfoText | None = Field(default=None, description="`info.summary`")
    terms_of_service: UriText | None = Field(default=None, description="`info.termsOfService`")
    contact: JsonObject | None = Field(default=None, description="`info.contact`")
    license: JsonObject | None = Field(default=None, description="`info.license`")
    servers: JsonObjects | None = Field(default=None, description="`servers`")
    security: JsonObjects | None = Field(
        default=None, description="`security`: null for no top-level requirement, [] for none"
    )
    tags: JsonObjects | None = Field(default=None, description="`tags`")
    external_docs: JsonObject | None = Field(default=None, description="`externalDocs`")
    json_schema_dialect: UriText | None = Field(default=None, description="`jsonSchemaDialect`")


class AppRead(ApiModel):
    id: int
    title: str
    slug: str
    version: str = Field(
        description="The latest release's version; the description's `info.version` before "
        "the app's first release"
    )
    description: str | None
    type: Annotated[AppTypeName | None, named(AppType)]
    auth_type: Annotated[AuthTypeName | None, named(AuthType)]
    created_at: datetime | None
    updated_at: datetime | None
    mock_public: bool = False
    mock_strict: bool = False
    summary: str | None = None
    terms_of_service: str | None = None
    contact: dict[str, Any] | None = None
    license: dict[str, Any] | None = None
    servers: list[dict[str, Any]] | None = None
    security: list[dict[str, Any]] | None = None
    tags: list[dict[str, Any]] | None = None
    external_docs: dict[str, Any] | None = None
    json_schema_dialect: str | None = None

    @model_validator(mode="before")
    @classmethod
    def _read_app(cls, value: Any) -> Any:
        return _app_fields(value) if isinstance(value, App) else value


# what the description's parts must be to be read; a part of another type (kept as written by
# a lenient import) reads as null here, and the export still gives it as stored
_SHAPES: dict[str, type] = {
    "summary": str,
    "termsOfService": str,
    "contact": dict,
    "license": dict,
    "servers": list,
    "security": list,
    "tags": list,
    "external_docs": dict,
    "json_schema_dialect": str,
}
_INFO_READ = {
    "summary": "summary",
    "terms_of_service": "termsOfService",
    "contact": "contact",
    "license": "license",
}
_TOP_READ = ("servers", "security", "tags", "external_docs", "json_schema_dialect")
_COLUMNS_READ = (
    "id",
    "title",
    "slug",
    "version",
    "description",
    "type",
    "auth_type",
    "mock_public",
    "mock_strict",
    "created_at",
    "updated_at",
)


def _shaped(value: Any, key: str) -> Any:
    if not isinstance(value, _SHAPES[key]):
        return None
    if isinstance(value, list) and not all(isinstance(item, dict) for item in value):
        return None
    return value


def _app_fields(app: App) -> dict[str, Any]:
    """`app`'s columns, and the parts of its description the read shows, by field name.

    `version` is the app's latest release's (SPEC, "Revisions"), and the description's own
    (`info.version`, what an export says) while the app has no release.
    """
    fields = {name: getattr(app, name) for name in _COLUMNS_READ}
    if "latest_release" not in inspect(app).unloaded and app.latest_release is not None:
        fields["version"] = app.latest_release
    info = app.info if isinstance(app.info, dict) else {}
    fields.update({field: _shaped(info.get(key), key) for field, key in _INFO_READ.items()})
    fields.update({field: _shaped(getattr(app, field), field) for field in _TOP_READ})
    return fields


# the names OpenAPI 3.1 allows as a component's key
ComponentName = Annotated[str, Field(min_length=1, max_length=200, pattern=r"^[a-zA-Z0-9._-]+$")]
ComponentsIn = JsonObject
# a Schema Object may be a boolean (JSON Schema 2020-12); every other component is an object
ComponentIn = Annotated[dict[str, Any] | Annotated[bool, Strict()], BeforeValidator(plain_json)]


class AppPage(PageMeta):
    apps: list[AppRead]
