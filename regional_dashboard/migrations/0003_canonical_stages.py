"""Rollups carry stages of the target model by code, never a school's own wording.

Earlier rows held each school's stage titles (its free text) in the regional layer. Each is
mapped here to the stage its wording suggests (as tenants.roadmap.stages does for new items),
the counts of titles that map to one stage are added up, and the titles are dropped.
"""

from django.db import migrations, models

COUNTS = ("total", "done", "on_time", "overdue")


def to_codes(apps, schema_editor):
    from tenants.roadmap.stages import ORDER, suggest_stage

    OrganizationRollup = apps.get_model("regional_dashboard", "OrganizationRollup")
    RollupStep = apps.get_model("regional_dashboard", "RollupStep")
    for row in OrganizationRollup.objects.only("pk", "stages", "is_latest").iterator(chunk_size=500):
        merged = {}
        for step in row.stages or []:
            code = step.get("code") or suggest_stage(step.get("title", ""))
            into = merged.setdefault(code, {"code": code, "position": ORDER[code], **dict.fromkeys(COUNTS, 0)})
            for name in COUNTS:
                into[name] += int(step.get(name, 0))
        row.stages = sorted(merged.values(), key=lambda step: step["position"])
        OrganizationRollup.objects.filter(pk=row.pk).update(stages=row.stages)
    RollupStep.objects.all().delete()
    latest = OrganizationRollup.objects.filter(is_latest=True).only(
        "organization_id", "academic_year", "stages"
    )
    RollupStep.objects.bulk_create(
        RollupStep(organization_id=row.organization_id, academic_year=row.academic_year, **step)
        for row in latest.iterator(chunk_size=500)
        for step in row.stages
    )


class Migration(migrations.Migration):
    dependencies = [("regional_dashboard", "0002_latest_row_steps_and_counts")]

    operations = [
        migrations.AddField(
            model_name="rollupstep",
            name="code",
            field=models.CharField(default="other", max_length=20, verbose_name="этап целевой модели"),
            preserve_default=False,
        ),
        migrations.RemoveField(model_name="rollupstep", name="title"),
        migrations.RunPython(to_codes, migrations.RunPython.noop),
    ]
