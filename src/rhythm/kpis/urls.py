from django.urls import path

from rhythm.kpis import views

app_name = "kpis"

urlpatterns = [
    path("", views.index, name="index"),
    path("team/", views.dashboard, name="dashboard"),
    path("mine/", views.mine, name="mine"),
    path("webinars/", views.webinars, name="webinars"),
    path("webinars/<slug:key>/rows/", views.webinar_rows, name="webinar-rows"),
    path("webinars/<slug:key>/rows.csv", views.webinar_rows_csv, name="webinar-rows-csv"),
    path("webinars/<slug:key>/table.csv", views.webinar_table_csv, name="webinar-table-csv"),
    path("<slug:key>/rows/", views.rows, name="rows"),
    path("<slug:key>/rows.csv", views.rows_csv, name="rows-csv"),
    path("<slug:key>/table.csv", views.table_csv, name="table-csv"),
    path("accounts/<int:account_id>/qbr/", views.qbr_page, name="qbr"),
]
