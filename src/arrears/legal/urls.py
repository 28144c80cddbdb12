from django.urls import path

from arrears.legal import views_escalation, views_file, views_litigation, views_write_offs

app_name = "legal"
urlpatterns: list = [
    # The court stages (LIT-2): the queue, one lawsuit, its stages, costs and documents.
    path("litigations/", views_litigation.litigation_queue, name="litigations"),
    path("litigations/<int:litigation_id>/", views_litigation.litigation_page, name="litigation"),
    path("litigations/<int:litigation_id>/stages/", views_litigation.record_stage, name="record_stage"),
    path("litigations/<int:litigation_id>/costs/", views_litigation.record_cost, name="record_cost"),
    path("court-documents/<int:document_id>/", views_litigation.court_document, name="court_document"),
    # The escalation decision (LGL-1, LGL-2, AUTH-3) and write-offs (maker–checker).
    path("escalations/", views_escalation.escalation_queue, name="escalations"),
    path("cases/<int:case_id>/escalation/", views_escalation.case_escalation, name="case-escalation"),
    path("write-offs/", views_write_offs.write_off_list, name="write-offs"),
    path("write-offs/<int:write_off_id>/decide/", views_write_offs.decide_write_off, name="write-off-decide"),
    path("write-offs/recoveries/", views_write_offs.recoveries_page, name="recoveries"),
    # The litigation file (LIT-1): its versions and build form, a version's PDF or ZIP.
    path("litigations/<int:litigation_id>/file/", views_file.litigation_file, name="file"),
    path("litigations/<int:litigation_id>/file/build/", views_file.build_file, name="file-build"),
    path(
        "litigations/<int:litigation_id>/file/v<int:version>.<str:kind>",
        views_file.file_download,
        name="file-download",
    ),
]
