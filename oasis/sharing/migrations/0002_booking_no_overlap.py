"""No two slot-holding bookings of one resource overlap, enforced by PostgreSQL.

An exclusion constraint over (resource_id =, tstzrange(start, end, '[)') &&) needs
btree_gist for the integer equality part. `BtreeGistExtension` is CREATE EXTENSION IF NOT
EXISTS (another app, leasing, creates it too) and does nothing on other databases. SQLite
has no exclusion constraints: there the booking service's check runs in a transaction
that takes the write lock at BEGIN (`transaction_mode: IMMEDIATE`), serialising
check-then-insert. The constraint is raw SQL rather than Meta so Django neither tries to
build it on SQLite nor runs it as a Python-side validation on full_clean().
"""

from django.contrib.postgres.operations import BtreeGistExtension
from django.db import migrations

CREATE = """
ALTER TABLE sharing_booking ADD CONSTRAINT booking_no_overlap
EXCLUDE USING gist (resource_id WITH =, tstzrange("start", "end", '[)') WITH &&)
WHERE (occupies)
"""
DROP = "ALTER TABLE sharing_booking DROP CONSTRAINT IF EXISTS booking_no_overlap"


class KeepBtreeGist(BtreeGistExtension):
    """Reversing leaves the extension in place: leasing's constraint needs it too, and
    Django's DROP EXTENSION on reverse would also query pg_extension on SQLite."""

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        pass


def _on_postgres(sql):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(sql)
    return run


class Migration(migrations.Migration):
    dependencies = [("sharing", "0001_catalogue")]

    operations = [
        KeepBtreeGist(),
        migrations.RunPython(_on_postgres(CREATE), _on_postgres(DROP), elidable=False),
    ]
