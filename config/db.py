"""INSERTs with the statement compiled once per model, and statements sent together, for the
sign-up's hot path.

Model.save() and bulk_create() build their INSERT anew every time: 0.3-0.5 ms of CPU for a
row, several times what the database spends on it. A sign-up writes three rows while its
meeting is locked, and that lock is what a burst of sign-ups for one meeting queues on. The
values still go through each field's own pre_save and get_db_prep_save (auto_now_add,
JSON, time zones), so the row is what save() would have written. What save() adds around
the INSERT does not happen: no save signals, no overridden save() (the models written here,
Registration, Message and RegistrationChange, have neither).

Each round trip to the database while the lock is held is a wait for the next sign-up, so
run_together() sends a list of statements in one message on PostgreSQL, reserve_ids()
hands out primary keys before the rows are written, so that rows pointing to a new row can
go in the same message as the row itself, and the last message can carry the COMMIT
(COMMITTING: it lets go of the locks before the disk has the commit, and the call still
returns only after it has).
"""

from collections.abc import Sequence
from functools import cache

from django.db import connections, transaction
from django.db.models import NOT_PROVIDED, Model
from django.db.models.constants import OnConflict


@cache
def _statement(model: type[Model], alias: str, ignore_conflicts: bool, with_pk: bool = False) -> tuple[list, str]:
    """The INSERT and the fields whose values it takes. The database picks the primary key
    and returns it, unless `with_pk`: then the row brings its own (from reserve_ids)."""
    connection = connections[alias]
    meta = model._meta
    fields = [field for field in meta.local_concrete_fields if with_pk or field is not meta.auto_field]
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
        "" if with_pk else f"RETURNING {connection.ops.quote_name(meta.pk.column)}",
    ]
    return fields, " ".join(part for part in parts if part)


def insert(obj: Model, *, using: str = "default", ignore_conflicts: bool = False) -> bool:
    """Inserts `obj` and sets its primary key. With ignore_conflicts a row that would break a
    unique constraint is skipped, and then the answer is False and obj.pk stays None."""
    if obj.pk is not None:  # the statement leaves the key to the database
        raise ValueError(f"{type(obj).__name__} {obj.pk} already has a primary key; insert() only writes new rows")
    fields, sql = _statement(type(obj), using, ignore_conflicts)
    (rows,) = run_together([(sql, _values(obj, fields, connections[using]))], using=using)
    if not rows:
        return False
    _written(obj, using, pk=rows[0][0])
    return True


class NewRow:
    """A new row with its INSERT's values prepared ahead of insert_together(). set() changes a
    few of them for the price of those fields alone: a sign-up prepares its rows before it
    locks its meeting and, while it holds the lock, sets only what the lock's reads decide.

    `key_reserved`: the row will bring its own primary key (set before it is written, from
    reserve_ids), as a row that has one already does."""

    def __init__(self, obj: Model, *, key_reserved: bool = False, using: str = "default") -> None:
        if not obj._state.adding:
            raise ValueError(f"{type(obj).__name__} {obj.pk} is already stored; insert_together() only writes new rows")
        self.obj, self.using = obj, using
        self.fields, self.sql = _statement(type(obj), using, False, key_reserved or obj.pk is not None)
        self.values = _values(obj, self.fields, connections[using])

    def set(self, **attributes) -> None:
        """Sets the row's attributes (field names, or pk) and prepares their values again."""
        meta, connection = self.obj._meta, connections[self.using]
        for name, value in attributes.items():
            setattr(self.obj, name, value)
            field = meta.pk if name == "pk" else meta.get_field(name)
            self.values[self.fields.index(field)] = field.get_db_prep_save(
                field.pre_save(self.obj, add=True), connection
            )


def insert_together(rows: Sequence[Model | NewRow], *, using: str = "default", commit: bool = False) -> None:
    """Inserts new rows (models, or NewRows prepared earlier), one statement each, sent together
    (run_together). A row whose primary key was reserved (reserve_ids) is written with it, so
    rows after it in the list can point to it; any other row gets the database's key. `commit`
    as in run_together."""
    prepared = [row if isinstance(row, NewRow) else NewRow(row, using=using) for row in rows]
    results = run_together([(row.sql, row.values) for row in prepared], using=using, commit=commit)
    for row, returned in zip(prepared, results, strict=True):
        _written(row.obj, using, pk=row.obj.pk if row.obj.pk is not None else returned[0][0])


def _values(obj: Model, fields: list, connection) -> list:
    return [field.get_db_prep_save(field.pre_save(obj, add=True), connection) for field in fields]


def _written(obj: Model, using: str, *, pk) -> None:
    obj.pk = pk
    obj._state.adding = False
    obj._state.db = using


def run_together(
    statements: Sequence[tuple[str, Sequence]], *, using: str = "default", commit: bool = False
) -> list[list[tuple]]:
    """Runs the statements in order and returns the rows of each (empty for one that returns none).

    PostgreSQL gets them in one message (the simple query protocol of psycopg's client-side
    binding cursor, Django's default) and runs each with a snapshot of its own, as if they had
    come one by one: a statement after a row lock sees what the lock's previous holder
    committed. SQLite takes one statement at a time, so there they go one after another.
    An error spoils the surrounding atomic block, as after a failed save().

    `commit=True` says these are the last statements of the outermost atomic block: on
    PostgreSQL its COMMIT then goes in the same message, so the locks are let go without one
    more wait for the network, and the block's own commit finds the transaction over and sends
    nothing (psycopg skips COMMIT when the server reports none open). The locks are let go
    before the commit reaches the disk, and the call returns only after it has (COMMITTING,
    below). on_commit callbacks run at the block's end as usual. Nothing may follow in the
    block: it would run in a transaction of its own, and an exception could no longer undo
    what was committed. Inside a nested block (a savepoint, a test's transaction) and on SQLite
    the block commits as usual.
    """
    connection = connections[using]
    if commit and statements and _may_commit_here(connection):
        before, after = COMMITTING
        return run_together([*before, *statements, *after], using=using)[len(before) : len(before) + len(statements)]
    if not statements:
        return []
    with transaction.mark_for_rollback_on_error(using), connection.cursor() as cursor:
        if connection.vendor != "postgresql" or len(statements) == 1:
            results = []
            for sql, params in statements:
                cursor.execute(sql, params)
                results.append(_rows(cursor))
            return results
        # "%" only ever marks a parameter here; a literal one would need doubling as in any execute().
        cursor.execute("; ".join(sql for sql, _ in statements), [value for _, params in statements for value in params])
        return _pg_results(cursor.cursor)


# What surrounds the last statements of a transaction that run_together commits. A plain
# COMMIT keeps the transaction's locks until its record is on disk (the fsync, 0.2-0.7 ms on
# the development machine), and the next sign-up for the meeting waits all that time: in a
# burst for one meeting, a tenth of the CPU stood idle. So the transaction commits without
# waiting for the disk, which lets go of its locks at once, and a small transaction that
# does wait follows in the same message. The log reaches the disk in order, so once that one
# has committed the first is on disk too, and only then does the caller answer anyone.
# The waiting transaction writes one small record to the log (a logical decoding message,
# which nothing reads unless a replication slot decodes it): a COMMIT of a transaction that
# wrote nothing does not wait for the disk. Whoever reads the rows in that fraction of a
# millisecond acts on a commit that a crash of the server could still undo; a commit of
# theirs that rests on it is later in the log, so it cannot outlive it.
# tests/test_db_durability.py crashes a server right after the call has returned and finds
# the rows.
COMMITTING = (
    [("SET LOCAL synchronous_commit = off", [])],
    [
        ("COMMIT", []),
        ("BEGIN", []),
        ("SELECT pg_logical_emit_message(true, 'traffpunkt', 'flush')", []),
        ("COMMIT", []),
    ],
)


def _pg_results(cursor) -> list[list[tuple]]:
    # psycopg's own cursor: it holds every statement's result already, and asking it how many
    # columns a result has is cheap, where `description` builds an object per column.
    results = [cursor.fetchall() if cursor.pgresult.nfields else []]
    while cursor.nextset():
        results.append(cursor.fetchall() if cursor.pgresult.nfields else [])
    return results


def _may_commit_here(connection) -> bool:
    # Only the outermost block's transaction is the caller's to end.
    return connection.vendor == "postgresql" and len(connection.atomic_blocks) == 1 and not connection.needs_rollback


def _rows(cursor) -> list[tuple]:
    return cursor.fetchall() if cursor.description is not None else []


def reserve_ids(model: type[Model], count: int, *, using: str = "default") -> tuple[str, list]:
    """A statement (for run_together) whose rows are `count` primary keys for new rows of
    `model`, in rising order. On PostgreSQL they come from the key's sequence, so they are
    never handed out twice. On SQLite they follow the table's AUTOINCREMENT counter, which is
    only safe while the transaction holds the write lock (every transaction here is IMMEDIATE)
    and writes the rows before it commits."""
    connection = connections[using]
    table, column = model._meta.db_table, model._meta.pk.column
    if connection.vendor == "postgresql":
        # generate_series rather than the recursive CTE below: it halves the statement's cost.
        sequence = "nextval(pg_get_serial_sequence(%s, %s))"
        return f"SELECT {sequence} FROM generate_series(1, %s) ORDER BY 1", [table, column, count]
    if connection.vendor == "sqlite":
        numbers = "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < %s)"
        counter = "COALESCE((SELECT seq FROM sqlite_sequence WHERE name = %s), 0)"
        return f"{numbers} SELECT {counter} + i FROM n ORDER BY i", [count, table]
    raise NotImplementedError(f"reserve_ids has no statement for {connection.vendor}")


def insert_rows(objs: list[Model], *, ignore_conflicts: bool = False) -> None:
    """bulk_create for a list that is usually one row long (a sign-up's message, its history
    line): one row takes insert(), more take one bulk INSERT."""
    if len(objs) == 1:
        insert(objs[0], ignore_conflicts=ignore_conflicts)
    elif objs:
        type(objs[0]).objects.bulk_create(objs, ignore_conflicts=ignore_conflicts)
