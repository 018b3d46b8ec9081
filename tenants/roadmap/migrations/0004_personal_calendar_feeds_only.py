# Calendar feeds are personal only: the organisation-wide feed (user NULL) was one secret that
# outlived every membership of those who had copied it. Its rows are deleted — their tokens stop
# working; managers subscribe to their own feed, which covers the whole organisation.

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


def delete_organisation_wide_feeds(apps, schema_editor):
    CalendarFeed = apps.get_model("roadmap", "CalendarFeed")
    CalendarFeed.objects.filter(user__isnull=True).delete()


class Migration(migrations.Migration):

    dependencies = [
        ("roadmap", "0003_canonical_stage"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RunPython(delete_organisation_wide_feeds, migrations.RunPython.noop),
        migrations.RemoveConstraint(model_name="calendarfeed", name="calendar_feed_one_per_user"),
        migrations.AlterField(
            model_name="calendarfeed",
            name="user",
            field=models.ForeignKey(
                db_constraint=False,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
            ),
        ),
        migrations.AddConstraint(
            model_name="calendarfeed",
            constraint=models.UniqueConstraint(fields=("user",), name="calendar_feed_one_per_user"),
        ),
    ]
