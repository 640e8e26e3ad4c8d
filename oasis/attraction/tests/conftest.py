"""Attraction fixtures: an attraction manager (招商经理) and a few leads and partners."""

import pytest

from oasis.accounts.models import Role
from oasis.accounts.tests.factories import logged_in, make_user
from oasis.attraction import services
from oasis.attraction.models import Partner


@pytest.fixture
def manager(park):
    """An attraction manager of `park` (the role that works leads)."""
    return make_user("zhaoshang", park=park, role=Role.ATTRACTION, display_name="招商王")


@pytest.fixture
def manager_client(manager):
    return logged_in(manager)


@pytest.fixture
def officer_client(officer):
    return logged_in(officer)


@pytest.fixture
def ambassador(park, staff):
    return services.partner_save(
        actor=staff,
        park=park,
        data={"kind": Partner.Kind.AMBASSADOR, "name": "李大使", "organisation": "上海临港集团"},
    )


@pytest.fixture
def make_lead(park, manager):
    def _make(name="常熟测试科技有限公司", *, actor=None, park_=None, **data):
        data.setdefault("source", "direct")
        return services.lead_create(
            actor=actor or manager,
            park=park_ or park,
            data={"company_name": name, **data},
            confirm_duplicates=True,
        )

    return _make
