from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, F, Q
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse

from rhythm.core.forms import once
from rhythm.core.http import AuthedRequest, post_only, sign_in_first
from rhythm.core.paging import page_of
from rhythm.core.rules import AS_DRAFTED
from rhythm.ctas import notifications, playbooks, rules, services, workspace
from rhythm.ctas.choices import CtaStatus, OutreachState, TaskStatus
from rhythm.ctas.forms import EmailForm, PlaybookForm, StepForm
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
    elif show == "late":
        ctas = ctas.late()
    elif show == "outreach":
        ctas = ctas.outreach_waiting().filter(owner=request.user)
    page = page_of(ctas, 50, request.GET.get("page"))
    return render(request, "ctas/cta_list.html", {"page": page, "show": show})


def _task_page(task_id: int) -> str:
    cta_id = CtaTask.objects.filter(pk=task_id).values_list("cta_id", flat=True).first()
    return reverse("ctas:detail", args=[cta_id]) if cta_id else reverse("ctas:list")


def _cta_page(request: AuthedRequest, cta_id: int) -> Cta:
    try:
        return workspace.cta_page(request.user, cta_id)
    except Cta.DoesNotExist:
        raise Http404(f"No CTA {cta_id}.") from None


# The forms of the CTA page, each of which may come back with errors.
ACCEPT, OUTREACH, CLOSE = "accept", "outreach", "close"
ASSIGN_EMAILS = (
    (notifications.ASSIGNED, "assigned_email", "To the CSE"),
    (notifications.REASSIGNED, "reassigned_email", "To its previous owner"),
)


@login_required
@permission_required("ctas.view_cta", raise_exception=True)
def cta_detail(
    request: AuthedRequest,
    cta_id: int,
    failed: str = "",
    errors: dict[str, list[str]] | None = None,
):
    """The CSE's workspace: what they prepare from, what they do next, and the emails
    the CTA sends, drafted for them to read and reword. A refused form comes back
    with its errors beside its fields and what was ticked and typed kept."""
    cta = _cta_page(request, cta_id)
    user = request.user
    errors = errors or {}
    failed_on = {failed: errors} if failed else {}
    earlier, more_earlier = workspace.earlier_engagements(cta, user)
    # A CSE may take it, and reads what would go in their name (one query, asked once).
    is_cse = user.has_perm("ctas.change_cta") and user.has_role(Role.CSE)
    context = {
        "cta": cta,
        "case": cta.case,
        "renewal": workspace.from_today(cta.account.renewal_date),
        "earlier": earlier,
        "more_earlier": more_earlier,
        **_taking(request, cta, failed_on.get(ACCEPT) or {}, is_cse=is_cse),
        **_outreach(request, cta, failed_on.get(OUTREACH), is_cse=is_cse),
        **_closing(request, cta, failed_on.get(CLOSE)),
        **_meetings(cta, user),
    }
    return render(request, "ctas/cta_detail.html", context)


def _meetings(cta: Cta, user) -> dict[str, Any]:
    """The CTA's customer calls (the meetings app books them), with how far each
    one's checklist is: one query."""
    meetings = (
        cta.meetings.active()
        .annotate(
            items=Count("checklist", distinct=True),
            items_done=Count(
                "checklist", filter=Q(checklist__done_at__isnull=False), distinct=True
            ),
        )
        .order_by(F("scheduled_at").asc(nulls_first=True), "pk")
    )
    may_book = (
        cta.owner_id is not None
        and cta.status != CtaStatus.CLOSED
        and user.has_perm("meetings.add_meeting")
        and services.may_work(cta, user)
    )
    return {"meetings": list(meetings), "may_book": may_book}


def _taking(
    request: AuthedRequest, cta: Cta, errors: dict[str, list[str]], *, is_cse: bool
) -> dict[str, Any]:
    """Accepting it (a CSE) or assigning it (a manager), with the emails that sends."""
    user = request.user
    cses = []
    if user.has_perm("ctas.assign_cta"):
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
    can_accept = cta.owner_id is None and user.has_perm("ctas.change_cta") and is_cse
    chosen = None
    if cses and cta.status != CtaStatus.CLOSED:
        wanted = request.POST.get("cse") if errors else None
        chosen = next(
            (cse for cse, _ in cses if str(cse.pk) == (wanted or str(cta.owner_id))), cses[0][0]
        )
    return {
        "cses": cses,
        "chosen_cse": chosen,
        "assign_emails": _assign_email_forms(request, cta, chosen, errors) if chosen else [],
        "assign_errors": [
            message
            for field, messages_ in errors.items()
            if not field.endswith((".subject", ".body"))
            for message in messages_
        ],
        "can_accept": can_accept,
        # What of the account they do not cover, asked for before they take it.
        "my_gaps": services.coverage_gaps(cta, user) if can_accept else [],
    }


def _assign_email_forms(request: AuthedRequest, cta: Cta, cse, errors) -> list[dict[str, Any]]:
    """The emails assigning the CTA to `cse` sends, as forms prefilled with their drafts."""
    drafts = services.assign_drafts(cta, cse=cse, actor=request.user)
    forms = []
    for name, prefix, label in ASSIGN_EMAILS:
        draft = drafts.get(name)
        if draft is None:
            continue
        form = EmailForm(request.POST if errors else None, prefix=prefix, draft=draft, rows=6)
        if errors:
            form.is_valid()
            form.add_service_errors(errors, f"{prefix}.")
        forms.append({"form": form, "label": label, "draft": draft})
    return forms


def _outreach(
    request: AuthedRequest, cta: Cta, errors: dict | None, *, is_cse: bool
) -> dict[str, Any]:
    """The outreach email: its draft for whoever may send it, or what went."""
    stage = services.outreach_stage(cta)
    draft, form, preview = None, None, None
    if stage == OutreachState.DRAFT and services.may_send_outreach(cta, request.user):
        draft = services.outreach_draft(cta)
        form = EmailForm(request.POST if errors is not None else None, prefix=OUTREACH, draft=draft)
        if errors is not None:
            form.is_valid()
            form.add_service_errors(errors)
    elif stage == OutreachState.UNASSIGNED and is_cse:
        # What would go in their name: read before they take the CTA.
        preview = services.outreach_draft(cta, request.user)
    return {
        "outreach": services.outreach_state(cta),
        "outreach_stage": stage,
        "outreach_draft": draft,
        "outreach_form": form,
        "outreach_preview": preview,
        "outreach_errors": [
            message
            for field, messages_ in (errors or {}).items()
            if field not in ("subject", "body")
            for message in messages_
        ],
        "no_booking_link": draft is not None
        and cta.owner is not None
        and not cta.owner.booking_url,
    }


def _closing(request: AuthedRequest, cta: Cta, errors: dict | None) -> dict[str, Any]:
    """The Close form: which open tasks were done, why the rest are skipped, and the
    email that tells the account owner."""
    may_close = services.may_close(cta, request.user)
    email_form = None
    if may_close:
        draft = services.closing_draft(cta, actor=request.user)
        if draft is not None:
            bound = request.POST if errors is not None else None
            email_form = EmailForm(bound, prefix="closing_email", draft=draft)
            if errors is not None:
                email_form.is_valid()
                email_form.add_service_errors(errors, "closing_email.")
    close_errors = errors or {}
    return {
        "may_work": services.may_work(cta, request.user),
        "may_close": may_close,
        # The open tasks the closer says were done or skipped (closing does "Close…").
        "closing_tasks": [
            t
            for t in cta.tasks.all()
            if t.status == TaskStatus.OPEN and not rules.is_closing_task(t.title)
        ],
        "closing_email_form": email_form,
        "close_errors": close_errors,
        "close_non_field": close_errors.get("__all__", []),
        "close_data": request.POST if errors is not None else {},
        "close_done": {int(v) for v in request.POST.getlist("done") if v.isdigit()}
        if errors is not None
        else set(),
    }


@sign_in_first
@permission_required("ctas.assign_cta", raise_exception=True)
def assign_emails(request: AuthedRequest, cta_id: int):
    """The emails assigning the CTA to the chosen CSE sends (HTMX, as the choice changes)."""
    cta = _cta_page(request, cta_id)
    chosen = request.GET.get("cse", "")
    cse = get_object_or_404(User.objects.active(), pk=chosen if chosen.isdigit() else None)
    forms = _assign_email_forms(request, cta, cse, {})
    return render(request, "ctas/_assign_emails.html", {"assign_emails": forms, "cta": cta})


@login_required
@permission_required("ctas.change_cta", raise_exception=True)
@post_only(lambda cta_id: reverse("ctas:detail", args=[cta_id]))
def cta_accept(request: AuthedRequest, cta_id: int):
    cta = _cta_page(request, cta_id)
    cse = request.user
    if request.POST.get("cse"):
        chosen = request.POST["cse"]
        cse = get_object_or_404(User.objects.active(), pk=chosen if chosen.isdigit() else None)
    wording = {
        name: words
        for name, prefix, _ in ASSIGN_EMAILS
        if (words := EmailForm.posted(request.POST, prefix)) is not None
    }
    try:
        services.accept(
            cta,
            cse=cse,
            actor=request.user,
            override_reason=request.POST.get("override_reason", ""),
            wording=wording,
        )
    except ValidationError as exc:
        if wording:  # the manager's form, with the emails' words to keep
            return cta_detail(request, cta_id, failed=ACCEPT, errors=_errors(exc))
        messages.error(request, _message(exc))
    except PermissionDenied as exc:
        messages.error(request, _message(exc))
    else:
        messages.success(request, f"{cse} owns {cta.name}.")
    return redirect("ctas:detail", cta_id=cta.pk)


@login_required
@permission_required("ctas.change_cta", raise_exception=True)
@post_only(lambda cta_id: reverse("ctas:detail", args=[cta_id]))
def cta_outreach(request: AuthedRequest, cta_id: int):
    """Send the outreach email in the words on the form; a second submission of the
    form (a double click, a lost response) sends nothing more."""
    cta = _cta_page(request, cta_id)
    wording = EmailForm.posted(request.POST, OUTREACH) or AS_DRAFTED
    try:
        _, sent = once(
            request, lambda: services.send_outreach(cta, actor=request.user, wording=wording)
        )
    except ValidationError as exc:
        return cta_detail(request, cta_id, failed=OUTREACH, errors=_errors(exc))
    except PermissionDenied as exc:
        messages.error(request, _message(exc))
    else:
        if sent:
            contact = cta.case.contact if cta.case else None
            messages.success(request, f"Outreach sent to {contact}: “Reach out” is ticked.")
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
            wording=EmailForm.posted(request.POST, "closing_email") or AS_DRAFTED,
        )
    except ValidationError as exc:
        return cta_detail(request, cta_id, failed=CLOSE, errors=_errors(exc))
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
