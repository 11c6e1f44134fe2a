from importlib import import_module

from django.db import migrations

# The waiting list's place is counted where it is needed (over the (event, status, id) index),
# so the table of lengths and the triggers that kept it go. Going back recreates both.
previous = import_module("registrations.migrations.0007_waiting_list")


def _run(statements_by_vendor):
    def run(apps, schema_editor):
        for statement in statements_by_vendor[schema_editor.connection.vendor]:
            schema_editor.execute(statement)

    return run


class Migration(migrations.Migration):
    dependencies = [("registrations", "0007_waiting_list")]

    operations = [
        migrations.RunPython(
            _run({"postgresql": previous.POSTGRESQL_REVERSE, "sqlite": previous.SQLITE_REVERSE}),
            _run({"postgresql": [*previous.POSTGRESQL, previous.BACKFILL], "sqlite": [*previous.SQLITE, previous.BACKFILL]}),
        ),
        migrations.DeleteModel(name="WaitingList"),
    ]
