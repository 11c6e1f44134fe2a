import django.db.models.deletion
from django.db import migrations, models

# The waiting list's length follows every registration that joins or leaves a line: inserted
# waiting, deleted while waiting, or updated into or out of "waitlisted" or to another meeting.
# The increment creates the meeting's row on its first use; a decrement always finds it.
POSTGRESQL = [
    """
    CREATE FUNCTION registrations_waiting_list_follow() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF TG_OP <> 'INSERT' AND OLD.status = 'waitlisted' THEN
            UPDATE registrations_waitinglist SET length = length - 1 WHERE event_id = OLD.event_id;
        END IF;
        IF TG_OP <> 'DELETE' AND NEW.status = 'waitlisted' THEN
            INSERT INTO registrations_waitinglist AS line (event_id, length) VALUES (NEW.event_id, 1)
            ON CONFLICT (event_id) DO UPDATE SET length = line.length + 1;
        END IF;
        RETURN NULL;
    END $$
    """,
    # The WHEN clauses keep the function from being called at all for a confirmed sign-up or
    # an update that leaves the status and the meeting as they were.
    """
    CREATE TRIGGER waiting_list_insert AFTER INSERT ON registrations_registration
    FOR EACH ROW WHEN (NEW.status = 'waitlisted') EXECUTE FUNCTION registrations_waiting_list_follow()
    """,
    """
    CREATE TRIGGER waiting_list_delete AFTER DELETE ON registrations_registration
    FOR EACH ROW WHEN (OLD.status = 'waitlisted') EXECUTE FUNCTION registrations_waiting_list_follow()
    """,
    """
    CREATE TRIGGER waiting_list_update AFTER UPDATE OF status, event_id ON registrations_registration
    FOR EACH ROW WHEN ((OLD.status = 'waitlisted' OR NEW.status = 'waitlisted')
                       AND (OLD.status, OLD.event_id) IS DISTINCT FROM (NEW.status, NEW.event_id))
    EXECUTE FUNCTION registrations_waiting_list_follow()
    """,
]
POSTGRESQL_REVERSE = [
    "DROP TRIGGER waiting_list_insert ON registrations_registration",
    "DROP TRIGGER waiting_list_delete ON registrations_registration",
    "DROP TRIGGER waiting_list_update ON registrations_registration",
    "DROP FUNCTION registrations_waiting_list_follow()",
]

_JOIN = """
    INSERT INTO registrations_waitinglist (event_id, length) VALUES (NEW.event_id, 1)
    ON CONFLICT (event_id) DO UPDATE SET length = length + 1;
"""
_LEAVE = "UPDATE registrations_waitinglist SET length = length - 1 WHERE event_id = OLD.event_id;"
_MOVED = "(OLD.status IS NOT NEW.status OR OLD.event_id IS NOT NEW.event_id)"
SQLITE = [
    f"""CREATE TRIGGER waiting_list_insert AFTER INSERT ON registrations_registration
    WHEN NEW.status = 'waitlisted' BEGIN {_JOIN} END""",
    f"""CREATE TRIGGER waiting_list_delete AFTER DELETE ON registrations_registration
    WHEN OLD.status = 'waitlisted' BEGIN {_LEAVE} END""",
    f"""CREATE TRIGGER waiting_list_leave AFTER UPDATE OF status, event_id ON registrations_registration
    WHEN OLD.status = 'waitlisted' AND {_MOVED} BEGIN {_LEAVE} END""",
    f"""CREATE TRIGGER waiting_list_join AFTER UPDATE OF status, event_id ON registrations_registration
    WHEN NEW.status = 'waitlisted' AND {_MOVED} BEGIN {_JOIN} END""",
]
SQLITE_REVERSE = [
    f"DROP TRIGGER waiting_list_{name}" for name in ("insert", "delete", "leave", "join")
]

# The lines as they stand when the triggers take over.
BACKFILL = """
    INSERT INTO registrations_waitinglist (event_id, length)
    SELECT event_id, COUNT(*) FROM registrations_registration WHERE status = 'waitlisted' GROUP BY event_id
"""


def _run(statements_by_vendor):
    def run(apps, schema_editor):
        statements = statements_by_vendor.get(schema_editor.connection.vendor)
        if statements is None:
            raise NotImplementedError(f"No waiting-list triggers for {schema_editor.connection.vendor}")
        for statement in statements:
            schema_editor.execute(statement)

    return run


class Migration(migrations.Migration):
    dependencies = [
        ("events", "0001_initial"),
        ("registrations", "0006_hot_path_indexes"),
    ]

    operations = [
        migrations.CreateModel(
            name="WaitingList",
            fields=[
                (
                    "event",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.DB_CASCADE,
                        primary_key=True,
                        related_name="waiting_list",
                        serialize=False,
                        to="events.event",
                        verbose_name="meeting",
                    ),
                ),
                ("length", models.IntegerField(default=0, verbose_name="waiting")),
            ],
            options={"verbose_name": "waiting list", "verbose_name_plural": "waiting lists"},
        ),
        migrations.RunPython(
            _run({"postgresql": [*POSTGRESQL, BACKFILL], "sqlite": [*SQLITE, BACKFILL]}),
            _run({"postgresql": POSTGRESQL_REVERSE, "sqlite": SQLITE_REVERSE}),
        ),
    ]
