from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Prefetch, Q
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse

from rhythm.core.http import AuthedRequest, post_only, sign_in_first
from rhythm.ctas import playbooks, rules, services
from rhythm.ctas.choices import CtaStatus, TaskStatus
from rhythm.ctas.forms import PlaybookForm, StepForm
from rhythm.ctas.models import Cta, CtaTask, Playbook, PlaybookStep
from rhythm.people.choices import Role
from rhythm.people.models import User


def _ctas(request: AuthedRequest):
    return Cta.objects.visible_to(request.user)


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
        .select_related(
            "account__segment", "owner", "playbook", "case__contact", "outreach_message"
        )
        .prefetch_related(
            Prefetch("tasks", CtaTask.objects.select_related("completed_by").order_by("position"))
        ),
        pk=cta_id,
    )


@login_required
@permission_required("ctas.view_cta", raise_exception=True)
def cta_detail(
    request: AuthedRequest, cta_id: int, close_errors: dict[str, list[str]] | None = None
):
    """A CTA and what the viewer may do with it; a refused close shows its errors
    beside the Close form's fields, with what was ticked and typed kept."""
    cta = _cta_page(request, cta_id)
    cses = []
    if request.user.has_perm("ctas.assign_cta"):
        team = (
            User.objects.active()
            .filter(groups__name=Role.CSE.label)
            .prefetch_related("covered_segments")
            .order_by("first_name", "pk")
        )
        # Those who cover the account first; the others stay choosable, marked.
        cses = sorted(
            ((cse, cse.covers(cta.account)) for cse in team), key=lambda pair: not pair[1]
        )
    # Only a CSE takes a CTA for themselves; a manager assigns it instead.
    can_accept = (
        cta.owner_id is None
        and request.user.has_perm("ctas.change_cta")
        and request.user.groups.filter(name=Role.CSE.label).exists()
    )
    context = {
        "cta": cta,
        "cses": cses,
        "can_accept": can_accept,
        # What of the account they do not cover, asked for before they take it.
        "my_gaps": services.coverage_gaps(cta, request.user) if can_accept else [],
        "outreach": services.outreach_state(cta),
        "may_work": services.may_work(cta, request.user),
        "may_close": services.may_close(cta, request.user),
        # The open tasks the closer says were done or skipped (closing does "Close…").
        "closing_tasks": [
            t
            for t in cta.tasks.all()
            if t.status == TaskStatus.OPEN and not rules.is_closing_task(t.title)
        ],
        "close_errors": close_errors or {},
        "close_non_field": (close_errors or {}).get("__all__", []),
        "close_data": request.POST if close_errors else {},
        "close_done": {int(v) for v in request.POST.getlist("done") if v.isdigit()}
        if close_errors
        else set(),
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
        services.accept(
            cta,
            cse=cse,
            actor=request.user,
            override_reason=request.POST.get("override_reason", ""),
        )
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
        services.close(
            cta,
            actor=request.user,
            reason=request.POST.get("reason", ""),
            done_task_ids=[int(v) for v in request.POST.getlist("done") if v.isdigit()],
            skip_reason=request.POST.get("skip_reason", ""),
        )
    except ValidationError as exc:
        return cta_detail(request, cta_id, close_errors=_errors(exc))
    except PermissionDenied as exc:
        messages.error(request, _message(exc))
    else:
        messages.success(request, f"{cta.name} is closed.")
    return redirect("ctas:detail", cta_id=cta.pk)


def _errors(exc: ValidationError) -> dict[str, list[str]]:
    return exc.message_dict if hasattr(exc, "error_dict") else {"__all__": exc.messages}


def _message(exc: ValidationError | PermissionDenied) -> str:
    return " ".join(exc.messages) if isinstance(exc, ValidationError) else str(exc)


@sign_in_first
@permission_required("ctas.change_ctatask", raise_exception=True)
@post_only(_task_page)
def task_toggle(request: AuthedRequest, task_id: int):
    """Tick a task off or open it again; HTMX swaps just the row, with the reason
    beside it when the tick is refused."""
    task = get_object_or_404(
        CtaTask.objects.visible_to(request.user).select_related("cta", "completed_by"),
        pk=task_id,
    )
    status = TaskStatus.OPEN if task.status == TaskStatus.DONE else TaskStatus.DONE
    error = ""
    try:
        task = services.set_task_status(task, status=status, actor=request.user)
    except (ValidationError, PermissionDenied) as exc:
        error = _message(exc)
    if request.htmx:
        may_work = services.may_work(task.cta, request.user)
        return render(
            request, "ctas/_task_row.html", {"task": task, "error": error, "may_work": may_work}
        )
    if error:
        messages.error(request, error)
    return redirect("ctas:detail", cta_id=task.cta_id)


# --- Playbooks: CS operations edit them; tasks already created keep their copy ---


@login_required
@permission_required("ctas.view_playbook", raise_exception=True)
def playbook_list(request: AuthedRequest):
    form = PlaybookForm(request.POST or None)
    if request.method == "POST":
        if not request.user.has_perm("ctas.add_playbook"):
            raise PermissionDenied
        if form.is_valid():
            try:
                playbook = playbooks.save_playbook(form.cleaned_data)
            except ValidationError as exc:
                _add_errors(form, exc)
            else:
                messages.success(request, f"Playbook {playbook} created: add its steps.")
                return redirect("ctas:playbook", playbook_id=playbook.pk)
    listed = Playbook.objects.active().annotate(
        step_count=Count("steps", filter=Q(steps__archived_at__isnull=True))
    )
    return render(request, "ctas/playbook_list.html", {"playbooks": listed, "form": form})


def _playbook_page(
    request: AuthedRequest,
    playbook: Playbook,
    *,
    form: PlaybookForm | None = None,
    failed_step: tuple[int, StepForm] | None = None,
    new_step: StepForm | None = None,
) -> HttpResponse:
    steps = list(playbook.steps.filter(archived_at__isnull=True).order_by("position"))
    rows = []
    for step in steps:
        if failed_step and failed_step[0] == step.pk:
            rows.append((step, failed_step[1]))
        else:
            initial = {f: getattr(step, f) for f in playbooks.STEP_FIELDS}
            rows.append((step, StepForm(initial=initial, prefix=f"step-{step.pk}")))
    context = {
        "playbook": playbook,
        "form": form
        or PlaybookForm(initial={"name": playbook.name, "description": playbook.description}),
        "rows": rows,
        "new_step": new_step or StepForm(adding=True, prefix="new"),
        "can_edit": request.user.has_perm("ctas.change_playbookstep"),
    }
    status = 200 if not (failed_step or new_step or (form and form.errors)) else 422
    return render(request, "ctas/playbook_detail.html", context, status=status)


@login_required
@permission_required("ctas.view_playbook", raise_exception=True)
def playbook_detail(request: AuthedRequest, playbook_id: int):
    playbook = get_object_or_404(Playbook.objects.active(), pk=playbook_id)
    if request.method != "POST":
        return _playbook_page(request, playbook)
    if not request.user.has_perm("ctas.change_playbook"):
        raise PermissionDenied
    form = PlaybookForm(request.POST)
    if form.is_valid():
        try:
            playbooks.save_playbook(form.cleaned_data, playbook)
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, "Playbook saved.")
            return redirect("ctas:playbook", playbook_id=playbook.pk)
    return _playbook_page(request, playbook, form=form)


@login_required
@permission_required("ctas.add_playbookstep", raise_exception=True)
@post_only(lambda playbook_id: reverse("ctas:playbook", args=[playbook_id]))
def step_create(request: AuthedRequest, playbook_id: int):
    playbook = get_object_or_404(Playbook.objects.active(), pk=playbook_id)
    form = StepForm(request.POST, adding=True, prefix="new")
    if form.is_valid():
        try:
            step = playbooks.save_step(form.service_data(), playbook=playbook)
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, f"Step {step} added; CTAs raised from now on get it.")
            return redirect("ctas:playbook", playbook_id=playbook.pk)
    return _playbook_page(request, playbook, new_step=form)


def _step_page(step_id: int) -> str:
    playbook_id = PlaybookStep.objects.filter(pk=step_id).values_list("playbook_id", flat=True)
    found = playbook_id.first()
    return reverse("ctas:playbook", args=[found]) if found else reverse("ctas:playbooks")


@login_required
@permission_required("ctas.change_playbookstep", raise_exception=True)
@post_only(_step_page)
def step_update(request: AuthedRequest, step_id: int):
    step = get_object_or_404(PlaybookStep.objects.active().select_related("playbook"), pk=step_id)
    form = StepForm(request.POST, prefix=f"step-{step.pk}")
    if form.is_valid():
        try:
            playbooks.save_step(form.service_data(), step=step)
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, "Step saved; tasks already created keep their own copy.")
            return redirect("ctas:playbook", playbook_id=step.playbook_id)
    return _playbook_page(request, step.playbook, failed_step=(step.pk, form))


@login_required
@permission_required("ctas.change_playbookstep", raise_exception=True)
@post_only(_step_page)
def step_archive(request: AuthedRequest, step_id: int):
    step = get_object_or_404(PlaybookStep.objects.active(), pk=step_id)
    playbooks.archive_step(step)
    messages.success(request, f"Step {step} removed; tasks already created stay.")
    return redirect("ctas:playbook", playbook_id=step.playbook_id)


def _add_errors(form, exc: ValidationError) -> None:
    for field, errors in exc.error_dict.items():
        form.add_error(field if field in form.fields else None, errors)
