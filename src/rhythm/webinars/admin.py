from django.contrib import admin

from rhythm.core.admin import ReadOnlyAdmin, RecordAdmin
from rhythm.webinars.models import (
    EnvironmentRequest,
    LabTemplate,
    Redemption,
    Registration,
    Webinar,
)

CODES = ("production_code", "testing_code")


@admin.register(LabTemplate)
class LabTemplateAdmin(RecordAdmin):
    list_display = ["name", "access_days"]
    search_fields = ["name"]


@admin.register(Webinar)
class WebinarAdmin(RecordAdmin):
    list_display = ["title", "kind", "region", "starts_at", "status", "host"]
    list_filter = ["kind", "region", "status"]
    search_fields = ["title"]
    list_select_related = ["host"]
    filter_horizontal = ["helpers"]


@admin.register(Registration)
class RegistrationAdmin(RecordAdmin):
    list_display = ["email", "name", "company", "webinar", "status", "attended"]
    list_filter = ["status", "attended"]
    search_fields = ["email", "name", "company"]
    list_select_related = ["webinar"]
    exclude = ["token_hash"]


@admin.register(EnvironmentRequest)
class EnvironmentRequestAdmin(RecordAdmin):
    list_display = ["webinar", "status", "late", "filed_by", "filed_at"]
    list_filter = ["status", "late"]
    list_select_related = ["webinar", "filed_by"]

    def get_exclude(self, request, obj=None):
        # The codes are for demo architects and program managers (and the DRI, on
        # the event's page): the admin of anyone else leaves them out.
        if request.user.has_perm("webinars.view_invitation_codes"):
            return ()
        return CODES


@admin.register(Redemption)
class RedemptionAdmin(ReadOnlyAdmin):
    list_display = ["registration", "webinar", "redeemed_at", "access_ends_at", "ended_at"]
    list_select_related = ["registration", "webinar"]
