from django.urls import path

from arrears.reports import views, views_scorecards

app_name = "reports"
urlpatterns = [
    # KPI-1, KPI-2: the dashboard, its tables as CSV and XLSX (?format=)
    path("", views.dashboard, name="dashboard"),
    # QA-2: the collectors' and agencies' scorecards, each table as CSV (?format=csv&table=)
    path("scorecards/", views_scorecards.scorecards, name="scorecards"),
]
