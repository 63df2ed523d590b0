"""Customers over the API: list (paginated, filtered), detail, create, update, archive."""

from django.db.models import F, Prefetch
from django.shortcuts import get_object_or_404
from ninja import Query, Router, Status
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


# --- Segments -----------------------------------------------------------------


@router.get("/segments", response={200: list[SegmentOut], **ONE})
@paginate(Pagination)
def list_segments(request: AuthedRequest, filters: Query[SegmentFilter]):
    require_perm(request, "customers.view_segment")
    return filters.filter(Segment.objects.all())


@router.get("/segments/{segment_id}", response={200: SegmentOut, **ONE})
def get_segment(request: AuthedRequest, segment_id: int):
    require_perm(request, "customers.view_segment")
    return get_object_or_404(Segment, pk=segment_id)


@router.post("/segments", response={201: SegmentOut, **ONE})
def create_segment(request: AuthedRequest, payload: SegmentIn):
    require_perm(request, "customers.add_segment")
    return Status(201, services.save_segment(payload.dict()))


@router.patch("/segments/{segment_id}", response={200: SegmentOut, **ONE})
def update_segment(request: AuthedRequest, segment_id: int, payload: SegmentPatch):
    require_perm(request, "customers.change_segment")
    segment = get_object_or_404(Segment, pk=segment_id)
    return services.save_segment(_changes(payload), segment)


@router.post("/segments/{segment_id}/archive", response={200: SegmentOut, **ONE})
def archive_segment(request: AuthedRequest, segment_id: int):
    require_perm(request, "customers.change_segment")
    return services.archive(get_object_or_404(Segment, pk=segment_id))


# --- Accounts -----------------------------------------------------------------


def _accounts(request: AuthedRequest):
    return Account.objects.visible_to(request.user).select_related("segment")


@router.get("/accounts", response={200: list[AccountOut], **ONE})
@paginate(Pagination)
def list_accounts(request: AuthedRequest, filters: Query[AccountFilter]):
    """Accounts you may see; filter by `segment`, `region`, `owner`, `csm`, `q`."""
    return filters.filter(_accounts(request))


@router.get("/accounts/{account_id}", response={200: AccountOut, **ONE})
def get_account(request: AuthedRequest, account_id: int):
    return get_object_or_404(_accounts(request), pk=account_id)


@router.post("/accounts", response={201: AccountOut, **ONE})
def create_account(request: AuthedRequest, payload: AccountIn):
    require_perm(request, "customers.add_account")
    return Status(201, services.save_account(payload.dict()))


@router.patch("/accounts/{account_id}", response={200: AccountOut, **ONE})
def update_account(request: AuthedRequest, account_id: int, payload: AccountPatch):
    account = get_object_or_404(_accounts(request), pk=account_id)
    require_perm(request, "customers.change_account")
    return services.save_account(_changes(payload), account)


@router.post("/accounts/{account_id}/archive", response={200: AccountOut, **ONE})
def archive_account(request: AuthedRequest, account_id: int):
    account = get_object_or_404(_accounts(request), pk=account_id)
    require_perm(request, "customers.change_account")
    return services.archive(account)


# --- Contacts -----------------------------------------------------------------


@router.get("/contacts", response={200: list[ContactOut], **ONE})
@paginate(Pagination)
def list_contacts(request: AuthedRequest, filters: Query[AccountChildFilter]):
    return filters.filter(Contact.objects.visible_to(request.user))


@router.get("/contacts/{contact_id}", response={200: ContactOut, **ONE})
def get_contact(request: AuthedRequest, contact_id: int):
    return get_object_or_404(Contact.objects.visible_to(request.user), pk=contact_id)


@router.post("/contacts", response={201: ContactOut, **ONE})
def create_contact(request: AuthedRequest, payload: ContactIn):
    require_perm(request, "customers.add_contact")
    return Status(201, services.save_contact(request.user, payload.dict()))


@router.patch("/contacts/{contact_id}", response={200: ContactOut, **ONE})
def update_contact(request: AuthedRequest, contact_id: int, payload: ContactPatch):
    contact = get_object_or_404(Contact.objects.visible_to(request.user), pk=contact_id)
    require_perm(request, "customers.change_contact")
    return services.save_contact(request.user, _changes(payload), contact)


@router.post("/contacts/{contact_id}/archive", response={200: ContactOut, **ONE})
def archive_contact(request: AuthedRequest, contact_id: int):
    contact = get_object_or_404(Contact.objects.visible_to(request.user), pk=contact_id)
    require_perm(request, "customers.change_contact")
    return services.archive(contact)


# --- Opportunities ------------------------------------------------------------


@router.get("/opportunities", response={200: list[OpportunityOut], **ONE})
@paginate(Pagination)
def list_opportunities(request: AuthedRequest, filters: Query[AccountChildFilter]):
    return filters.filter(Opportunity.objects.visible_to(request.user))


@router.get("/opportunities/{opportunity_id}", response={200: OpportunityOut, **ONE})
def get_opportunity(request: AuthedRequest, opportunity_id: int):
    return get_object_or_404(Opportunity.objects.visible_to(request.user), pk=opportunity_id)


@router.post("/opportunities", response={201: OpportunityOut, **ONE})
def create_opportunity(request: AuthedRequest, payload: OpportunityIn):
    require_perm(request, "customers.add_opportunity")
    return Status(201, services.save_opportunity(request.user, payload.dict()))


@router.patch("/opportunities/{opportunity_id}", response={200: OpportunityOut, **ONE})
def update_opportunity(request: AuthedRequest, opportunity_id: int, payload: OpportunityPatch):
    opportunity = get_object_or_404(Opportunity.objects.visible_to(request.user), pk=opportunity_id)
    require_perm(request, "customers.change_opportunity")
    return services.save_opportunity(request.user, _changes(payload), opportunity)


@router.post("/opportunities/{opportunity_id}/archive", response={200: OpportunityOut, **ONE})
def archive_opportunity(request: AuthedRequest, opportunity_id: int):
    opportunity = get_object_or_404(Opportunity.objects.visible_to(request.user), pk=opportunity_id)
    require_perm(request, "customers.change_opportunity")
    return services.archive(opportunity)


# --- Success plans and objectives ---------------------------------------------


def _plans(request: AuthedRequest):
    # Objectives by due date, undated last on every database (SQLite sorts NULL first).
    objectives = Objective.objects.active().order_by(F("due_date").asc(nulls_last=True), "id")
    return SuccessPlan.objects.visible_to(request.user).prefetch_related(
        Prefetch("objectives", objectives, to_attr="active_objectives")
    )


@router.get("/success-plans", response={200: list[SuccessPlanOut], **ONE})
@paginate(Pagination)
def list_success_plans(request: AuthedRequest, filters: Query[AccountChildFilter]):
    return filters.filter(_plans(request))


@router.get("/success-plans/{plan_id}", response={200: SuccessPlanOut, **ONE})
def get_success_plan(request: AuthedRequest, plan_id: int):
    return get_object_or_404(_plans(request), pk=plan_id)


@router.post("/success-plans", response={201: SuccessPlanOut, **ONE})
def create_success_plan(request: AuthedRequest, payload: SuccessPlanIn):
    require_perm(request, "customers.add_successplan")
    data = payload.dict()
    objectives = data.pop("objectives")
    plan = services.save_success_plan(request.user, data, objectives=objectives)
    return Status(201, _plans(request).get(pk=plan.pk))


@router.patch("/success-plans/{plan_id}", response={200: SuccessPlanOut, **ONE})
def update_success_plan(request: AuthedRequest, plan_id: int, payload: SuccessPlanPatch):
    plan = get_object_or_404(_plans(request), pk=plan_id)
    require_perm(request, "customers.change_successplan")
    services.save_success_plan(request.user, _changes(payload), plan)
    return _plans(request).get(pk=plan.pk)


@router.post("/success-plans/{plan_id}/archive", response={200: SuccessPlanOut, **ONE})
def archive_success_plan(request: AuthedRequest, plan_id: int):
    plan = get_object_or_404(_plans(request), pk=plan_id)
    require_perm(request, "customers.change_successplan")
    services.archive(plan)
    return _plans(request).get(pk=plan.pk)


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
