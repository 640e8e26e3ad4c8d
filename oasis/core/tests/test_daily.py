import re
from io import StringIO

import pytest
from django.apps import apps
from django.core.management import call_command

from oasis.core.management.commands.daily import DAILY_JOBS


def _counts() -> dict[str, int]:
    return {
        m._meta.label: m._default_manager.count()
        for m in apps.get_models()
        if m._meta.app_label != "sessions"
    }


@pytest.mark.django_db
def test_daily_runs_every_job_and_a_second_run_records_nothing_new(demo):
    out = StringIO()
    call_command("daily", stdout=out)
    for name in DAILY_JOBS:
        assert f"== {name}" in out.getvalue()
    after_first = _counts()
    call_command("daily", stdout=StringIO())
    assert _counts() == after_first


def test_every_oasis_command_is_named_one_way_and_daily_runs_every_periodic_job():
    """Our commands are lower-case words joined by hyphens (`oasis seed-demo`), and every
    app's periodic job is one of `oasis daily`'s jobs."""
    from django.core.management import get_commands

    ours = {name for name, app in get_commands().items() if app.startswith("oasis.")}
    assert ours, "no Oasis command found"
    for name in ours:
        assert re.fullmatch(r"[a-z]+(-[a-z]+)*", name), name
    on_demand = {"daily", "assess", "seed-demo", "seed-parks", "backup", "restore", "worker"}
    assert ours - on_demand == set(DAILY_JOBS)
