from django.urls import path

from arrears.reports import views, views_costs, views_scorecards

app_name = "reports"
urlpatterns = [
    # KPI-1, KPI-2: the dashboard, its tables as CSV and XLSX (?format=)
    path("", views.dashboard, name="dashboard"),
    # QA-2: the collectors' and agencies' scorecards, each table as CSV (?format=csv&table=)
    path("scorecards/", views_scorecards.scorecards, name="scorecards"),
    # KPI-2: the month's collection cost; administrators enter and import the costs arrears cannot know
    path("costs/", views_costs.costs, name="costs"),
    path("costs/enter/", views_costs.enter_cost, name="enter_cost"),
    path("costs/import/", views_costs.import_costs, name="import_costs"),
]
