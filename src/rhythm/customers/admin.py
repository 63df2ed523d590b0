from django.contrib import admin

from rhythm.core.admin import DomainAdmin
from rhythm.customers.models import Account, Contact, Objective, Opportunity, Segment, SuccessPlan


@admin.register(Segment)
class SegmentAdmin(DomainAdmin):
    list_display = ["name", "arr_floor", "arr_ceiling", "archived_at"]


class ContactInline(admin.TabularInline):
    model = Contact
    extra = 0
    can_delete = False


@admin.register(Account)
class AccountAdmin(DomainAdmin):
    list_display = ["name", "crm_id", "segment", "region", "arr", "renewal_date", "archived_at"]
    list_filter = ["segment", "region"]
    search_fields = ["name", "crm_id"]
    list_select_related = ["segment"]
    autocomplete_fields = ["account_owner", "csm"]
    inlines = [ContactInline]


@admin.register(Contact)
class ContactAdmin(DomainAdmin):
    list_display = ["name", "email", "account"]
    search_fields = ["name", "email"]
    list_select_related = ["account"]
    autocomplete_fields = ["account"]


@admin.register(Opportunity)
class OpportunityAdmin(DomainAdmin):
    list_display = ["name", "crm_id", "account", "stage", "amount", "close_date", "is_open"]
    list_filter = ["stage", "is_open"]
    search_fields = ["name", "crm_id"]
    list_select_related = ["account"]
    autocomplete_fields = ["account", "owner"]


class ObjectiveInline(admin.TabularInline):
    model = Objective
    extra = 0
    can_delete = False


@admin.register(SuccessPlan)
class SuccessPlanAdmin(DomainAdmin):
    list_display = ["name", "account"]
    search_fields = ["name", "account__name"]
    list_select_related = ["account"]
    autocomplete_fields = ["account"]
    inlines = [ObjectiveInline]


@admin.register(Objective)
class ObjectiveAdmin(DomainAdmin):
    list_display = ["title", "success_plan", "status", "progress", "due_date"]
    list_filter = ["status"]
    list_select_related = ["success_plan"]
