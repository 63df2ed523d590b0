from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse

from rhythm.core.http import AuthedRequest, post_only, sign_in_first
from rhythm.ctas import services
from rhythm.ctas.choices import CtaStatus, TaskStatus
from rhythm.ctas.models import Cta, CtaTask
from rhythm.customers.models import Account
from rhythm.people.choices import Role
from rhythm.people.models import User


def _ctas(request: AuthedRequest):
    return Cta.objects.filter(account__in=Account.objects.visible_to(request.user))


@login_required
@permission_required("ctas.view_cta", raise_exception=True)
def cta_list(request: AuthedRequest):
    ctas = _ctas(request).select_related("account", "owner")
    show = request.GET.get("show", "open")
    if show == "mine":
        ctas = ctas.filter(owner=request.user).exclude(status=CtaStatus.CLOSED)
    elif show == "unassigned":
        ctas = ctas.filter(owner__isnull=True, status=CtaStatus.OPEN)
    elif show == "open":
        ctas = ctas.exclude(status=CtaStatus.CLOSED)
    page = Paginator(ctas, 50).get_page(request.GET.get("page"))
    return render(request, "ctas/cta_list.html", {"page": page, "show": show})


def _task_page(task_id: int) -> str:
    cta_id = CtaTask.objects.filter(pk=task_id).values_list("cta_id", flat=True).first()
    return reverse("ctas:detail", args=[cta_id]) if cta_id else reverse("ctas:list")


def _cta_page(request: AuthedRequest, cta_id: int) -> Cta:
    return get_object_or_404(
        _ctas(request)
        .select_related("account", "owner", "playbook", "case__contact", "outreach_message")
        .prefetch_related(
            Prefetch("tasks", CtaTask.objects.select_related("completed_by").order_by("position"))
        ),
        pk=cta_id,
    )


@login_required
@permission_required("ctas.view_cta", raise_exception=True)
def cta_detail(request: AuthedRequest, cta_id: int):
    cta = _cta_page(request, cta_id)
    cses = (
        User.objects.active().filter(groups__name=Role.CSE.label).order_by("first_name", "pk")
        if request.user.has_perm("ctas.assign_cta")
        else User.objects.none()
    )
    context = {
        "cta": cta,
        "cses": cses,
        # Only a CSE takes a CTA for themselves; a manager assigns it instead.
        "can_accept": request.user.has_perm("ctas.change_cta")
        and request.user.groups.filter(name=Role.CSE.label).exists(),
        "outreach": services.outreach_state(cta),
    }
    return render(request, "ctas/cta_detail.html", context)


@login_required
@permission_required("ctas.change_cta", raise_exception=True)
@post_only(lambda cta_id: reverse("ctas:detail", args=[cta_id]))
def cta_accept(request: AuthedRequest, cta_id: int):
    cta = _cta_page(request, cta_id)
    cse = request.user
    if request.POST.get("cse"):
        chosen = request.POST["cse"]
        cse = get_object_or_404(User.objects.active(), pk=chosen if chosen.isdigit() else None)
    try:
        services.accept(cta, cse=cse, actor=request.user)
    except (ValidationError, PermissionDenied) as exc:
        messages.error(request, _message(exc))
    else:
        messages.success(request, f"{cse} owns {cta.name}.")
    return redirect("ctas:detail", cta_id=cta.pk)


@login_required
@permission_required("ctas.change_cta", raise_exception=True)
@post_only(lambda cta_id: reverse("ctas:detail", args=[cta_id]))
def cta_close(request: AuthedRequest, cta_id: int):
    cta = _cta_page(request, cta_id)
    try:
        services.close(cta, actor=request.user, reason=request.POST.get("reason", ""))
    except (ValidationError, PermissionDenied) as exc:
        messages.error(request, _message(exc))
    else:
        messages.success(request, f"{cta.name} is closed.")
    return redirect("ctas:detail", cta_id=cta.pk)


def _message(exc: ValidationError | PermissionDenied) -> str:
    return " ".join(exc.messages) if isinstance(exc, ValidationError) else str(exc)


@sign_in_first
@permission_required("ctas.change_ctatask", raise_exception=True)
@post_only(_task_page)
def task_toggle(request: AuthedRequest, task_id: int):
    """Tick a task off or open it again; HTMX swaps just the row, with the reason
    beside it when the tick is refused."""
    task = get_object_or_404(
        CtaTask.objects.filter(
            cta__account__in=Account.objects.visible_to(request.user)
        ).select_related("cta", "completed_by"),
        pk=task_id,
    )
    status = TaskStatus.OPEN if task.status == TaskStatus.DONE else TaskStatus.DONE
    error = ""
    try:
        task = services.set_task_status(task, status=status, actor=request.user)
    except (ValidationError, PermissionDenied) as exc:
        error = _message(exc)
    if request.htmx:
        return render(request, "ctas/_task_row.html", {"task": task, "error": error})
    if error:
        messages.error(request, error)
    return redirect("ctas:detail", cta_id=task.cta_id)
