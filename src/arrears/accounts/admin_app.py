"""The admin app's configuration: django.contrib.admin with arrears' site (`admin_site.ArrearsAdminSite`)."""

from django.contrib.admin.apps import AdminConfig


class ArrearsAdminConfig(AdminConfig):
    """403 for a signed-in user without admin access, the site's login for an anonymous one: no login loop."""

    default_site = "arrears.accounts.admin_site.ArrearsAdminSite"
