from unittest import mock

import pytest
from django.core import mail
from django.utils.translation import gettext_noop

from oasis.accounts.tests.factories import logged_in, make_user
from oasis.core.models import AuditEntry
from oasis.notifications import services
from oasis.notifications.models import EmailDelivery, Event, Notification, Preference

SUBJECT = gettext_noop("服务请求有新回复")
BODY = gettext_noop("“%(t)s”有新回复。")


def _notify(users, park, **kw):
    return services.notify(
        recipients=users,
        event=Event.REQUEST_REPLY,
        subject=SUBJECT,
        body=BODY,
        values={"t": "空调漏水"},
        link="/tickets/1/",
        park=park,
        **kw,
    )


def test_notify_fills_inbox_emails_by_task_and_says_who_was_reached(
    member, enterprise, park, committed
):
    member.email = "m@example.com"
    member.save()
    no_email = make_user("noemail", enterprise=enterprise)
    inactive = make_user("gone", enterprise=enterprise, is_active=False, email="g@example.com")
    with committed():
        reach = _notify([member, no_email, inactive, member], park)
    assert reach.notified == {member.pk, no_email.pk}
    assert reach.emailed == {member.pk}
    assert Notification.objects.filter(recipient=member).count() == 1
    assert not Notification.objects.filter(recipient=inactive).exists()
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["m@example.com"]
    assert "空调漏水" in mail.outbox[0].body and "/tickets/1/" in mail.outbox[0].body
    delivery = EmailDelivery.objects.get()
    assert (delivery.status, delivery.attempts) == ("sent", 1)
    assert AuditEntry.objects.filter(model="notifications.notification").count() == 2


def test_email_preference_off_keeps_the_inbox_only(member, park, committed):
    member.email = "m@example.com"
    member.save()
    services.preferences_save(user=member, email_events=[Event.REQUEST_NEW])
    assert Preference.objects.get(user=member, event=Event.REQUEST_REPLY).email is False
    with committed():
        reach = _notify([member], park)
    assert reach.notified == {member.pk} and reach.emailed == set()
    assert mail.outbox == []


def test_a_failing_email_is_retried_then_shown_to_staff_who_can_resend(
    member, park, staff, outsider, committed
):
    member.email = "m@example.com"
    member.save()
    with (
        mock.patch(
            "oasis.notifications.services.send_mail", side_effect=OSError("connection refused")
        ),
        committed(),
    ):
        _notify([member], park)
    delivery = EmailDelivery.objects.get()
    assert delivery.status == "failed"
    assert delivery.attempts == services.MAX_ATTEMPTS == 3
    assert "connection refused" in delivery.last_error

    r = logged_in(staff).get("/notifications/emails/")
    assert r.status_code == 200 and "m@example.com" in r.content.decode()
    # Staff of another park see nothing of it and cannot resend it.
    r = logged_in(outsider).get("/notifications/emails/")
    assert "m@example.com" not in r.content.decode()
    assert (
        logged_in(outsider).post(f"/notifications/emails/{delivery.pk}/retry/").status_code == 404
    )
    assert logged_in(member).get("/notifications/emails/").status_code == 403

    with committed():
        r = logged_in(staff).post(f"/notifications/emails/{delivery.pk}/retry/")
    assert r.status_code == 302
    delivery.refresh_from_db()
    assert delivery.status == "sent"
    assert len(mail.outbox) == 1
    # Failed ones unless asked; a junk status is the failed list again, not an error.
    staff_client = logged_in(staff)
    assert "m@example.com" not in staff_client.get("/notifications/emails/").content.decode()
    sent = staff_client.get("/notifications/emails/", {"status": "sent"})
    assert "m@example.com" in sent.content.decode()
    junk = staff_client.get("/notifications/emails/", {"status": "nope"})
    assert junk.status_code == 200 and junk.context["status"] == "failed"


def test_inbox_shows_unread_count_in_the_header_and_marks_read(member, park, enterprise):
    _notify([member], park)
    _notify([member], park)
    c = logged_in(member)
    page = c.get("/portal/").content.decode()
    assert 'id="unread-count"' in page and ">2</span>" in page
    inbox = c.get("/notifications/").content.decode()
    assert "“空调漏水”有新回复。" in inbox
    first = Notification.objects.filter(recipient=member).first()
    r = c.get(f"/notifications/{first.pk}/")
    assert r.status_code == 302 and r["Location"] == "/tickets/1/"
    first.refresh_from_db()
    assert first.read_at is not None
    assert ">1</span>" in c.get("/portal/").content.decode()
    # ?unread=1 lists the unread one only; a junk value lists them all, never an error.
    assert len(c.get("/notifications/", {"unread": "1"}).context["page"]) == 1
    junk = c.get("/notifications/", {"unread": "maybe"})
    assert junk.status_code == 200 and len(junk.context["page"]) == 2
    c.post("/notifications/read/")
    assert 'id="unread-count"' not in c.get("/portal/").content.decode()


def test_nobody_opens_or_marks_another_persons_message(member, park, enterprise, other_enterprise):
    colleague = make_user("colleague", enterprise=enterprise)
    other = make_user("other", enterprise=other_enterprise)
    _notify([member], park)
    note = Notification.objects.get()
    assert logged_in(colleague).get(f"/notifications/{note.pk}/").status_code == 404
    logged_in(other).post("/notifications/read/", {"id": note.pk})
    note.refresh_from_db()
    assert note.read_at is None
    assert "空调漏水" not in logged_in(other).get("/notifications/").content.decode()


def test_preferences_page_saves_choices(member):
    c = logged_in(member)
    assert c.get("/notifications/preferences/").status_code == 200
    r = c.post("/notifications/preferences/", {"email": [Event.REPORT_DUE, "bogus"]})
    assert r.status_code == 302
    off = set(Preference.objects.filter(user=member, email=False).values_list("event", flat=True))
    assert Event.REPORT_DUE not in off and Event.REQUEST_REPLY in off
    assert Event.INVITATION not in off  # always emailed, not a choice


def test_unknown_event_is_refused(member, park):
    with pytest.raises(ValueError):
        services.notify(recipients=[member], event="nope", subject=SUBJECT, park=park)
