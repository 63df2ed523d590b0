from django.contrib import admin

from rhythm.core.admin import RecordAdmin
from rhythm.escalations.models import Escalation


@admin.register(Escalation)
class EscalationAdmin(RecordAdmin):
    list_display = ["pk", "account", "kind", "state", "verdict", "created_at"]
    list_filter = ["state", "kind", "verdict", "segment", "region"]
    list_select_related = ["account"]
