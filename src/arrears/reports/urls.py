from django.urls import path

from arrears.reports import views, views_costs, views_review, views_scorecards

app_name = "reports"
urlpatterns = [
    # KPI-1, KPI-2: the dashboard, its tables as CSV and XLSX (?format=)
    path("", views.dashboard, name="dashboard"),
    # QA-2: the collectors' and agencies' scorecards, each table as CSV (?format=csv&table=)
    path("scorecards/", views_scorecards.scorecards, name="scorecards"),
    # REV-1: the monthly review packs
    path("reviews/", views_review.reviews, name="reviews"),
    path("reviews/prepare/", views_review.prepare, name="prepare-review"),
    path("reviews/<str:month>/", views_review.review, name="review"),
    path("reviews/<str:month>/edit/", views_review.edit, name="edit-review"),
    path("reviews/<str:month>/items/", views_review.add_item, name="add-action-item"),
    path("reviews/<str:month>/items/<int:item_id>/", views_review.update_item, name="update-action-item"),
    path("reviews/<str:month>/approve/", views_review.approve, name="approve-review"),
    path("reviews/<str:month>.<str:kind>", views_review.download, name="review-file"),
    # KPI-2: the month's collection cost; administrators enter and import the costs arrears cannot know
    path("costs/", views_costs.costs, name="costs"),
    path("costs/enter/", views_costs.enter_cost, name="enter_cost"),
    path("costs/import/", views_costs.import_costs, name="import_costs"),
]
