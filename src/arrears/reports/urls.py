from django.urls import path

from arrears.reports import views_scorecards

app_name = "reports"

urlpatterns = [
    path("scorecards/", views_scorecards.scorecards, name="scorecards"),  # QA-2
]
