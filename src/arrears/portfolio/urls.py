from django.urls import path

from arrears.portfolio import views

app_name = "portfolio"
urlpatterns = [
    path("borrowers/", views.borrower_list, name="borrowers"),
    path("borrowers/<str:external_id>/", views.borrower_detail, name="borrower"),
    path("borrowers/<str:external_id>/unmask/", views.unmask, name="unmask"),
    path("loans/<str:external_id>/", views.loan_detail, name="loan"),
]
