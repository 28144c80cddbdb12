from django.urls import path

from arrears.operations import views

app_name = "operations"
urlpatterns = [
    path("runs/jobs/", views.job_runs, name="job-runs"),
]
