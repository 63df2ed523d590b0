"""The metrics upload page and an import's progress (polled by HTMX while it runs)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required, permission_required
from django.db import transaction
from django.shortcuts import get_object_or_404, redirect, render

from rhythm.core.http import AuthedRequest
from rhythm.health import services
from rhythm.health.forms import UploadForm
from rhythm.health.models import MetricImport


@login_required
@permission_required("health.add_metricimport", raise_exception=True)
def imports(request: AuthedRequest):
    """Upload a metrics CSV (imported on the queue), and the latest imports."""
    form = UploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            job = services.start_import(
                form.cleaned_data["file"],
                skip_bad_rows=form.cleaned_data["skip_bad_rows"],
                actor=request.user,
            )
        return redirect("health:import-detail", job.pk)
    latest = MetricImport.objects.select_related("created_by")[:20]
    status = 422 if form.errors else 200
    return render(request, "health/imports.html", {"form": form, "imports": latest}, status=status)


@login_required
@permission_required("health.view_metricimport", raise_exception=True)
def import_detail(request: AuthedRequest, import_id: int):
    job = get_object_or_404(MetricImport.objects.select_related("created_by"), pk=import_id)
    template = (
        "health/_progress.html"
        if request.htmx and not request.htmx.history_restore_request
        else "health/import_detail.html"
    )
    return render(request, template, {"job": services.live_progress(job)})
