from django.urls import path

from arrears.daily import views

app_name = "daily"
urlpatterns = [
    path("runs/", views.run_list, name="runs"),
    path("runs/<str:business_date>/", views.run_detail, name="run"),
]
