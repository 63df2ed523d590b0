from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render

from rhythm.cases import services
from rhythm.cases.forms import CaseForm
from rhythm.cases.models import Case
from rhythm.core.http import AuthedRequest
from rhythm.customers.models import Account, Opportunity


def _visible_cases(request: AuthedRequest):
    return Case.objects.filter(account__in=Account.objects.visible_to(request.user))


@login_required
@permission_required("cases.view_case", raise_exception=True)
def case_list(request: AuthedRequest):
    """Cases of an account or an opportunity; a partial when HTMX asks for it."""
    cases = _visible_cases(request).select_related("offering", "opportunity", "cta", "opened_by")
    for key in ("account", "opportunity"):
        if request.GET.get(key, "").isdigit():
            cases = cases.filter(**{f"{key}_id": int(request.GET[key])})
    template = "cases/_case_list.html" if request.htmx else "cases/case_list.html"
    return render(request, template, {"cases": cases[:100]})


@login_required
@permission_required("cases.add_case", raise_exception=True)
def case_create(request: AuthedRequest, opportunity_id: int):
    opportunity = get_object_or_404(
        Opportunity.objects.visible_to(request.user).select_related("account__segment"),
        pk=opportunity_id,
    )
    eligibility = services.eligibility(opportunity)
    form = CaseForm(request.POST or None, account=opportunity.account)
    if request.method == "POST" and form.is_valid():
        try:
            opened = services.open_case(
                request.user,
                form.service_data(opportunity),
                idempotency_key=request.POST.get("idempotency_key") or None,
            )
        except ValidationError as exc:
            _attach(form, exc)
        else:
            return redirect("cases:detail", case_id=opened.case.pk)
    return render(
        request,
        "cases/case_form.html",
        {"form": form, "opportunity": opportunity, "eligibility": eligibility},
    )


def _attach(form, exc: ValidationError) -> None:
    """Put each service error next to its field; the rest above the form."""
    for field, errors in exc.error_dict.items():
        form.add_error(field if field in form.fields else None, errors)


@login_required
@permission_required("cases.view_case", raise_exception=True)
def case_detail(request: AuthedRequest, case_id: int):
    case = get_object_or_404(
        _visible_cases(request).select_related(
            "account", "opportunity", "offering", "contact", "opened_by", "cta__owner"
        ),
        pk=case_id,
    )
    return render(request, "cases/case_detail.html", {"case": case})
