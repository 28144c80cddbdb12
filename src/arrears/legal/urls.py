from django.urls import path

from arrears.legal import views_file

app_name = "legal"
urlpatterns: list = [
    # The litigation file (LIT-1).
    path("litigations/<int:litigation_id>/file/", views_file.litigation_file, name="file"),
    path("litigations/<int:litigation_id>/file/build/", views_file.build_file, name="file-build"),
    path(
        "litigations/<int:litigation_id>/file/v<int:version>.<str:kind>",
        views_file.file_download,
        name="file-download",
    ),
]
