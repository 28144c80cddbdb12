from django.urls import path

from arrears.agencies import views, views_audit

app_name = "agencies"
urlpatterns = [
    path("", views.agency_list, name="list"),
    # AGY-3: the audits of agencies and the violations they find
    path("audits/", views_audit.audits, name="audits"),
    path("audits/open/", views_audit.open_audit, name="open_audit"),
    path("audits/<int:audit_id>/", views_audit.audit_detail, name="audit"),
    path("audits/<int:audit_id>/report/", views_audit.upload_report, name="upload_report"),
    path("audits/<int:audit_id>/report/file", views_audit.report_file, name="report_file"),
    path("audits/<int:audit_id>/samples/<int:sample_id>/verdict/", views_audit.judge, name="judge"),
    path("audits/<int:audit_id>/violations/", views_audit.enter_violation, name="enter_violation"),
    path("audits/<int:audit_id>/close/", views_audit.close_audit, name="close_audit"),
    path("<str:code>/audits/", views_audit.agency_audits, name="agency_audits"),
]
