from django.urls import path

from arrears.quality import views

app_name = "quality"
urlpatterns = [
    path("calls/<int:call_id>/recording", views.recording_audio, name="recording"),
]
