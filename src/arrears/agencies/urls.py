from django.urls import path

from arrears.agencies import views

app_name = "agencies"
urlpatterns = [path("", views.agency_list, name="list")]
