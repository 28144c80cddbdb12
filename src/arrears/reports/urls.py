from django.urls import path

from arrears.reports import views_review

app_name = "reports"
urlpatterns = [
    # REV-1: the monthly review packs
    path("reviews/", views_review.reviews, name="reviews"),
    path("reviews/prepare/", views_review.prepare, name="prepare-review"),
    path("reviews/<str:month>/", views_review.review, name="review"),
    path("reviews/<str:month>/edit/", views_review.edit, name="edit-review"),
    path("reviews/<str:month>/items/", views_review.add_item, name="add-action-item"),
    path("reviews/<str:month>/items/<int:item_id>/", views_review.update_item, name="update-action-item"),
    path("reviews/<str:month>/approve/", views_review.approve, name="approve-review"),
    path("reviews/<str:month>.<str:kind>", views_review.download, name="review-file"),
]
