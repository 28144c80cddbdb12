from django.urls import path

from arrears.reports import views

app_name = "reports"
urlpatterns = [
    # KPI-1, KPI-2: the dashboard, its tables as CSV and XLSX (?format=)
    path("", views.dashboard, name="dashboard"),
]
