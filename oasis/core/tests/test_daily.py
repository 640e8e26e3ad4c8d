from io import StringIO

import pytest
from django.apps import apps
from django.core.management import call_command

from oasis.core.management.commands.daily import DAILY_JOBS


def _counts() -> dict[str, int]:
    return {
        m._meta.label: m.objects.count()
        for m in apps.get_models()
        if m._meta.app_label != "sessions"
    }


@pytest.mark.django_db
def test_daily_runs_every_job_and_a_second_run_records_nothing_new():
    from oasis.demo.generator import generate_park

    generate_park(enterprises=20, seed=3, domains=True)
    out = StringIO()
    call_command("daily", stdout=out)
    for name in DAILY_JOBS:
        assert f"== {name}" in out.getvalue()
    after_first = _counts()
    call_command("daily", stdout=StringIO())
    assert _counts() == after_first
