from django.urls import path

from arrears.agencies import views, views_commissions, views_placement

app_name = "agencies"
urlpatterns = [
    path("", views.agency_list, name="list"),
    path("placements/", views_placement.placement_list, name="placements"),
    path("cases/<int:case_id>/place/", views_placement.place_case, name="place"),
    path("placements/<int:placement_id>/recall/", views_placement.recall_placement, name="recall"),
    path("placements/<int:placement_id>/mandate.pdf", views_placement.mandate_pdf, name="mandate"),
    # The agencies' commission statements (LGL-2, KPI-2): every agency's month, one agency's month as a page, PDF, CSV.
    path("commissions/", views_commissions.commission_index, name="commissions"),
    path("<str:code>/commissions/<str:month>/", views_commissions.commission_statement, name="commission-statement"),
    path("<str:code>/commissions/<str:month>.<str:kind>", views_commissions.commission_file, name="commission-file"),
]
