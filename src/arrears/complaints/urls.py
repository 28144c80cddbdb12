from django.urls import path

from arrears.complaints import views, views_sla

app_name = "complaints"
urlpatterns = [
    path("", views.complaint_queue, name="queue"),
    path("new/", views.take_complaint, name="new"),
    path("triage/", views.triage_queue, name="triage"),
    path("<int:complaint_id>/", views.complaint_detail, name="complaint"),
    path("<int:complaint_id>/match/", views.match_complaint, name="match"),
    path("<int:complaint_id>/respond/", views.record_response, name="respond"),
    path("sla/", views_sla.sla_page, name="sla"),
]
