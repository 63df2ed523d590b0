"""The throwaway app's tab on the account page, and what its overview counts."""

from django.http import HttpResponse
from django.utils.html import format_html

from rhythm.core.registry import AccountFigure


def account_tab(request, account) -> HttpResponse:
    return HttpResponse(format_html('<p data-testid="pings">No pings for {} yet.</p>', account))


def account_figures(user, account) -> list[AccountFigure]:
    return [AccountFigure("Pings waiting", 3, "pings", colour="warning")]
