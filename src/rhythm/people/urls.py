from django.urls import path

from rhythm.people import views

app_name = "people"

urlpatterns = [
    path("", views.team, name="team"),
    path("<int:member_id>/", views.member, name="member"),
    path("me/tokens/", views.tokens, name="tokens"),
    path("me/tokens/new", views.create_token, name="create-token"),
    path("me/tokens/<int:token_id>/revoke", views.revoke_token, name="revoke-token"),
]
