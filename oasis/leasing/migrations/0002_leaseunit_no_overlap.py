"""No two signed leases of one unit with overlapping periods, enforced by PostgreSQL.

An exclusion constraint over (unit_id =, daterange &&) needs btree_gist for the integer
equality part. SQLite has no exclusion constraints: there the service's check runs inside
a transaction that takes the write lock at BEGIN (`transaction_mode: IMMEDIATE`), which
serialises check-then-insert. The constraint is created with SQL rather than declared in
Meta because Django would otherwise try to build (and validate) it on SQLite too.
"""

from django.contrib.postgres.operations import BtreeGistExtension
from django.db import migrations

CREATE = """
ALTER TABLE leasing_leaseunit ADD CONSTRAINT leaseunit_no_overlap
EXCLUDE USING gist (unit_id WITH =, daterange(start_date, end_date, '[]') WITH &&)
WHERE (occupies)
"""
DROP = "ALTER TABLE leasing_leaseunit DROP CONSTRAINT IF EXISTS leaseunit_no_overlap"


def _on_postgres(sql):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(sql)
    return run


class Migration(migrations.Migration):
    dependencies = [("leasing", "0001_leases")]

    operations = [
        BtreeGistExtension(),
        migrations.RunPython(_on_postgres(CREATE), _on_postgres(DROP), elidable=False),
    ]
