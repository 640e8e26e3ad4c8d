"""Amendments now set the rates in force from their date (later steps apply on top);
before, an amended rent was a year-1 rate escalated again from the lease start, and the
lease row held the latest amended rates. This rewrites every existing lease so that its
schedule stays what it was: the lease row gets back the rates as signed (the first
amendment's "before" of each rate), and each amendment touching a rate records the rates
in force, under the old rule, the day before and on its date. Escalation settings keep
their defaults (every year from year 2), which is the old rule."""

import calendar
import datetime as dt
import decimal
from decimal import Decimal

from django.db import migrations

RATES = ("rent_rate", "property_fee_rate", "escalation_pct")
CTX = decimal.Context(prec=200)


def _old_anniversaries(start, end):
    out, n = [], 1
    while True:
        index = start.year * 12 + start.month - 1 + 12 * n
        year, month = divmod(index, 12)
        month += 1
        day = dt.date(year, month, min(start.day, calendar.monthrange(year, month)[1]))
        if day > end:
            return out
        out.append(day)
        n += 1


PLACES = {"rent_rate": 4, "property_fee_rate": 2, "escalation_pct": 2}


def _plain(value, places):
    quantum = Decimal(1).scaleb(-places)
    if value == value.quantize(quantum):
        return str(value.quantize(quantum))
    return format(value.normalize(), "f")


def forwards(apps, schema_editor):
    Lease = apps.get_model("leasing", "Lease")
    LeaseAmendment = apps.get_model("leasing", "LeaseAmendment")
    lease_ids = set()
    for a in LeaseAmendment.objects.only("lease_id", "changes"):
        if any(f in (a.changes or {}) for f in RATES):
            lease_ids.add(a.lease_id)
    for lease in Lease.objects.filter(pk__in=lease_ids):
        made = list(LeaseAmendment.objects.filter(lease=lease).order_by("pk"))
        base = {f: Decimal(getattr(lease, f)) for f in RATES}
        seen = set()
        for a in made:
            for f, pair in (a.changes or {}).items():
                if f in RATES and f not in seen:
                    seen.add(f)
                    base[f] = Decimal(pair[0])
        end = lease.terminated_on or lease.end_date
        anniversaries = _old_anniversaries(lease.start_date, end)

        def folded(day, made=made, base=base):
            rates = dict(base)
            for a in made:
                if a.effective_on <= day:
                    rates.update(
                        {f: Decimal(p[1]) for f, p in (a.changes or {}).items() if f in RATES}
                    )
            return rates

        def in_force(day, anniversaries=anniversaries, folded=folded):
            rates = folded(day)
            n = sum(1 for x in anniversaries if x <= day)
            growth = CTX.add(1, CTX.divide(rates["escalation_pct"], 100))
            rent = rates["rent_rate"]
            for _i in range(n):
                rent = CTX.multiply(rent, growth)
            return {**rates, "rent_rate": rent}

        for a in made:
            if not any(f in (a.changes or {}) for f in RATES):
                continue
            day = max(a.effective_on, lease.start_date)
            before = (
                {**base}
                if day <= lease.start_date
                else in_force(day - dt.timedelta(days=1))
            )
            after = in_force(day)
            changes = {k: v for k, v in a.changes.items() if k not in RATES}
            for f in RATES:
                if before[f] != after[f] or f in a.changes:
                    changes[f] = [_plain(before[f], PLACES[f]), _plain(after[f], PLACES[f])]
            a.changes = changes
            a.save(update_fields=["changes"])
        for f in RATES:
            setattr(lease, f, base[f])
        lease.save(update_fields=list(RATES))


class Migration(migrations.Migration):
    dependencies = [("leasing", "0005_escalation_conventions")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
