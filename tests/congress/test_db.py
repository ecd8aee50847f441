"""congress.db: fixed statements, prepared on PostgreSQL, read into model instances."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from congress import db
from congress.models import Region

pytestmark = pytest.mark.django_db

SQL = f"SELECT {db.columns(Region, 'r')} FROM {Region._meta.db_table} r WHERE r.id = %s"


def _prepared() -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements")
        return [row[0] for row in cursor.fetchall()]


def test_a_fixed_statement_is_prepared_after_the_threshold(county_a):
    """After ``prepare_threshold`` runs on a connection the server keeps the
    statement's plan; each run is still a query Django logs and tests count."""
    threshold = connection.settings_dict["OPTIONS"]["prepare_threshold"]
    assert threshold == 5
    sql = SQL + " /* this test's own */"  # not run on this connection before
    statement = sql.replace("%s", "$1")
    with CaptureQueriesContext(connection) as ctx:
        for _ in range(threshold):
            row = db.fetch_one(sql, [county_a.pk])
    assert statement not in _prepared()
    assert len(ctx.captured_queries) == threshold
    db.fetch_one(sql, [county_a.pk])
    assert statement in _prepared()
    assert db.instance(Region, row).code == county_a.code


def test_the_orm_queries_are_never_prepared(county_a):
    for _ in range(10):
        Region.objects.filter(pk=county_a.pk).first()
    assert not [s for s in _prepared() if "congress_region" in s and "LIMIT" in s]


def test_instance_is_the_orm_instance(county_a):
    row = db.fetch_one(SQL, [county_a.pk])
    region = db.instance(Region, row)
    orm = Region.objects.get(pk=county_a.pk)
    assert [getattr(region, f.attname) for f in Region._meta.concrete_fields] == [
        getattr(orm, f.attname) for f in Region._meta.concrete_fields
    ]
    assert region == orm and not region._state.adding
    assert db.width(Region) == len(row)
    assert db.fetch_one(SQL, [-1]) is None
