from django.contrib.auth.decorators import login_required, permission_required
from django.db.models import Count
from django.shortcuts import render

from rhythm.catalog.models import Offering
from rhythm.core.http import AuthedRequest


@login_required
@permission_required("catalog.view_offering", raise_exception=True)
def offering_list(request: AuthedRequest):
    offerings = Offering.objects.active().annotate(
        case_count=Count("cases", distinct=True), request_count=Count("requests", distinct=True)
    )
    return render(request, "catalog/offering_list.html", {"offerings": offerings})
