from django.urls import path

from arrears.collection import views, views_letters, views_reminders

app_name = "collection"
urlpatterns = [
    path("cases/", views.case_queue, name="queue"),
    path("reminders/", views_reminders.reminder_queue, name="reminders"),
    path("cases/reassign/", views.reassign_batch, name="reassign-batch"),
    path("cases/allocate/", views.allocate_now, name="allocate"),
    path("cases/<int:case_id>/", views.case_detail, name="case"),
    path("cases/<int:case_id>/call/", views.record_call, name="call"),
    path("cases/<int:case_id>/reassign/", views.reassign_case, name="reassign"),
    path("cases/<int:case_id>/letters/", views_letters.send_letter, name="send-letter"),
    path("letters/<int:letter_id>.pdf", views_letters.letter_pdf, name="letter-pdf"),
]
