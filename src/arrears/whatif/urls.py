from django.urls import path

from arrears.whatif import views

app_name = "whatif"
urlpatterns = [
    # Issue 23: past nights replayed under a candidate policy beside the policy in force
    path("", views.whatifs, name="whatifs"),
    path("ask/", views.ask, name="ask"),
    path("<str:report_id>/", views.report, name="report"),
    path("<str:report_id>.csv", views.report_csv, name="report-csv"),
    path("<str:report_id>.pdf", views.report_pdf, name="report-pdf"),
]
