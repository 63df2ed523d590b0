"""Run by tests/core/test_registry.py under tests.throwaway.settings (not collected
with the suite): the throwaway app shows in the menu, the API, the timeline and the
account page."""

from django.db import transaction
from django.urls import reverse

from rhythm.core import events
from rhythm.people.choices import Role
from tests.conftest import ApiClient
from tests.factories import AccountFactory, UserFactory
from tests.throwaway.events import Pinged


def test_the_new_app_is_in_the_menu_the_api_and_the_timeline(client, db):
    manager = UserFactory(roles=[Role.CSE_MANAGER])
    account = AccountFactory()
    client.force_login(manager)

    home = client.get(reverse("home")).content.decode()
    assert f'href="{reverse("throwaway:index")}"' in home and ">Throwaway<" in home

    assert ApiClient(manager).get("/throwaway/ping").json() == {"pong": manager.username}

    with transaction.atomic():
        events.publish(Pinged(account.pk, "hello"))
    timeline = client.get(reverse("timeline:account", args=[account.pk])).content.decode()
    assert "Pinged: hello" in timeline and "bi-bell" in timeline and ">Ping<" in timeline
    listed = ApiClient(manager).get(f"/accounts/{account.pk}/timeline", kind="ping").json()
    assert [entry["title"] for entry in listed["items"]] == ["Pinged: hello"]


def test_the_new_app_brings_its_tab_to_the_account_page(client, db):
    manager = UserFactory(roles=[Role.CSE_MANAGER])
    account = AccountFactory(name="Borealis Bank")
    client.force_login(manager)
    tab = reverse("customers:account-tab", args=[account.pk, "pings"])
    overview = client.get(reverse("customers:account-detail", args=[account.pk])).content.decode()
    assert f'href="{tab}"' in overview and ">Pings<" in overview
    assert "Pings waiting" in overview  # its count on the overview
    page = client.get(tab).content.decode()
    assert 'data-testid="pings">No pings for Borealis Bank yet.' in page
    assert 'data-testid="account-header"' in page  # inside the account page
