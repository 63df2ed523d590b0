"""History, and no hard delete: nothing a person can reach deletes a domain row."""

from __future__ import annotations

import pytest
from django.apps import apps
from django.contrib import admin
from django.test import RequestFactory

from rhythm.core import services
from rhythm.core.models import ArchivableModel
from rhythm.people.models import User
from tests.factories import AccountFactory, ContactFactory


def rhythm_models():
    return [m for m in apps.get_models() if m._meta.app_config.name.startswith("rhythm.")]


def admin_request():
    request = RequestFactory().get("/admin/")
    request.user = User(username="root", is_superuser=True, is_staff=True, is_active=True)
    return request


@pytest.mark.parametrize(
    "model",
    [m for m in rhythm_models() if m in admin.site._registry],
    ids=lambda m: m._meta.label,
)
def test_the_admin_never_deletes_a_rhythm_row(model):
    model_admin = admin.site._registry[model]
    request = admin_request()
    assert model_admin.has_delete_permission(request) is False
    assert "delete_selected" not in model_admin.get_actions(request)
    for inline in model_admin.get_inline_instances(request):
        # What the change page builds: a formset with no "delete" box per row.
        assert inline.get_formset(request).can_delete is False, inline


@pytest.mark.parametrize(
    "model",
    [m for m in rhythm_models() if issubclass(m, ArchivableModel)] + [User],
    ids=lambda m: m._meta.label,
)
def test_every_domain_model_keeps_its_history(model):
    assert hasattr(model, "history"), f"{model._meta.label} has no history"


def test_the_delete_page_refuses_even_a_superuser(admin_client):
    account = AccountFactory()
    contact = ContactFactory(account=account)
    for obj in (account, contact, account.segment):
        meta = obj._meta
        url = f"/admin/{meta.app_label}/{meta.model_name}/{obj.pk}/delete/"
        assert admin_client.get(url).status_code == 403
        assert admin_client.post(url, {"post": "yes"}).status_code == 403
        assert type(obj).objects.filter(pk=obj.pk).exists()


def test_the_bulk_delete_action_is_not_offered(admin_client):
    account = AccountFactory()
    response = admin_client.post(
        "/admin/customers/account/",
        {"action": "delete_selected", "_selected_action": [account.pk], "post": "yes"},
    )
    assert response.status_code in (200, 302)
    assert type(account).objects.filter(pk=account.pk).exists()
    page = admin_client.get("/admin/customers/account/")
    assert b"delete_selected" not in page.content


def test_archiving_keeps_the_row_and_records_the_change(db):
    account = AccountFactory()
    services.archive(account)
    first = account.archived_at
    services.archive(account)  # again: the first time stands

    account.refresh_from_db()
    assert account.is_archived
    assert account.archived_at == first
    assert type(account).objects.archived().filter(pk=account.pk).exists()
    assert not type(account).objects.active().filter(pk=account.pk).exists()
    kinds = list(account.history.order_by("history_id").values_list("history_type", flat=True))
    assert kinds == ["+", "~"]

    services.restore(account)
    account.refresh_from_db()
    assert not account.is_archived


def test_api_tokens_are_revoked_not_deleted_in_the_admin(admin_client, django_user_model):
    from rhythm.core.models import ApiToken

    member = django_user_model.objects.create(username="ci-owner")
    token, _ = services.create_token(member, "ci")
    url = f"/admin/core/apitoken/{token.pk}/delete/"
    assert admin_client.get(url).status_code == 403
    response = admin_client.post(
        "/admin/core/apitoken/", {"action": "revoke", "_selected_action": [token.pk]}
    )
    assert response.status_code == 302
    token.refresh_from_db()
    assert token.is_revoked
    assert ApiToken.objects.filter(pk=token.pk).exists()
