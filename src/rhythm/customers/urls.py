from django.urls import path

from rhythm.customers import account_page, views

app_name = "customers"

urlpatterns = [
    path("", views.account_list, name="account-list"),
    # The account's 360: its overview, and each tab at an address of its own.
    path("<int:account_id>/", account_page.account_detail, name="account-detail"),
    path("<int:account_id>/<slug:tab>/", account_page.account_detail, name="account-tab"),
    path("<int:account_id>/edit", views.account_edit, name="account-edit"),
    path("<int:account_id>/contacts/new", views.contact_create, name="contact-create"),
    path("<int:account_id>/success-plans/new", views.plan_create, name="plan-create"),
    path("success-plans/<int:plan_id>/edit", views.plan_edit, name="plan-edit"),
    path(
        "success-plans/<int:plan_id>/objectives/new",
        views.objective_create,
        name="objective-create",
    ),
    path("objectives/<int:objective_id>/edit", views.objective_edit, name="objective-edit"),
    path(
        "opportunities/<int:opportunity_id>/",
        views.opportunity_detail,
        name="opportunity-detail",
    ),
]
