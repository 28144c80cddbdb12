from django.urls import path

from arrears.compliance import views

app_name = "compliance"
urlpatterns = [
    path("phrases/", views.phrase_list, name="phrases"),
    path("phrases/<int:pk>/", views.phrase_edit, name="phrase"),
    path("phrases/<int:pk>/active/", views.phrase_set_active, name="phrase-active"),
    path("language-hits/", views.language_hits, name="language-hits"),
    path("ledger/", views.ledger_verify, name="ledger"),
]
