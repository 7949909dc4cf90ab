"""Cases: made, listed, changed and soft-deleted per API, each checked when written.

Decisions:
- Names are unique among an API's live cases (409), checked under the API's row lock; a run
  names its results by them.
- A case's request fits its API: its `path` gives exactly the parameters of the API's path
  template, and an `example` is one the operation documents, a key of `examples` under a
  media type of its `requestBody` (a `$ref` to the app's `components.requestBodies` is
  followed). Each refusal is a 422 whose `field` is a JSON Pointer into the body as sent.
- `expect` is checked by `apidock.contracts.expectations.validate_expect`, whose problems are
  pointers into the case as well (`/expect/body/0/path`).
- Audit rows name the API and what changed, never the values of a request (a header may carry
  a credential written in the clear).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import Select
from sqlalchemy.ext.asyncio import AsyncSession

from apidock.apis.models import Api
from apidock.apis.schemas import path_parameters
from apidock.apps.models import App
from apidock.cases.models import ContractCase
from apidock.cases.schemas import CaseCreate, CaseRequest, CaseUpdate
from apidock.catalog import service as catalog
from apidock.contracts.expectations import CaseInvalid, validate_expect
from apidock.db.queries import lock_row, lock_row_and_reload
from apidock.descriptions.json_values import local_target
from apidock.errors import Conflict, NotFound, Unprocessable
from apidock.work import Action, UnitOfWork

MAX_CASES_PER_API = 1000
# `$ref`s followed from an operation's requestBody to the component it names
_MAX_REF_HOPS = 8


class CaseAction(Action):
    CREATE = "case.create"
    UPDATE = "case.update"
    DELETE = "case.delete"


def search(*, api_id: int) -> Select[ContractCase]:
    """The live cases of the API `api_id`, by name."""
    return catalog.live_rows(
        ContractCase, ContractCase.name, ContractCase.id, equal={ContractCase.api_id: api_id}
    )


def _refused(problems: list[tuple[str, str]]) -> Unprocessable:
    """422 listing `problems` (JSON Pointer into the body, message)."""
    return Unprocessable(
        problems[0][1] if len(problems) == 1 else "The case is not valid",
        data=[
            {"field": pointer, "message": message, "type": "value_error"}
            for pointer, message in problems
        ],
    )


def _check_expect(expect: Mapping[str, Any]) -> None:
    try:
        validate_expect(expect)
    except CaseInvalid as invalid:
        # its pointers are into the case already (`/expect/body/0/path`)
        raise _refused(invalid.problems) from None


def _escaped(token: str) -> str:
    """`token` as one reference token of a JSON Pointer (RFC 6901)."""
    return token.replace("~", "~0").replace("/", "~1")


def _path_problems(template: str, given: Mapping[str, str]) -> list[tuple[str, str]]:
    expected = path_parameters(template)
    problems = [
        (f"/request/path/{_escaped(name)}", f"{name!r} is not a parameter of {template}")
        for name in given
        if name not in expected
    ]
    missing = [name for name in expected if name not in given]
    if missing:
        listed = ", ".join(repr(name) for name in missing)
        problems.append(("/request/path", f"gives no value for {listed} of {template}"))
    return problems


def _request_body(operation: Mapping[str, Any], components: Any) -> Any:
    """The operation's Request Body Object, its `$ref`s into `components` followed."""
    body = operation.get("requestBody")
    document = {"components": components or {}}
    for _ in range(_MAX_REF_HOPS):
        if not isinstance(body, Mapping) or not isinstance(body.get("$ref"), str):
            break
        body = local_target(document, body["$ref"])
    return body


def documented_examples(operation: Mapping[str, Any] | None, components: Any) -> list[str]:
    """The names of the request-body examples `operation` documents, by media type in order."""
    body = _request_body(operation or {}, components)
    content = body.get("content") if isinstance(body, Mapping) else None
    names: list[str] = []
    for media in (content or {}).values() if isinstance(content, Mapping) else ():
        examples = media.get("examples") if isinstance(media, Mapping) else None
        if isinstance(examples, Mapping):
            names += [name for name in examples if name not in names]
    return names


async def _example_problems(session: AsyncSession, api: Api, example: str) -> list[tuple[str, str]]:
    app = await session.get(App, api.app_id) if api.app_id is not None else None
    documented = documented_examples(api.operation, app.components if app else None)
    if example in documented:
        return []
    if not documented:
        message = "the API's operation documents no request-body example"
    else:
        message = f"not an example of the API's request body (documented: {', '.join(documented)})"
    return [("/request/example", message)]


async def _check_request(session: AsyncSession, api: Api, request: CaseRequest) -> None:
    """422 unless `request` gives the API's path parameters and a documented example."""
    problems = _path_problems(api.request_url, request.path)
    if request.example is not None:
        problems += await _example_problems(session, api, request.example)
    if problems:
        raise _refused(problems)


async def _ensure_unique_name(
    session: AsyncSession, *, api_id: int, name: str, exclude_id: int | None
) -> None:
    same = (ContractCase.api_id == api_id, ContractCase.name == name)
    if await catalog.count_live(session, ContractCase, *same, other_than=exclude_id):
        raise Conflict(f"The API already has a case named {name!r}")


async def create(work: UnitOfWork, *, api: Api, case_in: CaseCreate) -> ContractCase:
    """A new case of `api`, once its request fits the API and its expectations are valid."""
    session = work.session
    _check_expect(case_in.expect)
    # one change of the API's cases at a time: the checks see every committed sibling
    await lock_row(session, Api, api.id)
    if await work.live(Api, api.id) is None:
        raise NotFound("API not found")
    await _check_request(session, api, case_in.request)
    await _ensure_unique_name(session, api_id=api.id, name=case_in.name, exclude_id=None)
    holds = f"An API holds at most {MAX_CASES_PER_API} cases"
    await catalog.ensure_room(session, ContractCase.api_id, api.id, holds, MAX_CASES_PER_API)
    row = ContractCase(
        api_id=api.id,
        name=case_in.name,
        request=case_in.request.stored(),
        expect=case_in.expect,
        contract=case_in.contract,
        follow_redirects=case_in.follow_redirects,
    )
    session.add(row)
    await work.audit(CaseAction.CREATE, row, {"api_id": api.id, "name": row.name})
    return row


async def update(work: UnitOfWork, *, case: ContractCase, case_in: CaseUpdate) -> ContractCase:
    """`case` with the fields given changed; `request` and `expect` are replaced whole."""
    session = work.session
    values: dict[str, Any] = {
        name: getattr(case_in, name) for name in case_in.model_fields_set if name != "request"
    }
    if case_in.request is not None:
        values["request"] = case_in.request.stored()
    if case_in.expect is not None:
        _check_expect(case_in.expect)
    if not await lock_row_and_reload(session, Api, case.api_id, case):
        raise NotFound("Case not found")
    api = await work.live(Api, case.api_id)
    if api is None:
        raise NotFound("Case not found")
    if case_in.request is not None:
        await _check_request(session, api, case_in.request)
    if values.get("name", case.name) != case.name:
        await _ensure_unique_name(
            session, api_id=case.api_id, name=values["name"], exclude_id=case.id
        )
    changed = sorted(name for name, value in values.items() if getattr(case, name) != value)
    for name, value in values.items():
        setattr(case, name, value)
    await work.audit(CaseAction.UPDATE, case, {"api_id": case.api_id, "changed": changed})
    return case


async def delete(work: UnitOfWork, *, case: ContractCase) -> None:
    """Soft-delete `case`."""
    await lock_row(work.session, Api, case.api_id)
    await catalog.delete(work, CaseAction.DELETE, case)
