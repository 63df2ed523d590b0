from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from simple_history.admin import SimpleHistoryAdmin

from rhythm.core.admin import DomainAdmin
from rhythm.people.models import CompanyHoliday, User


@admin.register(User)
class MemberAdmin(SimpleHistoryAdmin, UserAdmin):
    list_display = [
        "username",
        "get_full_name",
        "title",
        "region",
        "weekly_capacity_hours",
        "is_active",
    ]
    list_filter = ["region", "groups", "is_active"]
    fieldsets = (
        *(UserAdmin.fieldsets or ()),
        (
            "Team",
            {
                "fields": (
                    "title",
                    "region",
                    "time_zone",
                    "holiday_country",
                    "holiday_subdivision",
                    "working_days",
                    "weekly_capacity_hours",
                    "covered_regions",
                    "covered_segments",
                    "booking_url",
                )
            },
        ),
    )
    filter_horizontal = ("groups", "user_permissions", "covered_segments")

    def has_delete_permission(self, request, obj=None) -> bool:
        return False  # archive a member (deactivate) instead


@admin.register(CompanyHoliday)
class CompanyHolidayAdmin(DomainAdmin):
    """The company's own days off, beside each country's public holidays."""

    list_display = ["date", "name", "region", "archived_at"]
    list_filter = ["region"]
    date_hierarchy = "date"
