"""Service-desk writes take the one write path. Tickets feed no dashboard figure, so the
test is that the park's data version moves (and the audit rows are there)."""

from oasis.core.cache import park_data_version
from oasis.core.models import AuditEntry
from oasis.tickets import services


def test_opening_and_replying_move_the_park_data_version(committed, member, park):
    start = park_data_version(park.pk)
    with committed():
        ticket = services.ticket_open(actor=member, category="policy", title="咨询", body="流程？")
    assert park_data_version(park.pk) > start
    start = park_data_version(park.pk)
    with committed():
        reply = services.ticket_reply(actor=member, ticket=ticket, body="补充说明")
    assert park_data_version(park.pk) > start
    assert AuditEntry.objects.filter(model="tickets.ticket", object_id=str(ticket.pk)).exists()
    assert AuditEntry.objects.filter(
        model="tickets.ticketmessage", object_id=str(reply.pk), park_id=park.pk
    ).exists()
