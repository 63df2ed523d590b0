from django.urls import path

from rhythm.engagements import views

app_name = "engagements"

urlpatterns = [
    path("", views.request_list, name="list"),
    path("new/<int:account_id>/", views.request_create, name="create"),
    path("<int:request_id>/", views.request_detail, name="detail"),
    path("<int:request_id>/transition", views.request_transition, name="transition"),
    path("board/", views.board_page, name="board"),
    path("board/columns/<str:column>", views.board_column, name="board-column"),
    path("board/move", views.board_move, name="board-move"),
    path("capacity/", views.capacity_page, name="capacity"),
]
