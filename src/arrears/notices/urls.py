from django.urls import path

from arrears.notices import views, views_templates

app_name = "notices"
urlpatterns = [
    path("", views.outbox, name="outbox"),
    path("<int:pk>/decide/", views.notice_decide, name="decide"),
    path("report/", views.report, name="report"),
    path("print-batches/", views.print_batches, name="print-batches"),
    path("print-batches/<int:pk>.<str:kind>", views.print_batch_file, name="print-batch-file"),
    path("borrowers/<int:borrower_id>/", views.history, name="history"),
    path("sms/receipts/", views.sms_receipt, name="sms-receipt"),
    *views_templates.urlpatterns,
]
