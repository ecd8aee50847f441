"""The reminder task and its beat entry."""

from __future__ import annotations

import pytest

from congress.celery import app
from livelihood_votes.tasks import progress_remind

pytestmark = pytest.mark.django_db


def test_progress_remind_is_on_the_beat_schedule():
    entry = app.conf.beat_schedule["livelihood-votes-progress-remind"]
    assert entry["task"] == progress_remind.name == "livelihood_votes.progress_remind"


def test_progress_remind_runs_with_nothing_to_do():
    assert progress_remind.delay().get() == 0
