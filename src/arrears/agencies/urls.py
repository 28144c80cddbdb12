from django.urls import path

from arrears.agencies import views, views_commissions

app_name = "agencies"
urlpatterns = [
    path("", views.agency_list, name="list"),
    # The agencies' commission statements (LGL-2, KPI-2): every agency's month, one agency's month as a page, PDF, CSV.
    path("commissions/", views_commissions.commission_index, name="commissions"),
    path("<str:code>/commissions/<str:month>/", views_commissions.commission_statement, name="commission-statement"),
    path("<str:code>/commissions/<str:month>.<str:kind>", views_commissions.commission_file, name="commission-file"),
]
