"""API schemas for customers: what goes in (validated) and what comes out."""

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated

from ninja import Schema
from pydantic import EmailStr, Field

from rhythm.core.api import Body, Id, Text, unchanged
from rhythm.customers.choices import ContactRole, HealthStatus, OpportunityStage

NAME = Field(min_length=1, max_length=200)
# Money in: never negative, at most 12 digits before the point and 2 after.
MoneyIn = Annotated[Decimal, Field(ge=0, max_digits=14, decimal_places=2)]
Money = Decimal


class Timestamps(Schema):
    created_at: datetime
    updated_at: datetime
    archived_at: datetime | None


# --- Segments -----------------------------------------------------------------


class SegmentIn(Body):
    name: Text = Field(min_length=1, max_length=100)
    arr_floor: MoneyIn
    arr_ceiling: MoneyIn
    eligible_for_cse: bool = Field(True, description="Its accounts may ask for CSE help.")


class SegmentPatch(Body):
    name: Text = unchanged(min_length=1, max_length=100)
    arr_floor: MoneyIn = unchanged()
    arr_ceiling: MoneyIn = unchanged()
    eligible_for_cse: bool = unchanged()


class SegmentOut(Timestamps):
    id: int
    name: str
    arr_floor: Money
    arr_ceiling: Money
    eligible_for_cse: bool


# --- Accounts -----------------------------------------------------------------


class AccountIn(Body):
    name: Text = NAME
    crm_id: Text = Field(min_length=1, max_length=64)
    segment: Id
    region: Text = Field(min_length=1, max_length=16)
    arr: MoneyIn
    lam: MoneyIn
    renewal_date: date | None = None
    employees: int | None = Field(None, ge=0, le=10_000_000)
    licenses_purchased: int = Field(0, ge=0, le=100_000_000)
    licenses_used: int = Field(0, ge=0, le=100_000_000)
    industry: Text = Field("", max_length=100)
    account_owner: Id | None = None
    csm: Id | None = None


class AccountPatch(Body):
    """Send only what changes; null clears the fields that may be empty."""

    name: Text = unchanged(min_length=1, max_length=200)
    crm_id: Text = unchanged(min_length=1, max_length=64)
    segment: Id = unchanged()
    region: Text = unchanged(min_length=1, max_length=16)
    arr: MoneyIn = unchanged()
    lam: MoneyIn = unchanged()
    renewal_date: date | None = None
    employees: int | None = Field(None, ge=0, le=10_000_000)
    licenses_purchased: int = unchanged(ge=0, le=100_000_000)
    licenses_used: int = unchanged(ge=0, le=100_000_000)
    industry: Text = unchanged(max_length=100)
    account_owner: Id | None = None
    csm: Id | None = None


class AccountOut(Timestamps):
    id: int
    name: str
    crm_id: str
    segment: int = Field(alias="segment_id")
    segment_name: str = Field(alias="segment.name")
    region: str
    arr: Money
    lam: Money
    renewal_date: date | None
    employees: int | None
    licenses_purchased: int
    licenses_used: int
    industry: str
    account_owner: int | None = Field(alias="account_owner_id")
    csm: int | None = Field(alias="csm_id")


# --- Contacts -----------------------------------------------------------------


class ContactIn(Body):
    account: Id
    name: Text = NAME
    email: EmailStr = Field(max_length=254)
    title: Text = Field("", max_length=200)
    role: ContactRole = ContactRole.UNSPECIFIED
    phone: Text = Field("", max_length=50)


class ContactPatch(Body):
    name: Text = unchanged(min_length=1, max_length=200)
    email: EmailStr = unchanged(max_length=254)
    title: Text = unchanged(max_length=200)
    role: ContactRole = unchanged()
    phone: Text = unchanged(max_length=50)


class ContactOut(Timestamps):
    id: int
    account: int = Field(alias="account_id")
    name: str
    email: str
    title: str
    role: ContactRole
    phone: str


# --- Opportunities ------------------------------------------------------------


class OpportunityIn(Body):
    account: Id
    crm_id: Text = Field(min_length=1, max_length=64)
    name: Text = NAME
    stage: OpportunityStage = OpportunityStage.QUALIFICATION
    amount: MoneyIn = Decimal("0")
    close_date: date | None = None
    owner: Id | None = None
    is_open: bool = True


class OpportunityPatch(Body):
    crm_id: Text = unchanged(min_length=1, max_length=64)
    name: Text = unchanged(min_length=1, max_length=200)
    stage: OpportunityStage = unchanged()
    amount: MoneyIn = unchanged()
    close_date: date | None = None
    owner: Id | None = None
    is_open: bool = unchanged()


class OpportunityOut(Timestamps):
    id: int
    account: int = Field(alias="account_id")
    crm_id: str
    name: str
    stage: OpportunityStage
    amount: Money
    close_date: date | None
    owner: int | None = Field(alias="owner_id")
    is_open: bool


# --- Success plans and objectives ---------------------------------------------


class ObjectiveIn(Body):
    title: Text = NAME
    status: HealthStatus = HealthStatus.GREEN
    progress: int = Field(0, ge=0, le=100)
    due_date: date | None = None


class ObjectivePatch(Body):
    title: Text = unchanged(min_length=1, max_length=200)
    status: HealthStatus = unchanged()
    progress: int = unchanged(ge=0, le=100)
    due_date: date | None = None


class ObjectiveOut(Timestamps):
    id: int
    success_plan: int = Field(alias="success_plan_id")
    title: str
    status: HealthStatus
    progress: int
    due_date: date | None


class SuccessPlanIn(Body):
    account: Id
    name: Text = NAME
    summary: Text = Field("", max_length=10_000)
    objectives: list[ObjectiveIn] = Field(default_factory=list, max_length=100)


class SuccessPlanPatch(Body):
    name: Text = unchanged(min_length=1, max_length=200)
    summary: Text = unchanged(max_length=10_000)


class SuccessPlanOut(Timestamps):
    id: int
    account: int = Field(alias="account_id")
    name: str
    summary: str
    objectives: list[ObjectiveOut]

    @staticmethod
    def resolve_objectives(obj) -> list:
        # Prefetched by the views as `active_objectives`: no query per plan.
        if hasattr(obj, "active_objectives"):
            return obj.active_objectives
        return list(obj.objectives.active())
