from django.urls import path

from arrears.quality import views, views_review

app_name = "quality"
urlpatterns = [
    path("calls/<int:call_id>/recording", views.recording_audio, name="recording"),
    # QA-1: people review every flagged call and a sample of the others; QA-2: the month's scores
    path("reviews/", views_review.review_queue, name="reviews"),
    path("reviews/<int:review_id>/", views_review.review_detail, name="review"),
    path("reviews/<int:review_id>/verdicts/", views_review.submit_review, name="submit_review"),
    path("scores/", views_review.scores, name="scores"),
]
