from django.urls import path

from arrears.whatif import views_experiments as views

app_name = "experiments"
urlpatterns = [
    # Issue 23: champion/challenger experiments, their outcomes per arm, and promoting the challenger
    path("", views.experiments, name="experiments"),
    path("start/", views.start, name="start"),
    path("<str:experiment_id>/", views.experiment, name="experiment"),
    path("<str:experiment_id>/stop/", views.stop, name="stop"),
    path("<str:experiment_id>/promote/", views.propose, name="propose"),
    path("promotions/<str:promotion_id>/decide/", views.decide, name="decide"),
]
