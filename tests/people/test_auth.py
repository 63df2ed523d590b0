"""Signing in and out, changing and resetting a password, and login throttling."""

from __future__ import annotations

import re

import pytest
from django.conf import settings as django_settings
from django.core import mail
from django.urls import reverse

from rhythm.core.models import OutboundMessage
from tests.factories import PASSWORD, UserFactory

NEW_PASSWORD = "a-brand-new-passphrase-42"


@pytest.fixture(autouse=True)
def fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def person(db):
    return UserFactory(username="grace", email="grace@rhythm.example", first_name="Grace")


def _signed_in_as(client):
    """The user the client's session belongs to, or None."""
    response = client.get(reverse("home"))
    if response.status_code != 200:
        return None
    return response.context["user"].username


def _sign_in(client, username, password, **extra):
    return client.post(reverse("login"), {"username": username, "password": password, **extra})


# --- Sign in and out ---------------------------------------------------------


def test_sign_in_page_links_to_password_reset(client, db):
    html = client.get(reverse("login")).content.decode()
    assert "Sign in to Rhythm" in html
    assert f'href="{reverse("password_reset")}"' in html


def test_sign_in_with_the_right_password(client, person):
    response = _sign_in(client, "grace", PASSWORD)
    assert response.status_code == 302
    assert response["Location"] == reverse("home")
    assert _signed_in_as(client) == "grace"


def test_signing_in_stamps_last_login_without_a_history_row(client, person):
    rows = person.history.count()
    assert person.last_login is None
    _sign_in(client, "grace", PASSWORD)
    person.refresh_from_db()
    assert person.last_login is not None
    assert person.history.count() == rows


def test_sign_in_returns_to_the_page_asked_for(client, person):
    response = _sign_in(client, "grace", PASSWORD, next="/accounts/?q=acme")
    assert response["Location"] == "/accounts/?q=acme"


def test_sign_in_never_sends_a_person_off_site(client, person):
    response = _sign_in(client, "grace", PASSWORD, next="https://evil.example/phish")
    assert response["Location"] == reverse("home")


def test_wrong_password_is_refused_with_a_message(client, person):
    response = _sign_in(client, "grace", "not-it")
    assert response.status_code == 200
    assert "correct username and password" in response.content.decode()
    assert _signed_in_as(client) is None


def test_archived_member_cannot_sign_in(client, person):
    from rhythm.people.services import archive_member

    archive_member(person)
    assert _sign_in(client, "grace", PASSWORD).status_code == 200
    assert _signed_in_as(client) is None


def test_sign_out_takes_a_post(client, person):
    client.force_login(person)
    assert client.get(reverse("logout")).status_code == 405
    assert _signed_in_as(client) == "grace"
    response = client.post(reverse("logout"))
    assert response.status_code == 302
    assert response["Location"] == reverse("login")
    assert _signed_in_as(client) is None


def test_every_page_offers_sign_out_as_a_form(client, person):
    client.force_login(person)
    html = client.get(reverse("home")).content.decode()
    assert re.search(rf'<form method="post" action="{reverse("logout")}">', html)


# --- Password change ---------------------------------------------------------


def test_password_change(client, person):
    client.force_login(person)
    url = reverse("password_change")
    wrong = client.post(
        url,
        {"old_password": "nope", "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert wrong.status_code == 200
    assert 'id="id_old_password_error"' in wrong.content.decode()

    weak = client.post(
        url, {"old_password": PASSWORD, "new_password1": "12345678", "new_password2": "12345678"}
    )
    assert 'id="id_new_password2_error"' in weak.content.decode()
    person.refresh_from_db()
    assert person.check_password(PASSWORD)

    done = client.post(
        url,
        {"old_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert done.status_code == 302
    assert done["Location"] == reverse("password_change_done")
    person.refresh_from_db()
    assert person.check_password(NEW_PASSWORD)
    # The session that changed it stays signed in.
    assert _signed_in_as(client) == "grace"


# --- Password reset, through the outbox ----------------------------------------


def _reset_link(text: str) -> str:
    found = re.search(r"https?://testserver(/reset/[^/\s]+/[^/\s]+/)", text)
    assert found, text
    return found.group(1)


def test_password_reset_mail_goes_through_the_outbox(
    client, person, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("password_reset"), {"email": "grace@rhythm.example"})
    assert response.status_code == 302
    assert response["Location"] == reverse("password_reset_done")

    message = OutboundMessage.objects.get()
    assert message.to == ["grace@rhythm.example"]
    assert message.idempotency_key.startswith(f"password-reset:{person.pk}:")
    link = _reset_link(message.body_text)
    assert link in message.body_html
    assert message.status == "sent"

    assert len(mail.outbox) == 1
    sent = mail.outbox[0]
    assert sent.to == ["grace@rhythm.example"]
    assert sent.subject == "Reset your Rhythm password"
    assert _reset_link(sent.body) == link
    assert sent.alternatives and link in sent.alternatives[0][0]


def test_password_reset_link_sets_a_new_password(
    client, person, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("password_reset"), {"email": "grace@rhythm.example"})
    link = _reset_link(mail.outbox[0].body)

    form = client.get(link, follow=True)  # Django moves the token into the session first
    assert "Choose a new password" in form.content.decode()
    set_url = form.redirect_chain[-1][0]
    done = client.post(set_url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assert done.status_code == 302
    assert done["Location"] == reverse("password_reset_complete")
    person.refresh_from_db()
    assert person.check_password(NEW_PASSWORD)

    # The link is spent.
    again = client.get(link, follow=True)
    assert "no longer valid" in again.content.decode()
    assert _sign_in(client, "grace", NEW_PASSWORD).status_code == 302


def test_password_reset_for_an_unknown_address_looks_the_same_and_sends_nothing(
    client, db, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("password_reset"), {"email": "nobody@nowhere.example"})
    assert response.status_code == 302
    assert response["Location"] == reverse("password_reset_done")
    assert not OutboundMessage.objects.exists()
    assert mail.outbox == []


def test_the_default_reset_view_is_not_reachable_around_the_outbox(client, person):
    """django.contrib.auth.urls also has a reset view; ours must be the one served."""
    client.post(reverse("password_reset"), {"email": "grace@rhythm.example"})
    client.post("/password_reset/", {"email": "grace@rhythm.example"})
    assert mail.outbox == []  # nothing sent outside the outbox before commit
    assert OutboundMessage.objects.count() >= 1


# --- Login throttling (django-axes) --------------------------------------------


def test_login_is_refused_after_too_many_failures(client, person):
    limit = django_settings.AXES_FAILURE_LIMIT
    assert limit == 5
    for _ in range(limit - 1):
        assert _sign_in(client, "grace", "wrong").status_code == 200
    # The last allowed failure trips the lock.
    assert _sign_in(client, "grace", "wrong").status_code == 429
    # Now even the right password is refused, with the lockout page.
    refused = _sign_in(client, "grace", PASSWORD)
    assert refused.status_code == 429
    assert "Too many failed sign-ins" in refused.content.decode()
    assert _signed_in_as(client) is None


def test_a_password_reset_lifts_the_lockout_it_is_offered_for(
    client, person, django_capture_on_commit_callbacks
):
    for _ in range(django_settings.AXES_FAILURE_LIMIT):
        _sign_in(client, "grace", "wrong")
    locked = _sign_in(client, "grace", PASSWORD)
    assert locked.status_code == 429
    assert reverse("password_reset") in locked.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("password_reset"), {"email": "grace@rhythm.example"})
    form = client.get(_reset_link(mail.outbox[0].body), follow=True)
    client.post(
        form.redirect_chain[-1][0], {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}
    )
    assert _sign_in(client, "grace", NEW_PASSWORD).status_code == 302
    assert _signed_in_as(client) == "grace"


def test_a_success_before_the_limit_clears_the_count(client, person):
    for _ in range(django_settings.AXES_FAILURE_LIMIT - 1):
        _sign_in(client, "grace", "wrong")
    assert _sign_in(client, "grace", PASSWORD).status_code == 302
    client.post(reverse("logout"))
    for _ in range(django_settings.AXES_FAILURE_LIMIT - 1):
        assert _sign_in(client, "grace", "wrong").status_code == 200
    assert _sign_in(client, "grace", PASSWORD).status_code == 302
