from __future__ import annotations

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from rhythm.core import services
from rhythm.core.models import ApiToken, OutboundMessage

admin.site.site_header = "Rhythm administration"
admin.site.site_title = "Rhythm admin"
admin.site.index_title = "Every model, for admins"


class DomainAdmin(SimpleHistoryAdmin):
    """Admin for domain rows: history on every change, archive instead of delete."""

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def get_readonly_fields(self, request, obj=None):
        return (*super().get_readonly_fields(request, obj), "archived_at", "created_at")


class ReadOnlyAdmin(admin.ModelAdmin):
    """Admin for rows a run, a task or a person's public link wrote: found and read
    here, never added, changed or deleted."""

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


class RecordAdmin(SimpleHistoryAdmin):
    """Admin that shows rows whose changes belong to a workflow: they are made
    through the pages, the API and the CLI, where the rules are checked, so the
    admin only finds and reads them."""

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(OutboundMessage)
class OutboundMessageAdmin(admin.ModelAdmin):
    list_display = ["subject", "status", "attempts", "created_at", "sent_at"]
    list_filter = ["status", "channel"]
    search_fields = ["subject", "idempotency_key"]
    readonly_fields = [f.name for f in OutboundMessage._meta.fields]
    actions = ["retry"]

    def has_add_permission(self, request) -> bool:
        return False

    @admin.action(description="Retry the selected failed messages", permissions=["change"])
    def retry(self, request, queryset) -> None:
        retried = sum(services.retry_message(pk) for pk in queryset.values_list("pk", flat=True))
        self.message_user(request, f"{retried} failed message(s) queued again.")

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ["name", "user", "prefix", "created_at", "last_used_at", "revoked_at"]
    # Only the name may change: a token moved to another user, or un-revoked,
    # would act for someone who never saw it created.
    readonly_fields = ["user", "prefix", "key_hash", "created_at", "last_used_at", "revoked_at"]
    list_filter = ["revoked_at"]
    actions = ["revoke"]

    def has_add_permission(self, request) -> bool:
        # A token's secret is shown once at creation: use the CLI, API or tokens page.
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False  # revoke instead: a revoked token still shows who used what, when

    @admin.action(description="Revoke the selected tokens", permissions=["change"])
    def revoke(self, request, queryset) -> None:
        for token in queryset:
            services.revoke_token(token)
        self.message_user(request, f"{queryset.count()} token(s) revoked.")
