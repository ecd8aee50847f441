"""The session engine: Django's database sessions, read with one fixed statement.

``SESSION_ENGINE = "congress.sessions"``. Every signed-in request reads its
session first. Django's store builds that query through the ORM, about 0.5 ms
of Python per request, a tenth of a ballot's own time in a ballot burst. This
store reads the same row with plain SQL (``congress.db.fetch_one``: prepared on
PostgreSQL); writing, expiry, cycling and clearing are Django's.
"""

from django.contrib.sessions.backends import db as django_db
from django.db import connections
from django.db import router
from django.utils import timezone

from congress import db


class SessionStore(django_db.SessionStore):
    def load(self):
        data = self._session_data_from_db()
        return self.decode(data) if data is not None else {}

    def _session_data_from_db(self) -> str | None:
        """The unexpired session's data, as Django's ``_get_session_from_db``
        finds it; ``None`` (and no session key) when there is none."""
        data = None
        if self.session_key:
            using = router.db_for_read(self.model)
            now = connections[using].ops.adapt_datetimefield_value(timezone.now())
            row = db.fetch_one(
                f"SELECT session_data FROM {self.model._meta.db_table}"
                " WHERE session_key = %s AND expire_date > %s",
                [self.session_key, now],
                using=using,
            )
            data = row[0] if row else None
        if data is None:
            self._session_key = None
        return data
