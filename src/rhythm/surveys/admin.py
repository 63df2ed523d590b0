from django.contrib import admin

from rhythm.core.admin import ReadOnlyAdmin, RecordAdmin
from rhythm.surveys.models import Survey, SurveyResponse


@admin.register(Survey)
class SurveyAdmin(RecordAdmin):
    list_display = ["about", "kind", "recipient_name", "account", "cse", "sent_at", "answered_at"]
    list_filter = ["kind"]
    search_fields = ["about", "recipient_name", "recipient_email", "account__name"]
    list_select_related = ["account", "cse"]
    exclude = ["token_hash"]


@admin.register(SurveyResponse)
class SurveyResponseAdmin(ReadOnlyAdmin):
    list_display = ["survey", "score", "created_at"]
    list_select_related = ["survey"]
