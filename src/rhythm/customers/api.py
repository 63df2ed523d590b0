"""Customers over the API: list (paginated, filtered), detail, create, update, archive.

Segments, accounts, contacts, opportunities and success plans have the same five
routes; each is declared once below (`Resource`) and registered by `crud_routes`.
Objectives, created under their plan, are written out at the end.
"""

import inspect
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db.models import F, Model, Prefetch, QuerySet
from django.shortcuts import get_object_or_404
from ninja import FilterSchema, Query, Router, Schema, Status
from ninja.pagination import paginate

from rhythm.core.api import ERROR_RESPONSES, Pagination, require_perm
from rhythm.core.http import AuthedRequest
from rhythm.customers import services
from rhythm.customers.filters import AccountChildFilter, AccountFilter, SegmentFilter
from rhythm.customers.models import (
    Account,
    Contact,
    Objective,
    Opportunity,
    Segment,
    SuccessPlan,
)
from rhythm.customers.schemas import (
    AccountIn,
    AccountOut,
    AccountPatch,
    ContactIn,
    ContactOut,
    ContactPatch,
    ObjectiveIn,
    ObjectiveOut,
    ObjectivePatch,
    OpportunityIn,
    OpportunityOut,
    OpportunityPatch,
    SegmentIn,
    SegmentOut,
    SegmentPatch,
    SuccessPlanIn,
    SuccessPlanOut,
    SuccessPlanPatch,
)

router = Router(tags=["customers"])
ONE = {**ERROR_RESPONSES}


def _changes(payload) -> dict:
    return payload.dict(exclude_unset=True)


# --- The five routes of a resource ------------------------------------------------


@dataclass(frozen=True)
class Resource:
    """A resource's routes, named as if each were written out (for `name="contact"`):

        GET   /contacts                         list_contacts     paginated, filtered
        GET   /contacts/{contact_id}            get_contact
        POST  /contacts                         create_contact    201, customers.add_contact
        PATCH /contacts/{contact_id}            update_contact    customers.change_contact
        POST  /contacts/{contact_id}/archive    archive_contact   customers.change_contact

    Every row is fetched through `rows`, the caller's view of the table: a row
    they may not see is a 404 before the right to change it is checked.
    """

    model: type[Model]
    path: str
    name: str
    plural: str
    schemas: tuple[type[Schema], type[Schema], type[Schema]]  # in, patch, out
    filters: type[FilterSchema]
    rows: Callable[[AuthedRequest], QuerySet[Any]]
    create: Callable[[AuthedRequest, dict[str, Any]], Model]
    update: Callable[[AuthedRequest, Any, dict[str, Any]], Model]
    archive: Callable[[Any], Model]
    id_param: str = ""  # the path parameter; `<name>_id` when empty
    list_doc: str | None = None
    # Reference data that is not restricted by user (segments): reading needs the
    # view right, and a change is refused before the lookup, as no row is hidden.
    view_perm: bool = False
    # Answer a write with the row as `rows` reads it: what the service returns lacks
    # what `rows` adds (a success plan's active objectives).
    reread: bool = False

    def perm(self, action: str) -> str:
        return f"{self.model._meta.app_label}.{action}_{self.model._meta.model_name}"


def _view(name: str, body: Callable[..., Any], params: dict[str, Any], doc: str | None = None):
    """A view named `name` taking `request` and `params` (name: annotation), as ninja
    reads a hand-written one: from its name, docstring and signature."""

    def view(request: AuthedRequest, **kwargs: Any) -> Any:
        return body(request, **kwargs)

    view.__name__ = view.__qualname__ = name
    view.__doc__ = doc
    parameters = [
        inspect.Parameter(key, inspect.Parameter.POSITIONAL_OR_KEYWORD, annotation=annotation)
        for key, annotation in {"request": AuthedRequest, **params}.items()
    ]
    view.__signature__ = inspect.Signature(parameters)  # type: ignore[attr-defined]
    return view


def crud_routes(router: Router, r: Resource) -> None:
    schema_in, schema_patch, schema_out = r.schemas
    id_param = r.id_param or f"{r.name}_id"
    item = f"{r.path}/{{{id_param}}}"

    def lookup(request: AuthedRequest, pk: int) -> Any:
        if r.view_perm:
            require_perm(request, r.perm("view"))
        return get_object_or_404(r.rows(request), pk=pk)

    def lookup_to_change(request: AuthedRequest, pk: int) -> Any:
        if r.view_perm:
            require_perm(request, r.perm("change"))
            return get_object_or_404(r.rows(request), pk=pk)
        obj = get_object_or_404(r.rows(request), pk=pk)
        require_perm(request, r.perm("change"))
        return obj

    def answer(request: AuthedRequest, obj: Model) -> Any:
        return r.rows(request).get(pk=obj.pk) if r.reread else obj

    def list_(request: AuthedRequest, filters: FilterSchema) -> Any:
        if r.view_perm:
            require_perm(request, r.perm("view"))
        return filters.filter(r.rows(request))

    def get(request: AuthedRequest, **path: int) -> Any:
        return lookup(request, path[id_param])

    def create(request: AuthedRequest, payload: Schema) -> Any:
        require_perm(request, r.perm("add"))
        return Status(201, answer(request, r.create(request, payload.dict())))

    def update(request: AuthedRequest, payload: Schema, **path: int) -> Any:
        obj = lookup_to_change(request, path[id_param])
        return answer(request, r.update(request, obj, _changes(payload)))

    def archive(request: AuthedRequest, **path: int) -> Any:
        obj = lookup_to_change(request, path[id_param])
        return answer(request, r.archive(obj))

    # Built at run time from the resource, so mypy cannot read them as types.
    page: Any = list[schema_out]  # type: ignore[valid-type]
    query: Any = Query[r.filters]  # type: ignore[misc,name-defined]
    one, ids = {200: schema_out, **ONE}, {id_param: int}
    listing = _view(f"list_{r.plural}", list_, {"filters": query}, r.list_doc)
    router.get(r.path, response={200: page, **ONE})(paginate(Pagination)(listing))
    router.get(item, response=one)(_view(f"get_{r.name}", get, ids))
    created = _view(f"create_{r.name}", create, {"payload": schema_in})
    router.post(r.path, response={201: schema_out, **ONE})(created)
    router.patch(item, response=one)(
        _view(f"update_{r.name}", update, {**ids, "payload": schema_patch})
    )
    router.post(f"{item}/archive", response=one)(_view(f"archive_{r.name}", archive, ids))


# --- Segments -----------------------------------------------------------------

crud_routes(
    router,
    Resource(
        model=Segment,
        path="/segments",
        name="segment",
        plural="segments",
        schemas=(SegmentIn, SegmentPatch, SegmentOut),
        filters=SegmentFilter,
        rows=lambda request: Segment.objects.all(),
        create=lambda request, data: services.save_segment(data),
        update=lambda request, segment, changes: services.save_segment(changes, segment),
        archive=services.archive,
        view_perm=True,
    ),
)

# --- Accounts -----------------------------------------------------------------

crud_routes(
    router,
    Resource(
        model=Account,
        path="/accounts",
        name="account",
        plural="accounts",
        schemas=(AccountIn, AccountPatch, AccountOut),
        filters=AccountFilter,
        rows=lambda request: Account.objects.visible_to(request.user).select_related("segment"),
        create=lambda request, data: services.save_account(data),
        update=lambda request, account, changes: services.save_account(changes, account),
        archive=services.archive,
        list_doc="Accounts you may see; filter by `segment`, `region`, `owner`, `csm`, `q`.",
    ),
)

# --- Contacts -----------------------------------------------------------------

crud_routes(
    router,
    Resource(
        model=Contact,
        path="/contacts",
        name="contact",
        plural="contacts",
        schemas=(ContactIn, ContactPatch, ContactOut),
        filters=AccountChildFilter,
        rows=lambda request: Contact.objects.visible_to(request.user),
        create=lambda request, data: services.save_contact(request.user, data),
        update=lambda request, contact, changes: services.save_contact(
            request.user, changes, contact
        ),
        archive=services.archive,
    ),
)

# --- Opportunities ------------------------------------------------------------

crud_routes(
    router,
    Resource(
        model=Opportunity,
        path="/opportunities",
        name="opportunity",
        plural="opportunities",
        schemas=(OpportunityIn, OpportunityPatch, OpportunityOut),
        filters=AccountChildFilter,
        rows=lambda request: Opportunity.objects.visible_to(request.user),
        create=lambda request, data: services.save_opportunity(request.user, data),
        update=lambda request, opportunity, changes: services.save_opportunity(
            request.user, changes, opportunity
        ),
        archive=services.archive,
    ),
)

# --- Success plans and objectives ---------------------------------------------


def _plans(request: AuthedRequest):
    # Objectives by due date, undated last on every database (SQLite sorts NULL first).
    objectives = Objective.objects.active().order_by(F("due_date").asc(nulls_last=True), "id")
    return SuccessPlan.objects.visible_to(request.user).prefetch_related(
        Prefetch("objectives", objectives, to_attr="active_objectives")
    )


def _create_plan(request: AuthedRequest, data: dict[str, Any]) -> SuccessPlan:
    objectives = data.pop("objectives")
    return services.save_success_plan(request.user, data, objectives=objectives)


crud_routes(
    router,
    Resource(
        model=SuccessPlan,
        path="/success-plans",
        name="success_plan",
        plural="success_plans",
        id_param="plan_id",
        schemas=(SuccessPlanIn, SuccessPlanPatch, SuccessPlanOut),
        filters=AccountChildFilter,
        rows=_plans,
        create=_create_plan,
        update=lambda request, plan, changes: services.save_success_plan(
            request.user, changes, plan
        ),
        archive=services.archive,
        reread=True,
    ),
)


@router.post("/success-plans/{plan_id}/objectives", response={201: ObjectiveOut, **ONE})
def create_objective(request: AuthedRequest, plan_id: int, payload: ObjectiveIn):
    plan = get_object_or_404(_plans(request), pk=plan_id)
    require_perm(request, "customers.add_objective")
    return Status(201, services.save_objective(payload.dict(), plan=plan))


@router.patch("/objectives/{objective_id}", response={200: ObjectiveOut, **ONE})
def update_objective(request: AuthedRequest, objective_id: int, payload: ObjectivePatch):
    objective = get_object_or_404(Objective.objects.visible_to(request.user), pk=objective_id)
    require_perm(request, "customers.change_objective")
    return services.save_objective(_changes(payload), objective)


@router.post("/objectives/{objective_id}/archive", response={200: ObjectiveOut, **ONE})
def archive_objective(request: AuthedRequest, objective_id: int):
    objective = get_object_or_404(Objective.objects.visible_to(request.user), pk=objective_id)
    require_perm(request, "customers.change_objective")
    return services.archive(objective)
