from django.db import migrations

# The two kinds the programme offers; organisers add more in the workspace or the admin.
KINDS = [("business", "Affärscoachning", "Business coaching"), ("life", "Life-coachning", "Life coaching")]


def add_kinds(apps, schema_editor):
    CoachingKind = apps.get_model("coaching", "CoachingKind")
    for code, name, name_en in KINDS:
        CoachingKind.objects.get_or_create(code=code, defaults={"name": name, "name_en": name_en})


class Migration(migrations.Migration):
    dependencies = [("coaching", "0001_initial")]

    # Existing coaching meetings stay as they are: meetings of kind coaching without a series.
    operations = [migrations.RunPython(add_kinds, migrations.RunPython.noop)]
