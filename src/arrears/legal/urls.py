from django.urls import path  # noqa: F401 - the late stage's pages are added here

app_name = "legal"
urlpatterns: list = []
