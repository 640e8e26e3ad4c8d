"""/api/v1/sharing/ (events part): events, registrations and check-in. Mounted under the
sharing prefix, where these endpoints have always been. Same selectors and scoping as
the pages."""

import datetime as dt
from typing import Any

from ninja import Query, Router, Schema, Status
from ninja.pagination import LimitOffsetPagination, paginate

from oasis.accounts.http import AuthedHttpRequest
from oasis.core.filters import ParkMonthFilter
from oasis.sharing.selectors import managed_park_for_user, offering_get_for_user, park_for_user

from . import selectors, services
from .models import Event, Registration

router = Router(tags=["events"])


# ------------------------------------------------------------------ schemas


class EventPatch(Schema):
    title: str | None = None
    kind: Event.Kind | None = None
    offering_id: int | None = None
    starts_at: dt.datetime | None = None
    ends_at: dt.datetime | None = None
    venue: str | None = None
    capacity: int | None = None
    description: str | None = None


class EventIn(EventPatch):
    park_id: int | None = None
    title: str
    kind: Event.Kind
    starts_at: dt.datetime
    ends_at: dt.datetime
    capacity: int


class EventOut(Schema):
    id: int
    park_id: int
    offering_id: int | None
    title: str
    kind: str
    starts_at: dt.datetime
    ends_at: dt.datetime
    venue: str
    capacity: int
    description: str
    registered: int = 0
    waitlisted: int = 0


class RegistrationOut(Schema):
    id: int
    event_id: int
    user_id: int
    enterprise_id: int | None
    status: Registration.Status
    checked_in_at: dt.datetime | None


# ------------------------------------------------------------------ endpoints


@router.get("/events", response=list[EventOut])
@paginate(LimitOffsetPagination)
def event_list(request: AuthedHttpRequest, q: Query[ParkMonthFilter]):
    park = park_for_user(user=request.user, park_id=q.park_id)
    return selectors.event_list(user=request.user, park=park)


def _event_data(request: AuthedHttpRequest, payload: EventPatch) -> dict[str, Any]:
    data = payload.dict(exclude_unset=True)
    if "offering_id" in data:
        oid = data.pop("offering_id")
        data["offering"] = offering_get_for_user(user=request.user, pk=oid) if oid else None
    return data


@router.post("/events", response={201: EventOut})
def event_create(request: AuthedHttpRequest, payload: EventIn):
    park = managed_park_for_user(user=request.user, park_id=payload.park_id)
    data = _event_data(request, payload)
    data.pop("park_id", None)
    return Status(
        201, _event_out(request, services.event_save(actor=request.user, park=park, data=data))
    )


def _event_out(request: AuthedHttpRequest, event: Event) -> Event:
    """The event with its seat counts (as in the list)."""
    return selectors.event_list(user=request.user, park=event.park).get(pk=event.pk)


@router.get("/events/{event_id}", response=EventOut)
def event_detail(request: AuthedHttpRequest, event_id: int):
    return _event_out(request, selectors.event_get_for_user(user=request.user, pk=event_id))


@router.patch("/events/{event_id}", response=EventOut)
def event_update(request: AuthedHttpRequest, event_id: int, payload: EventPatch):
    event = selectors.event_get_for_user(user=request.user, pk=event_id)
    services.event_save(
        actor=request.user, park=event.park, event=event, data=_event_data(request, payload)
    )
    return _event_out(request, event)


@router.post("/events/{event_id}/register", response={201: RegistrationOut})
def event_register(request: AuthedHttpRequest, event_id: int):
    event = selectors.event_get_for_user(user=request.user, pk=event_id)
    return Status(201, services.event_register(actor=request.user, event=event))


@router.post("/registrations/{registration_id}/cancel", response=RegistrationOut)
def registration_cancel(request: AuthedHttpRequest, registration_id: int):
    reg = selectors.registration_get_for_user(user=request.user, pk=registration_id)
    return services.registration_cancel(actor=request.user, registration=reg)


@router.post("/registrations/{registration_id}/check-in", response=RegistrationOut)
def registration_check_in(request: AuthedHttpRequest, registration_id: int):
    reg = selectors.registration_get_for_user(user=request.user, pk=registration_id)
    return services.registration_check_in(actor=request.user, registration=reg)
