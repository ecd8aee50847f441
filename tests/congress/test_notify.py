"""Notifications: once per (kind, object, recipient, due date), sent once, after commit."""

import datetime
import smtplib
import threading

import pytest
from django.core import mail
from django.db import connection
from django.utils import timezone

from congress import tasks
from congress.models import Notification
from congress.notify import ConsoleSmsBackend
from congress.notify import Delivery
from congress.notify import notification_deliver
from congress.notify import notification_list_for_user
from congress.notify import notification_mark_read
from congress.notify import notification_schedule
from congress.notify import notification_unread_count
from tests.factories.congress import UserFactory

pytestmark = pytest.mark.django_db


def schedule(user, obj, *, due_date=None, channels=("in_app", "email"), title=None):
    return notification_schedule(
        recipient=user,
        kind="reply_due",
        obj=obj,
        due_date=due_date or timezone.localdate(),
        title=title or "建议答复即将到期",
        body="请在期限内答复代表。",
        url="/suggestions/1/",
        channels=channels,
    )


def test_notification_schedule_enqueues_delivery_only_after_commit(
    staff_a, county_a, django_capture_on_commit_callbacks
):
    """Nothing is sent inside the transaction; after commit one e-mail goes out."""
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        notification, created = schedule(staff_a, county_a)
        assert created
        assert mail.outbox == [], "no e-mail may leave before commit"
    assert len(callbacks) == 1, "exactly one delivery is enqueued on commit"
    callbacks[0]()
    notification.refresh_from_db()
    assert notification.sent_at is not None
    assert [m.to for m in mail.outbox] == [[staff_a.email]]
    assert mail.outbox[0].subject == "建议答复即将到期"


def test_notification_schedule_twice_one_row_one_email(
    staff_a, county_a, django_capture_on_commit_callbacks
):
    """The reminder job scheduling the same reminder twice sends one e-mail."""
    with django_capture_on_commit_callbacks(execute=True):
        first, created_first = schedule(staff_a, county_a)
    with django_capture_on_commit_callbacks(execute=True):
        second, created_second = schedule(staff_a, county_a, title="另一个标题")
    assert (created_first, created_second) == (True, False)
    assert second.pk == first.pk and second.title == "建议答复即将到期"
    assert Notification.objects.count() == 1
    assert len(mail.outbox) == 1, [m.subject for m in mail.outbox]


def test_notification_other_due_date_is_a_new_reminder(
    staff_a, county_a, django_capture_on_commit_callbacks
):
    """A reminder for another due date is a separate notification."""
    with django_capture_on_commit_callbacks(execute=True):
        schedule(staff_a, county_a)
        schedule(
            staff_a, county_a, due_date=timezone.localdate() - datetime.timedelta(1)
        )
    assert Notification.objects.count() == 2
    assert len(mail.outbox) == 2


def test_dispatch_run_twice_sends_due_rows_once(
    staff_a, county_a, django_capture_on_commit_callbacks
):
    """A reminder due later waits; the dispatch job run twice on its day sends it once."""
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        notification, _ = schedule(staff_a, county_a, due_date=tomorrow)
    assert callbacks == [], "a reminder due tomorrow is not sent today"
    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.dispatch_notifications.delay().get() == 0
    assert mail.outbox == []

    Notification.objects.filter(pk=notification.pk).update(
        due_date=timezone.localdate()
    )
    for _run in range(2):
        with django_capture_on_commit_callbacks(execute=True):
            tasks.dispatch_notifications.delay()
    notification.refresh_from_db()
    assert notification.sent_at is not None
    assert len(mail.outbox) == 1, "the second run must not send again"
    assert Notification.objects.count() == 1


def test_notification_deliver_already_sent_returns_without_sending(staff_a, county_a):
    """Delivering a sent row again is a no-op (a redelivered task message)."""
    notification, _ = schedule(staff_a, county_a)
    assert notification_deliver(notification_id=notification.pk) == Delivery.SENT
    assert (
        notification_deliver(notification_id=notification.pk) == Delivery.ALREADY_SENT
    )
    assert len(mail.outbox) == 1


def test_notification_deliver_sms_goes_through_backend_short(county_a):
    """SMS goes through settings.SMS_BACKEND (console) with the short title only."""
    user = UserFactory(username="sms_user", phone="13812341234")
    notification, _ = schedule(user, county_a, channels=("sms",), title="督办" * 50)
    ConsoleSmsBackend.sent.clear()
    assert notification_deliver(notification_id=notification.pk) == Delivery.SENT
    assert [m.phone for m in ConsoleSmsBackend.sent] == ["13812341234"]
    assert len(ConsoleSmsBackend.sent[0].text) <= 70
    notification.refresh_from_db()
    assert notification.delivery_log["sms"]["ok"] is True


def test_notification_deliver_smtp_failure_keeps_row_unsent(
    staff_a, county_a, monkeypatch
):
    """An SMTP outage leaves the row unsent for a retry; in-app is not repeated."""
    notification, _ = schedule(staff_a, county_a)

    def refuse(*args, **kwargs):
        raise smtplib.SMTPServerDisconnected("服务器断开")

    monkeypatch.setattr("congress.notify.send_mail", refuse)
    assert notification_deliver(notification_id=notification.pk) == Delivery.RETRY
    notification.refresh_from_db()
    assert notification.sent_at is None
    assert notification.delivery_log["email"]["transient"] is True
    assert notification.delivery_log["in_app"]["ok"] is True

    monkeypatch.undo()
    assert notification_deliver(notification_id=notification.pk) == Delivery.SENT
    assert len(mail.outbox) == 1


def test_deliver_task_retries_named_transient_error(staff_a, county_a, monkeypatch):
    """The task retries on SMTP failure and succeeds once the server is back."""
    notification, _ = schedule(staff_a, county_a)
    calls = []
    real_send_mail = mail.send_mail

    def flaky(*args, **kwargs):
        calls.append(1)
        if len(calls) == 1:
            raise smtplib.SMTPServerDisconnected("暂时不可用")
        return real_send_mail(*args, **kwargs)

    monkeypatch.setattr("congress.notify.send_mail", flaky)
    # throw=False: let eager apply() run the retry instead of propagating it.
    result = tasks.deliver_notification.apply(args=[notification.pk], throw=False)
    assert result.successful(), result.traceback
    notification.refresh_from_db()
    assert len(calls) == 2, "one failure, then one successful retry"
    assert notification.sent_at is not None
    assert len(mail.outbox) == 1


def test_notification_mark_read_and_unread_count(staff_a, staff_b, county_a):
    """Reading lowers the unread count; another user's notification is not found."""
    notification, _ = schedule(staff_a, county_a)
    assert notification_unread_count(user=staff_a) == 1
    assert list(notification_list_for_user(user=staff_b)) == []
    with pytest.raises(Notification.DoesNotExist):
        notification_mark_read(user=staff_b, notification_id=notification.pk)
    notification_mark_read(user=staff_a, notification_id=notification.pk)
    assert notification_unread_count(user=staff_a) == 0
    assert list(notification_list_for_user(user=staff_a)) == [notification]


@pytest.mark.django_db(transaction=True)
def test_notification_schedule_concurrent_threads_one_row(county_a, staff_a):
    """Two threads scheduling the same reminder at once leave exactly one row."""
    barrier = threading.Barrier(2)
    results, errors = [], []
    due = timezone.localdate() + datetime.timedelta(days=30)  # no delivery now

    def worker():
        try:
            barrier.wait(timeout=10)
            results.append(schedule(staff_a, county_a, due_date=due)[1])
        except Exception as exc:  # reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert errors == []
    assert sorted(results) == [False, True], "one thread creates, the other finds it"
    assert Notification.objects.count() == 1
