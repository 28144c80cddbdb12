from django.urls import path

from arrears.portfolio import views, views_holds

app_name = "portfolio"
urlpatterns = [
    path("borrowers/", views.borrower_list, name="borrowers"),
    path("borrowers/<str:external_id>/", views.borrower_detail, name="borrower"),
    path("borrowers/<str:external_id>/unmask/", views.unmask, name="unmask"),
    path("borrowers/<str:external_id>/holds/", views_holds.place_hold, name="place-hold"),
    path("holds/<int:hold_id>/lift/", views_holds.lift_hold, name="lift-hold"),
    path("holds/<int:hold_id>/extend/", views_holds.extend_hold, name="extend-hold"),
    path("loans/<str:external_id>/", views.loan_detail, name="loan"),
]
