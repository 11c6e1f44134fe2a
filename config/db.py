"""One-row INSERTs with the statement compiled once per model, for the sign-up's hot path.

Model.save() and bulk_create() build their INSERT anew every time: 0.3-0.5 ms of CPU for a
row, several times what the database spends on it. A sign-up writes three rows while its
meeting is locked, and that lock is what a burst of sign-ups for one meeting queues on. The
values still go through each field's own pre_save and get_db_prep_save (auto_now_add,
JSON, time zones), so the row is what save() would have written. What save() adds around
the INSERT does not happen: no save signals, no overridden save() (the models written here,
Registration, Message and RegistrationChange, have neither).
"""

from functools import cache

from django.db import connections, transaction
from django.db.models import NOT_PROVIDED, Model
from django.db.models.constants import OnConflict


@cache
def _statement(model: type[Model], alias: str, ignore_conflicts: bool) -> tuple[list, str]:
    connection = connections[alias]
    meta = model._meta
    fields = [field for field in meta.local_concrete_fields if field is not meta.auto_field]
    if meta.proxy or meta.parents or any(field.generated or field.db_default is not NOT_PROVIDED for field in fields):
        # Such models need what save() does around the INSERT (database-filled columns, rows in
        # other tables); this writes one table's explicit values and nothing else.
        raise TypeError(f"config.db.insert cannot write {model.__name__}: use save() or bulk_create()")
    on_conflict = OnConflict.IGNORE if ignore_conflicts else None
    columns = ", ".join(connection.ops.quote_name(field.column) for field in fields)
    placeholders = ", ".join(["%s"] * len(fields))
    parts = [
        f"{connection.ops.insert_statement(on_conflict=on_conflict)} {connection.ops.quote_name(meta.db_table)}",
        f"({columns}) VALUES ({placeholders})",
        connection.ops.on_conflict_suffix_sql(fields, on_conflict, None, None),
        f"RETURNING {connection.ops.quote_name(meta.pk.column)}",
    ]
    return fields, " ".join(part for part in parts if part)


def insert(obj: Model, *, using: str = "default", ignore_conflicts: bool = False) -> bool:
    """Inserts `obj` and sets its primary key. With ignore_conflicts a row that would break a
    unique constraint is skipped, and then the answer is False and obj.pk stays None."""
    if obj.pk is not None:  # the statement leaves the key to the database
        raise ValueError(f"{type(obj).__name__} {obj.pk} already has a primary key; insert() only writes new rows")
    connection = connections[using]
    fields, sql = _statement(type(obj), using, ignore_conflicts)
    params = [field.get_db_prep_save(field.pre_save(obj, add=True), connection) for field in fields]
    # As in save(): an error spoils the surrounding atomic block, so it cannot go on unnoticed.
    with transaction.mark_for_rollback_on_error(using), connection.cursor() as cursor:
        cursor.execute(sql, params)
        row = cursor.fetchone()
    if row is None:
        return False
    obj.pk = row[0]
    obj._state.adding = False
    obj._state.db = using
    return True


def insert_rows(objs: list[Model], *, ignore_conflicts: bool = False) -> None:
    """bulk_create for a list that is usually one row long (a sign-up's message, its history
    line): one row takes insert(), more take one bulk INSERT."""
    if len(objs) == 1:
        insert(objs[0], ignore_conflicts=ignore_conflicts)
    elif objs:
        type(objs[0]).objects.bulk_create(objs, ignore_conflicts=ignore_conflicts)
