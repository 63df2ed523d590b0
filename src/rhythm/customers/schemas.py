"""API schemas for customers: what goes in (validated) and what comes out."""

from datetime import date, datetime
from decimal import Decimal

from ninja import Schema
from pydantic import EmailStr, Field

from rhythm.customers.choices import HealthStatus, OpportunityStage

Money = Decimal
NAME = Field(min_length=1, max_length=200)


class Timestamps(Schema):
    created_at: datetime
    updated_at: datetime
    archived_at: datetime | None


# --- Segments -----------------------------------------------------------------


class SegmentIn(Schema):
    name: str = Field(min_length=1, max_length=100)
    arr_floor: Money = Field(ge=0, max_digits=14, decimal_places=2)
    arr_ceiling: Money = Field(ge=0, max_digits=14, decimal_places=2)


class SegmentPatch(Schema):
    name: str | None = Field(None, min_length=1, max_length=100)
    arr_floor: Money | None = Field(None, ge=0, max_digits=14, decimal_places=2)
    arr_ceiling: Money | None = Field(None, ge=0, max_digits=14, decimal_places=2)


class SegmentOut(Timestamps):
    id: int
    name: str
    arr_floor: Money
    arr_ceiling: Money


# --- Accounts -----------------------------------------------------------------


class AccountIn(Schema):
    name: str = NAME
    crm_id: str = Field(min_length=1, max_length=64)
    segment: int
    region: str = Field(min_length=1, max_length=16)
    arr: Money = Field(ge=0, max_digits=14, decimal_places=2)
    lam: Money = Field(ge=0, max_digits=14, decimal_places=2)
    renewal_date: date | None = None
    employees: int | None = Field(None, ge=0, le=10_000_000)
    licenses_purchased: int = Field(0, ge=0, le=100_000_000)
    licenses_used: int = Field(0, ge=0, le=100_000_000)
    industry: str = Field("", max_length=100)
    account_owner: int | None = None
    csm: int | None = None


class AccountPatch(Schema):
    name: str | None = Field(None, min_length=1, max_length=200)
    crm_id: str | None = Field(None, min_length=1, max_length=64)
    segment: int | None = None
    region: str | None = Field(None, min_length=1, max_length=16)
    arr: Money | None = Field(None, ge=0, max_digits=14, decimal_places=2)
    lam: Money | None = Field(None, ge=0, max_digits=14, decimal_places=2)
    renewal_date: date | None = None
    employees: int | None = Field(None, ge=0, le=10_000_000)
    licenses_purchased: int | None = Field(None, ge=0, le=100_000_000)
    licenses_used: int | None = Field(None, ge=0, le=100_000_000)
    industry: str | None = Field(None, max_length=100)
    account_owner: int | None = None
    csm: int | None = None


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


class ContactIn(Schema):
    account: int
    name: str = NAME
    email: EmailStr
    title: str = Field("", max_length=200)
    phone: str = Field("", max_length=50)


class ContactPatch(Schema):
    name: str | None = Field(None, min_length=1, max_length=200)
    email: EmailStr | None = None
    title: str | None = Field(None, max_length=200)
    phone: str | None = Field(None, max_length=50)


class ContactOut(Timestamps):
    id: int
    account: int = Field(alias="account_id")
    name: str
    email: str
    title: str
    phone: str


# --- Opportunities ------------------------------------------------------------


class OpportunityIn(Schema):
    account: int
    crm_id: str = Field(min_length=1, max_length=64)
    name: str = NAME
    stage: OpportunityStage = OpportunityStage.QUALIFICATION
    amount: Money = Field(Decimal("0"), ge=0, max_digits=14, decimal_places=2)
    close_date: date | None = None
    owner: int | None = None
    is_open: bool = True


class OpportunityPatch(Schema):
    crm_id: str | None = Field(None, min_length=1, max_length=64)
    name: str | None = Field(None, min_length=1, max_length=200)
    stage: OpportunityStage | None = None
    amount: Money | None = Field(None, ge=0, max_digits=14, decimal_places=2)
    close_date: date | None = None
    owner: int | None = None
    is_open: bool | None = None


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


class ObjectiveIn(Schema):
    title: str = NAME
    status: HealthStatus = HealthStatus.GREEN
    progress: int = Field(0, ge=0, le=100)
    due_date: date | None = None


class ObjectivePatch(Schema):
    title: str | None = Field(None, min_length=1, max_length=200)
    status: HealthStatus | None = None
    progress: int | None = Field(None, ge=0, le=100)
    due_date: date | None = None


class ObjectiveOut(Timestamps):
    id: int
    success_plan: int = Field(alias="success_plan_id")
    title: str
    status: HealthStatus
    progress: int
    due_date: date | None


class SuccessPlanIn(Schema):
    account: int
    name: str = NAME
    summary: str = Field("", max_length=10_000)
    objectives: list[ObjectiveIn] = Field(default_factory=list, max_length=100)


class SuccessPlanPatch(Schema):
    name: str | None = Field(None, min_length=1, max_length=200)
    summary: str | None = Field(None, max_length=10_000)


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
