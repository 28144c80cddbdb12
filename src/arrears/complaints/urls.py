from django.urls import path

from arrears.complaints import views, views_investigation, views_sla

app_name = "complaints"
urlpatterns = [
    path("", views.complaint_queue, name="queue"),
    path("new/", views.take_complaint, name="new"),
    path("triage/", views.triage_queue, name="triage"),
    path("<int:complaint_id>/", views.complaint_detail, name="complaint"),
    path("<int:complaint_id>/match/", views.match_complaint, name="match"),
    path("<int:complaint_id>/respond/", views.record_response, name="respond"),
    path("<int:complaint_id>/acknowledge/", views.send_acknowledgement, name="acknowledge"),
    path("sla/", views_sla.sla_page, name="sla"),
    path("violations/", views_investigation.violations, name="violations"),
    path("violations/new/", views_investigation.record_violation, name="record_violation"),
    path("<int:complaint_id>/investigation/", views_investigation.investigation, name="investigation"),
    path("<int:complaint_id>/investigation/take/", views_investigation.take, name="take"),
    path("<int:complaint_id>/investigation/findings/", views_investigation.findings, name="findings"),
    path(
        "<int:complaint_id>/investigation/rectification/",
        views_investigation.close_rectification,
        name="close_rectification",
    ),
    path("<int:complaint_id>/investigation/tell/", views_investigation.tell, name="tell"),
    path("<int:complaint_id>/investigation/send-outcome/", views_investigation.send_outcome, name="send_outcome"),
    path("<int:complaint_id>/investigation/close/", views_investigation.close, name="close"),
]
