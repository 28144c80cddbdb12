from django.urls import path

from arrears.legal import views_litigation

app_name = "legal"
urlpatterns: list = [
    # The court stages (LIT-2): the queue, one lawsuit, its stages, costs and documents.
    path("litigations/", views_litigation.litigation_queue, name="litigations"),
    path("litigations/<int:litigation_id>/", views_litigation.litigation_page, name="litigation"),
    path("litigations/<int:litigation_id>/stages/", views_litigation.record_stage, name="record_stage"),
    path("litigations/<int:litigation_id>/costs/", views_litigation.record_cost, name="record_cost"),
    path("court-documents/<int:document_id>/", views_litigation.court_document, name="court_document"),
]
