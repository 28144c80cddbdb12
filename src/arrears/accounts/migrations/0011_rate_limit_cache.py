"""The cache table of the API's rate limit (settings.CACHES: the database cache), so that every server process
and machine counts a token's calls in one place."""

from django.core.management import call_command
from django.db import migrations


def create_cache_table(apps, schema_editor):
    call_command("createcachetable", database=schema_editor.connection.alias, verbosity=0)


class Migration(migrations.Migration):
    dependencies = [("accounts", "0010_grant_purge_expired")]

    operations = [migrations.RunPython(create_cache_table, migrations.RunPython.noop, elidable=False)]
