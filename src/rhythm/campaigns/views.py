"""Campaign pages: the list, define/edit, the campaign (its audience preview, the
email as a real contact reads it, its moves and results), a run's report, and the
public unsubscribe page (no sign-in: the signed link is the key)."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django_ratelimit.decorators import ratelimit

from rhythm.campaigns import audience, rules, sending, services
from rhythm.campaigns.choices import CampaignState
from rhythm.campaigns.forms import CampaignForm
from rhythm.campaigns.models import Campaign
from rhythm.core.http import AuthedRequest, post_only
from rhythm.core.workflow import TransitionConflict
from rhythm.customers.models import Account


@login_required
@permission_required("campaigns.view_campaign", raise_exception=True)
def campaign_list(request: AuthedRequest):
    campaigns = (
        Campaign.objects.active()
        .select_related("author", "approved_by")
        .annotate(accounts_sent=Count("sends"))
    )
    return render(request, "campaigns/list.html", {"campaigns": campaigns})


def _apply_errors(form: CampaignForm, exc: ValidationError) -> None:
    for name, errors in exc.error_dict.items():
        base = name.split(".")[0]
        form.add_error(base if base in form.fields else None, errors)


@login_required
@permission_required("campaigns.add_campaign", raise_exception=True)
def campaign_new(request: AuthedRequest):
    form = CampaignForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            campaign = services.create(form.definition(), actor=request.user)
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            messages.success(
                request, f"{campaign.name} saved as a draft: a second person approves it."
            )
            return redirect(campaign)
    status = 422 if form.errors else 200
    return render(request, "campaigns/form.html", {"form": form, "campaign": None}, status=status)


@login_required
@permission_required("campaigns.change_campaign", raise_exception=True)
def campaign_edit(request: AuthedRequest, campaign_id: int):
    campaign = get_object_or_404(Campaign.objects.active(), pk=campaign_id)
    form = CampaignForm(request.POST or None, initial=CampaignForm.initial_of(campaign))
    if request.method == "POST" and form.is_valid():
        try:
            campaign = services.update(campaign, form.definition(), actor=request.user)
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            return redirect(campaign)
    status = 422 if form.errors else 200
    return render(
        request, "campaigns/form.html", {"form": form, "campaign": campaign}, status=status
    )


def _digits(raw: str) -> int:
    return int(raw) if raw.isdigit() and len(raw) < 19 else 0


@login_required
@permission_required("campaigns.add_campaign", raise_exception=True)
def email_preview(request: AuthedRequest):
    """The live preview on the form: the words as typed, filled for a real account."""
    form = CampaignForm(request.POST)
    form.is_valid()
    data = form.cleaned_data
    draft = Campaign(subject=data.get("subject") or "", body=data.get("body") or "")
    accounts = Account.objects.visible_to(request.user).active().select_related("segment")
    if data.get("segments"):
        accounts = accounts.filter(segment__in=data["segments"])
    regions = [r.strip().upper() for r in (data.get("regions") or "").split(",") if r.strip()]
    if regions:
        accounts = accounts.filter(region__in=regions)
    parsed, _ = rules.parse_audience(data.get("conditions") or {})
    if parsed is not None:
        # The accounts the conditions as typed would reach, when there are any.
        reached = accounts.filter(audience.conditions_q(parsed, timezone.localdate()))
        accounts = reached if reached.exists() else accounts
    account = (
        accounts.filter(pk=_digits(request.POST.get("preview_account", ""))).first()
        or accounts.order_by("name", "pk").first()
    )
    if account is None:
        email, why = None, "No account of the target group to preview with."
    else:
        email, why, account = sending.example_email(draft, account)
    return render(
        request, "campaigns/_email_preview.html", {"email": email, "why": why, "account": account}
    )


@login_required
@permission_required("campaigns.view_campaign", raise_exception=True)
def campaign_detail(request: AuthedRequest, campaign_id: int):
    campaign = get_object_or_404(
        Campaign.objects.active()
        .select_related("author", "approved_by")
        .prefetch_related("segments"),
        pk=campaign_id,
    )
    preview = services.preview(campaign)
    account = None
    if chosen := _digits(request.GET.get("account", "")):
        account = Account.objects.visible_to(request.user).active().filter(pk=chosen).first()
    email, why, account = sending.example_email(campaign, account)
    found = services.results(campaign)
    moves = [
        (target, move)
        for target, move in services.WORKFLOW.moves_for(
            campaign.state, services.parties(campaign, request.user)
        )
    ]
    return render(
        request,
        "campaigns/detail.html",
        {
            "campaign": campaign,
            "preview": preview,
            "email": email,
            "why": why,
            "email_account": account,
            "results": found,
            "funnel": {
                "labels": ["Sent", "Delivered", "Bookings", "Unsubscribed"],
                "values": [
                    found["sent"],
                    found["delivered"],
                    found["bookings"],
                    found["unsubscribed"],
                ],
            },
            "moves": moves,
            "approval_refusal": services.approval_refusal(campaign, request.user)
            if request.user.has_perm("campaigns.approve_campaign")
            else "",
            "may_run": request.user.has_perm("campaigns.change_campaign"),
            "runs": campaign.runs.select_related("actor")[:10],
            "active": campaign.state == CampaignState.ACTIVE,
        },
    )


@login_required
@permission_required("campaigns.view_campaign", raise_exception=True)
@post_only(lambda campaign_id: reverse("campaigns:detail", args=[campaign_id]))
def campaign_move(request: AuthedRequest, campaign_id: int):
    campaign = get_object_or_404(Campaign.objects.active(), pk=campaign_id)
    target = request.POST.get("to", "")
    try:
        services.move(campaign, target, actor=request.user, reason=request.POST.get("reason", ""),
                      expected_state=request.POST.get("expected_state", ""))  # fmt: skip
    except PermissionDenied as exc:
        messages.error(request, str(exc))
        return redirect(campaign)
    except TransitionConflict as exc:
        messages.error(request, str(exc))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, f"{campaign.name}: {CampaignState(target).label.lower()}.")
    return redirect(campaign)


@login_required
@permission_required("campaigns.change_campaign", raise_exception=True)
@post_only(lambda campaign_id: reverse("campaigns:detail", args=[campaign_id]))
def campaign_run(request: AuthedRequest, campaign_id: int):
    """Run now, or a dry run (nothing written): the report of what went or would go."""
    campaign = get_object_or_404(Campaign.objects.active(), pk=campaign_id)
    dry_run = request.POST.get("dry_run") == "1"
    try:
        result = sending.run(campaign, dry_run=dry_run, actor=request.user)
    except sending.NotRunnable as exc:
        messages.error(request, str(exc))
        return redirect(campaign)
    return render(request, "campaigns/run.html", {"campaign": campaign, "result": result})


def _rate(group: str, request: HttpRequest) -> str:
    return settings.RHYTHM_SURVEY_RATE  # the public pages' one limit


@never_cache
@ratelimit(key="ip", rate=_rate, method=ratelimit.ALL, block=False)
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    """The link in every campaign email: a GET asks (a mail scanner following links
    unsubscribes nobody), the button unsubscribes."""
    if getattr(request, "limited", False):
        return render(request, "surveys/limited.html", status=429)
    try:
        contact, campaign = sending.contact_for_link(token)
    except sending.BadLink as exc:
        return render(
            request,
            "campaigns/unsubscribe.html",
            {"bad": str(exc)},
            status=404 if str(exc) == "invalid" else 410,
        )
    done = hasattr(contact, "campaign_unsubscribe")
    if request.method == "POST":
        sending.unsubscribe(token)
        done = True
    return render(request, "campaigns/unsubscribe.html", {"contact": contact, "done": done})
