from django.contrib import admin

from rhythm.campaigns.models import AccountOptOut, Campaign, CampaignRun, CampaignSend, Unsubscribe
from rhythm.core.admin import DomainAdmin, ReadOnlyAdmin, RecordAdmin


@admin.register(Campaign)
class CampaignAdmin(DomainAdmin):
    list_display = ("name", "state", "schedule", "author", "approved_by")
    list_filter = ("state",)
    # State moves go through the workflow (the campaign page), not the admin.
    readonly_fields = ("state", "approved_by", "approved_at", "last_run_at", "author")


@admin.register(CampaignRun)
class CampaignRunAdmin(ReadOnlyAdmin):
    list_display = ("campaign", "started_at", "accounts_sent", "emails_written")


@admin.register(CampaignSend)
class CampaignSendAdmin(ReadOnlyAdmin):
    list_display = ("campaign", "account", "cse", "sent_at")


@admin.register(AccountOptOut)
class AccountOptOutAdmin(RecordAdmin):
    list_display = ("account", "reason", "by", "at")

    def has_add_permission(self, request, obj=None) -> bool:
        return True  # the account team's word, entered by an admin


@admin.register(Unsubscribe)
class UnsubscribeAdmin(ReadOnlyAdmin):
    list_display = ("contact", "campaign", "at")
