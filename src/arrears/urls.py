from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView

from arrears.accounts import views as accounts
from arrears.api import site as api_v1
from arrears.home import errors, health, start
from arrears.home import views as home

# The error pages in the site's layout and the user's language (not Django's bare English ones).
handler400 = errors.bad_request
handler403 = errors.forbidden
handler404 = errors.not_found
handler500 = errors.server_error

urlpatterns = [
    # For load balancers and service managers (home/health.py): no slash, plain HTTP, no sign-in.
    path("healthz", health.healthz, name="healthz"),
    path("readyz", health.readyz, name="readyz"),
    path("", start.start, name="start"),
    path("policy/", home.policy_in_force, name="policy-in-force"),
    # The admin signs in and out through arrears' own (audited, rate-limited) views.
    path("admin/login/", RedirectView.as_view(pattern_name="login", query_string=True)),
    path("admin/logout/", accounts.LogoutView.as_view()),
    path("admin/", admin.site.urls),
    path("", include("arrears.accounts.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("", include("arrears.portfolio.urls")),
    path("", include("arrears.operations.urls")),  # before daily's runs/<date>/
    path("", include("arrears.daily.urls")),
    path("", include("arrears.collection.urls")),
    path("", include("arrears.arrangements.urls")),
    path("complaints/", include("arrears.complaints.urls")),
    path("legal/", include("arrears.legal.urls")),
    path("agencies/", include("arrears.agencies.urls")),
    path("quality/", include("arrears.quality.urls")),
    path("reports/whatif/", include("arrears.whatif.urls")),
    path("reports/experiments/", include("arrears.whatif.urls_experiments")),
    path("reports/", include("arrears.reports.urls")),
    path("compliance/", include("arrears.compliance.urls")),
    path("notices/", include("arrears.notices.urls")),
    path("api/v1/", api_v1.urls()),  # the REST API, version 1 (nothing is served under /api/ itself)
]
