from django.urls import path

from rhythm.webinars import views

app_name = "webinars"

urlpatterns = [
    path("", views.webinar_list, name="list"),
    path("new/", views.webinar_new, name="new"),
    path("sign-up/", views.sign_up_page, name="sign-up"),
    path("lab-templates/", views.lab_templates, name="lab-templates"),
    path("lab-templates/new/", views.lab_template_form, name="lab-template-new"),
    path("lab-templates/<int:template_id>/", views.lab_template_form, name="lab-template-edit"),
    path("requests/", views.board, name="board"),
    path("requests/<int:environment_request_id>/move/", views.request_move, name="request-move"),
    path("<int:webinar_id>/", views.webinar_detail, name="detail"),
    path("<int:webinar_id>/edit/", views.webinar_edit, name="edit"),
    path("<int:webinar_id>/move/", views.webinar_move, name="move"),
    path("<int:webinar_id>/sign-up/", views.sign_up, name="sign-up-for"),
    path("<int:webinar_id>/environment-request/", views.file_request, name="file-request"),
    path("<int:webinar_id>/checklist/<int:checklist_item_id>/", views.tick, name="tick"),
    path("<int:webinar_id>/attendance/", views.attendance, name="attendance"),
    path("<int:webinar_id>/post-event/", views.post_event, name="post-event"),
    # Public: no sign-in (the link's token, or the code with the email, is the key).
    path("calendar/", views.calendar, name="calendar"),
    path("calendar.ics", views.calendar_ics, name="calendar-ics"),
    path("<int:webinar_id>/register/", views.register, name="register"),
    path("<int:webinar_id>/redeem/", views.redeem, name="redeem"),
    path("r/<str:token>/", views.registration, name="registration"),
]
