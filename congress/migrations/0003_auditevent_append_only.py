"""On PostgreSQL, a trigger keeps the audit log append-only in the database itself.

UPDATE is refused (except the one Django makes when a user is deleted: their
events keep their username and lose the user link, ``on_delete=SET_NULL``), and
DELETE is refused for rows younger than 180 days, so neither the ORM, a raw
query nor a console session can rewrite recent history. Other databases (the
SQLite of ``make run``) rely on the model's refusal alone.
"""

from django.db import migrations

CREATE = """
CREATE OR REPLACE FUNCTION congress_auditevent_append_only() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'UPDATE' THEN
        IF NEW.user_id IS NULL AND OLD.user_id IS NOT NULL
           AND (to_jsonb(NEW) - 'user_id') = (to_jsonb(OLD) - 'user_id') THEN
            RETURN NEW;
        END IF;
        RAISE EXCEPTION 'congress_auditevent is append-only: UPDATE refused'
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    IF OLD.time > now() - interval '180 days' THEN
        RAISE EXCEPTION 'congress_auditevent rows younger than 180 days cannot be deleted'
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    RETURN OLD;
END;
$$ LANGUAGE plpgsql;

DROP TRIGGER IF EXISTS congress_auditevent_append_only ON congress_auditevent;
CREATE TRIGGER congress_auditevent_append_only
    BEFORE UPDATE OR DELETE ON congress_auditevent
    FOR EACH ROW EXECUTE FUNCTION congress_auditevent_append_only();
"""

DROP = """
DROP TRIGGER IF EXISTS congress_auditevent_append_only ON congress_auditevent;
DROP FUNCTION IF EXISTS congress_auditevent_append_only();
"""


def create_trigger(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)


def drop_trigger(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [
        ("congress", "0002_seed_work_calendar"),
    ]

    operations = [
        migrations.RunPython(create_trigger, drop_trigger, elidable=False),
    ]
