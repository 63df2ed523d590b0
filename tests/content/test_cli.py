"""`rhythm content`: a report refused field by field, then made; the queue listed."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from rhythm.content.models import Bug
from tests.content_fixtures import BUG, master_deck


def test_the_cli_names_each_broken_field_then_reports_and_lists(cast):
    deck = master_deck(cast.cse)
    with pytest.raises(CommandError) as refused:
        call_command("content", "report", str(deck.pk), "--as", cast.csm.username, "--title", "X")
    message = str(refused.value)
    for line in ("place: ", "expected: Say what you expected to happen. (required)", "severity: "):
        assert line in message
    assert not Bug.objects.exists()
    out = StringIO()
    args = [f"--{name}={value}" for name, value in BUG.items() if name != "screenshot_url"]
    call_command("content", "report", str(deck.pk), "--as", cast.csm.username, *args, stdout=out)
    assert f"in {cast.cse.username}'s queue" in out.getvalue()
    listed = StringIO()
    call_command("content", "bugs", "--owner", cast.cse.username, stdout=listed)
    assert "Exercise 3, step 2" in listed.getvalue() and "\thigh\treported\t" in listed.getvalue()
    with pytest.raises(CommandError, match="item_id: no content item has id 999"):
        call_command("content", "report", "999", "--as", cast.csm.username)
