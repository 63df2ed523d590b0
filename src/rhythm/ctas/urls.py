from django.urls import path

from rhythm.ctas import views

app_name = "ctas"

urlpatterns = [
    path("", views.cta_list, name="list"),
    path("<int:cta_id>/", views.cta_detail, name="detail"),
    path("<int:cta_id>/accept", views.cta_accept, name="accept"),
    path("<int:cta_id>/assign-emails", views.assign_emails, name="assign-emails"),
    path("<int:cta_id>/outreach", views.cta_outreach, name="outreach"),
    path("<int:cta_id>/close", views.cta_close, name="close"),
    path("tasks/<int:task_id>/toggle", views.task_toggle, name="task-toggle"),
    path("playbooks/", views.playbook_list, name="playbooks"),
    path("playbooks/<int:playbook_id>/", views.playbook_detail, name="playbook"),
    path("playbooks/<int:playbook_id>/steps/new", views.step_create, name="step-create"),
    path("playbook-steps/<int:step_id>/", views.step_update, name="step-update"),
    path("playbook-steps/<int:step_id>/archive", views.step_archive, name="step-archive"),
]
