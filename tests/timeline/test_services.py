import pytest
from django.core.exceptions import ValidationError

from rhythm.timeline import services
from rhythm.timeline.models import TimelineEntry


def test_a_note_is_a_timeline_entry_titled_by_its_first_line(cast, account):
    entry = services.add_note(
        account=account, author=cast.csm, text="Renewal risk\nThey may churn."
    )
    assert entry.title == "Renewal risk" and entry.kind == "note" and entry.actor == cast.csm
    assert entry.body == "They may churn."


def test_a_one_line_note_shows_once(cast, account):
    entry = services.add_note(account=account, author=cast.csm, text="Called the champion.")
    assert (entry.title, entry.body) == ("Called the champion.", "")


def test_a_first_line_too_long_for_a_title_stays_whole_in_the_body(cast, account):
    text = "word " * 40 + "\nsecond line"
    entry = services.add_note(account=account, author=cast.csm, text=text)
    assert len(entry.title) == services.NOTE_TITLE_LENGTH and entry.title.endswith("…")
    assert entry.body == text.strip()


def test_an_empty_note_is_refused(cast, account):
    with pytest.raises(ValidationError) as caught:
        services.add_note(account=account, author=cast.csm, text="  ")
    assert "text" in caught.value.error_dict
    assert not TimelineEntry.objects.exists()
