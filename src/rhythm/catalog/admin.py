from django.contrib import admin

from rhythm.catalog.models import Offering
from rhythm.core.admin import DomainAdmin


@admin.register(Offering)
class OfferingAdmin(DomainAdmin):
    list_display = ["name", "position", "archived_at"]
    list_editable = ["position"]  # reorder by editing the numbers in the list
    search_fields = ["name"]
