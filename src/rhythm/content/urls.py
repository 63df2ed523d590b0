from django.urls import path

from rhythm.content import views

app_name = "content"

urlpatterns = [
    path("", views.library, name="library"),
    path("new", views.item_new, name="item-new"),
    path("queue/", views.queue, name="queue"),
    path("<int:content_item_id>/", views.item_detail, name="item"),
    path("<int:content_item_id>/edit", views.item_edit, name="item-edit"),
    path("<int:content_item_id>/move", views.item_move, name="item-move"),
    path("<int:content_item_id>/guidelines/<slug:code>", views.guideline_tick, name="guideline"),
    path("<int:content_item_id>/bugs/new", views.bug_new, name="bug-new"),
    path("bugs/<int:bug_id>/", views.bug_detail, name="bug"),
    path("bugs/<int:bug_id>/move", views.bug_move, name="bug-move"),
]
