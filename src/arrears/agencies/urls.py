from django.urls import path

from arrears.agencies import views, views_placement

app_name = "agencies"
urlpatterns = [
    path("", views.agency_list, name="list"),
    path("placements/", views_placement.placement_list, name="placements"),
    path("cases/<int:case_id>/place/", views_placement.place_case, name="place"),
    path("placements/<int:placement_id>/recall/", views_placement.recall_placement, name="recall"),
    path("placements/<int:placement_id>/mandate.pdf", views_placement.mandate_pdf, name="mandate"),
]
