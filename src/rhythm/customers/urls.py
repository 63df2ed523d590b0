from django.urls import path

from rhythm.customers import views

app_name = "customers"

urlpatterns = [
    path("", views.account_list, name="account-list"),
    path("<int:account_id>/", views.account_detail, name="account-detail"),
    path("<int:account_id>/edit", views.account_edit, name="account-edit"),
    path("<int:account_id>/contacts/new", views.contact_create, name="contact-create"),
    path(
        "opportunities/<int:opportunity_id>/",
        views.opportunity_detail,
        name="opportunity-detail",
    ),
]
