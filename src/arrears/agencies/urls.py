from django.urls import path

from arrears.agencies import views, views_audit, views_commissions, views_placement

app_name = "agencies"
urlpatterns = [
    path("", views.agency_list, name="list"),
    path("placements/", views_placement.placement_list, name="placements"),
    path("cases/<int:case_id>/place/", views_placement.place_case, name="place"),
    path("placements/<int:placement_id>/recall/", views_placement.recall_placement, name="recall"),
    path("placements/<int:placement_id>/mandate.pdf", views_placement.mandate_pdf, name="mandate"),
    # The agencies' commission statements (LGL-2, KPI-2): every agency's month, one agency's month as a page, PDF, CSV.
    path("commissions/", views_commissions.commission_index, name="commissions"),
    path("<str:code>/commissions/<str:month>/", views_commissions.commission_statement, name="commission-statement"),
    path("<str:code>/commissions/<str:month>.<str:kind>", views_commissions.commission_file, name="commission-file"),
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
