"""The mock server's answer to one request, from a whole OpenAPI 3.1 document: the entry point
the HTTP layer calls (`MockDocument.build` once per document, `answer` per request).

The steps, in order, each a module of this package: the route (`routing`: 400 for a path that
cannot be one, 404, 405), the preferences and `Accept` (`negotiation`: 400), the credentials
(`security`: 401), the strict check when asked (`requests_check`: 422), the response, media
type and example (`responses`: 400, 406), the body and headers (`plans`, generated ones by
`generate`: 500 when generation gives up). Decisions:
- Methods: a documented method is answered; HEAD is answered as GET without a body when only
  GET is documented; OPTIONS and the rest are 405 unless documented (CORS preflights are the
  HTTP layer's). `Allow` lists the methods the mock answers on every matching path (upper case,
  in the specification's order, HEAD with GET). A path without any operation is no route: 404.
- 204 and 304 answers carry no body and no Content-Type; a HEAD answer has the headers of its
  GET (Content-Type included) and no body. The documented headers are sent in every case.
- Generated data is deterministic: its seed is the SHA-256 of the method (GET for a HEAD
  answered as GET, so both send the same headers), the raw path, the query string, the body
  and the `Prefer` seed; each generated header has a seed of its own made from it and its
  name. Generation has a budget (`BODY_BUDGET` for a body, `HEADER_BUDGET` for a header), so
  an answer's CPU is bounded; a HEAD, a 204 or a 304 generates no body at all.
- The strict check's validators are compiled on the operation's first strict request, over a
  registry of the whole document made on the document's first one (`validators`): that first
  request pays a cost linear in the document, later ones do not.
- Speed: `build` makes only the route table (linear in `paths`, the document is not copied).
  An operation is read on its first request; the plan of an answer (static body bytes or the
  schema to generate from, headers) is made on first use and kept per operation, response,
  media type, example and `dynamic`, so a static example costs a route look-up and a few dict
  reads. Requests with an `Accept` header add it to the key, up to `MAX_CACHED_ACCEPTS`
  entries, past which answers are still right but worked out each time.
- Called from one event loop only (caches are plain dicts, no lock needed).
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from typing import Any

from apidock.descriptions.openapi_names import METHODS
from apidock.mocking.encoding import body_bytes, header_text, is_json_type, with_charset
from apidock.mocking.exchange import MockAnswer, MockRequest, problem
from apidock.mocking.generate import GenerationLimit, generate
from apidock.mocking.negotiation import (
    MediaRange,
    PreferenceRefused,
    Preferences,
    accept_ranges,
    preferences_of,
)
from apidock.mocking.plans import GENERATED_SOURCE, Plan, plan_for
from apidock.mocking.references import Located, object_member
from apidock.mocking.request_parts import RequestParts
from apidock.mocking.requests_check import RequestChecks
from apidock.mocking.responses import (
    Operation,
    Refused,
    chosen_code,
    default_code,
    documented_codes,
    holding_example,
    media_type_for,
    operation_label,
    response_of,
)
from apidock.mocking.routing import PathRefused, RouteMatch, RouteTable
from apidock.mocking.security import challenges, requirements_of, satisfied
from apidock.mocking.validators import SchemaValidators

__all__ = ["MockAnswer", "MockDocument", "MockRequest"]

BODY_BUDGET = 10_000
HEADER_BUDGET = 1_000
MAX_CACHED_ACCEPTS = 4_096
_NO_BODY_STATUSES = frozenset({204, 304})
_Selection = tuple[Plan, int, str | None]
_SelectionKey = tuple[Operation, int | None, str | None, bool, str | None]
# operation, response key, media type key, example, dynamic, whether the body is JSON
_PlanKey = tuple[Operation, str, str | None, str | None, bool, bool]


class MockDocument:
    """One document ready to be mocked: its route table and what its answers have cached."""

    __slots__ = (
        "_accepts",
        "_document",
        "_operations",
        "_plans",
        "_routes",
        "_selections",
        "_validators",
    )

    def __init__(self, document: Mapping[str, Any], routes: RouteTable) -> None:
        self._document = document
        self._routes = routes
        self._operations: dict[tuple[str, str], Operation] = {}
        self._selections: dict[_SelectionKey, _Selection] = {}
        self._plans: dict[_PlanKey, Plan] = {}
        self._accepts = 0
        self._validators = SchemaValidators(document)

    @classmethod
    def build(cls, document: Mapping[str, Any]) -> MockDocument:
        """A document made ready (CPU work, linear in its paths: run it off the event loop).
        The document is kept, not copied: the caller must not change it afterwards."""
        return cls(document, RouteTable.build(document))

    def answer(self, request: MockRequest) -> MockAnswer:
        """The mock's answer to `request`: a documented response or a problem, never a raise."""
        try:
            return self._answer(request)
        except Refused as refused:
            return problem(
                refused.status, refused.detail, headers=refused.headers, **refused.extensions
            )
        except (PathRefused, PreferenceRefused) as refused:
            return problem(400, str(refused))

    def _answer(self, request: MockRequest) -> MockAnswer:
        match, method, head = self._route(request)
        operation = self._operation(match, method)
        preferences = preferences_of(request.headers)
        accept = request.headers.get("accept")
        ranges = accept_ranges(accept)
        parts = RequestParts(request)
        if operation.security is not None and not satisfied(
            operation.security, parts.credentials()
        ):
            value, schemes = challenges(operation.security)
            raise Refused(
                401,
                f"{operation.label} needs credentials of one of its security requirements",
                headers=(("www-authenticate", value),),
                schemes=schemes,
            )
        if request.strict or preferences.validate:
            self._check(operation, parts, match)
        plan, status, content_type = self._selection(operation, preferences, accept, ranges)
        bodiless = head or status in _NO_BODY_STATUSES
        headers: list[tuple[str, str]] = []
        body = b""
        if content_type is not None and status not in _NO_BODY_STATUSES:
            headers.append(("content-type", content_type))
        headers.extend(plan.headers)
        seed: int | None = None
        if plan.generated_headers:
            seed = _seed(request, preferences, method)
            for recipe in plan.generated_headers:
                value = self._generated(operation, recipe.schema, _seed_of(seed, recipe.name))
                headers.append((recipe.name, header_text(value, explode=recipe.explode)))
        if bodiless:
            return MockAnswer(status, tuple(headers), b"", plan.source)
        if plan.body is not None:
            body = plan.body
        elif plan.schema is not None and content_type is not None:
            if seed is None:
                seed = _seed(request, preferences, method)
            value = self._generated(operation, plan.schema, seed, BODY_BUDGET)
            body = body_bytes(value, content_type)
        return MockAnswer(status, tuple(headers), body, plan.source)

    def _route(self, request: MockRequest) -> tuple[RouteMatch, str, bool]:
        """The matching route with the request's method, the method to answer, whether the
        request is a HEAD answered as GET; raises Refused (404, 405)."""
        method = request.method.lower()
        allowed: list[str] = []
        matched = False
        for match in self._routes.matches(request.path):
            item = match.route.item
            if method in METHODS and isinstance(item.get(method), dict):
                return match, method, False
            if method == "head" and isinstance(item.get("get"), dict):
                return match, "get", True
            answered = _answered_methods(item)
            # a Path Item without operations (an API deleted, path parameters left) is no route
            matched = matched or bool(answered)
            allowed.extend(name for name in answered if name not in allowed)
        if not matched:
            raise Refused(404, "No documented path matches the request's path")
        ordered = [name.upper() for name in METHODS if name.upper() in allowed]
        raise Refused(
            405,
            f"The path does not document {request.method[:20]!r}",
            headers=(("allow", ", ".join(ordered)),),
            allowed=ordered,
        )

    def _operation(self, match: RouteMatch, method: str) -> Operation:
        key = (match.route.template, method)
        found = self._operations.get(key)
        if found is None:
            document, route = self._document, match.route
            item = Located(route.item, route.pointer)
            located = object_member(document, item, method) or Located({}, route.pointer)
            responses = object_member(document, located, "responses")
            codes = documented_codes(responses)
            found = Operation(
                method=method,
                route=route,
                located=located,
                label=operation_label(method, route.template, located.value),
                codes=codes,
                default_code=default_code(codes),
                responses=responses,
                security=requirements_of(document, located.value),
            )
            self._operations[key] = found
        return found

    def _check(self, operation: Operation, parts: RequestParts, match: RouteMatch) -> None:
        if operation.checks is None:
            item = Located(match.route.item, match.route.pointer)
            operation.checks = RequestChecks(
                self._document, self._validators, item, operation.located
            )
        errors = operation.checks.errors(parts, match.parameters)
        if errors:
            raise Refused(
                422,
                f"The request does not match the description of {operation.label}",
                errors=[error.as_dict() for error in errors],
            )

    def _selection(
        self,
        operation: Operation,
        preferences: Preferences,
        accept: str | None,
        ranges: tuple[MediaRange, ...] | None,
    ) -> _Selection:
        dynamic = preferences.dynamic is True
        key: _SelectionKey = (operation, preferences.code, preferences.example, dynamic, accept)
        found = self._selections.get(key)
        if found is not None:
            return found
        found = self._select(operation, preferences, ranges, dynamic)
        if accept is None or self._accepts < MAX_CACHED_ACCEPTS:
            self._accepts += accept is not None
            self._selections[key] = found
        return found

    def _select(
        self,
        operation: Operation,
        preferences: Preferences,
        ranges: tuple[MediaRange, ...] | None,
        dynamic: bool,
    ) -> _Selection:
        document = self._document
        among: list[str] | None = None
        if preferences.example is not None:
            code, status, among = holding_example(
                document, operation, preferences.example, preferences.code
            )
        else:
            chosen = chosen_code(operation, preferences.code)
            if chosen is None:
                return Plan(None, None, GENERATED_SOURCE, (), ()), 200, None
            code, status = chosen
        response = response_of(document, operation, code)
        content = object_member(document, response, "content") if response is not None else None
        if content is None or not content.value:
            plan = self._plan((operation, code, None, None, dynamic, False), response, None, "")
            return plan, status, None
        media_key, content_type = media_type_for(content, among, ranges)
        key = (operation, code, media_key, preferences.example, dynamic, is_json_type(content_type))
        plan = self._plan(key, response, object_member(document, content, media_key), content_type)
        has_body = plan.body is not None or plan.schema is not None
        return plan, status, with_charset(content_type) if has_body else None

    def _plan(
        self, key: _PlanKey, response: Located | None, media: Located | None, content_type: str
    ) -> Plan:
        """The plan of one answer, made on first use (`key` names all it depends on)."""
        found = self._plans.get(key)
        if found is None:
            _, _, _, example, dynamic, _ = key
            found = plan_for(self._document, response, media, example, dynamic, content_type)
            self._plans[key] = found
        return found

    def _generated(
        self, operation: Operation, schema: Any, seed: int, budget: int = HEADER_BUDGET
    ) -> Any:
        try:
            return generate(schema, self._document, seed, budget=budget)
        except (GenerationLimit, RecursionError) as error:
            reason = str(error)[:300] or type(error).__name__
            raise Refused(
                500, f"The mock could not make data for {operation.label}: {reason}"
            ) from None


def _answered_methods(item: Mapping[str, Any]) -> list[str]:
    names = [name.upper() for name in METHODS if isinstance(item.get(name), dict)]
    if "GET" in names and "HEAD" not in names:
        names.append("HEAD")
    return names


def _seed(request: MockRequest, preferences: Preferences, method: str) -> int:
    digest = hashlib.sha256()
    for part in (
        method.upper().encode("ascii", "replace"),
        request.path.encode("utf-8", "surrogatepass"),
        request.query_string,
        request.body,
        (preferences.seed or "").encode("ascii"),
    ):
        digest.update(len(part).to_bytes(8, "big"))
        digest.update(part)
    return int.from_bytes(digest.digest()[:8], "big")


def _seed_of(seed: int, name: str) -> int:
    digest = hashlib.sha256(seed.to_bytes(8, "big") + name.encode("utf-8"))
    return int.from_bytes(digest.digest()[:8], "big")
