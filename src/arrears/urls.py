from django.contrib import admin
from django.urls import path

from arrears.home import views as home

urlpatterns = [
    path("", home.policy_in_force, name="policy-in-force"),
    path("admin/", admin.site.urls),
]
