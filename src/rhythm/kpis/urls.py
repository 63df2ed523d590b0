from django.urls import path

from rhythm.kpis import views

app_name = "kpis"

urlpatterns = [
    path("", views.index, name="index"),
    path("team/", views.dashboard, name="dashboard"),
    path("mine/", views.mine, name="mine"),
    path("<slug:key>/rows/", views.rows, name="rows"),
    path("<slug:key>/rows.csv", views.rows_csv, name="rows-csv"),
    path("<slug:key>/table.csv", views.table_csv, name="table-csv"),
    path("accounts/<int:account_id>/qbr/", views.qbr_page, name="qbr"),
]
