from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from rhythm.campaigns.models import AccountOptOut, Campaign, CampaignRun, CampaignSend, Unsubscribe


@admin.register(Campaign)
class CampaignAdmin(SimpleHistoryAdmin):
    list_display = ("name", "state", "schedule", "author", "approved_by")
    list_filter = ("state",)
    # State moves go through the workflow (the campaign page), not the admin.
    readonly_fields = ("state", "approved_by", "approved_at", "last_run_at", "author")


@admin.register(CampaignRun)
class CampaignRunAdmin(admin.ModelAdmin):
    list_display = ("campaign", "started_at", "accounts_sent", "emails_written")


@admin.register(CampaignSend)
class CampaignSendAdmin(admin.ModelAdmin):
    list_display = ("campaign", "account", "cse", "sent_at")
    raw_id_fields = ("account", "run")


@admin.register(AccountOptOut)
class AccountOptOutAdmin(SimpleHistoryAdmin):
    list_display = ("account", "reason", "by", "at")
    raw_id_fields = ("account",)


@admin.register(Unsubscribe)
class UnsubscribeAdmin(admin.ModelAdmin):
    list_display = ("contact", "campaign", "at")
    raw_id_fields = ("contact",)
