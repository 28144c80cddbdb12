"""Seed the working-day calendar table with every year the chinese-calendar package knows.

From here on the table is the calendar: staff add new years through the admin (an audited action), and a
later package upgrade changes nothing already stored.
"""

from django.db import migrations


def seed(apps, schema_editor):
    from arrears.workdays import Calendar

    calendar = Calendar.from_package()
    year_model = apps.get_model("rules", "CalendarYear")
    day_model = apps.get_model("rules", "CalendarDay")
    years = {
        year: year_model.objects.create(year=year, source=calendar.source) for year in sorted(calendar.known_years)
    }
    days = [day_model(year=years[d.year], day=d, kind="holiday", name=n) for d, n in calendar.holidays.items()]
    days += [day_model(year=years[d.year], day=d, kind="makeup", name=n) for d, n in calendar.makeup_workdays.items()]
    day_model.objects.bulk_create(days, batch_size=1000)


def unseed(apps, schema_editor):
    apps.get_model("rules", "CalendarYear").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("rules", "0001_initial")]
    operations = [migrations.RunPython(seed, unseed)]
