"""`rhythm escalations`: the verdict with its reasons on the command line; a bad
account or date is named, as the API names a field."""

from datetime import date
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from rhythm.escalations import services
from tests.escalations.helpers import ACCOUNT_ESCALATION, qualifying_account


def run(*args: str) -> str:
    out = StringIO()
    call_command("escalations", *args, stdout=out)
    return out.getvalue()


def test_qualify_prints_each_reason_with_its_figures(cast):
    account = qualifying_account(cast, renewal_date=date(2027, 3, 1))
    printed = run("qualify", account.crm_id, "--today", "2026-12-01")
    assert f"{account.name}: Qualifies" in printed
    assert (
        "[met] ARR $412,000 is 82.4% of the $500,000 ceiling of Mid-Market: meets ≥ 80%" in printed
    )
    assert "[met] Renewal on 1 Mar 2027, 90 days away: within 3 months" in printed
    short = qualifying_account(cast, lam=Decimal("100000"))
    assert "[not met] LAM $100,000: misses > $100,000" in run("qualify", str(short.pk))


def test_a_bad_account_or_date_is_named(cast):
    with pytest.raises(CommandError, match="account: no account"):
        run("qualify", "NOPE-1")
    account = qualifying_account(cast)
    with pytest.raises(CommandError, match="--today: '1 Dec' is not a date"):
        run("qualify", str(account.pk), "--today", "1 Dec")


def test_open_accounts_lists_the_accounts_in_an_open_escalation(cast):
    assert run("open-accounts").strip() == "No account is in an open escalation."
    account = qualifying_account(cast)
    services.raise_escalation(cast.csm, {**ACCOUNT_ESCALATION, "account": account.pk})
    assert run("open-accounts").strip() == str(account.pk)
