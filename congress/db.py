"""Model instances from plain SQL, for the few statements every request runs.

The signed-in user is read on every request, and a ballot's poll twice in every
ballot POST. Building those statements with the ORM, or mapping their columns
with ``RawQuerySet``, took 0.3–0.7 ms of Python each time, the same work on
every request. Here a statement names a model's columns with ``columns`` (a
fixed list, so the SQL can be built once), and ``instance`` makes the model
instance of a row as the ORM does: the fields' converters, then
``Model.from_db``.
"""

from __future__ import annotations

import weakref
from collections.abc import Sequence

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


def fetch_one(sql: str, params: Sequence, *, using: str = DEFAULT_DB_ALIAS):
    """The first row of ``sql``, or ``None``."""
    with connections[using].cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchone()


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
