"""The Celery app and the beat schedule (exactly one beat runs: docker-compose.yml).

Queues: ``default`` (notifications, purges: short tasks) and ``reports`` (the
``congress.reports.*`` tasks, CELERY_TASK_ROUTES; long WeasyPrint renders, with
the time limits and per-child memory limit of settings). The processes we expect:

    celery -A congress worker -Q default -n default@%h --concurrency 4
    celery -A congress worker -Q reports -n reports@%h --concurrency 2 \
        --prefetch-multiplier 1 --max-memory-per-child 1000000
    celery -A congress beat --schedule /var/lib/celery/beat-schedule   # exactly one

Prefetch 1 on ``reports`` keeps a long render from holding back the next
report behind it on a busy child. Development and ``make run`` need none of
this: with no CELERY_BROKER_URL tasks run inline.
"""

import os

from celery import Celery
from celery.schedules import crontab

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "congress.settings")

app = Celery("congress")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
# congress/reports/ is a package inside the core app: name it so workers register it.
app.autodiscover_tasks(["congress.reports"])

# Reminder jobs are idempotent through Notification's unique key, so a beat that
# fires twice, or a job that is retried, still sends each reminder once.
app.conf.beat_schedule = {
    "congress-dispatch-notifications": {
        "task": "congress.dispatch_notifications",
        "schedule": crontab(minute="*/5"),
    },
    "congress-purge-audit-log": {
        "task": "congress.purge_audit_log",
        "schedule": crontab(hour=3, minute=30),
    },
    # Next month's station duty rosters, on the 20th and again on the 25th for
    # stations created in between (idempotent).
    "deputies-duty-roster-next-month": {
        "task": "deputies.duty_roster_generate_next_month",
        "schedule": crontab(day_of_month="20,25", hour=2, minute=0),
    },
    # The eve-of-duty reminder to the deputies scheduled tomorrow.
    "deputies-duty-remind": {
        "task": "deputies.duty_remind",
        "schedule": crontab(hour=9, minute=0),
    },
    # Suggestion deadlines (30/15/7 days, overdue escalation), missing ratings
    # and commitments coming due (idempotent through Notification).
    "suggestions-reminders": {
        "task": "suggestions.reminders_send",
        "schedule": crontab(hour=8, minute=30),
    },
    # 履职积分: this year's ledger rebuilt from the facts every night (idempotent).
    "deputies-points-rebuild": {
        "task": "deputies.points_rebuild",
        "schedule": crontab(hour=1, minute=30),
    },
    # Countermeasures (对策清单) due within seven days, overdue, or to escalate.
    "oversight-countermeasure-remind": {
        "task": "oversight.countermeasure_remind",
        "schedule": crontab(hour=8, minute=30),
    },
    # Citizens' opinions unanswered 7 days after they were received remind the
    # deputy; after 10 days the station manager. Idempotent, in batches of 500:
    # hourly in office hours so a backlog clears within the day.
    "deputies-opinion-remind": {
        "task": "deputies.opinion_remind",
        "schedule": crontab(hour="8-20", minute=30),
    },
    # Livelihood projects: monthly progress reports due soon remind the unit;
    # overdue reports and milestones escalate to the committee staff (idempotent).
    "livelihood-votes-progress-remind": {
        "task": "livelihood_votes.progress_remind",
        "schedule": crontab(hour=8, minute=45),
    },
}
