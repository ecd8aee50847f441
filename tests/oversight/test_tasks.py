"""The reminder task: thin, idempotent, and safe when two runs race."""

import datetime
import threading

import pytest
import time_machine
from django.db import connection

from congress.models import Notification
from congress.roles import Role
from oversight import services
from oversight.tasks import countermeasure_remind_task
from tests.factories.congress import OrganizationFactory
from tests.factories.congress import UserFactory
from tests.factories.oversight import OversightItemFactory


def _overdue_measure(county, staff):
    unit = OrganizationFactory(region=county)
    UserFactory(
        username="liaison_t",
        scope_region=county,
        organization=unit,
        roles=[Role.UNIT_LIAISON],
    )
    item = OversightItemFactory(region=county)
    opinion = services.opinion_issue(
        item=item,
        text="意见",
        issued_on=datetime.date(2027, 3, 1),
        report_due=datetime.date(2027, 5, 1),
        user=staff,
    )
    problem = services.problem_add(opinion=opinion, description="问题", user=staff)
    return services.countermeasure_add(
        problem=problem,
        unit=unit,
        measure="对策",
        deadline=datetime.date(2027, 4, 30),
        user=staff,
    )


@pytest.mark.django_db
def test_task_uses_today_and_sends_once(county_a, staff_a):
    measure = _overdue_measure(county_a, staff_a)
    with time_machine.travel(
        datetime.datetime(2027, 5, 3, 9, tzinfo=datetime.UTC), tick=False
    ):
        assert countermeasure_remind_task() == 1
        assert countermeasure_remind_task() == 0
    assert Notification.objects.get(object_id=measure.pk).kind == (
        "oversight.countermeasure_overdue"
    )


@pytest.mark.django_db(transaction=True)
def test_two_racing_runs_create_one_reminder(county_a, staff_a):
    """Two workers running the job at once still create one notification."""
    _overdue_measure(county_a, staff_a)
    barrier = threading.Barrier(2)
    results, errors = [], []

    def run():
        try:
            barrier.wait()
            results.append(
                services.countermeasure_remind(today=datetime.date(2027, 5, 3))
            )
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors
    assert sorted(results) == [0, 1]
    assert (
        Notification.objects.filter(kind="oversight.countermeasure_overdue").count()
        == 1
    )
