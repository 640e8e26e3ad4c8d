"""Issue 14: one service request. Every existing 服务申请 becomes a request of the
service desk (oasis/tickets/legacy.py says how); the 服务申请 row stays as its service
line (offering, quantity, delivery date: what statements charge)."""

from django.db import migrations

from oasis.tickets.legacy import adopt_service_requests


def forwards(apps, schema_editor):
    adopt_service_requests(
        apps.get_model("sharing", "ServiceRequest"),
        apps.get_model("tickets", "Ticket"),
        apps.get_model("tickets", "TicketMessage"),
    )


def backwards(apps, schema_editor):
    ServiceRequest = apps.get_model("sharing", "ServiceRequest")
    Ticket = apps.get_model("tickets", "Ticket")
    ids = list(ServiceRequest.objects.exclude(ticket=None).values_list("ticket_id", flat=True))
    ServiceRequest.objects.update(ticket=None)
    Ticket.objects.filter(pk__in=ids).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("sharing", "0004_servicerequest_ticket"),
        ("tickets", "0004_alter_ticket_options_alter_ticket_category_and_more"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
