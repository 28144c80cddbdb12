from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OperationsConfig(AppConfig):
    name = "arrears.operations"
    verbose_name = _("Scheduled jobs")

    def ready(self) -> None:
        # django-tasks-db's queue rows are the worker's plumbing, not a page for people: the runs page
        # (/runs/jobs/) shows each job's attempts in the site's language. Out of the admin, then.
        from django.contrib import admin
        from django_tasks_db.models import DBTaskResult

        if admin.site.is_registered(DBTaskResult):
            admin.site.unregister(DBTaskResult)
