"""The rejection reports' paths kept relative to ARREARS_VAR (`feeds/<date>/<digest>/rejections.csv`), so a
restore into another ARREARS_VAR still finds them; an absolute path stored before is cut to its `feeds/` part."""

from pathlib import Path

from django.db import migrations


def relative(apps, schema_editor):
    FeedLoad = apps.get_model("portfolio", "FeedLoad")
    for load in FeedLoad.objects.exclude(report_path=""):
        parts = Path(load.report_path).parts
        if Path(load.report_path).is_absolute() and len(parts) >= 5 and parts[-4] == "feeds":
            FeedLoad.objects.filter(pk=load.pk).update(report_path=str(Path(*parts[-4:])))


class Migration(migrations.Migration):
    dependencies = [("portfolio", "0006_verbose_names")]

    operations = [migrations.RunPython(relative, migrations.RunPython.noop)]
