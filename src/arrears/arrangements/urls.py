from django.urls import path

from arrears.arrangements import views

app_name = "arrangements"
urlpatterns = [
    path("approvals/", views.approval_queue, name="queue"),
    path("cases/<int:case_id>/plan/", views.plan_designer, name="designer"),
    path("cases/<int:case_id>/waivers/", views.waiver_propose, name="waiver-propose"),
    path("plans/<int:plan_id>/", views.plan_detail, name="plan"),
    path("plans/<int:plan_id>/decide/", views.plan_decide, name="plan-decide"),
    path("plans/<int:plan_id>/sign/", views.plan_sign, name="plan-sign"),
    path("plans/<int:plan_id>/withdraw/", views.plan_withdraw, name="plan-withdraw"),
    path("plans/<int:plan_id>/agreement.pdf", views.agreement_pdf, name="agreement"),
    path("plans/<int:plan_id>/signed", views.signed_scan, name="signed-scan"),
    path("waivers/<int:waiver_id>/decide/", views.waiver_decide, name="waiver-decide"),
]
