"""Routes of cases: `/apis/{api_id}/cases` and `/cases/{case_id}`.

Those who write the docs (write_docs) make and change cases, those who read them (read_docs)
read them. A case is checked when written: 422 with JSON Pointers into the body as sent.
"""

from __future__ import annotations

from fastapi import APIRouter, status

from apidock.apis.dependencies import ApiDep
from apidock.cases import service
from apidock.cases.dependencies import CaseDep
from apidock.cases.models import ContractCase
from apidock.cases.schemas import CaseCreate, CasePage, CaseRead, CaseUpdate
from apidock.catalog.dependencies import DocsReader, DocsWriter
from apidock.catalog.routes import ONE_ERRORS, Record
from apidock.db.pages import paginate
from apidock.http.dependencies import SessionDep, WorkDep
from apidock.http.errors import error_responses
from apidock.http.pages import PageDep
from apidock.schemas import Envelope

router = APIRouter(tags=["cases"])
OF_API = "/apis/{api_id:int}/cases"
CASES: Record[ContractCase] = Record(
    router, "case", "Case", "/cases/{case_id:int}", CaseDep, CaseRead
)


@router.post(
    OF_API,
    status_code=status.HTTP_201_CREATED,
    responses=error_responses(400, 401, 403, 404, 409, 422),
)
async def create_case(
    _: DocsWriter, api: ApiDep, case_in: CaseCreate, work: WorkDep
) -> Envelope[CaseRead]:
    """Create a case of the API, checked against the API and its expectations' grammar.
    Requires: write_docs."""
    row = await service.create(work, api=api, case_in=case_in)
    return Envelope(message="Case created.", data=CaseRead.model_validate(row))


@router.get(OF_API, responses=error_responses(*ONE_ERRORS))
async def list_cases(
    _: DocsReader, api: ApiDep, session: SessionDep, page: PageDep
) -> Envelope[CasePage]:
    """A page of the API's cases, by name. Requires: read_docs."""
    rows, meta = await paginate(session, service.search(api_id=api.id), page)
    return Envelope(data=CasePage.model_validate(meta | {"cases": rows}))


CASES.add_read("Read a case. Requires: read_docs.")
CASES.add_update(
    CaseUpdate,
    service.update,
    "Change a case; `request` and `expect` are replaced whole. Requires: write_docs.",
)
CASES.add_delete(service.delete, "Soft-delete a case. Requires: write_docs.")
