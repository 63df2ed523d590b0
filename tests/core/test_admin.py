"""Every model has an admin page that opens; workflow rows are read there, not edited."""

import pytest
from django.contrib import admin
from django.urls import reverse

from rhythm.cases import services as cases
from rhythm.ctas.models import Cta
from tests.factories import UserFactory

DOMAIN_APPS = {
    "cases",
    "catalog",
    "core",
    "ctas",
    "customers",
    "engagements",
    "meetings",
    "officehours",
    "people",
    "timeline",
}


@pytest.fixture
def superuser(db):
    return UserFactory(is_superuser=True, is_staff=True)


def test_every_domain_model_is_in_the_admin():
    from django.apps import apps

    missing = [
        model._meta.label
        for model in apps.get_models()
        if model._meta.app_label in DOMAIN_APPS
        and not model.__name__.startswith("Historical")
        and model._meta.auto_created is None
        and model not in admin.site._registry
        and model.__name__ not in {"Stakeholder", "Transition", "CtaTask", "PlaybookStep"}
    ]
    assert missing == []


def test_every_admin_list_and_change_page_opens(client, superuser, cast, case_data):
    cases.open_case(cast.account_owner, case_data)
    client.force_login(superuser)
    for model in admin.site._registry:
        meta = model._meta
        listing = client.get(reverse(f"admin:{meta.app_label}_{meta.model_name}_changelist"))
        assert listing.status_code == 200, meta.label
        row = model._default_manager.first()
        if row is not None:
            page = client.get(
                reverse(f"admin:{meta.app_label}_{meta.model_name}_change", args=[row.pk])
            )
            assert page.status_code == 200, meta.label


def test_a_cta_is_read_in_the_admin_not_edited(client, superuser, cast, case_data):
    cases.open_case(cast.account_owner, case_data)
    cta = Cta.objects.get()
    client.force_login(superuser)
    url = reverse("admin:ctas_cta_change", args=[cta.pk])
    client.post(url, {"name": "Renamed", "status": "closed"})
    cta.refresh_from_db()
    assert cta.name != "Renamed" and cta.status != "closed"
