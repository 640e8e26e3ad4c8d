"""Attraction writes take the one write path: signing a lead creates its firm, which
shows in the cached dashboard's pipeline on the next request."""

import datetime as dt

from oasis.attraction import services
from oasis.core.cache import park_data_version


def test_signing_a_lead_shows_in_the_cached_dashboard_pipeline(
    dashboard, committed, manager, make_lead, park
):
    start = park_data_version(park.pk)
    with committed():
        lead = make_lead(industry_code="3670")
    assert park_data_version(park.pk) > start  # a lead alone: no figure, but the version
    for stage in ("negotiation", "visit", "intent", "signed"):
        lead = services.lead_move(actor=manager, lead=lead, stage=stage)
    assert dashboard()[0].pipeline == 0
    with committed():
        services.lead_convert(
            actor=manager, lead=lead, sign=services.SignInput(signed_on=dt.date(2025, 3, 1))
        )
    assert dashboard()[0].pipeline == 1
