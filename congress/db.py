"""Model instances from plain SQL, for the few statements every request runs.

The signed-in user is read on every request, and a ballot's poll twice in every
ballot POST. Building those statements with the ORM, or mapping their columns
with ``RawQuerySet``, took 0.3–0.7 ms of Python each time, the same work on
every request. Here a statement names a model's columns with ``columns`` (a
fixed list, so the SQL can be built once), and ``instance`` makes the model
instance of a row as the ORM does: the fields' converters, then
``Model.from_db``. On PostgreSQL they run prepared (``cursor``).
"""

from __future__ import annotations

import weakref
from collections.abc import Sequence
from contextlib import contextmanager

from django.db import DEFAULT_DB_ALIAS
from django.db import connections
from django.db.models import Model

# Per connection and model: the attribute names and the fields' converters.
_readers: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def columns(model: type[Model], alias: str) -> str:
    """``alias."column", …`` for every concrete field of ``model``: the columns
    ``instance`` reads, in its order."""
    return ", ".join(f'{alias}."{f.column}"' for f in model._meta.concrete_fields)


def width(model: type[Model]) -> int:
    """How many columns ``columns(model, …)`` gives."""
    return len(model._meta.concrete_fields)


@contextmanager
def cursor(*, using: str = DEFAULT_DB_ALIAS):
    """A cursor for fixed statements that run on every request or every ballot.

    On PostgreSQL it binds parameters on the server, so psycopg prepares a
    statement once it has run ``prepare_threshold`` times on the connection
    (settings: ``DB_PREPARE_THRESHOLD``) and the server stops planning it again:
    planning the signed-in user's statement took 0.24 ms of the server's CPU on
    every request. The ORM's queries keep Django's client-side binding cursors,
    which psycopg never prepares.
    """
    connection = connections[using]
    with connection.cursor() as django_cursor:
        if connection.vendor != "postgresql":
            yield django_cursor
            return
        with _server_binding(connection, django_cursor) as server_binding:
            yield server_binding


def fetch_one(sql: str, params: Sequence, *, using: str = DEFAULT_DB_ALIAS):
    """The first row of ``sql`` (run through ``cursor``), or ``None``."""
    with cursor(using=using) as c:
        c.execute(sql, params)
        return c.fetchone()


def _server_binding(connection, cursor):
    """The cursor ``connection.cursor()`` gives with the database option
    ``server_side_binding`` (what Django's ``create_cursor`` and
    ``_prepare_cursor`` do), on the connection of ``cursor``, one of Django's
    client-side binding cursors."""
    from django.db.backends.postgresql.base import ServerBindingCursor
    from django.db.backends.postgresql.psycopg_any import register_tzloader
    from psycopg import adapters
    from psycopg.pq import Format

    raw = ServerBindingCursor(cursor.cursor.connection)
    timestamptz = adapters.types["timestamptz"].oid
    if (
        connection.timezone
        != raw.adapters.get_loader(timestamptz, Format.TEXT).timezone
    ):
        register_tzloader(connection.timezone, raw)
    if connection.queries_logged:
        return connection.make_debug_cursor(raw)
    return connection.make_cursor(raw)


def instance(
    model: type[Model], row: Sequence, *, start: int = 0, using: str = DEFAULT_DB_ALIAS
) -> Model:
    """The ``model`` instance whose ``columns`` begin at ``row[start]``."""
    connection = connections[using]
    names, converters = _reader(connection, model)
    values = list(row[start : start + len(names)])
    for position, functions, column in converters:
        for function in functions:
            values[position] = function(values[position], column, connection)
    return model.from_db(using, names, values)


def _reader(connection, model: type[Model]):
    readers = _readers.setdefault(connection, {})
    if model not in readers:
        fields = model._meta.concrete_fields
        converters = []
        for position, field in enumerate(fields):
            column = field.get_col(model._meta.db_table)
            functions = connection.ops.get_db_converters(
                column
            ) + column.get_db_converters(connection)
            if functions:
                converters.append((position, functions, column))
        readers[model] = ([f.attname for f in fields], converters)
    return readers[model]
