import pytest
from django.core.exceptions import ValidationError

from rhythm.timeline import services
from rhythm.timeline.models import TimelineEntry


def test_a_note_is_a_timeline_entry_titled_by_its_first_line(cast, account):
    entry = services.add_note(
        account=account, author=cast.csm, text="Renewal risk\nThey may churn."
    )
    assert entry.title == "Renewal risk" and entry.kind == "note" and entry.actor == cast.csm


def test_an_empty_note_is_refused(cast, account):
    with pytest.raises(ValidationError) as caught:
        services.add_note(account=account, author=cast.csm, text="  ")
    assert "text" in caught.value.error_dict
    assert not TimelineEntry.objects.exists()
